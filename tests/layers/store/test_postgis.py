"""The PostgreSQL store on a real server (tests/pg.py): two editors at the same time, a server restart
or a killed connection in the middle of a commit, backup with pg_dump and restore, the schema layout,
which schemas are workspaces, and the messages for a database that cannot be reached or used."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import psycopg
import pytest
import shapely
from _store_helpers import ADCODE, Backend, run_layers

from geo.errors import ConflictError, GeoError
from layers.store import postgis
from layers.store.postgis import DatabaseError, PostgisStore
from layers.store.workspace import UserChange, list_workspaces, open_workspace, store
from tests.pg import PG_BIN, PgServer, unique_name

FID = "dj21-018"


def _moved(fid: str, lon: float) -> gpd.GeoDataFrame:
    row = open_workspace(ADCODE).layer("reservoirs").query("fid == @fid").copy()
    row["geometry"] = [shapely.Point(lon, 30.3)]
    return row


def _at_once(jobs: list[Callable[[], object]]) -> list[object]:
    """Run ``jobs`` in threads released together; each one's result or the exception it raised."""
    gate, out = threading.Barrier(len(jobs)), [None] * len(jobs)

    def run(i: int) -> None:
        gate.wait()
        try:
            out[i] = jobs[i]()
        except Exception as err:  # noqa: BLE001  (handed back to the test, which checks it)
            out[i] = err

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return out


# --- two editors at the same time ------------------------------------------------------------------------
def test_two_editors_of_different_features_at_the_same_time_both_keep_their_change(private_postgis: str) -> None:
    a, b = open_workspace(ADCODE), open_workspace(ADCODE)  # both from revision 1
    one, two = _moved(FID, 107.30), _moved("dj21-019", 107.40)
    done = _at_once([lambda: a.commit([UserChange("reservoirs", upsert=one)], user="alice", action="edit"),
                     lambda: b.commit([UserChange("reservoirs", upsert=two)], user="bob", action="edit")])
    assert all(not isinstance(d, Exception) for d in done), done
    assert sorted(d.revision for d in done) == [2, 3] and {d.base_revision for d in done} == {1}
    merged = open_workspace(ADCODE).layer("reservoirs").set_index("fid")
    assert merged.loc[FID].geometry.x == 107.30 and merged.loc["dj21-019"].geometry.x == 107.40


def test_two_editors_of_the_same_feature_the_second_is_refused_naming_the_first(private_postgis: str) -> None:
    a, b = open_workspace(ADCODE), open_workspace(ADCODE)
    before = open_workspace(ADCODE).versions("reservoirs")
    done = _at_once([lambda: a.commit([UserChange("reservoirs", upsert=_moved(FID, 107.30))], user="alice", action="edit"),
                     lambda: b.commit([UserChange("reservoirs", upsert=_moved(FID, 107.40))], user="bob", action="edit")])
    saved = [d for d in done if not isinstance(d, Exception)]
    refused = [d for d in done if isinstance(d, Exception)]
    assert len(saved) == 1 and len(refused) == 1 and isinstance(refused[0], ConflictError), done
    first = saved[0]
    with pytest.raises(ConflictError, match=rf"在您打开的版本 1 之后已被他人修改：变更 #{first.id}（版本 revision 2，[^，]+，{first.user}，edit "
                                            rf"reservoirs.* / Workspace {ADCODE} changed after revision 1, which you opened: change "
                                            rf"#{first.id}.*reload revision 2 and redo the change\.$"):
        raise refused[0]
    ws = open_workspace(ADCODE)
    assert ws.revision == 2 and len(ws.versions("reservoirs")) == len(before) + 1
    assert ws.layer("reservoirs").set_index("fid").loc[FID].geometry.x == (107.30 if first.user == "alice" else 107.40)


# --- a restart or a killed connection in the middle of a commit ---------------------------------------------
def _paused_commit(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Thread, threading.Event, threading.Event, list]:
    """A commit in a thread that stops inside its transaction, after its rows are written, until released."""
    real, inside, release, out = postgis._Db.apply_change, threading.Event(), threading.Event(), []

    def paused(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        result = real(self, *args, **kwargs)
        inside.set()
        release.wait(timeout=60)
        return result

    monkeypatch.setattr(postgis._Db, "apply_change", paused)
    ws = open_workspace(ADCODE)
    rows = gpd.GeoDataFrame({"fid": [f"u-{i:04d}" for i in range(500)], "name": "半途", "kind": "shelter", "source_doc": "t"},
                            geometry=[shapely.Point(107.2 + i / 10000, 30.3) for i in range(500)], crs=4490)

    def run() -> None:
        try:
            out.append(ws.commit([UserChange("facilities", upsert=rows)], user="half", action="edit"))
        except GeoError as err:
            out.append(err)

    thread = threading.Thread(target=run)
    thread.start()
    assert inside.wait(timeout=60)
    return thread, inside, release, out


@pytest.mark.parametrize("how", ["restart", "terminate"])
def test_a_commit_cut_off_by_a_restart_leaves_nothing_half_written(pg_server: PgServer, backend_pg: Backend, how: str) -> None:
    before, rev = backend_pg.table_hashes(), open_workspace(ADCODE).revision
    with pytest.MonkeyPatch.context() as mp:
        thread, _, release, out = _paused_commit(mp)
        if how == "restart" and pg_server.private:
            pg_server.restart(mode="immediate")  # like a power cut: no checkpoint, the server recovers from its log
        else:
            with pg_server.admin() as con:
                con.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'onemap' "
                            "AND state = 'idle in transaction'")
        release.set()
        thread.join(timeout=60)
    assert len(out) == 1 and isinstance(out[0], DatabaseError), out
    message = str(out[0])
    assert "与数据库" in message and f"was lost while writing workspace {ADCODE}" in message
    assert pg_server.password not in message and "Traceback" not in message
    assert open_workspace(ADCODE).revision == rev and backend_pg.table_hashes() == before
    cs = open_workspace(ADCODE).commit([UserChange("reservoirs", upsert=_moved(FID, 107.30))], user="alice", action="edit")
    assert cs.revision == rev + 1 and open_workspace(ADCODE).revision == rev + 1


@pytest.fixture
def backend_pg(private_postgis: str, tmp_path: Path) -> Backend:
    return Backend("postgis", tmp_path / "workspaces", private_postgis)


# --- backup and restore -------------------------------------------------------------------------------------
def test_pg_dump_and_restore_give_the_same_features_and_history(pg_server: PgServer, backend_pg: Backend, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    ws = open_workspace(ADCODE)
    ws.commit([UserChange("reservoirs", upsert=_moved(FID, 107.30))], user="alice", action="edit", reason="实测")
    open_workspace(ADCODE).commit([UserChange("reservoirs", delete=("dj21-019",))], user="bob", action="delete")
    dump = tmp_path / "onemap.dump"
    # the documented backup: the workspace schemas (and the accounts), custom format
    subprocess.run([str(PG_BIN / "pg_dump"), "--format=custom", "--schema=ws_*", "--schema=onemap_accounts", f"--file={dump}",
                    f"--dbname={backend_pg.url}"], check=True, capture_output=True)
    expect = _everything()
    name = unique_name("restored")
    url = pg_server.create_database(name)  # a new database with PostGIS, as make postgis makes one
    try:
        subprocess.run([str(PG_BIN / "pg_restore"), "--no-owner", "--exit-on-error", f"--dbname={url}", str(dump)],
                       check=True, capture_output=True)
        monkeypatch.setenv("ONEMAP_STORE", url)
        assert _everything() == expect
        cs = open_workspace(ADCODE).commit([UserChange("reservoirs", retire=(FID,))], user="carol", action="undo")
        assert cs.revision == expect[0][-1][1] + 1  # the restored workspace goes on from its last revision
    finally:
        pg_server.drop_database(name)


def _everything() -> tuple:
    """The change log, every layer as the map reads it and every stored user version, as plain values."""
    ws = open_workspace(ADCODE)
    log = [(c.id, c.revision, c.time, c.user, c.action, c.fids, c.counts) for c in ws.changesets()]
    layers = {lid: _plain(gdf) for lid, gdf in ws.frames().items()}
    return log, layers, _plain(ws.versions("reservoirs"))


def _plain(gdf: gpd.GeoDataFrame) -> tuple[list, list]:
    attrs = gdf.drop(columns="geometry")
    return attrs.astype(object).where(attrs.notna(), None).values.tolist(), list(gdf.geometry.to_wkb())


# --- layout, discovery, speed --------------------------------------------------------------------------------
def test_one_schema_per_workspace_with_typed_geometry_and_spatial_index(backend_pg: Backend) -> None:
    open_workspace(ADCODE).commit([UserChange("reservoirs", upsert=_moved(FID, 107.30))], user="alice", action="edit")
    types = dict(backend_pg._sql("SELECT f_table_name, type || ',' || srid FROM geometry_columns WHERE f_table_schema = %s",
                                 (f"ws_{ADCODE}",)))
    assert types["plan_reservoirs"] == types["user_reservoirs"] == "POINT,4490"
    assert types["plan_geohazards"] == "GEOMETRY,4490" and types["derived_risk_townships"] == "GEOMETRY,4490"
    gist = {r[0] for r in backend_pg._sql("SELECT tablename FROM pg_indexes WHERE schemaname = %s AND indexdef LIKE '%%USING gist%%'",
                                          (f"ws_{ADCODE}",))}
    assert gist == set(types)
    assert set(backend_pg.tables()) == {*types, "onemap_meta", "onemap_changesets", "plan_items_unmapped"}
    assert backend_pg._sql("SELECT tablename FROM pg_tables WHERE schemaname = 'public'") == [("spatial_ref_sys",)]


def test_only_complete_ws_schemas_are_workspaces(backend_pg: Backend) -> None:
    for schema in ("onemap_accounts", "ws_12345", "ws_1234567", "ws_50023x", "ws_123456", "public_ws_500110"):
        backend_pg._sql(f'CREATE SCHEMA "{schema}"')
    backend_pg._sql('CREATE TABLE "ws_123456".onemap_meta (key text, value text)')  # no change log: not complete
    backend_pg._sql("CREATE TABLE onemap_accounts.users (name text)")
    assert store().adcodes() == [ADCODE] and [w.adcode for w in list_workspaces()] == [ADCODE]
    open_workspace(ADCODE).commit([UserChange("reservoirs", delete=(FID,))], user="alice", action="delete")
    assert backend_pg._sql("SELECT name FROM onemap_accounts.users") == []


def test_a_dead_writers_density_file_is_removed_by_the_next_write(backend_pg: Backend) -> None:
    folder = store().path(ADCODE).parent
    folder.mkdir(parents=True, exist_ok=True)
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale, live = folder / f".{ADCODE}_kde_geohazard.{dead.pid}.tmp.tif", folder / f".{ADCODE}_kde_geohazard.{os.getpid()}.tmp.tif"
    for p in (stale, live):
        p.write_bytes(b"II*\x00")
    open_workspace(ADCODE).commit([UserChange("reservoirs", delete=(FID,))], user="alice", action="delete")
    assert not stale.exists() and live.exists()
    assert not store().path(ADCODE).exists()  # the path only names files kept beside the workspace


def test_a_20000_feature_commit_is_one_fast_revision(backend_pg: Backend) -> None:
    n = 20_000
    rows = gpd.GeoDataFrame({"fid": [f"imp-{i:05d}" for i in range(n)], "name": [f"点 {i}" for i in range(n)], "kind": "shelter",
                             "plan_count": 1, "budget_wan": 1.5, "source_doc": "大表.xlsx", "provenance": '{"row": 1}'},
                            geometry=shapely.points([(107.2 + i / 100000, 30.3) for i in range(n)]), crs=4490)
    ws = open_workspace(ADCODE)
    started = time.perf_counter()
    cs = ws.commit([UserChange("facilities", upsert=rows)], user="alice", action="import")
    took = time.perf_counter() - started
    assert cs.counts == {"facilities": {"added": n}} and took < 30, took
    again = open_workspace(ADCODE)
    assert len(again.user_features("facilities")) == n
    started = time.perf_counter()
    cs = again.commit([UserChange("facilities", upsert=rows.assign(note="第二版"))], user="alice", action="import")
    assert cs.counts == {"facilities": {"replaced": n}} and time.perf_counter() - started < 30


# --- messages -------------------------------------------------------------------------------------------------
def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_unreachable_database_is_named_without_its_password(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    port = _closed_port()
    monkeypatch.setenv("ONEMAP_STORE", f"postgresql://onemap:s3cret-pw@127.0.0.1:{port}/onemap")
    monkeypatch.setenv("ONEMAP_WORKSPACES", str(tmp_path))
    with pytest.raises(DatabaseError, match=rf"^无法连接工作区数据库 onemap（127\.0\.0\.1:{port}，用户 user onemap）：.*make postgis.* / "
                                            rf"Cannot connect to the workspace database onemap on 127\.0\.0\.1:{port} as onemap: .*"
                                            r"Check that the server is running \(make postgis\)") as err:
        open_workspace(ADCODE)
    assert "s3cret-pw" not in str(err.value) and "s3cret-pw" not in repr(store()) and "s3cret-pw" not in store().key
    done = run_layers(tmp_path, "history", ADCODE)
    assert done.returncode == 2 and done.stderr.startswith("error: 无法连接工作区数据库 onemap")
    assert "Traceback" not in done.stderr + done.stdout and "s3cret-pw" not in done.stderr + done.stdout


def test_a_wrong_password_is_named_without_the_password(pg_server: PgServer, private_postgis: str, monkeypatch: pytest.MonkeyPatch) -> None:
    wrong = private_postgis.replace(pg_server.password, "not-the-password")
    monkeypatch.setenv("ONEMAP_STORE", wrong)
    with pytest.raises(DatabaseError, match=r"password authentication failed for user \"onemap_test\".*Check .* password in ONEMAP_STORE") as err:
        open_workspace(ADCODE)
    assert "not-the-password" not in str(err.value)


def test_a_database_without_postgis_says_how_to_add_it(pg_server: PgServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    name = unique_name("bare")
    url = pg_server.create_database(name, postgis=False)
    try:
        monkeypatch.setenv("ONEMAP_STORE", url)
        monkeypatch.setenv("ONEMAP_WORKSPACES", str(tmp_path))
        from layers.jobs.build import build_workspace

        with pytest.raises(DatabaseError, match=r"没有 PostGIS 扩展.* / The database has no PostGIS extension and this user may not create "
                                                r"it: run CREATE EXTENSION postgis as a superuser \(make postgis does\)\.$"):
            build_workspace(ADCODE)
        assert store().adcodes() == []
        with psycopg.connect(url) as con:
            assert con.execute("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'ws_%'").fetchone() == (0,)
    finally:
        pg_server.drop_database(name)


def test_a_store_url_that_is_not_one(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(DatabaseError, match=r"^ONEMAP_STORE 不是有效的 PostgreSQL 地址.* / ONEMAP_STORE is not a valid PostgreSQL URL"):
        PostgisStore("postgresql://a b c=")
