"""Editing, history, undo and revert with the workspace in PostgreSQL (``ONEMAP_STORE``): the same
library calls as on a GeoPackage give back the same versions (geometry bytes and every attribute), the
same refusals and the same change log."""

from __future__ import annotations

import time

import pandas as pd
import pytest
from shapely.geometry import Point

from geo.errors import ConflictError, ValidationError
from layers.edits import edit
from layers.edits import history as h
from layers.store.workspace import open_workspace, store

ADCODE = "500231"
RES, RES2 = "dj21-018", "dj21-019"
A, B = Point(107.40, 30.30), Point(107.45, 30.25)
pytestmark = pytest.mark.usefixtures("private_postgis")


def _last_version(layer: str, fid: str) -> tuple:
    """The newest stored version of ``fid`` without its span and changeset: geometry bytes, attributes,
    supersedes, deleted, provenance."""
    v = open_workspace(ADCODE).versions(layer, fid).iloc[-1]
    keep = [c for c in v.index if c not in ("geometry", "rev_from", "rev_to", "changeset")]
    return (v.geometry.wkb, *(None if pd.isna(v[c]) else v[c] for c in keep))


def _row(layer: str, fid: str):  # noqa: ANN202
    frame = open_workspace(ADCODE).layer(layer)
    hit = frame[frame["fid"] == fid]
    return None if hit.empty else hit.iloc[0]


def test_the_store_is_postgresql() -> None:
    assert store().kind == "postgis"


def test_edit_then_undo_gives_back_the_earlier_version_exactly() -> None:
    started = time.perf_counter()
    edit.edit_feature(open_workspace(ADCODE), "reservoirs", RES, geometry=A, values={"budget_wan": "1250.5"}, user="张三", reason="一")
    assert time.perf_counter() - started < 10  # one edit: open, check, commit with the risk recomputed
    first, shown = _last_version("reservoirs", RES), _row("reservoirs", RES)
    assert shown.geometry.wkb == A.wkb and shown["geometry_quality"] == "surveyed" and shown["budget_wan"] == 1250.5
    second = edit.edit_feature(open_workspace(ADCODE), "reservoirs", RES, geometry=B, values={"status": "completed"}, user="李四", reason="二")
    undone = h.undo(open_workspace(ADCODE), second.id, user="王五", reason="改错了")
    assert (undone.action, undone.fids) == ("undo", [RES])
    assert _last_version("reservoirs", RES) == first
    assert len(open_workspace(ADCODE).versions("reservoirs", RES)) == 3
    assert not open_workspace(ADCODE).risk_stale


def test_delete_add_and_their_undo() -> None:
    plan = _row("reservoirs", RES2)
    gone = edit.delete_feature(open_workspace(ADCODE), "reservoirs", RES2, user="李四", reason="重复")
    assert _row("reservoirs", RES2) is None
    h.undo(open_workspace(ADCODE), gone.id, user="王五", reason="误删")
    assert _row("reservoirs", RES2).geometry.wkb == plan.geometry.wkb
    added = edit.add_feature(open_workspace(ADCODE), "facilities", geometry=B, values={"name": "新点", "kind": "shelter"},
                             user="张三", reason="新建")
    assert _row("facilities", added.fids[0])["name"] == "新点"
    h.undo(open_workspace(ADCODE), added.id, user="王五", reason="不该加")
    assert _row("facilities", added.fids[0]) is None


def test_undo_refused_when_a_later_change_touched_the_feature_and_stale_edit_refused() -> None:
    stale = open_workspace(ADCODE)
    first = edit.edit_feature(open_workspace(ADCODE), "reservoirs", RES, geometry=A, user="张三", reason="一")
    later = edit.edit_feature(open_workspace(ADCODE), "reservoirs", RES, values={"status": "completed"}, user="李四", reason="验收")
    rev = open_workspace(ADCODE).revision
    with pytest.raises(ConflictError, match=rf"^变更集 #{first.id} 不能撤销：之后的变更 #{later.id}（版本 revision {later.revision}，.*李四.*"
                                            rf" / changeset #{first.id} cannot be undone: a later change #{later.id}"):
        h.undo(open_workspace(ADCODE), first.id, user="王五")
    with pytest.raises(ConflictError, match=rf"在您打开的版本 {stale.revision} 之后已被他人修改：变更 #{first.id}.*张三"):
        edit.edit_feature(stale, "reservoirs", RES, geometry=B, user="赵六", reason="旧页面", base_revision=stale.revision)
    with pytest.raises(ValidationError, match=r"^状态（status）不能取“done”"):
        edit.edit_feature(open_workspace(ADCODE), "reservoirs", RES, values={"status": "done"}, user="张三", reason="核实")
    assert open_workspace(ADCODE).revision == rev


def test_revert_history_and_a_rebuild() -> None:
    from layers.jobs.build import build_workspace

    edit.edit_feature(open_workspace(ADCODE), "reservoirs", RES, geometry=A, user="张三", reason="一")
    at = open_workspace(ADCODE)
    kept = _last_version("reservoirs", RES)
    edit.edit_feature(open_workspace(ADCODE), "reservoirs", RES, geometry=B, user="李四", reason="二")
    edit.delete_feature(open_workspace(ADCODE), "reservoirs", RES2, user="李四", reason="三")
    cs = h.revert_to(open_workspace(ADCODE), at.revision, user="王五", reason="回到核实后")
    assert (cs.action, sorted(cs.fids)) == ("revert", sorted([RES, RES2]))
    assert _last_version("reservoirs", RES) == kept and _row("reservoirs", RES2) is not None
    log = [e.changeset.id for e in h.history(open_workspace(ADCODE))]
    build_workspace(ADCODE)
    after = h.history(open_workspace(ADCODE))
    assert after[0].changeset.action == "build" and [e.changeset.id for e in after[1:]] == log
    assert _row("reservoirs", RES).geometry.wkb == A.wkb
