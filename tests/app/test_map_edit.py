"""AppTest of 编辑 on the map page over a private copy of the built 垫江 workspace: a reservoir is selected,
its position typed as GK X/Y or 度分秒 and saved (the store holds it within 1 m, ``surveyed``, with the
editor's name), a missing reason blocks the save, the attribute choices come from the layer spec, a
feature is deleted and restored, a feature is added, and a change made by someone else meanwhile is
refused with their change in the message."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point
from streamlit.testing.v1 import AppTest

from layers.catalog.i18n import STATUS_LABELS, pick
from layers.catalog.specs import STATUSES, get_spec
from layers.store.gpkg import UserChange
from layers.store.workspace import open_workspace
from tests.app._pages import run_page

ADCODE = "500231"
PAGE = str(Path(__file__).resolve().parents[2] / "ui" / "map.py")
pytestmark = pytest.mark.usefixtures("private_workspaces")
# 107.40 E, 30.30 N (inside 垫江) in CGCS2000 3-degree GK zone 36 (central meridian 108 E, EPSG:4524 with the zone
# prefix): 0.6 degrees west of the meridian is about 57.7 km west of the false easting 500 km; checked with pyproj
TARGET = (107.40, 30.30)
GK_X, GK_Y = "3353522.37", "36442282.63"  # X = northing, Y = easting with the zone number


@pytest.fixture(autouse=True)
def _forget_the_workspace_list() -> Iterator[None]:
    """The page caches the list of workspaces for 30 s; the private folder holds only 500231, which later
    tests in this process must not see."""
    yield
    from ui import ui_cache

    ui_cache.workspaces.clear()


def _run(lang: str = "zh", **state: object) -> AppTest:
    return run_page(PAGE, adcode=ADCODE, lang=lang, **state)


def _select(at: AppTest, name: str = "全胜水库") -> AppTest:
    at.text_input(key="search").input(name).run()
    assert not at.exception and at.session_state["selected"][0] == "reservoirs"
    return at


def _feature(layer: str, fid: str) -> gpd.GeoSeries:
    frame = open_workspace(ADCODE).layer(layer)
    return frame[frame["fid"] == fid].iloc[0]


def _metres(p: Point, lonlat: tuple[float, float]) -> float:
    dy = (p.y - lonlat[1]) * 111_320
    dx = (p.x - lonlat[0]) * 111_320 * math.cos(math.radians(lonlat[1]))
    return math.hypot(dx, dy)


def _details(at: AppTest) -> str:
    return at.table[0].value.to_string()


def _who(at: AppTest, reason: str = "现场核实") -> None:
    at.text_input(key="editor").input("张三")
    at.text_input(key="edit_reason").input(reason)


@pytest.mark.parametrize(("datum", "first", "second", "crs"), [
    ("gk", GK_X, GK_Y, ""),  # zone from the prefix, X as northing (7 digits)
    ("gk", GK_X, GK_Y, "EPSG:4524"),
    ("wgs84", "107°24′0″", "30°18′0″", None),  # 度分秒
    ("wgs84", "107.4", "30.3", None),
])
def test_a_typed_position_is_saved_within_a_metre_as_surveyed(datum: str, first: str, second: str, crs: str | None) -> None:
    at = _select(_run())
    layer, fid = at.session_state["selected"]
    at.selectbox(key="edit_datum").set_value(datum).run()
    if crs is not None:
        at.text_input(key="edit_crs").input(crs)
    at.text_input(key="edit_first").input(first)
    at.text_input(key="edit_second").input(second).run()
    assert not at.error, [e.value for e in at.error]
    _who(at)
    at.run()
    at.button(key="edit_save_pos").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    row = _feature(layer, fid)
    assert _metres(row.geometry, TARGET) < 1.0
    assert row["geometry_quality"] == "surveyed"
    text = _details(at)
    assert "人工核定" in text and "张三" in text and "107.400000, 30.300000" in text.replace("107.399999", "107.400000")
    assert "已保存" in at.success[0].value
    assert at.session_state["selected"] == (layer, fid)


def test_a_click_in_the_map_fills_the_position() -> None:
    at = _select(_run())
    layer, fid = at.session_state["selected"]
    at.button(key="edit_pick_move").click().run()
    assert at.session_state["edit_mode"] == "move"
    at.session_state["_edit_click"] = (TARGET[1], TARGET[0])  # what _from_map files from the map's [lat, lng, token]
    at.run()
    assert at.text_input(key="edit_first").value.startswith("107.4")
    _who(at)
    at.button(key="edit_save_pos").click().run()
    assert _metres(_feature(layer, fid).geometry, TARGET) < 1.0
    assert at.session_state["edit_mode"] is None  # saved: the map leaves edit mode
    assert at.text_input(key="edit_reason").value == "" and at.text_input(key="edit_first").value == ""  # a fresh form


def test_a_missing_reason_blocks_the_save_with_the_message() -> None:
    at = _select(_run())
    before = open_workspace(ADCODE).revision
    at.text_input(key="edit_first").input("107.4")
    at.text_input(key="edit_second").input("30.3").run()
    at.text_input(key="editor").input("张三").run()
    at.button(key="edit_save_pos").click().run()
    assert [e.value for e in at.error] == ["请填写编辑人和修改原因。"]
    assert open_workspace(ADCODE).revision == before


def test_a_position_that_cannot_be_read_says_so_in_the_language_of_the_page() -> None:
    at = _select(_run(lang="en"), "全胜水库")
    at.text_input(key="edit_first").input("abc")
    at.text_input(key="edit_second").input("30.3").run()
    assert at.error and at.error[0].value.startswith("cannot read the longitude 'abc'")  # the English half only
    assert "无法" not in at.error[0].value


def test_attribute_choices_come_from_the_spec_and_a_change_is_saved() -> None:
    at = _select(_run())
    layer, fid = at.session_state["selected"]
    spec = get_spec("reservoirs")
    assert at.selectbox(key="edit_attr_kind").options == [k.label("zh") for k in spec.kinds]
    assert at.selectbox(key="edit_attr_status").options == [pick(STATUS_LABELS[v], "zh") for v in STATUSES]
    assert at.number_input(key="edit_attr_plan_count").label.endswith("*")  # required, a number
    at.selectbox(key="edit_attr_status").set_value("completed")
    _who(at, "验收完成")
    at.button(key="edit_save_attr").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert _feature(layer, fid)["status"] == "completed"


def test_delete_then_restore() -> None:
    at = _select(_run())
    layer, fid = at.session_state["selected"]
    _who(at, "已报废")
    at.button(key="edit_delete").click().run()
    assert not at.exception and at.session_state["selected"] is None
    assert fid not in set(open_workspace(ADCODE).layer(layer)["fid"])
    at.text_input(key="edit_reason").input("误删").run()
    assert at.selectbox(key="restore_pick").options == ["全胜水库 · 水库"]
    at.button(key="edit_restore").click().run()
    assert not at.exception
    assert fid in set(open_workspace(ADCODE).layer(layer)["fid"])
    assert at.session_state["selected"] == (layer, fid)


def test_a_feature_is_added_by_clicking() -> None:
    at = _run()
    n = len(open_workspace(ADCODE).layer("reservoirs"))
    at.selectbox(key="add_layer").set_value("reservoirs").run()
    at.button(key="edit_pick_add").click().run()
    at.session_state["_edit_click"] = (TARGET[1], TARGET[0])
    at.run()
    at.text_input(key="add_name").input("新建<b>水库</b>")
    _who(at, "今年新建")
    at.button(key="edit_add").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    frame = open_workspace(ADCODE).layer("reservoirs")
    assert len(frame) == n + 1
    layer, fid = at.session_state["selected"]
    assert layer == "reservoirs" and frame[frame["fid"] == fid]["name"].iloc[0] == "新建<b>水库</b>"
    assert "新建<b>水库</b>" in _details(at)  # the name as text


def test_a_change_made_meanwhile_by_someone_else_is_refused_with_their_change() -> None:
    at = _select(_run())
    layer, fid = at.session_state["selected"]
    ws = open_workspace(ADCODE)
    row = ws.layer(layer)
    row = row[row["fid"] == fid].copy()
    row["geometry"] = [Point(107.35, 30.32)]
    ws.commit([UserChange(layer, upsert=gpd.GeoDataFrame(row, crs=4490))], user="李四", action="edit", reason="李四的核实")
    at.text_input(key="edit_first").input("107.4")
    at.text_input(key="edit_second").input("30.3")
    _who(at)
    at.button(key="edit_save_pos").click().run()
    assert at.error and "李四" in at.error[0].value
    assert _metres(_feature(layer, fid).geometry, (107.35, 30.32)) < 0.01  # theirs kept


def test_the_history_button_opens_the_feature_history() -> None:
    at = _select(_run())
    layer, fid = at.session_state["selected"]
    at.button(key="to_history").click().run()
    assert at.session_state["history_filter"] == {"layer": layer, "fid": fid}


def _map_args(at: AppTest) -> dict:
    """The arguments the page gave the map component (the map's script and the live group)."""
    import json

    comps = [json.loads(c.proto.json_args) for c in at.get("component_instance") if "feature_group" in c.proto.json_args]
    assert len(comps) == 1
    return comps[0]


def test_a_saved_move_patches_the_live_map_instead_of_recompiling_it() -> None:
    """The map's script stays byte-equal (streamlit-folium keeps the map and the view); the live group
    carries the moved reservoir at its new position, and after an undo back at the old one."""
    import re

    from layers.edits.history import undo
    from layers.render.webmap import parse_js_data

    at = _select(_run())
    layer, fid = at.session_state["selected"]
    old = _feature(layer, fid).geometry
    before = _map_args(at)
    at.text_input(key="edit_first").input(str(TARGET[0]))
    at.text_input(key="edit_second").input(str(TARGET[1])).run()
    _who(at)
    at.button(key="edit_save_pos").click().run()
    assert not at.exception and not at.error
    after = _map_args(at)
    assert after["script"] == before["script"]

    def patched() -> dict:
        live = _map_args(at)["feature_group"]
        data = parse_js_data(re.search(r"onemapVisibility\((\{.*\})\);", live).group(1))
        (entry,) = [p for p in data["p"]["l"] if p["layer"] == layer]
        return entry

    entry = patched()
    assert fid in entry["rm"]
    (row,) = [r for r in entry["pts"]["f"] if r[3] == fid]
    assert (row[0], row[1]) == (round(TARGET[0] * 1e5), round(TARGET[1] * 1e5))
    cs = open_workspace(ADCODE).changesets()[-1]
    undo(open_workspace(ADCODE), cs.id, user="李四")
    at.run()
    assert _map_args(at)["script"] == before["script"]
    (row,) = [r for r in patched()["pts"]["f"] if r[3] == fid]  # still patched: back where the compiled map had it
    assert (row[0], row[1]) == (round(old.x * 1e5), round(old.y * 1e5))


def test_a_river_line_is_moved_whole_from_the_page() -> None:
    rivers = open_workspace(ADCODE).layer("rivers")
    line = rivers[rivers.geometry.geom_type == "LineString"].iloc[0]
    at = _run()
    at.session_state["selected"] = ("rivers", str(line["fid"]))
    at.run()
    assert "整体平移" in " ".join(c.value for c in at.caption)
    at.text_input(key="edit_first").input(str(TARGET[0]))
    at.text_input(key="edit_second").input(str(TARGET[1])).run()
    _who(at, "示意线偏移")
    at.button(key="edit_save_pos").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    moved = _feature("rivers", str(line["fid"]))
    assert moved.geometry.geom_type == "LineString" and moved["geometry_quality"] == "surveyed"
    assert _metres(moved.geometry.representative_point(), TARGET) < 1.0
