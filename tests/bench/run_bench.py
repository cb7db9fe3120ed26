"""`make bench`: measure what users feel, in one run on this machine, and write .bench/latest.json.

Not a test: numbers are printed and recorded, never asserted.

``python tests/bench/run_bench.py --only import`` measures one group of rows alone (here the imports, about
a minute): it compares them with the same rows of the last run and writes ``.bench/latest-import.json``,
leaving ``.bench/latest.json`` (the full run) as it was. ``--only edit``: edit save -> repaint of the live map
(county and province, a few minutes), ``.bench/latest-edit.json``. ``--only load``: the server under 1, 10 and
20 sessions, one browser beside 20, five editors saving at once (several minutes), ``.bench/latest-load.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "e2e"), str(ROOT / "tests" / "bench")]

from bench_edit import bench_edit  # noqa: E402
from bench_import import bench_import  # noqa: E402
from bench_load import bench_load  # noqa: E402
from harness import CHROMIUM, OFFLINE_ARGS, OfflinePage, start_app  # noqa: E402

RESULTS: list[dict] = []
NAIVE_PROVINCE_RUNS = int(os.environ.get("BENCH_NAIVE_PROVINCE_RUNS", "1"))


def record(measure: str, scale: str, value: float, unit: str, baseline: float | None = None) -> None:
    RESULTS.append({"measure": measure, "scale": scale, "value": round(value, 4), "unit": unit, "baseline": baseline})
    base = "" if baseline is None else f"   (baseline {baseline:g})"
    print(f"{measure:42s} {scale:10s} {value:10.3f} {unit}{base}", flush=True)


def bench_build(folder: Path) -> None:
    os.environ["ONEMAP_WORKSPACES"] = str(folder)
    from layers.jobs.build import build_workspace

    for adcode in ("500231", "500110", "510821", "500000"):
        t0 = time.perf_counter()
        build_workspace(adcode)
        record(f"workspace build {adcode}", "province" if adcode == "500000" else "county", time.perf_counter() - t0, "s")


def _best_of(fn, n: int = 3) -> float:  # noqa: ANN001
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def bench_coverage() -> None:
    """20,000 demand points x 3,000 facilities: STRtree nearest vs. the all-pairs matrix, same run."""
    import geopandas as gpd
    import numpy as np

    from geo.coverage import naive_nearest, nearest

    rng = np.random.default_rng(7)
    dem = gpd.GeoSeries(gpd.points_from_xy(*rng.uniform((300_000, 3_100_000), (750_000, 3_550_000), (20_000, 2)).T), crs=4545)
    fac = gpd.GeoSeries(gpd.points_from_xy(*rng.uniform((300_000, 3_100_000), (750_000, 3_550_000), (3_000, 2)).T), crs=4545)
    fast = _best_of(lambda: nearest(dem, fac))
    naive = _best_of(lambda: naive_nearest(dem, fac), 1)
    assert np.allclose(nearest(dem, fac)[0], naive_nearest(dem, fac))
    record("coverage nearest 20k x 3k (STRtree)", "province", fast, "s", baseline=round(naive, 4))
    record("coverage speed-up vs all-pairs", "province", naive / fast, "x")


def bench_exports(workspaces: Path) -> None:
    from layers.exports.service import atlas, export

    folder = workspaces.with_name(workspaces.name + "-exports")  # exports never go into the workspace folder
    folder.mkdir(exist_ok=True)

    t = _best_of(lambda: export("500231", "png", folder / "a4.png", dpi=300, overwrite=True), 2)
    record("A4 300-dpi PNG export", "county", t, "s")
    t = _best_of(lambda: export("500231", "pdf", folder / "a4.pdf", dpi=300, overwrite=True), 1)
    record("A4 PDF export", "county", t, "s")
    t = _best_of(lambda: export("500000", "png", folder / "a4_cq.png", dpi=300, overwrite=True), 2)
    record("A4 300-dpi PNG export", "province", t, "s")
    t = _best_of(lambda: atlas("510821", folder / "atlas.pdf", overwrite=True), 1)  # the largest plan jurisdiction by area
    record("atlas PDF, 旺苍县 (17 pages)", "county", t, "s")


OPT_PAINTED = """(n) => !!(window.onemap && window.onemap['townships:shapes'] && window.onemap.geohazards && window.onemap.geohazards.count === n)"""
OPT_TOGGLED = """() => !!(window.onemapLayers && window.onemapLayers.geohazards &&
    window.onemapLayers.geohazards.every(fg => !window.map.hasLayer(fg)))"""
OPT_FACILITIES = """(n) => !!(window.onemap && window.onemap.facilities && window.onemap.facilities.count === n)"""
OPT_FILTERED = """(n) => !!(window.onemap && window.onemap.geohazards && window.onemap.geohazards.count > 0 && window.onemap.geohazards.count < n)"""
NAIVE_COUNT = """() => { let n = 0; if (!window.map) return -1; window.map.eachLayer(l => { if (l.feature) n++; }); return n; }"""


def _wait(page: OfflinePage, js: str, arg=None, timeout_s: float = 240.0) -> None:  # noqa: ANN001
    """Poll a predicate inside the map iframe (the iframe may be re-created by a rerun)."""
    from playwright.sync_api import Error as PlaywrightError

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            frame = page.map_frame(timeout_s)
            if frame.evaluate(js, arg) if arg is not None else frame.evaluate(js):
                return
        except (PlaywrightError, AssertionError):
            pass
        page.page.wait_for_timeout(50)
    raise TimeoutError(f"map never satisfied {js[:60]}")


def _click_in_map(page: OfflinePage, selector: str, tries: int = 50) -> None:
    """Click an element inside the map iframe, looking the frame up again if a rerun re-created it."""
    from playwright.sync_api import Error as PlaywrightError

    for _ in range(tries):
        try:
            page.map_frame(30).locator(selector).click(timeout=5000)
            return
        except (PlaywrightError, AssertionError):
            page.page.wait_for_timeout(200)
    raise TimeoutError(f"could not click {selector} in the map")


def _naive_total(page: OfflinePage) -> int:
    from playwright.sync_api import Error as PlaywrightError

    try:
        return int(page.map_frame(30).evaluate(NAIVE_COUNT))
    except (PlaywrightError, AssertionError):
        return -1


def _wait_naive(page: OfflinePage, pred, timeout_s: float = 400.0) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if pred(_naive_total(page)):
            return
        page.page.wait_for_timeout(100)
    raise TimeoutError("naive map never reached the expected feature count")


def _choose(page: OfflinePage, label: str, option: str, timeout_ms: float = 30_000) -> None:
    """Pick ``option`` in the select/multiselect labelled ``label`` by typing it (option lists are virtualised)."""
    box = page.page.locator('[data-testid="stSelectbox"], [data-testid="stMultiSelect"]').filter(has_text=label).locator("input").first
    box.click(timeout=timeout_ms)
    box.fill(option, timeout=timeout_ms)
    page.page.get_by_role("option", name=option, exact=True).first.click(timeout=timeout_ms)


def _paint(browser, url: str, painted, *, offline: bool = True) -> tuple[OfflinePage, float]:  # noqa: ANN001
    """Open ``url`` and time it until ``painted(page)`` returns. With ``offline`` the page must not have
    asked the internet for anything (the naive baseline asks for OSM tiles, which fail)."""
    page = OfflinePage(browser, url, intercept=False)
    t0 = time.perf_counter()
    page.page.goto(url)
    painted(page)
    took = time.perf_counter() - t0
    if offline and page.blocked:
        raise RuntimeError(f"the page asked the internet for {page.blocked[:3]}")
    return page, took


def returning_visits(browser, url: str, painted, runs: int, *, offline: bool = True) -> float:  # noqa: ANN001
    """Median first paint of a user who has opened the app before: one profile (HTTP cache kept),
    primed by one visit that is not counted."""
    ctx = browser.new_context(viewport={"width": 1500, "height": 950})
    try:
        times = []
        for i in range(runs + 1):
            page, took = _paint(ctx, url, painted, offline=offline)
            page.page.close()
            if i:
                times.append(took)
        return statistics.median(times)
    finally:
        ctx.close()


def _sidebar_filter(page: OfflinePage, label: str, option: str, expected: int) -> float:
    """Open the sidebar filter panel, pick ``option`` in ``label`` and time the click on it until the
    live map draws ``expected`` facilities (typing into the box is not counted)."""
    from playwright.sync_api import Error as PlaywrightError

    page.page.locator('[data-testid="stSidebar"] [data-testid="stExpander"] summary').filter(has_text="筛选").click()
    box = page.page.locator('[data-testid="stMultiSelect"]').filter(has_text=label).locator("input").first
    choice = page.page.get_by_role("option", name=option, exact=True).first
    for _ in range(10):  # the panel's own rerun may redraw the box or the option list while we use them
        try:
            box.click(timeout=30_000)
            box.fill(option)
            choice.wait_for(timeout=3000)
            t0 = time.perf_counter()
            choice.click(timeout=3000)
            break
        except PlaywrightError:
            page.page.keyboard.press("Escape")
            page.page.wait_for_timeout(300)
    else:
        raise TimeoutError(f"could not pick {option!r} in the filter {label!r}")
    _wait(page, OPT_FACILITIES, expected)
    return time.perf_counter() - t0


def bench_optimised(browser, url: str, n_hazards: int, facility: tuple[str, int], runs: int) -> dict[str, float]:  # noqa: ANN001
    paint, toggle, filt, side, side_filt = [], [], [], [], []
    for _ in range(runs):  # first visits: a fresh browser profile each time
        page, took = _paint(browser, url, lambda pg: _wait(pg, OPT_PAINTED, n_hazards))
        paint.append(took)
        page.page.wait_for_timeout(1500)
        layer_box = '.onemap-panel input[data-layer="geohazards"]'
        t1 = time.perf_counter()
        _click_in_map(page, layer_box)  # the in-map layer panel: no server round trip
        _wait(page, OPT_TOGGLED)
        toggle.append(time.perf_counter() - t1)
        _click_in_map(page, layer_box)
        page.page.wait_for_timeout(800)
        t2 = time.perf_counter()
        _click_in_map(page, '.onemap-panel input[data-class="滑坡"]')  # hazard-type filter in the in-map panel
        _wait(page, OPT_FILTERED, n_hazards)
        filt.append(time.perf_counter() - t2)
        _click_in_map(page, '.onemap-panel input[data-class="滑坡"]')
        page.page.wait_for_timeout(800)
        t3 = time.perf_counter()  # the sidebar list: a server rerun that changes visibility in the live map
        page.page.locator('[data-testid="stSidebar"] label').filter(has_text=re.compile(r"^地质灾害 \(")).click()
        _wait(page, OPT_TOGGLED)
        side.append(time.perf_counter() - t3)
        try:  # a server rerun that filters in the live map
            side_filt.append(_sidebar_filter(page, "设施类别", *facility))
        except TimeoutError as err:  # recorded as missing rather than losing the whole run
            print(f"sidebar filter not measured: {err}", flush=True)
            side_filt.append(float("nan"))
        page.page.close()
    warm = returning_visits(browser, url, lambda pg: _wait(pg, OPT_PAINTED, n_hazards), runs)
    return {"paint": statistics.median(paint), "paint_warm": warm, "toggle": statistics.median(toggle),
            "filter": statistics.median(filt), "sidebar_toggle": statistics.median(side),
            "sidebar_filter": statistics.median(side_filt)}


def bench_naive(browser, url: str, total: int, n_geohazards: int, runs: int) -> dict[str, float]:  # noqa: ANN001
    paint, toggle, filt = [], [], []
    for _ in range(runs):
        page, took = _paint(browser, url, lambda pg: _wait_naive(pg, lambda n: n >= total), offline=False)
        paint.append(took)
        page.page.wait_for_timeout(1500)
        t1 = time.perf_counter()
        page.page.get_by_text("naive geohazards").click(timeout=600_000)
        _wait_naive(page, lambda n: 0 <= n <= total - n_geohazards)
        toggle.append(time.perf_counter() - t1)
        page.page.get_by_text("naive geohazards").click(timeout=600_000)
        _wait_naive(page, lambda n: n >= total)
        page.page.wait_for_timeout(800)
        t2 = time.perf_counter()
        _choose(page, "hazard_type", "滑坡", timeout_ms=600_000)
        _wait_naive(page, lambda n: total - n_geohazards < n < total)
        filt.append(time.perf_counter() - t2)
        page.page.close()
    warm = returning_visits(browser, url, lambda pg: _wait_naive(pg, lambda n: n >= total), runs, offline=False)
    return {"paint": statistics.median(paint), "paint_warm": warm, "toggle": statistics.median(toggle),
            "filter": statistics.median(filt)}


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def bench_browser(folder: Path, runs: int) -> None:
    from naive import DEFAULT, naive_map
    from playwright.sync_api import sync_playwright

    from layers.render.webmap import build_map
    from layers.views import mapview as view

    app, url = start_app(folder)
    static_link = ROOT / "tests" / "bench" / "static"  # Streamlit serves static/ beside the main script
    if not static_link.exists():
        static_link.symlink_to(ROOT / "static", target_is_directory=True)
    naive, naive_url = start_app(folder, script="tests/bench/naive_app.py")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=OFFLINE_ARGS)
            for adcode, scale in (("500231", "county"), ("500000", "province")):
                frames = view.load_frames(adcode)
                gh = frames["geohazards"]
                n_pts = int((gh.geometry.geom_type == "Point").sum())
                visible = [k for k in frames if view.get_spec(k).default_visible]
                # as the page sends it: every layer loaded (the in-map panel toggles them), the defaults switched on
                opt_html = build_map(view.display_frames(frames, list(frames), lang="zh", band=view.zoom_band(frames)),
                                     bounds=view.bounds_of(frames), shown=visible).get_root().render()
                naive_html = naive_map(adcode, [k for k in DEFAULT if k in frames]).get_root().render()
                mb, naive_mb = len(opt_html.encode()) / 1e6, len(naive_html.encode()) / 1e6
                record("map payload to browser", scale, mb, "MB", baseline=round(naive_mb, 3))
                record("payload smaller than naive", scale, naive_mb / mb, "x")
                kinds = frames["facilities"]["kind"].value_counts()
                facility = (view.kind_label("facilities", str(kinds.index[0]), "zh"), int(kinds.iloc[0]))
                opt = bench_optimised(browser, f"{url}?adcode={adcode}&demo=1", n_pts, facility, runs)
                labels = (("paint", "first painted map, first visit"), ("paint_warm", "first painted map, returning visit"),
                          ("toggle", "layer toggle -> repaint"), ("filter", "filter change -> repaint"))
                for key, label in labels:
                    record(f"{label} (median of {runs})", scale, opt[key], "s")
                record(f"sidebar layer toggle -> repaint (median of {runs})", scale, opt["sidebar_toggle"], "s")
                record(f"sidebar filter -> repaint (median of {runs})", scale, opt["sidebar_filter"], "s")
                total = sum(len(frames[k]) for k in DEFAULT if k in frames)
                naive_runs = runs if scale == "county" else NAIVE_PROVINCE_RUNS  # one naive province run takes minutes
                try:
                    nv = bench_naive(browser, f"{naive_url}?adcode={adcode}", total, len(gh), naive_runs)
                except TimeoutError:
                    nv = {k: float("inf") for k in ("paint", "paint_warm", "toggle", "filter")}
                for key, label in labels:
                    for row in RESULTS:  # the optimised row carries its baseline, as .bench/latest.json promises
                        if row["measure"] == f"{label} (median of {runs})" and row["scale"] == scale:
                            row["baseline"] = round(nv[key], 3)
                    record(f"{label}: naive baseline (median of {naive_runs})", scale, nv[key], "s")
                    record(f"{label}: faster than naive", scale, nv[key] / opt[key], "x")
            browser.close()
        record("app peak RSS", "province", _peak_rss_mb(app.pid), "MB", baseline=round(_peak_rss_mb(naive.pid), 1))
    finally:
        for proc in (app, naive):
            proc.terminate()
            proc.wait(timeout=10)
        static_link.unlink(missing_ok=True)


GROUPS = ("import", "edit", "load")
"""Groups of rows that ``--only`` runs alone."""


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--only", choices=GROUPS, help="measure only this group of rows (see the module docstring)")
    only = args.parse_args(argv).only
    print(f"{'measure':42s} {'scale':10s} {'value':>10s} unit")
    if only:
        return run_only(only)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        bench_build(folder)
        bench_coverage()
        bench_exports(folder)
        bench_import(folder, record)
        bench_browser(folder, runs=int(os.environ.get("BENCH_RUNS", "3")))
        bench_load(folder, record)  # on its own copies
        bench_edit(folder, record)  # last: it writes to the workspaces
    from eval_extract import bench_summary  # the plan-extraction evaluation (make eval), summarised

    bench_summary(record)
    out = ROOT / ".bench" / "latest.json"
    out.parent.mkdir(exist_ok=True)
    if out.exists():
        previous = out.with_name("previous.json")
        previous.write_text(out.read_text(encoding="utf-8"), encoding="utf-8")
        compare(json.loads(previous.read_text(encoding="utf-8")))
    out.write_text(json.dumps(RESULTS, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"written {out}")
    return 0


def run_only(group: str) -> int:
    """One group of rows on copies of the built workspaces (``workspaces/`` is only read; a missing one
    is built into the temporary folder), compared with the group's last run, or the last full run."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "built"
        folder.mkdir()
        for adcode in ("500231", "500000"):
            built = ROOT / "workspaces" / f"{adcode}.gpkg"
            if built.exists() and not built.with_name(built.name + "-wal").exists():
                shutil.copy(built, folder / built.name)
                for tif in built.parent.glob(f"{adcode}_kde_*.tif"):  # the density surface beside it, as a built workspace has
                    shutil.copy(tif, folder / tif.name)
            else:
                os.environ["ONEMAP_WORKSPACES"] = str(folder)
                from layers.jobs.build import build_workspace

                build_workspace(adcode)
        {"import": bench_import, "edit": bench_edit, "load": bench_load}[group](folder, record)
    out = ROOT / ".bench" / f"latest-{group}.json"
    out.parent.mkdir(exist_ok=True)
    last = out if out.exists() else out.with_name("latest.json")
    if last.exists():
        compare(json.loads(last.read_text(encoding="utf-8")))
    out.write_text(json.dumps(RESULTS, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"written {out}")
    return 0


def compare(previous: list[dict]) -> None:
    """This run against the last one (.bench/previous.json): ratio per measure, flagged beyond 10 %."""
    before = {(r["measure"], r["scale"]): r["value"] for r in previous}
    print(f"\n{'against the last run':42s} {'scale':10s} {'now':>10s} {'before':>10s} ratio")
    for r in RESULTS:
        old = before.get((r["measure"], r["scale"]))
        if old and r["unit"] in ("s", "MB"):
            ratio = r["value"] / old
            flag = "  <-- more than 10 % slower/larger" if ratio > 1.10 else ""
            print(f"{r['measure'][:42]:42s} {r['scale']:10s} {r['value']:10.3f} {old:10.3f} {ratio:5.2f}{flag}")


if __name__ == "__main__":
    sys.exit(main())
