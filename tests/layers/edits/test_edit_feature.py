"""Editing one feature: attribute values checked and typed by the layer spec (messages pinned), a
person's position is 人工核定 with the editor and the time, attribute edits keep the position class,
add / delete / restore, the township risk follows in the same changeset, and the conflict case."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import LineString, Point

from geo.errors import ConflictError, UnknownNameError, ValidationError
from layers.catalog.quality import class_counts, class_label, position_class
from layers.edits import edit
from layers.store.workspace import open_workspace

ADCODE = "500231"
RES = "dj21-018"  # 全胜水库, placed at its township seat from the plan text (approximate)
NEW_PLACE = Point(107.40, 30.30)  # inside 垫江县


def _feature(layer: str, fid: str):  # noqa: ANN202
    frame = open_workspace(ADCODE).layer(layer)
    return frame[frame["fid"] == fid].iloc[0]


def test_a_move_is_surveyed_with_the_editor_and_time(private_workspaces: Path) -> None:
    ws = open_workspace(ADCODE)
    assert _feature("reservoirs", RES)["geometry_quality"] == "approximate"
    before = dt.datetime.now().astimezone().replace(microsecond=0)
    cs = edit.edit_feature(ws, "reservoirs", RES, geometry=NEW_PLACE, user="张三", reason="现场核实")
    assert (cs.action, cs.user, cs.reason, cs.fids, cs.base_revision) == ("edit", "张三", "现场核实", [RES], ws.revision)
    row = _feature("reservoirs", RES)
    assert row.geometry.wkb == NEW_PLACE.wkb and row["geometry_quality"] == "surveyed"
    assert row["name"] == "全胜水库" and row["source_doc"] == "垫江府发〔2022〕9号"  # the plan citation stays
    prov = json.loads(open_workspace(ADCODE).user_features("reservoirs").iloc[0]["provenance"])
    assert (prov["editor"], prov["reason"], prov["action"], prov["moved"]) == ("张三", "现场核实", "edit", True)
    when = dt.datetime.fromisoformat(prov["time"])
    assert when.tzinfo is not None and before <= when <= dt.datetime.now().astimezone()
    assert position_class(open_workspace(ADCODE).layer("reservoirs").query("fid == @RES")).tolist() == ["surveyed"]
    assert class_label("surveyed", "zh") == "人工核定" and class_label("surveyed", "en") == "surveyed"


def test_an_attribute_edit_keeps_the_position_class_and_types_values(private_workspaces: Path) -> None:
    ws = open_workspace(ADCODE)
    edit.edit_feature(ws, "reservoirs", RES, values={"status": " completed ", "budget_wan": "１,250.5", "plan_count": 2.0,
                                                     "note": ""}, user="张三", reason="台账")
    row = _feature("reservoirs", RES)
    assert (row["status"], row["budget_wan"], row["plan_count"], row["note"]) == ("completed", 1250.5, 2, None)
    assert row["geometry_quality"] == "approximate"
    assert row.geometry.wkb == ws.layer("reservoirs").query("fid == @RES").geometry.iloc[0].wkb


@pytest.mark.parametrize(("values", "match"), [
    ({"status": "done"}, r"^状态（status）不能取“done”：请从 planned、under_construction、completed、ongoing、unknown 中选一个。 / "
                         r"status cannot be 'done': pick one of planned, under_construction, completed, ongoing, unknown\.$"),
    ({"kind": "lake"}, r"^类别（kind）不能取“lake”：请从 reservoir 中选一个。 / kind cannot be 'lake': pick one of reservoir\.$"),
    ({"plan_count": "2.5"}, r"^规划数量（plan_count）应为整数，收到“2.5”：请填写整数，如 3。 / plan_count must be a whole number, "
                            r"got '2.5': enter a whole number such as 3\.$"),
    ({"budget_wan": "十万"}, r"^投资\(万元\)（budget_wan）应为数字，收到“十万”：请填写数字，如 12.5。 / budget_wan must be a number, got "
                           r"'十万': enter a number such as 12.5\.$"),
    ({"budget_wan": True}, r"budget_wan must be a number, got 'True'"),
    ({"name": "  "}, r"^名称（name）必须填写，收到空值：请填写名称。 / name is required, got an empty value: fill it in\.$"),
    ({"depth": 3}, r"^图层 水库 没有字段“depth”：可填写的字段有 name, kind, .* / layer reservoirs has no field 'depth': the fields are name"),
    ({"geometry_quality": "authoritative"}, r"^位置质量（geometry_quality）由系统记录，不能手工填写：修改位置或其他字段即可。 / geometry_quality is "
                                            r"recorded by the system"),
    ({"status": "done", "plan_count": "x"}, r"^状态（status）不能取“done”.*；规划数量（plan_count）应为整数，收到“x”.*。 / status cannot be "
                                            r"'done'.*; plan_count must be a whole number, got 'x'"),
    ({}, r"^没有要修改的内容：请给出新位置或要改的字段值。 / nothing to change: give a new position or the field values to set\.$"),
])
def test_bad_values_are_refused_naming_field_value_and_fix(private_workspaces: Path, values: dict, match: str) -> None:
    ws = open_workspace(ADCODE)
    with pytest.raises(ValidationError, match=match):
        edit.edit_feature(ws, "reservoirs", RES, values=values, user="张三", reason="核实")
    assert open_workspace(ADCODE).revision == ws.revision  # nothing written


@pytest.mark.parametrize(("user", "reason", "match"), [
    ("", "核实", r"^操作人（user）为空：请填写您的姓名。 / user is empty: enter your name\.$"),
    ("张三", " ", r"^原因（reason）为空：请写明为什么做这个修改。 / reason is empty: say why you make this change\.$"),
    (None, None, r"^操作人（user）为空：请填写您的姓名；原因（reason）为空.*。 / user is empty: enter your name; reason is empty"),
])
def test_every_change_needs_a_user_and_a_reason(private_workspaces: Path, user: str, reason: str, match: str) -> None:
    ws = open_workspace(ADCODE)
    for call in (lambda: edit.edit_feature(ws, "reservoirs", RES, geometry=NEW_PLACE, user=user, reason=reason),
                 lambda: edit.delete_feature(ws, "reservoirs", RES, user=user, reason=reason),
                 lambda: edit.add_feature(ws, "facilities", geometry=NEW_PLACE, values={"name": "x", "kind": "shelter"}, user=user, reason=reason)):
        with pytest.raises(ValidationError, match=match):
            call()
    assert open_workspace(ADCODE).revision == ws.revision


def test_positions_and_features_that_cannot_be_edited(private_workspaces: Path) -> None:
    ws = open_workspace(ADCODE)
    with pytest.raises(ValidationError, match=r"^位置（108\.500000, 30\.300000）在垫江县界外 [\d,]+ 米：请核对坐标.*。 / the position "
                                              r"\(108\.500000, 30\.300000\) lies [\d,]+ m outside"):
        edit.edit_feature(ws, "reservoirs", RES, geometry=Point(108.5, 30.3), user="张三", reason="r")
    with pytest.raises(ValidationError, match=r"^图层 水库 不接受 LineString：应为 Point。 / layer reservoirs does not take a LineString"):
        edit.edit_feature(ws, "reservoirs", RES, geometry=LineString([(107.4, 30.3), (107.41, 30.3)]), user="张三", reason="r")
    with pytest.raises(UnknownNameError, match=r"^图层 水库 中没有要素“nope”：请核对编号.*。 / layer reservoirs has no feature 'nope'"):
        edit.edit_feature(ws, "reservoirs", "nope", values={"status": "completed"}, user="张三", reason="r")
    with pytest.raises(ValidationError, match=r"^图层“county”不能在此编辑：可编辑的图层有 河流水系、.*。 / layer 'county' cannot be edited here"):
        edit.edit_feature(ws, "county", "x", values={"name": "y"}, user="张三", reason="r")


def test_add_delete_restore(private_workspaces: Path) -> None:
    ws = open_workspace(ADCODE)
    with pytest.raises(ValidationError, match=r"^类别（kind）必须填写，收到空值：请填写类别。 / kind is required"):
        edit.add_feature(ws, "facilities", geometry=NEW_PLACE, values={"name": "新避难场所"}, user="王五", reason="新建")
    added = edit.add_feature(ws, "facilities", geometry=NEW_PLACE, values={"name": "新避难场所", "kind": "shelter"}, user="王五", reason="新建")
    fid = added.fids[0]
    assert (fid, added.action) == ("edit-500231-1", "add")
    row = _feature("facilities", fid)
    assert (row["name"], row["kind"], row["status"], row["plan_count"], row["geometry_quality"]) == ("新避难场所", "shelter", "unknown", 1, "surveyed")
    assert row["township"] and row.geometry.wkb == NEW_PLACE.wkb
    ws = open_workspace(ADCODE)
    gone = edit.delete_feature(ws, "facilities", fid, user="王五", reason="重复")
    assert gone.action == "delete" and fid not in set(open_workspace(ADCODE).layer("facilities")["fid"])
    ws = open_workspace(ADCODE)
    with pytest.raises(ValidationError, match=rf"^应急设施 中的要素“{fid}”已删除：请先恢复它再修改。 / feature '{fid}' of facilities is deleted"):
        edit.edit_feature(ws, "facilities", fid, values={"name": "x"}, user="王五", reason="r")
    back = edit.restore_feature(ws, "facilities", fid, user="王五", reason="误删")
    assert back.action == "restore"
    assert _feature("facilities", fid).geometry.wkb == NEW_PLACE.wkb
    with pytest.raises(ValidationError, match=rf"^应急设施 中的要素“{fid}”没有被删除，无需恢复。 / feature '{fid}' of facilities is not deleted"):
        edit.restore_feature(open_workspace(ADCODE), "facilities", fid, user="王五", reason="r")
    # the next addition never reuses an id, even of a feature that was undone or deleted
    again = edit.add_feature(open_workspace(ADCODE), "facilities", geometry=NEW_PLACE, values={"name": "二号", "kind": "shelter"},
                             user="王五", reason="新建")
    assert again.fids == ["edit-500231-2"]


def test_delete_and_restore_of_a_plan_feature(private_workspaces: Path) -> None:
    plan_row = _feature("reservoirs", RES)
    edit.delete_feature(open_workspace(ADCODE), "reservoirs", RES, user="李四", reason="已报废")
    ws = open_workspace(ADCODE)
    assert RES not in set(ws.layer("reservoirs")["fid"])
    edit.restore_feature(ws, "reservoirs", RES, user="李四", reason="误删")
    row = _feature("reservoirs", RES)
    assert row.geometry.wkb == plan_row.geometry.wkb and row["geometry_quality"] == "approximate"


def test_the_township_risk_follows_in_the_same_changeset(private_workspaces: Path) -> None:
    ws = open_workspace(ADCODE)
    assert ws.layer("reservoirs").query("fid == @RES")["geometry_source"].iloc[0].startswith("county centre")  # position unknown
    counts = ws.layer("risk_townships").set_index("name")["n_reservoirs"]
    towns = ws.layer("townships").iloc[[0, 1]]
    a, b = towns["name"].tolist()
    cs = edit.edit_feature(ws, "reservoirs", RES, geometry=towns.geometry.iloc[0].representative_point(), user="张三", reason="核实")
    ws = open_workspace(ADCODE)
    assert not ws.risk_stale and "risk_townships" in cs.counts and ws.meta is not None
    now = ws.layer("risk_townships").set_index("name")["n_reservoirs"]
    assert (now[a], now[b], now.sum()) == (counts[a] + 1, counts[b], counts.sum() + 1)  # a placeholder was not counted; a surveyed one is
    edit.edit_feature(ws, "reservoirs", RES, geometry=towns.geometry.iloc[1].representative_point(), user="张三", reason="再核实")
    now = open_workspace(ADCODE).layer("risk_townships").set_index("name")["n_reservoirs"]
    assert (now[a], now[b], now.sum()) == (counts[a], counts[b] + 1, counts.sum() + 1)


def test_a_change_that_leaves_the_township_risk_as_it_was_does_not_rewrite_it(private_workspaces: Path) -> None:
    """The risk is recomputed with every change of its inputs, but stored again only when it differs:
    a reservoir moved within its township leaves every township's figures alone, so the change writes
    the reservoir only (the map re-reads and redraws nothing else) and the stored risk stays current."""
    ws = open_workspace(ADCODE)
    town = ws.layer("townships").iloc[0]
    inside = town.geometry.representative_point()
    edit.edit_feature(ws, "reservoirs", RES, geometry=inside, user="张三", reason="核实")  # into the township: counted there
    ws = open_workspace(ADCODE)
    stored = ws.layer("risk_townships")
    nudged = Point(inside.x + 1e-5, inside.y)  # one metre east: still the same township
    assert town.geometry.contains(nudged)
    cs = edit.edit_feature(ws, "reservoirs", RES, geometry=nudged, user="张三", reason="微调")
    assert cs.layer == "reservoirs" and "risk_townships" not in cs.counts
    after = open_workspace(ADCODE)
    assert not after.risk_stale
    assert after.layer("risk_townships").to_wkb().equals(stored.to_wkb())
    assert _feature("reservoirs", RES).geometry.wkb == nudged.wkb
    status = edit.edit_feature(after, "reservoirs", RES, values={"status": "completed"}, user="张三", reason="验收")
    assert status.layer == "reservoirs" and not open_workspace(ADCODE).risk_stale  # the status is no input of the risk


def test_two_edits_of_one_feature_from_one_revision_the_second_is_refused(private_workspaces: Path) -> None:
    ws_a, ws_b = open_workspace(ADCODE), open_workspace(ADCODE)
    base = ws_a.revision
    first = edit.edit_feature(ws_a, "reservoirs", RES, values={"status": "completed"}, user="张三", reason="验收", base_revision=base)
    with pytest.raises(ConflictError, match=rf"^工作区 500231 在您打开的版本 {base} 之后已被他人修改：变更 #{first.id}（版本 revision "
                                            rf"{first.revision}，{re.escape(first.time)}，张三，edit reservoirs.*原因：验收。"):
        edit.edit_feature(ws_b, "reservoirs", RES, geometry=NEW_PLACE, user="李四", reason="移位", base_revision=base)
    row = _feature("reservoirs", RES)
    assert row["status"] == "completed" and row["geometry_quality"] == "approximate"  # the first kept, nothing of the second
    # another feature edited from the same revision is not a conflict
    edit.edit_feature(ws_b, "reservoirs", "dj21-019", values={"status": "completed"}, user="李四", reason="验收", base_revision=base)
    assert _feature("reservoirs", "dj21-019")["status"] == "completed"
    assert class_counts(open_workspace(ADCODE).layer("reservoirs")).get("surveyed", 0) == 0


@pytest.mark.parametrize(("layer", "geom_type"), [("rivers", "LineString"), ("forest_fire", "Polygon")])
def test_a_point_given_for_a_line_or_polygon_moves_it_whole_and_undo_puts_it_back(private_workspaces, layer: str,
                                                                                  geom_type: str) -> None:
    """A river drawn schematically at the wrong place, or a forest area at the seat, is moved by one
    click: its representative point lands on the point (within 1 m), its length or area is unchanged."""
    from layers.edits.history import undo
    from layers.store.workspace import open_workspace

    ws = open_workspace("500231")
    frame = ws.layer(layer)
    row = frame[frame.geometry.geom_type == geom_type].iloc[0]
    fid, before = str(row["fid"]), row.geometry
    to = Point(107.40, 30.30)
    edit.edit_feature(ws, layer, fid, geometry=to, user="林业局 王五", reason="位置示意偏移，整体移到实地")
    after = open_workspace("500231").layer(layer).set_index("fid").loc[fid]
    assert after.geometry.geom_type == geom_type and after["geometry_quality"] == "surveyed"
    m = gpd.GeoSeries([before, after.geometry, after.geometry.representative_point(), to], crs=4490).to_crs(ws.metric_crs)
    assert m.iloc[2].distance(m.iloc[3]) < 1.0
    size = (lambda g: g.length) if geom_type == "LineString" else (lambda g: g.area)
    assert abs(size(m.iloc[1]) - size(m.iloc[0])) < 1e-3 * size(m.iloc[0])
    ws = open_workspace("500231")
    undo(ws, ws.changesets()[-1].id, user="林业局 王五")
    back = open_workspace("500231").layer(layer).set_index("fid").loc[fid]
    assert back.geometry.wkb == before.wkb
