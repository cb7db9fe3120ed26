"""The workspace store on a real file: foreign layers and user content survive every write, revisions
and the change log, conflicts, writes touching only their tables, leftovers, the adcode funnel and the
migration of an old-format workspace. Each test writes to its own copy of a built 500231; those taking
``backend`` run on the GeoPackage and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from _store_helpers import (
    ADCODE,
    FOREIGN,
    Backend,
    add_foreign_layer,
    add_spatial_index,
    assert_same_features,
    gpkg_path,
    index_matches,
    integrity,
    raw_rows,
    read_foreign,
    run_layers,
    table_hashes,
)

from geo.errors import ConflictError, GeoError, SourceReadError, UnknownNameError
from geo.gpkg import write_gpkg_atomic
from layers.analysis.riskstore import recompute_risk
from layers.jobs.build import build_workspace
from layers.store.workspace import UserChange, WorkspaceInfo, list_workspaces, open_workspace, store


def _points(rows: list[tuple[str, float, float]], *, kind: str, note: str | None = None) -> gpd.GeoDataFrame:
    """User point features (fid, lon, lat) in EPSG:4490, cited to a survey."""
    return gpd.GeoDataFrame({
        "fid": [r[0] for r in rows], "name": [f"实测 {r[0]}" for r in rows], "kind": kind, "note": note,
        "source_doc": "2025 实地核查", "source_section": "表1", "geometry_quality": "surveyed", "geometry_source": "GNSS",
    }, geometry=[shapely.Point(r[1], r[2]) for r in rows], crs=4490)


def _moved(ws_layer: gpd.GeoDataFrame, fid: str, lon: float, lat: float) -> gpd.GeoDataFrame:
    """The plan row ``fid`` at a new position (all its attributes kept)."""
    row = ws_layer[ws_layer["fid"] == fid].copy()
    row.geometry = [shapely.Point(lon, lat)]
    return row


# --- (a) a layer added with GDAL survives build, risk and user writes ------------------------------------
def test_foreign_layer_survives_build_risk_and_commits(backend: Backend) -> None:
    written = backend.add_foreign_layer()
    before, before_raw = backend.read_foreign(), backend.raw_rows(FOREIGN)
    assert list(before["name"]) == list(written["name"]) and list(before.geometry.to_wkb()) == list(written.geometry.to_wkb())
    for args in (("build", ADCODE), ("risk", ADCODE, "--scheme", "quantiles")):
        done = run_layers(backend.folder, *args)
        assert done.returncode == 0, done.stderr
    ws = open_workspace(ADCODE)
    ws.commit([UserChange("facilities", upsert=_points([("u-f1", 107.4, 30.3)], kind="shelter"))],
              user="alice", action="edit")
    assert_same_features(before, backend.read_foreign())
    assert backend.raw_rows(FOREIGN) == before_raw
    ws = open_workspace(ADCODE)
    assert ws.extra_layers == [FOREIGN]
    assert [c.action for c in ws.changesets()] == ["build", "build", "risk", "edit"]
    assert FOREIGN not in ws.frames()
    assert backend.kind != "gpkg" or integrity(backend.path) == "ok"


# --- (b) user content survives a rebuild ---------------------------------------------------------------
def test_user_commit_survives_rebuild(backend: Backend) -> None:
    ws = open_workspace(ADCODE)
    plan = ws.layer("reservoirs")
    fid, gone = plan["fid"].iloc[0], plan["fid"].iloc[1]
    upsert = pd.concat([_moved(plan, fid, 107.3512, 30.3021), _points([("u-res-1", 107.36, 30.31)], kind="reservoir")])
    ws.commit([UserChange("reservoirs", upsert=upsert)], user="alice", action="import", reason="实测坐标")
    open_workspace(ADCODE).commit([UserChange("reservoirs", delete=(gone,))], user="bob", action="delete", reason="已废弃")
    stored = backend.raw_rows("user_reservoirs")
    assert len(stored) == 3
    build_workspace(ADCODE)
    assert backend.raw_rows("user_reservoirs") == stored  # byte-equal, geometry blobs included

    ws = open_workspace(ADCODE)
    assert ws.revision == 4 and ws.changesets()[-1].action == "build"
    merged = ws.layer("reservoirs")
    assert len(merged) == len(plan) - 1 + 1  # one deleted, one added; the moved one replaces its plan row
    assert gone not in set(merged["fid"])
    mine = merged[merged["fid"] == fid]
    assert len(mine) == 1 and mine.geometry.iloc[0].equals(shapely.Point(107.3512, 30.3021))
    assert list(merged["fid"])[-2:] == [fid, "u-res-1"]  # user features after the plan's
    sup = ws.superseded("reservoirs").set_index("fid")
    assert sorted(sup.index) == sorted([fid, gone])
    assert sup.loc[fid, "superseded_by"] == fid
    assert sup.loc[fid, "source_doc"] == plan.set_index("fid").loc[fid, "source_doc"]
    assert sup.loc[fid].geometry.equals(plan.set_index("fid").loc[fid].geometry)


# --- (c) revisions and the change log ------------------------------------------------------------------
def _commit_history() -> list:
    """Three commits on one user feature: add, move, delete. Returns their change-log rows."""
    sha = "ab" * 32
    first = open_workspace(ADCODE).commit(
        [UserChange("facilities", upsert=_points([("u-x", 107.30, 30.30)], kind="shelter"))],
        user="alice", action="import", reason="第一次 survey", source_name="点位.xlsx", source_sha256=sha)
    second = open_workspace(ADCODE).commit(
        [UserChange("facilities", upsert=_points([("u-x", 107.31, 30.31)], kind="shelter"))],
        user="bob", action="edit", reason="moved")
    third = open_workspace(ADCODE).commit([UserChange("facilities", delete=("u-x",))], user="carol", action="delete",
                                          reason="duplicate")
    return [first, second, third]


def test_each_commit_is_one_revision_and_one_log_row(backend: Backend) -> None:
    start = dt.datetime.now(dt.UTC).replace(microsecond=0)
    made = _commit_history()
    log = open_workspace(ADCODE).changesets()
    assert [c.revision for c in log] == [1, 2, 3, 4] and [c.id for c in log] == [1, 2, 3, 4]
    assert log[1:] == made
    expect = [("alice", "import", "第一次 survey", "点位.xlsx", "ab" * 32, {"added": 1}),
              ("bob", "edit", "moved", None, None, {"replaced": 1}),
              ("carol", "delete", "duplicate", None, None, {"deleted": 1})]
    for cs, (user, action, reason, name, sha, counts) in zip(log[1:], expect, strict=True):
        assert (cs.user, cs.action, cs.reason, cs.source_name, cs.source_sha256) == (user, action, reason, name, sha)
        assert (cs.layer, cs.fids, cs.counts, cs.base_revision) == ("facilities", ["u-x"], {"facilities": counts}, cs.revision - 1)
        when = dt.datetime.fromisoformat(cs.time)
        assert when.tzinfo is not None and start <= when <= dt.datetime.now(dt.UTC)
    assert open_workspace(ADCODE).revision == 4


def test_history_command_prints_the_log(backend: Backend) -> None:
    made = _commit_history()
    done = run_layers(backend.folder, "history", ADCODE, "--json", "--fid", "u-x")
    assert done.returncode == 0, done.stderr
    assert [r["revision"] for r in json.loads(done.stdout)] == [c.revision for c in made]
    assert json.loads(done.stdout)[0]["source_name"] == "点位.xlsx"


def test_user_content_read_back_at_each_revision(backend: Backend) -> None:
    _commit_history()

    def at(rev: int) -> tuple[list, gpd.GeoDataFrame]:
        ws = open_workspace(ADCODE, revision=rev)
        assert ws.revision == rev
        merged = ws.layer("facilities")
        return [g.wkt for g in merged.loc[merged["fid"] == "u-x"].geometry], ws.user_features("facilities")

    assert at(1)[0] == [] and at(1)[1].empty
    assert at(2)[0] == ["POINT (107.3 30.3)"]
    assert at(3)[0] == ["POINT (107.31 30.31)"]
    shown, user = at(4)
    assert shown == [] and list(user["fid"]) == ["u-x"] and list(user["deleted"]) == [1]
    assert list(user["rev_from"]) == [4] and list(user["changeset"]) == [4]
    assert len(open_workspace(ADCODE).layer("facilities")) == len(open_workspace(ADCODE, revision=1).layer("facilities"))


@pytest.mark.parametrize("rev", [99, -5])
def test_a_revision_the_workspace_never_had_is_refused(backend: Backend, rev: int) -> None:
    with pytest.raises(GeoError, match=rf"revision {rev}"):
        open_workspace(ADCODE, revision=rev)


# --- (d) conflicts -------------------------------------------------------------------------------------
def test_second_writer_of_the_same_feature_is_refused(backend: Backend) -> None:
    a, b = open_workspace(ADCODE), open_workspace(ADCODE)
    plan = a.layer("reservoirs")
    fid = plan["fid"].iloc[0]
    first = a.commit([UserChange("reservoirs", upsert=_moved(plan, fid, 107.30, 30.30))], user="alice", action="edit", reason="实测")
    rows = backend.raw_rows("user_reservoirs")
    hashes = backend.table_hashes()
    with pytest.raises(ConflictError, match=rf"change #{first.id}（版本 revision {first.revision}，[^，]+，alice，edit reservoirs"):
        b.commit([UserChange("reservoirs", upsert=_moved(plan, fid, 107.40, 30.40))], user="bob", action="edit")
    with pytest.raises(ConflictError, match=rf"#{first.id}.*alice.*reload revision {first.revision}"):
        b.commit([UserChange("reservoirs", delete=(fid,))], user="bob", action="delete")
    assert backend.table_hashes() == hashes and backend.raw_rows("user_reservoirs") == rows
    ws = open_workspace(ADCODE)
    assert ws.revision == first.revision and ws.changesets()[-1] == first
    assert ws.layer("reservoirs").set_index("fid").loc[fid].geometry.equals(shapely.Point(107.30, 30.30))


def test_writers_of_different_features_both_succeed(backend: Backend) -> None:
    a, b = open_workspace(ADCODE), open_workspace(ADCODE)
    plan = a.layer("reservoirs")
    f1, f2 = plan["fid"].iloc[0], plan["fid"].iloc[1]
    one = a.commit([UserChange("reservoirs", upsert=_moved(plan, f1, 107.30, 30.30))], user="alice", action="edit")
    two = b.commit([UserChange("reservoirs", upsert=_moved(plan, f2, 107.40, 30.40)),
                    UserChange("facilities", upsert=_points([("u-f1", 107.4, 30.3)], kind="shelter"))],
                   user="bob", action="edit")
    assert (one.revision, two.revision, two.base_revision) == (2, 3, 1)
    merged = open_workspace(ADCODE).layer("reservoirs").set_index("fid")
    assert merged.loc[f1].geometry.equals(shapely.Point(107.30, 30.30))
    assert merged.loc[f2].geometry.equals(shapely.Point(107.40, 30.40))


def test_a_risk_recompute_in_between_is_no_conflict(backend: Backend) -> None:
    ws = open_workspace(ADCODE)
    fid = ws.layer("reservoirs")["fid"].iloc[0]  # the handle has read revision 1
    recompute_risk(ADCODE)
    cs = ws.commit([UserChange("reservoirs", delete=(fid,))], user="alice", action="delete")
    assert (cs.revision, cs.base_revision) == (3, 1)


def test_replace_all_from_an_older_revision_conflicts_with_an_edit(backend: Backend) -> None:
    a, b = open_workspace(ADCODE), open_workspace(ADCODE)
    a.commit([UserChange("facilities", upsert=_points([("u-a", 107.30, 30.30)], kind="shelter"))],
             user="alice", action="edit")
    with pytest.raises(ConflictError, match="alice"):
        b.commit([UserChange("facilities", upsert=_points([("u-b", 107.31, 30.31)], kind="shelter"), replace_all=True)],
                 user="bob", action="import")


# --- (e) a write touches only its tables ---------------------------------------------------------------
def _changed(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {t for t in before.keys() | after.keys() if before.get(t) != after.get(t)}


def _keyed(path: Path) -> dict[str, dict[str, tuple]]:
    """The catalogue rows and the row-id counters, by table name; the store's meta, by key."""
    return {t: {r[0]: r for r in raw_rows(path, t)} for t in ("gpkg_contents", "sqlite_sequence", "onemap_meta")}


def _changed_keys(before: dict[str, dict[str, tuple]], after: dict[str, dict[str, tuple]]) -> dict[str, set[str]]:
    return {t: {k for k in before[t].keys() | after[t].keys() if before[t].get(k) != after[t].get(k)} for t in before}


def _prepared(backend: Backend) -> None:
    """The copy with a foreign layer and one user feature, so that every kind of table is there."""
    backend.add_foreign_layer()
    open_workspace(ADCODE).commit([UserChange("facilities", upsert=_points([("u-f1", 107.4, 30.3)], kind="shelter"))],
                                  user="alice", action="edit")


CATALOGUE = {"gpkg": {"gpkg_contents", "sqlite_sequence"}, "postgis": set()}  # what else a write updates in each


def test_risk_writes_only_the_risk_table(backend: Backend) -> None:
    _prepared(backend)
    before, meta = backend.table_hashes(), dict(backend.raw_rows("onemap_meta"))
    assert {"plan_reservoirs", "user_facilities", FOREIGN} <= set(before)
    recompute_risk(ADCODE, scheme="quantiles")
    assert _changed(before, backend.table_hashes()) == {"derived_risk_townships", "onemap_changesets", "onemap_meta",
                                                        *CATALOGUE[backend.kind]}
    after = dict(backend.raw_rows("onemap_meta"))
    assert {k for k in meta.keys() | after.keys() if meta.get(k) != after.get(k)} == {"derived_revision"}


def test_user_commit_writes_only_its_user_table(backend: Backend) -> None:
    _prepared(backend)
    before = backend.table_hashes()
    open_workspace(ADCODE).commit([UserChange("facilities", delete=("u-f1",))], user="bob", action="delete")
    assert _changed(before, backend.table_hashes()) == {"user_facilities", "onemap_changesets", *CATALOGUE[backend.kind]}


def test_gpkg_catalogue_rows_change_only_for_the_tables_written(ws_dir: Path) -> None:
    path = gpkg_path(ws_dir)
    _prepared(Backend("gpkg", ws_dir))
    keyed = _keyed(path)
    recompute_risk(ADCODE, scheme="quantiles")
    assert _changed_keys(keyed, _keyed(path)) == {"gpkg_contents": {"derived_risk_townships"},
                                                  "sqlite_sequence": {"derived_risk_townships", "onemap_changesets"},
                                                  "onemap_meta": {"derived_revision"}}
    keyed = _keyed(path)
    open_workspace(ADCODE).commit([UserChange("facilities", delete=("u-f1",))], user="bob", action="delete")
    assert _changed_keys(keyed, _keyed(path)) == {"gpkg_contents": {"user_facilities"},
                                                  "sqlite_sequence": {"user_facilities", "onemap_changesets"}, "onemap_meta": set()}
    assert f"rtree_{FOREIGN}_geom_node" in table_hashes(path)


def test_a_spatial_index_another_tool_added_is_kept_in_step(ws_dir: Path, tmp_path: Path) -> None:
    path = gpkg_path(ws_dir)
    _prepared(Backend("gpkg", ws_dir))
    for table in ("user_facilities", "derived_risk_townships", "plan_reservoirs"):
        add_spatial_index(path, table, tmp_path / "probe.gpkg")
        assert index_matches(path, table)
    ws = open_workspace(ADCODE)
    fid = ws.layer("reservoirs")["fid"].iloc[0]
    ws.commit([UserChange("facilities", upsert=_points([("u-f1", 107.45, 30.35), ("u-f2", 107.5, 30.4)], kind="shelter")),
               UserChange("reservoirs", delete=(fid,))], user="bob", action="edit")
    recompute_risk(ADCODE, scheme="quantiles")
    assert all(index_matches(path, t) for t in ("user_facilities", "derived_risk_townships", "plan_reservoirs"))
    assert integrity(path) == "ok"
    near = gpd.read_file(path, layer="user_facilities", bbox=(107.49, 30.39, 107.51, 30.41), engine="pyogrio")  # GDAL uses the index
    assert list(near["fid"]) == ["u-f2"]


# --- (f) leftovers and foreign files -------------------------------------------------------------------
def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_leftovers_are_never_workspaces_and_the_next_write_removes_them(ws_dir: Path) -> None:
    random_tmp = ws_dir / f".{ADCODE}-abcd.tmp.gpkg"
    random_tmp.write_bytes(os.urandom(8192))
    copy_tmp = ws_dir / f".{ADCODE}-efgh.tmp.gpkg"
    shutil.copy(gpkg_path(ws_dir), copy_tmp)  # a complete GeoPackage, but a temporary name
    garbage = ws_dir / "123456.gpkg"
    garbage.write_bytes(b"not a database" * 100)
    with sqlite3.connect(ws_dir / "500110.gpkg") as con:  # SQLite, configured code, but not a workspace
        con.execute("CREATE TABLE notes (t TEXT)")
    dead_kde = ws_dir / f".{ADCODE}_kde_geohazard.{_dead_pid()}.tmp.tif"
    live_kde = ws_dir / f".{ADCODE}_kde_geohazard.{os.getpid()}.tmp.tif"
    for p in (dead_kde, live_kde):
        p.write_bytes(b"II*\x00")

    assert list_workspaces() == [WorkspaceInfo(ADCODE, "垫江县", "Dianjiang County")]
    assert store().adcodes() == [ADCODE]
    with pytest.raises(UnknownNameError, match=r"no workspace 123456 \(built: 500231\)"):
        open_workspace("123456")
    with pytest.raises(UnknownNameError, match=r"no workspace 500110 .*python -m layers build 500110"):
        open_workspace("500110")

    open_workspace(ADCODE).commit([UserChange("facilities", upsert=_points([("u-f1", 107.4, 30.3)], kind="shelter"))],
                                  user="alice", action="edit")
    assert not random_tmp.exists() and not copy_tmp.exists() and not dead_kde.exists()
    assert live_kde.exists(), "a density file being written by a live process was removed"
    assert garbage.read_bytes() == b"not a database" * 100  # not the store's to delete
    assert open_workspace(ADCODE).revision == 2


# --- (g) the adcode is validated at the funnel ---------------------------------------------------------
def _files(root: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``root`` with its size and time (a reader's -wal/-shm files come and go)."""
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize(("args", "message"), [
    (("risk", "../x/500231"), "a jurisdiction code is six digits"),
    (("build", "../x/500231"), "a jurisdiction code is six digits"),
    (("risk", "500232"), "no workspace 500232 (built: 500231)"),
], ids=["risk-path", "build-path", "risk-unknown"])
def test_cli_refuses_a_bad_code_without_writing(backend: Backend, tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    run = tmp_path / "run"
    run.mkdir()
    before = _files(tmp_path)
    done = run_layers(backend.folder, *args, cwd=run)
    assert done.returncode == 2
    assert message in done.stderr and done.stderr.startswith("error: ")
    assert "Traceback" not in done.stderr + done.stdout
    assert _files(tmp_path) == before
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize(("code", "message"), [
    ("500232", r"no workspace 500232 \(built: 500231\)\. .*configured jurisdictions: .*500231"),
    ("abc", r"a jurisdiction code is six digits \(e\.g\. 500231\), got 'abc'"),
    ("../x/500231", r"six digits .*got '\.\./x/500231'"),
    ("5002310", r"six digits .*got '5002310'"),
])
def test_open_workspace_refuses_unknown_codes(backend: Backend, code: str, message: str) -> None:
    with pytest.raises(UnknownNameError, match=message):
        open_workspace(code)


# --- (h) an old-format workspace ------------------------------------------------------------------------
def test_old_format_workspace_is_migrated_by_build_keeping_foreign_layers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ONEMAP_WORKSPACES", str(tmp_path))
    path = tmp_path / f"{ADCODE}.gpkg"
    old = gpd.GeoDataFrame({"fid": ["g1", "g2"], "name": ["旧点 1", "旧点 2"]},
                           geometry=[shapely.Point(107.35, 30.33), shapely.Point(107.36, 30.34)], crs=4490)
    write_gpkg_atomic(path, {"geohazards": old}, tables={"workspace_meta": pd.DataFrame({"key": ["adcode"], "value": [ADCODE]})})
    add_foreign_layer(path)
    foreign, foreign_gdf = raw_rows(path, FOREIGN), read_foreign(path)

    assert [w.adcode for w in list_workspaces()] == [ADCODE]
    with pytest.raises(SourceReadError, match=rf"built by an older version; rebuild it once: python -m layers build {ADCODE}"):
        open_workspace(ADCODE)

    build_workspace(ADCODE)
    ws = open_workspace(ADCODE)
    assert ws.extra_layers == [FOREIGN] and ws.revision == 1
    assert raw_rows(path, FOREIGN) == foreign
    assert_same_features(foreign_gdf, read_foreign(path))
    assert not {"g1", "g2"} & set(ws.layer("geohazards")["fid"])
    with sqlite3.connect(path) as con:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "geohazards" not in tables and "workspace_meta" not in tables and "plan_geohazards" in tables
    assert integrity(path) == "ok"
    assert [(w.adcode, w.name) for w in list_workspaces()] == [(ADCODE, "垫江县")]
