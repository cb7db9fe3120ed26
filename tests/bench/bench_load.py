"""Bench rows of load (issue 16, item 4): what the server costs when many people use the map at once,
and what one of them then sees; and five editors saving at the same moment.

- Sessions without browsers (:mod:`_stclient`: the app's own websocket protocol), 1, 10 and 20 at a
  time, each on a freshly started app over a private copy of 垫江县 (500231) warmed by one session that
  is not counted. Every session opens the map page (``?adcode=500231&demo=1``); then, ``INTERACTIONS``
  times, all of them click the sidebar checkbox 地质灾害 at the same moment (a rerun of the page each).
  Server CPU is read from ``/proc/<pid>/stat`` (user + system), memory from ``/proc/<pid>/status``
  (VmRSS, with every session still open); wall time from the click to the run's ``script_finished``.
- One headless Chromium measures its user's first paint of the map, the in-map layer toggle (no server
  round trip) and the sidebar toggle (a rerun), with the server idle and then while 20 sessions keep
  clicking (``THINK_S`` between clicks).
- Five editors each move a different reservoir of 500231 from the same revision, released together by a
  barrier (threads, as the sessions of one app server, then processes, as several app servers on one
  store), on the GeoPackage store and, when there is one, on PostGIS (a database of its own on the server
  of ``tests/pg.py``): every change must be in the history and on the map, each save (open + edit) timed,
  and one editor saving alone beside them.

Targets (the issue): CPU per interaction at 20 sessions within 2x of one session; each save under 1 s.
The load generator runs on the same two cores as the server; its own CPU is printed beside the rows.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import statistics
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs

from _stclient import ProtocolError, Run, Session
from websockets.exceptions import WebSocketException

Record = Callable[..., None]
ADCODE = "500231"
QUERY = f"adcode={ADCODE}&demo=1"
TITLE, PLACE = "县域风险一张图", "垫江县"
TOGGLE = "地质灾害 ("  # the sidebar checkbox the sessions click
SESSIONS = tuple(int(n) for n in os.environ.get("BENCH_LOAD_SESSIONS", "1,10,20").split(","))
INTERACTIONS = int(os.environ.get("BENCH_LOAD_INTERACTIONS", "5"))
THINK_S = float(os.environ.get("BENCH_LOAD_THINK_S", "1.0"))  # between clicks of the background sessions
EDITORS = 5
CLK_TCK = os.sysconf("SC_CLK_TCK")


# --- the server process ------------------------------------------------------------------------------------
def cpu_s(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far."""
    after_name = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(after_name[11]) + int(after_name[12])) / CLK_TCK  # fields 14 and 15 of proc(5)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"/proc/{pid}/status has no VmRSS: is the app still running?")


def _p95(xs: list[float]) -> float:
    return statistics.quantiles(xs, n=20, method="inclusive")[-1] if len(xs) > 1 else xs[0]


# --- what a session must have seen --------------------------------------------------------------------------
def check_map(run: Run) -> None:
    """The run drew the map page of 垫江县: the app's title, the jurisdiction, the map, the layer list."""
    problems = [p for p, bad in (
        (f"page title {run.page_title!r}, not {TITLE!r}", run.page_title != TITLE),
        (f"no text names {PLACE}", not any(PLACE in t for t in run.texts)),
        ("no map component", run.components < 1),
        (f"errors shown: {run.errors}", bool(run.errors)),
    ) if bad]
    run.checkbox(TOGGLE)  # ProtocolError when the layer list lacks it
    if problems:
        raise ProtocolError("not the map page: " + "; ".join(problems))


def check_toggle(on: bool, run: Run) -> None:
    """The click reran the page and it followed the click: the map page again, and the layers the page
    writes into the URL have 地质灾害 exactly when it is ticked."""
    check_map(run)
    if run.query_string is None:
        raise ProtocolError("the rerun did not write the shown layers into the URL")
    shown = parse_qs(run.query_string).get("layers", [""])[0].split(",")
    if ("geohazards" in shown) != on:
        raise ProtocolError(f"clicked 地质灾害 {'on' if on else 'off'}, the page shows layers {shown}")


# --- sessions without browsers --------------------------------------------------------------------------------
@dataclass
class Phase:
    """N sessions: their first page runs, then rounds of simultaneous clicks."""

    n: int
    page_s: list[float] = field(default_factory=list)
    page_cpu: float = 0.0
    click_s: list[float] = field(default_factory=list)
    click_cpu: float = 0.0
    click_wall: float = 0.0
    rss_before: float = 0.0
    rss_after: float = 0.0
    client_cpu: float = 0.0


async def _open(url: str, n: int) -> list[Session]:
    sessions = [Session(url, QUERY) for _ in range(n)]
    await asyncio.gather(*(s.open() for s in sessions))
    return sessions


async def measure_sessions(url: str, pid: int, n: int, rounds: int) -> Phase:
    """``n`` sessions open the page together, then click ``rounds`` times together; all checked."""
    ph, client0 = Phase(n, rss_before=rss_mb(pid)), time.process_time()
    sessions = await _open(url, n)
    try:
        cpu0 = cpu_s(pid)
        for run in await asyncio.gather(*(s.run() for s in sessions)):
            check_map(run)
            ph.page_s.append(run.seconds)
        cpu1, t1 = cpu_s(pid), time.perf_counter()
        for _ in range(rounds):
            for on, run in await asyncio.gather(*(s.toggle(TOGGLE) for s in sessions)):
                check_toggle(on, run)
                ph.click_s.append(run.seconds)
        cpu2, t2 = cpu_s(pid), time.perf_counter()
        ph.rss_after = rss_mb(pid)  # every session still open
    finally:
        await asyncio.gather(*(s.close() for s in sessions))
    ph.page_cpu, ph.click_cpu, ph.click_wall = cpu1 - cpu0, cpu2 - cpu1, t2 - t1
    ph.client_cpu = time.process_time() - client0
    return ph


async def warm(url: str) -> float:
    """One session that is not counted (fills the app's caches); its first page run in seconds."""
    (s,) = await _open(url, 1)
    try:
        first = await s.run()
        check_map(first)
        check_toggle(*await s.toggle(TOGGLE))
    finally:
        await s.close()
    return first.seconds


class Background:
    """``n`` sessions clicking 地质灾害 in a thread of their own, ``think_s`` between clicks, until stopped."""

    def __init__(self, url: str, n: int, think_s: float) -> None:
        self.url, self.n, self.think_s = url, n, think_s
        self.clicks: list[float] = []
        self.ready, self._stop = threading.Event(), threading.Event()
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._main, name="load-sessions", daemon=True)

    def __enter__(self) -> Background:
        self._thread.start()
        if not self.ready.wait(600) or self.error:
            raise RuntimeError(f"the {self.n} background sessions did not start") from self.error
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(600)
        if self.error:
            raise RuntimeError("a background session failed") from self.error

    def _main(self) -> None:
        try:
            asyncio.run(self._run())
        except (ProtocolError, OSError, TimeoutError, WebSocketException) as err:
            self.error = err
            self.ready.set()

    async def _run(self) -> None:
        sessions = await _open(self.url, self.n)
        try:
            for run in await asyncio.gather(*(s.run() for s in sessions)):
                check_map(run)
            self.ready.set()
            await asyncio.gather(*(self._click(s, i) for i, s in enumerate(sessions)))
        finally:
            await asyncio.gather(*(s.close() for s in sessions))

    async def _click(self, s: Session, i: int) -> None:
        await asyncio.sleep(self.think_s * i / self.n)  # spread, not in step
        while not self._stop.is_set():
            on, run = await s.toggle(TOGGLE)
            check_toggle(on, run)
            self.clicks.append(run.seconds)
            await asyncio.sleep(self.think_s)


# --- one real browser ------------------------------------------------------------------------------------------
def browser_user(url: str, n_hazards: int) -> dict[str, float]:
    """What one Chromium user sees: first paint of the map (a fresh profile), the in-map layer toggle
    and the sidebar toggle (as ``make bench`` measures them for one user)."""
    from harness import CHROMIUM, OFFLINE_ARGS
    from playwright.sync_api import sync_playwright
    from run_bench import OPT_PAINTED, OPT_TOGGLED, _click_in_map, _paint, _wait

    layer_box = '.onemap-panel input[data-layer="geohazards"]'
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=OFFLINE_ARGS)
        try:
            page, paint = _paint(browser, f"{url}?{QUERY}", lambda pg: _wait(pg, OPT_PAINTED, n_hazards))
            sidebar = page.page.locator('[data-testid="stSidebar"] label').filter(has_text=re.compile(r"^地质灾害 \("))
            page.page.wait_for_timeout(1500)
            t0 = time.perf_counter()
            _click_in_map(page, layer_box)
            _wait(page, OPT_TOGGLED)
            toggle = time.perf_counter() - t0
            _click_in_map(page, layer_box)
            _settle(page, sidebar)
            t1 = time.perf_counter()
            sidebar.click()
            _wait(page, OPT_TOGGLED)
            side = time.perf_counter() - t1
        finally:
            browser.close()
    return {"paint": paint, "toggle": toggle, "sidebar": side}


def _settle(page, sidebar, timeout_s: float = 300.0) -> None:  # noqa: ANN001 - an OfflinePage, a Locator
    """Until the in-map clicks have reached the server (each is a rerun, which queues behind other
    sessions): 地质灾害 ticked in the sidebar again and no run going for a second."""
    running = page.page.locator('[data-testid="stStatusWidgetRunningIcon"], [data-testid="stStatusWidgetRunningManIcon"]')
    deadline, quiet = time.monotonic() + timeout_s, None
    while time.monotonic() < deadline:
        if sidebar.locator("input").is_checked() and running.count() == 0:
            quiet = quiet or time.monotonic()
            if time.monotonic() - quiet >= 1.0:
                return
        else:
            quiet = None
        page.page.wait_for_timeout(100)
    raise TimeoutError("the page never settled after the in-map clicks")


def _hazard_points(folder: Path) -> int:
    """Geohazard points the map draws (the browser waits for all of them), as ``make bench`` counts them."""
    from layers.views import mapview as view

    old = os.environ.get("ONEMAP_WORKSPACES")
    os.environ["ONEMAP_WORKSPACES"] = str(folder)
    try:
        gh = view.load_frames(ADCODE)["geohazards"]
        return int((gh.geometry.geom_type == "Point").sum())
    finally:
        if old is None:
            os.environ.pop("ONEMAP_WORKSPACES", None)
        else:
            os.environ["ONEMAP_WORKSPACES"] = old


# --- five editors at once ----------------------------------------------------------------------------------------
@dataclass
class Saves:
    """What the editors' saves did: seconds of each that returned, errors of the others, and what the
    store holds afterwards."""

    solo_s: float = float("nan")
    seconds: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # CPU seconds of each save's thread
    errors: list[str] = field(default_factory=list)
    new_changesets: int = 0
    kept: int = 0


def _save(i: int, fid: str, xy: tuple[float, float], base: int, barrier: threading.Barrier) -> tuple[float, float]:
    """Editor ``i`` holds the workspace as its page does (read when the page showed it), waits for the
    others, then saves ``fid`` at ``xy`` from it: (seconds, CPU seconds of the saving thread)."""
    from shapely.geometry import Point

    from layers.edits.edit import edit_feature
    from layers.store.workspace import open_workspace

    ws = open_workspace(ADCODE)
    ws.frames()
    barrier.wait(300)
    t0, c0 = time.perf_counter(), time.thread_time()
    edit_feature(ws, "reservoirs", fid, geometry=Point(*xy), user=f"编辑{i + 1}",
                 reason="并发保存基准测试 / concurrent save bench", base_revision=base)
    return time.perf_counter() - t0, time.thread_time() - c0


def _warm() -> None:
    """A worker process as a running app has it: modules imported, the workspace read once and its
    township risk computed once (the page's first run does both)."""
    from layers.analysis.riskstore import analysed_frames
    from layers.catalog.quality import QualityOptions
    from layers.edits import edit  # noqa: F401
    from layers.store.workspace import open_workspace

    analysed_frames(open_workspace(ADCODE), QualityOptions())


def editors_at_once(n: int = EDITORS, *, processes: bool = False) -> Saves:
    """``n`` editors (threads of this process, as the sessions of one app server; or ``processes``, as
    several app servers on one store) each move a different reservoir point of 500231 from the same
    revision, released together by a barrier. Then the store is read again: a new changeset per editor
    naming its feature, and each feature at its new place. Last, one editor alone saves a sixth one."""
    import multiprocessing as mp
    from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor

    from layers.store.workspace import open_workspace

    ws = open_workspace(ADCODE)
    res = ws.layer("reservoirs")
    pts = res[res.geometry.geom_type == "Point"].drop_duplicates("fid").head(n + 1)
    if len(pts) < n + 1:
        raise RuntimeError(f"{ADCODE} has {len(pts)} reservoir points, the bench needs {n + 1}")
    targets = {str(f): (g.x + 0.0004 * (i + 1), g.y + 0.0003) for i, (f, g) in enumerate(zip(pts["fid"], pts.geometry, strict=True))}
    solo = targets.popitem()  # saved afterwards by one editor alone, for comparison
    base, before, out = ws.revision, len(ws.changesets()), Saves()
    ctx = mp.get_context("spawn")
    _warm()
    with ExitStack() as stack:  # a process barrier lives in a manager process
        barrier = stack.enter_context(ctx.Manager()).Barrier(n) if processes else threading.Barrier(n)
        pool: Executor = (ProcessPoolExecutor(n, mp_context=ctx, initializer=_warm) if processes else ThreadPoolExecutor(n))
        with pool:
            futures = [pool.submit(_save, i, fid, xy, base, barrier) for i, (fid, xy) in enumerate(targets.items())]
            for fut in futures:
                err = fut.exception(timeout=600)
                if err is None:
                    wall, cpu = fut.result()
                    out.seconds.append(wall)
                    out.cpu.append(cpu)
                else:
                    out.errors.append(f"{type(err).__name__}: {err}")
    _check_saves(out, targets, before)
    out.solo_s = _save(0, solo[0], solo[1], open_workspace(ADCODE).revision, threading.Barrier(1))[0]
    if open_workspace(ADCODE).changesets()[-1].fids != [solo[0]]:
        raise RuntimeError(f"the solo save of {solo[0]} is not the last changeset")
    return out


def _check_saves(out: Saves, targets: dict[str, tuple[float, float]], before: int) -> None:
    """Count the changes the store kept: a changeset since ``before`` names the feature, and the map has
    it at its target."""
    from shapely.geometry import Point

    from layers.store.workspace import open_workspace

    after = open_workspace(ADCODE)
    new = after.changesets()[before:]
    out.new_changesets = len(new)
    res = after.layer("reservoirs")
    now = res.set_index(res["fid"].astype(str)).geometry
    named = {f for cs in new for f in (cs.fids or [])}
    out.kept = sum(1 for f, xy in targets.items() if f in named and f in now.index and now[f].distance(Point(*xy)) < 1e-7)


def _record_saves(saves: Saves, backend: str, how: str, record: Record) -> None:
    for e in saves.errors:
        print(f"  a save on {backend} ({how}) failed: {e}", flush=True)
    who = f"{EDITORS} editors at once ({how})"
    record(f"edit: {who}, changes kept", backend, saves.kept, f"of {EDITORS}")
    record(f"edit: {who}, new changesets", backend, saves.new_changesets, f"of {EDITORS}")
    if saves.seconds:
        record(f"edit: {who}, slowest save (target < 1 s)", backend, max(saves.seconds), "s")
        record(f"edit: {who}, median save", backend, statistics.median(saves.seconds), "s")
        record(f"edit: {who}, median CPU of a save", backend, statistics.median(saves.cpu), "s")
        cores = min(EDITORS, os.cpu_count() or 1) if how == "processes" else 1  # threads share one interpreter
        print(f"  ({how}: the {EDITORS} saves needed {sum(saves.cpu):.2f} s CPU, about {sum(saves.cpu) / cores:.2f} s on "
              f"{cores} core{'s' if cores > 1 else ''}; the slowest took {max(saves.seconds):.2f} s)", flush=True)
    record(f"edit: one editor alone, save (after {how})", backend, saves.solo_s, "s")


def _editors(backend: str, record: Record) -> None:
    for processes, how in ((False, "threads"), (True, "processes")):
        _record_saves(editors_at_once(processes=processes), backend, how, record)


def bench_editors(folder: Path, record: Record) -> None:
    """The editors on a GeoPackage copy in ``folder``, then on PostGIS (500231 built into a database of
    its own on the test server of ``tests/pg.py``: a private cluster, or ``$ONEMAP_TEST_PG_URL``)."""
    env = {k: os.environ.get(k) for k in ("ONEMAP_WORKSPACES", "ONEMAP_STORE")}
    try:
        os.environ.pop("ONEMAP_STORE", None)
        os.environ["ONEMAP_WORKSPACES"] = str(folder)
        _editors("gpkg", record)
        _editors_postgis(folder / "postgis", record)
    finally:
        for k, v in env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _editors_postgis(folder: Path, record: Record) -> None:
    root = Path(__file__).resolve().parents[2]
    missing = [p for p in ("layers/store/postgis.py", "tests/pg.py") if not (root / p).exists()]
    if missing:
        _no_postgis(f"there is no PostGIS store yet ({', '.join(missing)} missing)", record)
        return
    import psycopg

    from layers.jobs.build import build_workspace
    from tests.pg import run_server, unique_name

    with ExitStack() as stack:
        try:
            server = stack.enter_context(run_server())
        except (RuntimeError, OSError, psycopg.Error) as err:
            _no_postgis(f"no PostgreSQL reachable ({err})", record)
            return
        name = unique_name("bench_load")
        os.environ["ONEMAP_STORE"] = server.create_database(name)
        stack.callback(server.drop_database, name)
        folder.mkdir(exist_ok=True)
        os.environ["ONEMAP_WORKSPACES"] = str(folder)  # files kept beside the database (the density raster)
        build_workspace(ADCODE)
        _editors("postgis", record)


def _no_postgis(why: str, record: Record) -> None:
    print(f"edit: {EDITORS} editors at once on PostGIS: not measured, {why}", flush=True)
    record(f"edit: {EDITORS} editors at once, changes kept", "postgis", float("nan"), "not run")


# --- the rows ----------------------------------------------------------------------------------------------------
def _record_phase(ph: Phase, record: Record) -> None:
    scale, clicks = f"{ph.n} sess", len(ph.click_s)
    record("load: server CPU per page run", scale, ph.page_cpu / ph.n, "s")
    record("load: page run wall, median", scale, statistics.median(ph.page_s), "s")
    record("load: server CPU per interaction", scale, ph.click_cpu / clicks, "s")
    record("load: interaction wall, median", scale, statistics.median(ph.click_s), "s")
    record("load: interaction wall, p95", scale, _p95(ph.click_s), "s")
    record("load: server cores busy, interactions", scale, ph.click_cpu / ph.click_wall, "cores")
    record("load: interactions answered per second", scale, clicks / ph.click_wall, "/s")
    record("load: server RSS per open session", scale, (ph.rss_after - ph.rss_before) / ph.n, "MB")
    record("load: server RSS, sessions open", scale, ph.rss_after, "MB")
    print(f"  ({ph.n} sessions x {INTERACTIONS} clicks; this load generator used {ph.client_cpu:.1f} s CPU, "
          f"the server {ph.page_cpu + ph.click_cpu:.1f} s)", flush=True)


def _record_target(phases: dict[int, Phase], record: Record) -> None:
    one, many = phases[min(phases)], phases[max(phases)]
    cpu = (many.click_cpu / len(many.click_s)) / (one.click_cpu / len(one.click_s))
    wall = statistics.median(many.click_s) / statistics.median(one.click_s)
    rate = (len(many.click_s) / many.click_wall) / (len(one.click_s) / one.click_wall)
    n, busy = many.n, many.click_cpu / many.click_wall
    record(f"load: CPU/interaction {n} vs 1 sess (target <= 2)", "county", cpu, "x")
    record(f"load: wall/interaction {n} vs 1 sess", "county", wall, "x")
    record(f"load: interactions/s {n} vs 1 sess", "county", rate, "x")
    per_click = many.click_cpu / len(many.click_s)
    queue = statistics.median(many.click_s) / per_click  # wall of an interaction over the CPU it needs
    if queue < 2:
        verdict = "not CPU-bound: an interaction takes about the CPU it needs"
    elif busy < 1.2:
        verdict = (f"CPU-bound on one core: an interaction waits {queue:.0f}x its CPU while the server keeps {busy:.2f} of "
                   f"{os.cpu_count()} cores busy (one server process: its page runs share one Python interpreter, which runs one at a time)")
    else:
        verdict = f"CPU-bound on the cores: an interaction waits {queue:.0f}x its CPU with {busy:.2f} cores busy"
    print(f"  at {n} sessions: {verdict}; CPU per interaction is {'within' if cpu <= 2 else 'NOT within'} 2x of one "
          f"session ({rate:.2f}x the interactions per second of one session)", flush=True)


def _browser_rows(url: str, n: int, n_hazards: int, record: Record) -> None:
    """Median of ``BENCH_RUNS`` browser visits with the server idle, then as many beside ``n`` sessions."""
    runs = int(os.environ.get("BENCH_RUNS", "3"))
    alone = [browser_user(url, n_hazards) for _ in range(runs)]
    with Background(url, n, THINK_S) as load:
        busy = [browser_user(url, n_hazards) for _ in range(runs)]
        clicks = list(load.clicks)
    scale = f"1+{n} sess"
    for key, label in (("paint", "first painted map"), ("toggle", "in-map layer toggle"), ("sidebar", "sidebar toggle -> repaint")):
        a, b = (statistics.median(r[key] for r in rs) for rs in (alone, busy))
        record(f"load: browser {label}, server idle", "1 sess", a, "s")
        record(f"load: browser {label}", scale, b, "s")
        record(f"load: browser {label}, slower", scale, b / a, "x")
    if clicks:
        record("load: background interaction wall, median", f"{n} sess", statistics.median(clicks), "s")
        print(f"  (medians of {runs} visits; {n} background sessions, each clicking {THINK_S:g} s after its last click "
              f"was answered: {len(clicks)} clicks while the browser measured)", flush=True)


def _copy_workspace(built: Path, folder: Path) -> Path:
    """``folder`` holding a copy of 500231's GeoPackage from ``built`` and its density raster (from
    ``built``, else from the project's built workspaces)."""
    folder.mkdir(parents=True)
    shutil.copy(built / f"{ADCODE}.gpkg", folder)
    for tif in (built / f"{ADCODE}_kde_geohazard.tif", Path(__file__).resolve().parents[2] / "workspaces" / f"{ADCODE}_kde_geohazard.tif"):
        if tif.exists():
            shutil.copy(tif, folder)
            break
    return folder


def bench_load(built: Path, record: Record) -> None:
    """Every load row, on copies of ``built``/500231.* (the given folder is only read)."""
    from harness import start_app

    scratch = built.with_name(built.name + "-load")
    try:
        folder = _copy_workspace(built, scratch / "app")
        n_hazards = _hazard_points(folder)
        phases: dict[int, Phase] = {}
        for n in SESSIONS:
            app, url = start_app(folder)  # a fresh server per N: its memory and caches start alike
            try:
                cold = asyncio.run(warm(url))
                if n == SESSIONS[0]:
                    record("load: first page run, cold server", "1 sess", cold, "s")
                phases[n] = asyncio.run(measure_sessions(url, app.pid, n, INTERACTIONS))
                _record_phase(phases[n], record)
                if n == max(SESSIONS):
                    _browser_rows(url, n, n_hazards, record)
            finally:
                app.terminate()
                app.wait(timeout=30)
        _record_target(phases, record)
        bench_editors(_copy_workspace(built, scratch / "edits"), record)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
