"""kill -9 at random points of a write: ``python -m layers build`` and a loop of user commits, each run
in a subprocess and killed after a seeded random delay. After every kill the file passes SQLite's
integrity check, opens with all its layers, holds exactly the previous revision or exactly the new one
(never a mix), keeps the layer GDAL added, and the next write proceeds."""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from _store_helpers import (
    ADCODE,
    FOREIGN,
    REPO,
    add_foreign_layer,
    gpkg_path,
    integrity,
    layers_env,
    raw_rows,
    table_counts,
    table_hashes,
)

from layers.catalog.specs import SPECS
from layers.store.schema import UNMAPPED_TABLE
from layers.store.workspace import UserChange, open_workspace

KILLS = 6
SEEDS = range(KILLS)
CHILD = """
import sys
import time

import geopandas as gpd
import shapely

from layers.store import gpkg
from layers.store.workspace import UserChange, open_workspace


def pause_after(name, nth):
    # the store's own step runs, then the process waits inside the open transaction to be killed
    real, calls = getattr(gpkg, name), []

    def paused(*args, **kwargs):
        out = real(*args, **kwargs)
        calls.append(1)
        if len(calls) == nth:
            print("mid-write", flush=True)
            time.sleep(120)
        return out
    setattr(gpkg, name, paused)


def loop(n):
    while True:
        ws = open_workspace("500231")
        rev = ws.revision + 1
        gdf = gpd.GeoDataFrame({"fid": [f"u-{k:04d}" for k in range(n)], "name": [f"loop {k}" for k in range(n)], "kind": "shelter",
                                "note": f"rev {rev}", "source_doc": "loop"},
                               geometry=[shapely.Point(107.2 + k / 10000, 30.0 + rev / 1000) for k in range(n)], crs=4490)
        ws.commit([UserChange("facilities", upsert=gdf)], user="loop", action="edit", reason=f"rev {rev}")
        print(rev, flush=True)


mode, arg = sys.argv[1], int(sys.argv[2])
if mode == "build-paused":
    pause_after("_replace_layer", arg)
    from layers.jobs.build import build_workspace
    build_workspace("500231")
elif mode == "loop-paused":
    pause_after("_apply_change", 1)
    loop(arg)
else:
    loop(arg)
"""


_CHILDREN: list[subprocess.Popen] = []


@pytest.fixture(autouse=True)
def _no_child_left() -> Iterator[None]:
    """A test that fails between starting a child and killing it does not leave it holding the file."""
    yield
    while _CHILDREN:
        proc = _CHILDREN.pop()
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _start(folder: Path, args: list[str], log: Path) -> subprocess.Popen:
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, *args], cwd=REPO, env=layers_env(folder), stdout=out, stderr=subprocess.STDOUT)
    _CHILDREN.append(proc)
    return proc


def _kill_after(proc: subprocess.Popen, delay: float) -> bool:
    """SIGKILL ``proc`` after ``delay`` seconds unless it ended before; whether it was killed."""
    try:
        proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        return True
    return False


def _opens_whole(path: Path) -> None:
    """SQLite's own check passes and the store opens every layer of the workspace."""
    assert integrity(path) == "ok"
    ws = open_workspace(ADCODE)
    assert set(ws.frames()) == set(SPECS)
    assert ws.extra_layers == [FOREIGN]
    assert ws.changesets()[-1].revision == ws.revision


def _prepared(folder: Path, template: Path) -> Path:
    """A copy of the built workspace with a layer GDAL added and one user feature."""
    folder.mkdir()
    path = gpkg_path(folder)
    shutil.copy(template, path)
    add_foreign_layer(path)
    gdf = gpd.GeoDataFrame({"fid": ["u-keep"], "name": ["保留"], "kind": "shelter", "source_doc": "2025 实地核查"},
                           geometry=[shapely.Point(107.35, 30.3)], crs=4490)
    open_workspace(ADCODE).commit([UserChange("facilities", upsert=gdf)], user="alice", action="edit")
    return path


# --- the build ------------------------------------------------------------------------------------------
def _check_after_build_kill(path: Path, prev_rev: int, prev: dict[str, str], complete: dict[str, int]) -> int:
    """The workspace is exactly the previous revision or exactly one complete new build."""
    _opens_whole(path)
    ws = open_workspace(ADCODE)
    now = table_hashes(path)
    if ws.revision == prev_rev:
        assert now == prev, "a killed build changed the file without committing a revision"
        return ws.revision
    assert ws.revision == prev_rev + 1
    last = ws.changesets()[-1]
    assert last.action == "build"
    assert table_counts(path) == complete
    kept = [t for t in prev if t.startswith("user_") or FOREIGN in t]
    rebuilt = [t for t in prev if t.startswith(("plan_", "derived_")) and t != UNMAPPED_TABLE]  # new row ids in every one
    assert kept and all(now[t] == prev[t] for t in kept)
    assert all(now[t] != prev[t] for t in rebuilt), "the new revision holds a mix of old and new plan tables"
    assert last.counts == {lid: complete[f"derived_{lid}" if lid == "risk_townships" else f"plan_{lid}"] for lid in last.counts}
    assert ws.meta["derived_revision"] == str(ws.revision)
    return ws.revision


def test_build_killed_at_random_points(template_gpkg: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "workspaces"
    monkeypatch.setenv("ONEMAP_WORKSPACES", str(folder))
    path = _prepared(folder, template_gpkg)
    foreign, user = raw_rows(path, FOREIGN), raw_rows(path, "user_facilities")
    build = ["-m", "layers", "build", ADCODE]

    started = time.monotonic()  # one complete build, timed, to spread the kills over its duration
    assert _start(folder, build, tmp_path / "build.log").wait(timeout=180) == 0, (tmp_path / "build.log").read_text()
    duration = time.monotonic() - started
    complete, rev = table_counts(path), open_workspace(ADCODE).revision

    outcomes = []
    for i, seed in enumerate(SEEDS):  # one kill in each sixth of the build, at a seeded point within it
        delay = duration * (i + random.Random(seed).random()) / KILLS
        prev = table_hashes(path)
        killed = _kill_after(_start(folder, build, tmp_path / f"kill{i}.log"), delay)
        new_rev = _check_after_build_kill(path, rev, prev, complete)
        outcomes.append((round(delay, 2), killed, new_rev > rev))
        rev = new_rev
    assert any(killed for _, killed, _ in outcomes), outcomes

    # and once certainly inside the write: after a seeded number of its tables, before COMMIT
    prev, log = table_hashes(path), tmp_path / "paused.log"
    proc = _start(folder, [str(_child(tmp_path)), "build-paused", str(random.Random(KILLS).randint(1, 12))], log)
    _wait_for(proc, log, lambda out: "mid-write" in out)
    assert _kill_after(proc, 0.0)
    assert _check_after_build_kill(path, rev, prev, complete) == rev

    assert _start(folder, build, tmp_path / "last.log").wait(timeout=180) == 0, (tmp_path / "last.log").read_text()
    _opens_whole(path)
    assert open_workspace(ADCODE).revision == rev + 1
    assert raw_rows(path, FOREIGN) == foreign and raw_rows(path, "user_facilities") == user
    assert not list(folder.glob(".*.tmp.*")), "a killed build's temporary density file outlived the next write"


# --- a loop of user commits ------------------------------------------------------------------------------
N = 400
LOOP_KILLS = 3


def _printed(log: Path) -> list[int]:
    return [int(x) for x in re.findall(r"^(\d+)$", log.read_text(), flags=re.M)]


def _wait_for(proc: subprocess.Popen, log: Path, ready: Callable[[str], bool]) -> None:
    """Until the child's output says it is where it should be killed."""
    deadline = time.monotonic() + 120
    while not ready(log.read_text()):
        assert proc.poll() is None, log.read_text()
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.05)


def _child(tmp_path: Path) -> Path:
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    return script


def _check_after_loop_kill(path: Path, printed: list[int], plan: dict[str, str], foreign: list[tuple]) -> None:
    """Every committed loop revision is whole: N current features, all of that revision, nothing half-written."""
    _opens_whole(path)
    ws = open_workspace(ADCODE)
    last = ws.changesets()[-1]
    assert last.user == "loop" and last.reason == f"rev {ws.revision}"
    assert printed[-1] <= ws.revision <= printed[-1] + 1  # killed before or after its print
    current = ws.user_features("facilities")
    loop = current[current["fid"].str.startswith("u-0")]
    assert len(loop) == N and set(loop["note"]) == {f"rev {ws.revision}"}
    assert set(loop.geometry.y.round(6)) == {round(30.0 + ws.revision / 1000, 6)}
    loop_revisions = sum(1 for c in ws.changesets() if c.user == "loop")
    assert last.counts == {"facilities": {"added" if loop_revisions == 1 else "replaced": N}}
    assert len(raw_rows(path, "user_facilities")) == 1 + N * loop_revisions  # u-keep, then every version kept
    assert {t: h for t, h in table_hashes(path).items() if t.startswith("plan_")} == plan
    assert raw_rows(path, FOREIGN) == foreign


def test_user_commits_killed_at_random_points(template_gpkg: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "workspaces"
    monkeypatch.setenv("ONEMAP_WORKSPACES", str(folder))
    path = _prepared(folder, template_gpkg)
    plan = {t: h for t, h in table_hashes(path).items() if t.startswith("plan_")}
    foreign, child = raw_rows(path, FOREIGN), _child(tmp_path)

    for seed in range(LOOP_KILLS):  # a few commits in, then at a random point of the loop
        log = tmp_path / f"loop{seed}.log"
        proc = _start(folder, [str(child), "loop", str(N)], log)
        _wait_for(proc, log, lambda out: bool(re.search(r"^\d+$", out, flags=re.M)))
        assert _kill_after(proc, random.Random(seed).uniform(0.0, 1.5))
        _check_after_loop_kill(path, _printed(log), plan, foreign)

    rev, log = open_workspace(ADCODE).revision, tmp_path / "paused.log"
    proc = _start(folder, [str(child), "loop-paused", str(N)], log)  # rows inserted, not committed
    _wait_for(proc, log, lambda out: "mid-write" in out)
    assert _kill_after(proc, 0.0)
    assert open_workspace(ADCODE).revision == rev
    _check_after_loop_kill(path, [rev], plan, foreign)

    before = open_workspace(ADCODE)
    cs = before.commit([UserChange("facilities", delete=("u-keep",))], user="alice", action="delete")
    assert cs.revision == before.revision + 1
    _opens_whole(path)
