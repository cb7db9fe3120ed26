"""Patches of the live map: which features travel after a change, where the browser finds the old
ones (by id, or by drawn position in a dense layer), and when the page must compile afresh."""

from __future__ import annotations

import geopandas as gpd
from shapely.geometry import Point

from layers.render.patch import MapView, patch_data, plan_patch, signatures
from layers.render.webmap import compile_map


def _display(points: dict[str, tuple[float, float, str]]) -> dict[str, gpd.GeoDataFrame]:
    """A reservoirs display frame: fid -> (lon, lat, legend label), coloured by label."""
    colour = {"除险加固": "#d7191c", "其他": "#2b83ba"}
    rows = [{"fid": f, "name": f"水库{f}", "action": lab, "_c": colour[lab], "_r": 6.0, "_q": 0, "_l": lab, "_w": 1.0, "_fo": 0.8,
             "geometry": Point(x, y)} for f, (x, y, lab) in points.items()]
    return {"reservoirs": gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)}


def _view(points: dict[str, tuple[float, float, str]], rev: str) -> MapView:
    shown = _display(points)
    return MapView(shown, signatures(shown), rev, lambda: compile_map(shown, lang="zh"))


BASE = {"a": (107.1, 30.1, "其他"), "b": (107.2, 30.2, "除险加固"), "c": (107.3, 30.3, "其他")}


def test_a_moved_feature_travels_alone_with_its_new_position_and_its_old_drawn_position() -> None:
    base = _view(BASE, "5")
    now = _view({**BASE, "b": (107.25, 30.2, "除险加固")}, "6")
    patch, carried = plan_patch(base, now, {}, {})
    assert carried == {"reservoirs": frozenset({"b"})}
    data = patch_data(patch, "zh")
    (layer,) = data["l"]
    assert (layer["layer"], layer["rm"], layer["at"], layer["n"]) == ("reservoirs", ["b"], [1], 3)
    (row,) = layer["pts"]["f"]
    assert row[:2] == [10725000, 3020000] and row[3] == "b"
    assert data["k"] == "5>6"


def test_the_patch_is_cumulative_so_an_undo_is_drawn_back_where_the_base_had_it() -> None:
    base = _view(BASE, "5")
    _, carried = plan_patch(base, _view({**BASE, "b": (107.25, 30.2, "除险加固")}, "6"), {}, {})
    patch, carried = plan_patch(base, _view(BASE, "7"), carried, {})  # undone: equal to the base again
    (layer,) = patch_data(patch, "zh")["l"]
    assert layer["rm"] == ["b"] and layer["pts"]["f"][0][:2] == [10720000, 3020000]


def test_a_deleted_feature_is_removed_and_an_added_one_drawn() -> None:
    base = _view(BASE, "5")
    patch, _ = plan_patch(base, _view({"a": BASE["a"], "c": BASE["c"], "d": (107.4, 30.4, "其他")}, "6"), {}, {})
    (layer,) = patch_data(patch, "zh")["l"]
    assert layer["rm"] == ["b", "d"] and layer["at"] == [1] and [r[3] for r in layer["pts"]["f"]] == ["d"]


def test_nothing_changed_is_an_empty_patch() -> None:
    base = _view(BASE, "5")
    patch, carried = plan_patch(base, _view(BASE, "6"), {}, {})
    assert patch.layers == () and carried == {}


def test_a_new_legend_class_a_filter_on_the_layer_or_a_new_layer_compile_afresh() -> None:
    base = _view({"a": BASE["a"], "c": BASE["c"]}, "5")  # no 除险加固 in the base legend
    assert plan_patch(base, _view({**BASE}, "6"), {}, {}) is None
    base = _view(BASE, "5")
    moved = _view({**BASE, "b": (107.25, 30.2, "除险加固")}, "6")
    assert plan_patch(base, moved, {}, {"reservoirs": [0, 2]}) is None  # positions of a filter refer to a fresh compile
    assert plan_patch(base, moved, {}, {"reservoirs": None}) is not None
    other = MapView({**moved.display, "rivers": moved.display["reservoirs"].iloc[0:0]}, moved.sig, "6", lambda: None)
    assert plan_patch(base, other, {}, {}) is None
