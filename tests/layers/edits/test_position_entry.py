"""Typed positions in every accepted form land within 1 m of the hand-checked seat of 垫江县
(107.35E, 30.33N; its GK, GCJ-02 and BD-09 values are checked by hand in tests/geo/test_crs.py)."""

from __future__ import annotations

import pytest
from pyproj import Geod
from shapely.geometry import box

from geo.errors import CoordinateError, CRSError
from layers.edits.position import parse_position

SEAT = (107.35, 30.33)
COUNTY = box(107.05, 29.95, 107.75, 30.65)  # 垫江县's extent, ~107.1-107.7E: settles the zone of a plain easting
_GEOD = Geod(ellps="GRS80")


def _off_m(p) -> float:  # noqa: ANN001
    return float(_GEOD.inv(p.point.x, p.point.y, *SEAT)[2])


@pytest.mark.parametrize(("first", "second", "kw", "crs"), [
    ("107.35", "30.33", {}, "EPSG:4326"),
    (107.35, 30.33, {"datum": "cgcs2000"}, "EPSG:4490"),
    ("107°21′0″E", "30°19′48″N", {}, "EPSG:4326"),  # 0.33 deg = 19'48"
    ("107度21分", "北纬30度19分48秒", {}, "EPSG:4326"),
    ("１０７．３５", "３０．３３", {}, "EPSG:4326"),  # full-width digits from a Chinese input method
    ("107-21-00", "30-19-48", {}, "EPSG:4326"),
    ("30.33", "107.35", {}, "EPSG:4326"),  # latitude typed first
    ("107.3546027", "30.3275054", {"datum": "gcj02"}, "GCJ-02"),  # copied from a phone map
    ("107.3611492", "30.3332676", {"datum": "bd09"}, "BD-09"),
    ("3356874.677", "36437491.796", {"crs": "auto", "area": COUNTY}, "EPSG:4524"),  # surveyors' X, Y with zone 36
    ("36437491.796", "3356874.677", {"crs": "auto", "area": COUNTY}, "EPSG:4524"),  # easting first
    ("3356874.677", "437491.796", {"crs": "auto", "area": COUNTY}, "EPSG:4545"),  # no prefix: zone from the county
    ("3,356,874.677", "437,491.796", {"crs": "EPSG:4545"}, "EPSG:4545"),
    ("3356874.677", "36437491.796", {"crs": "EPSG:4524"}, "EPSG:4524"),
    ("3356874.677", "36437491.796", {"crs": "auto"}, "EPSG:4524"),  # the prefix alone settles the zone
    ("3359037.098", "18726020.087", {"crs": "auto", "area": COUNTY}, "EPSG:4496"),  # 6-degree zone 18
])
def test_every_form_lands_within_one_metre(first: str, second: str, kw: dict, crs: str) -> None:
    p = parse_position(first, second, **kw)
    assert _off_m(p) < 1.0
    assert p.crs == crs and " / " in p.reading


def test_the_reading_says_what_was_done() -> None:
    assert parse_position("30.33", "107.35").reading == "经纬度，WGS84；先写的是纬度，已对调 / lon/lat, WGS84; latitude came first, swapped"
    assert parse_position("3356874.677", "36437491.796", crs="auto", area=COUNTY).reading == \
        "EPSG:4524（先北坐标 X、后东坐标 Y） / EPSG:4524 (northing X first, easting Y second)"


@pytest.mark.parametrize(("first", "second", "kw", "error", "match"), [
    ("abc", "30.33", {}, CoordinateError, r"无法把经度“abc”读作角度.* / cannot read the longitude 'abc': write decimal degrees"),
    ("107.35", "30度75分", {}, CoordinateError, r"无法把纬度“30度75分”读作角度"),
    ("107.35", "95", {}, CoordinateError, r"纬度“95”超出 -90–90 度.* / the latitude '95' is outside -90..90 degrees"),
    ("107.35", "30.33", {"datum": "wgs85"}, CRSError, r"不认识的基准“wgs85”：请选 wgs84、cgcs2000、gcj02、bd09。 / unknown datum 'wgs85'"),
    ("x3356874", "437491.796", {"crs": "EPSG:4545"}, CoordinateError, r"无法把 X“x3356874”读作米制坐标.* / cannot read X 'x3356874' as metres"),
    ("3356874.677", "437491.796", {"crs": "4545"}, CRSError, r"不认识的坐标系“4545”：请写 EPSG 代码（如 EPSG:4524）或 auto。 / unknown CRS '4545'"),
    ("3356874.677", "437491.796", {"crs": "auto"}, CRSError,
     r"定不了投影带（没有带号）：请给出坐标系（如 EPSG:4545）。 / X=3356874.677, Y=437491.796 carry no zone prefix"),
])
def test_bad_entries_are_named_with_the_fix(first: str, second: str, kw: dict, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        parse_position(first, second, **kw)
