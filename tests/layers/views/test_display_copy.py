"""The map's display copy reuses simplified shapes only while they are the same shapes."""

from __future__ import annotations

import geopandas as gpd
from shapely.geometry import box

from geo.display import display_frame
from layers.views.mapview import _display_copy


def _towns(level: str, shift: float = 0.0) -> gpd.GeoDataFrame:
    cells = [box(107 + i * 0.1 + shift, 30, 107.1 + i * 0.1 + shift, 30.1) for i in range(3)]
    return gpd.GeoDataFrame({"fid": ["a", "b", "c"], "name": ["甲", "乙", "丙"], "level": [level] * 3}, geometry=cells, crs=4490)


def test_same_as_a_fresh_display_copy_after_an_attribute_change_and_after_a_move() -> None:
    for frame in (_towns("1"), _towns("3"), _towns("3", shift=0.05)):
        got = _display_copy(frame, ["fid", "name", "level"], 0.001, True, 1e-5)
        want = display_frame(frame, keep=["fid", "name", "level"], tolerance_deg=0.001, coverage=True, precision_deg=1e-5)
        assert list(got["level"]) == list(want["level"])
        assert list(got.geometry.to_wkb()) == list(want.geometry.to_wkb())
        assert got.crs.to_epsg() == 4326
