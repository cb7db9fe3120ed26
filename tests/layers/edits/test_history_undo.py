"""The change log for people, undo and revert: undo gives back the earlier version exactly (the stored
geometry blob and every attribute, provenance included), undo of a delete and of an add, refused when a
later change touched the same feature (named), return to a revision as one changeset, filters, the
log surviving a rebuild, and the XLSX log formula-safe."""

from __future__ import annotations

import datetime as dt
import io
import sqlite3
from pathlib import Path

import openpyxl
import pytest
from shapely.geometry import Point

from geo.errors import ConflictError, OptionError, UnknownNameError, ValidationError
from layers.edits import edit
from layers.edits import history as h
from layers.store.workspace import open_workspace

ADCODE = "500231"
RES, RES2 = "dj21-018", "dj21-019"
A, B = Point(107.40, 30.30), Point(107.45, 30.25)


def _stored(folder: Path, layer: str, fid: str) -> list[tuple]:
    """Every stored version of a feature as raw SQLite rows (geometry blob included), in order."""
    con = sqlite3.connect(folder / f"{ADCODE}.gpkg")
    try:
        return con.execute(f'SELECT * FROM "user_{layer}" WHERE fid = ? ORDER BY gpkg_fid', (fid,)).fetchall()
    finally:
        con.close()


def _strip(row: tuple) -> tuple:
    """A version without its row id, version span and changeset: geometry blob, attributes, supersedes,
    deleted, provenance."""
    return row[1:-5] + row[-2:] if len(row) > 6 else row


def _row(layer: str, fid: str):  # noqa: ANN202
    frame = open_workspace(ADCODE).layer(layer)
    hit = frame[frame["fid"] == fid]
    return None if hit.empty else hit.iloc[0]


def test_undo_gives_back_the_earlier_version_byte_for_byte(private_workspaces: Path) -> None:
    edit.edit_feature(open_workspace(ADCODE), "reservoirs", RES, geometry=A, values={"budget_wan": "1250.5"}, user="张三", reason="一")
    first = _stored(private_workspaces, "reservoirs", RES)[-1]
    shown = _row("reservoirs", RES)
    second = edit.edit_feature(open_workspace(ADCODE), "reservoirs", RES, geometry=B, values={"status": "completed", "note": "x"},
                               user="李四", reason="二")
    undone = h.undo(open_workspace(ADCODE), second.id, user="王五", reason="改错了")
    assert (undone.action, undone.reason, undone.fids) == ("undo", "改错了", [RES])
    versions = _stored(private_workspaces, "reservoirs", RES)
    assert len(versions) == 3 and _strip(versions[-1]) == _strip(first)  # blob, attributes, supersedes, deleted, provenance
    now = _row("reservoirs", RES)
    assert now.geometry.wkb == shown.geometry.wkb == A.wkb
    assert now.drop("geometry").to_dict() == pytest.approx(shown.drop("geometry").to_dict(), nan_ok=True)
    assert not open_workspace(ADCODE).risk_stale


def test_undo_of_the_first_edit_of_a_plan_feature_shows_the_plan_again(private_workspaces: Path) -> None:
    plan = _row("reservoirs", RES)
    cs = edit.edit_feature(open_workspace(ADCODE), "reservoirs", RES, geometry=A, user="张三", reason="一")
    h.undo(open_workspace(ADCODE), cs.id, user="王五")
    back = _row("reservoirs", RES)
    assert back.geometry.wkb == plan.geometry.wkb and back["geometry_quality"] == plan["geometry_quality"]
    assert open_workspace(ADCODE).user_features("reservoirs").empty  # retired, not deleted
    assert open_workspace(ADCODE).changesets()[-1].reason == f"撤销变更集 #{cs.id} / undo of changeset #{cs.id}"


def test_undo_of_a_delete_and_of_an_add(private_workspaces: Path) -> None:
    edit.edit_feature(open_workspace(ADCODE), "reservoirs", RES, geometry=A, user="张三", reason="一")
    kept = _stored(private_workspaces, "reservoirs", RES)[-1]
    gone = edit.delete_feature(open_workspace(ADCODE), "reservoirs", RES, user="李四", reason="重复")
    assert _row("reservoirs", RES) is None
    h.undo(open_workspace(ADCODE), gone.id, user="王五", reason="误删")
    assert _strip(_stored(private_workspaces, "reservoirs", RES)[-1]) == _strip(kept)
    assert _row("reservoirs", RES).geometry.wkb == A.wkb
    added = edit.add_feature(open_workspace(ADCODE), "facilities", geometry=B, values={"name": "新点", "kind": "shelter"},
                             user="张三", reason="新建")
    fid = added.fids[0]
    h.undo(open_workspace(ADCODE), added.id, user="王五", reason="不该加")
    assert _row("facilities", fid) is None
    assert fid not in set(open_workspace(ADCODE).user_features("facilities")["fid"])


def test_undo_refused_when_a_later_change_touched_the_feature(private_workspaces: Path) -> None:
    first = edit.edit_feature(open_workspace(ADCODE), "reservoirs", RES, geometry=A, user="张三", reason="一")
    later = edit.edit_feature(open_workspace(ADCODE), "reservoirs", RES, values={"status": "completed"}, user="李四", reason="验收")
    other = edit.edit_feature(open_workspace(ADCODE), "reservoirs", RES2, values={"status": "completed"}, user="赵六", reason="验收")
    rev = open_workspace(ADCODE).revision
    with pytest.raises(ConflictError, match=rf"^变更集 #{first.id} 不能撤销：之后的变更 #{later.id}（版本 revision {later.revision}，.*李四.*"
                                            rf"又改动了相同要素（{RES}），原因：验收。.* / changeset #{first.id} cannot be undone: a later "
                                            rf"change #{later.id}"):
        h.undo(open_workspace(ADCODE), first.id, user="王五")
    assert open_workspace(ADCODE).revision == rev
    h.undo(open_workspace(ADCODE), other.id, user="王五")  # a change of another feature does not block
    with pytest.raises(ValidationError, match=r"^变更集 #1（build）不涉及人提交的要素，不能撤销.*。 / changeset #1 \(build\) changed no feature"):
        h.undo(open_workspace(ADCODE), 1, user="王五")
    with pytest.raises(UnknownNameError, match=r"^工作区 500231 没有变更集 #99（现有 1–\d+）。 / workspace 500231 has no changeset #99"):
        h.undo(open_workspace(ADCODE), 99, user="王五")
    with pytest.raises(ValidationError, match=r"^操作人（user）为空"):
        h.undo(open_workspace(ADCODE), later.id, user=" ")


def test_revert_to_a_revision_is_one_changeset(private_workspaces: Path) -> None:
    edit.edit_feature(open_workspace(ADCODE), "reservoirs", RES, geometry=A, user="张三", reason="一")
    at = open_workspace(ADCODE)
    at_geoms = {f: at.layer("reservoirs").set_index("fid").loc[f].geometry.wkb for f in (RES, RES2)}
    kept, plan2 = _stored(private_workspaces, "reservoirs", RES)[-1], _row("reservoirs", RES2)
    edit.edit_feature(open_workspace(ADCODE), "reservoirs", RES, geometry=B, user="李四", reason="二")
    edit.delete_feature(open_workspace(ADCODE), "reservoirs", RES2, user="李四", reason="三")
    added = edit.add_feature(open_workspace(ADCODE), "facilities", geometry=B, values={"name": "新点", "kind": "shelter"}, user="李四", reason="四")
    before = open_workspace(ADCODE).revision
    cs = h.revert_to(open_workspace(ADCODE), at.revision, user="王五", reason="回到核实后")
    assert (cs.action, cs.revision, sorted(cs.fids)) == ("revert", before + 1, sorted([RES, RES2, added.fids[0]]))
    assert _strip(_stored(private_workspaces, "reservoirs", RES)[-1]) == _strip(kept)
    assert _row("reservoirs", RES2).geometry.wkb == plan2.geometry.wkb and _row("facilities", added.fids[0]) is None
    assert {f: _row("reservoirs", f).geometry.wkb for f in (RES, RES2)} == at_geoms
    with pytest.raises(ValidationError, match=rf"^用户内容已与版本 {at.revision} 相同，无需回退。 / the user content is already as it was"):
        h.revert_to(open_workspace(ADCODE), at.revision, user="王五", reason="再来")
    with pytest.raises(OptionError, match=r"^不能回到版本 0：可回到 1–\d+。 / cannot return to revision 0"):
        h.revert_to(open_workspace(ADCODE), 0, user="王五", reason="r")
    h.undo(open_workspace(ADCODE), cs.id, user="王五", reason="撤销回退")  # a revert is undone like any change
    assert _row("reservoirs", RES).geometry.wkb == B.wkb and _row("reservoirs", RES2) is None


def test_history_newest_first_with_before_after_and_filters(private_workspaces: Path) -> None:
    moved = edit.edit_feature(open_workspace(ADCODE), "reservoirs", RES, geometry=A, values={"status": "completed"}, user="张三", reason="一")
    gone = edit.delete_feature(open_workspace(ADCODE), "reservoirs", RES2, user="李四", reason="二")
    added = edit.add_feature(open_workspace(ADCODE), "facilities", geometry=B, values={"name": "新点", "kind": "shelter"}, user="张三", reason="三")
    ws = open_workspace(ADCODE)
    log = h.history(ws)
    assert [e.changeset.id for e in log] == [added.id, gone.id, moved.id, 1]
    fc = log[2].features[0]
    assert (fc.layer, fc.fid, fc.name) == ("reservoirs", RES, "全胜水库")
    assert fc.changed == ["geometry", "status", "geometry_quality", "geometry_source"]
    assert fc.before.geometry.iloc[0].wkb == ws.plan_features("reservoirs").set_index("fid").loc[RES].geometry.wkb
    assert fc.after.geometry.iloc[0].wkb == A.wkb and fc.after["status"].iloc[0] == "completed"
    town = ws.layer("townships")[ws.layer("townships").contains(A)]["name"].iloc[0]
    assert fc.township == town
    d = log[1].features[0]
    assert (d.fid, d.after, d.changed) == (RES2, None, ["deleted"])
    n = log[0].features[0]
    assert n.before is None and n.changed[:3] == ["geometry", "name", "kind"]
    assert [e.changeset.id for e in h.history(ws, user="张三")] == [added.id, moved.id]
    assert [e.changeset.id for e in h.history(ws, layer="reservoirs", fid=RES)] == [moved.id]
    expect = [added.id] * (n.township == town) + [moved.id]
    assert [e.changeset.id for e in h.history(ws, township=town)] == expect
    today = dt.date.fromisoformat(moved.time[:10])
    assert len(h.history(ws, since=today, until=today)) >= 3 and h.history(ws, until=today - dt.timedelta(days=400)) == []


def test_history_survives_a_rebuild(private_workspaces: Path) -> None:
    from layers.jobs.build import build_workspace

    moved = edit.edit_feature(open_workspace(ADCODE), "reservoirs", RES, geometry=A, user="张三", reason="一")
    before = [(e.changeset, [(f.fid, f.changed, f.after.geometry.iloc[0].wkb) for f in e.features]) for e in h.history(open_workspace(ADCODE))]
    build_workspace(ADCODE)
    after = h.history(open_workspace(ADCODE))
    assert after[0].changeset.action == "build"
    assert [(e.changeset, [(f.fid, f.changed, f.after.geometry.iloc[0].wkb) for f in e.features]) for e in after[1:]] == before
    assert _row("reservoirs", RES).geometry.wkb == A.wkb
    h.undo(open_workspace(ADCODE), moved.id, user="王五")  # a rebuild does not block the undo of a person's change
    assert _row("reservoirs", RES)["geometry_quality"] == "approximate"


def test_the_log_as_xlsx_is_formula_safe(private_workspaces: Path) -> None:
    edit.edit_feature(open_workspace(ADCODE), "reservoirs", RES, values={"note": "=HYPERLINK(\"http://x\")"}, user="@张三", reason="-改")
    data = h.history_xlsx(h.history(open_workspace(ADCODE)), "zh")
    rows = list(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert rows[0][:8] == ("变更集", "版本", "时间", "用户", "操作", "原因", "图层", "编号")
    assert rows[1][3:11] == ("'@张三", "edit", "'-改", "水库", RES, "全胜水库", None, "修改")
    assert (rows[1][11], rows[1][12]) == ("note=9座除险加固水库之一,提升防洪能力", 'note==HYPERLINK("http://x")')  # text first: never a formula
    assert not any(isinstance(c, str) and c.startswith("=") for r in rows for c in r)
    en = list(openpyxl.load_workbook(io.BytesIO(h.history_xlsx(h.history(open_workspace(ADCODE)), "en"))).active.iter_rows(values_only=True))
    assert en[0][:3] == ("Changeset", "Revision", "Time") and en[1][6] == "Reservoirs"
