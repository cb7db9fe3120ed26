"""`make bench`: measure what users feel, in one run on this machine, and write .bench/latest.json.

Not a test: numbers are printed and recorded, never asserted.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "e2e")]

from harness import CHROMIUM, CHROMIUM_ARGS, OfflinePage, start_app  # noqa: E402

RESULTS: list[dict] = []


def record(measure: str, scale: str, value: float, unit: str, baseline: float | None = None) -> None:
    RESULTS.append({"measure": measure, "scale": scale, "value": round(value, 4), "unit": unit, "baseline": baseline})
    base = "" if baseline is None else f"   (baseline {baseline:g})"
    print(f"{measure:42s} {scale:10s} {value:10.3f} {unit}{base}", flush=True)


def bench_build(folder: Path) -> None:
    os.environ["ONEMAP_WORKSPACES"] = str(folder)
    from layers.build import build_workspace

    for adcode in ("500231", "500110", "510821"):
        t0 = time.perf_counter()
        build_workspace(adcode)
        record(f"workspace build {adcode}", "county", time.perf_counter() - t0, "s")


def bench_payload() -> None:
    from layers import view
    from layers.render import build_map

    frames = view.load_frames("500231")
    default = [k for k in frames if view.get_spec(k).default_visible]
    for label, visible in (("default layers", default), ("all layers", list(frames))):
        shown = view.display_frames(frames, visible, lang="zh")
        html = build_map(shown, bounds=view.bounds_of(frames)).get_root().render()
        record(f"map payload, {label}", "county", len(html.encode()) / 1e6, "MB")


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


def bench_exports(folder: Path) -> None:
    from layers.exportcli import atlas, export

    t = _best_of(lambda: export("500231", "png", folder / "a4.png", dpi=300), 2)
    record("A4 300-dpi PNG export", "county", t, "s")
    t = _best_of(lambda: export("500231", "pdf", folder / "a4.pdf", dpi=300), 1)
    record("A4 PDF export", "county", t, "s")
    t = _best_of(lambda: atlas("510821", folder / "atlas.pdf"), 1)  # the largest plan jurisdiction by area
    record("atlas PDF, 旺苍县 (17 pages)", "county", t, "s")


def bench_browser(url: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        paints, toggles = [], []
        for _ in range(3):
            page = OfflinePage(browser, url)
            t0 = time.perf_counter()
            page.page.goto(url)
            page.wait_features(lambda c: c["townships"] > 0 and c["demo_hazards"] > 0, timeout_s=60)
            paints.append(time.perf_counter() - t0)
            page.page.wait_for_timeout(1500)
            t1 = time.perf_counter()
            page.page.get_by_text("地质灾害 (381)").click()
            page.wait_features(lambda c: c["demo_hazards"] == 0)
            toggles.append(time.perf_counter() - t1)
            page.page.close()
        browser.close()
    record("first painted map (median of 3)", "county", statistics.median(paints), "s")
    record("layer toggle -> repaint (median of 3)", "county", statistics.median(toggles), "s")


def main() -> int:
    print(f"{'measure':42s} {'scale':10s} {'value':>10s} unit")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        bench_build(folder)
        bench_payload()
        bench_coverage()
        bench_exports(folder)
        proc, url = start_app(folder)
        try:
            bench_browser(url)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    out = ROOT / ".bench" / "latest.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(RESULTS, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"written {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
