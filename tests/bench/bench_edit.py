"""Bench rows of 编辑 on the map page: the click on 保存位置 until the live map draws the reservoir at its
new position, county (500231, target 0.5 s) and province (500000, target 1 s), in headless Chromium as
`make bench` measures toggles. Each run moves the reservoir to another place (a new revision); a row
says in how many of them the township risk changed (and was stored again) rather than staying as it was."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

MOVED = """(t) => { const P = window.onemap && window.onemap.reservoirs;
    return !!(P && P.items.some(m => Math.abs(m.getLatLng().lat - t[1]) < 1e-4 && Math.abs(m.getLatLng().lng - t[0]) < 1e-4)); }"""
TARGETS = {"500231": (107.40, 30.30), "500000": (106.55, 29.56)}  # inside 垫江 / near the centre of 重庆


def _unique_reservoir(adcode: str) -> str:
    """A reservoir point whose name the search finds alone (the search then selects it)."""
    from layers.views import mapview as view

    frames = view.load_frames(adcode)
    res = frames["reservoirs"]
    for name in res.loc[res.geometry.geom_type == "Point", "name"].astype(str):
        if len(view.search(frames, name)) == 1:
            return name
    raise RuntimeError(f"no reservoir of {adcode} has a name of its own")


def _fill(page, label: str, text: str) -> None:  # noqa: ANN001
    box = page.get_by_label(label, exact=True)
    box.fill(text)
    box.press("Tab")
    page.wait_for_timeout(600)


ARM = """(t) => { window.__painted = null;
    const moved = """ + MOVED + """;
    const check = () => { if (moved(t)) { window.__painted = Date.now(); return; } requestAnimationFrame(check); };
    requestAnimationFrame(check); }"""
CLICKED = """() => { window.__clicked = null;
    const b = [...document.querySelectorAll('button')].find(x => x.innerText.trim() === '保存位置');
    b.addEventListener('pointerdown', () => { window.__clicked = Date.now(); }, {once: true, capture: true}); }"""


def _save_and_repaint(pg, target: tuple[float, float], wait) -> float:  # noqa: ANN001
    """Type ``target``, then time the click on 保存位置 until the live map draws the reservoir there.

    Both ends are taken by the browser's own clock: the button's pointerdown, and the first animation
    frame in which the map has the reservoir at ``target`` (a check run by the map page itself, once per
    frame). Polling from outside instead (an evaluate every 50 ms) took the page's main thread away
    from the work being timed: about 0.5 s of a province save. When the map was re-created meanwhile
    (no patch), the outside poll times it."""
    page = pg.page
    _fill(page, "经度(小数或度分秒)", f"{target[0]:.6f}")
    _fill(page, "纬度(小数或度分秒)", f"{target[1]:.6f}")
    _fill(page, "修改原因(必填)", "基准测试")
    page.get_by_text("读作:", exact=False).first.wait_for(timeout=60_000)
    page.wait_for_timeout(1000)
    frame = pg.map_frame()
    frame.evaluate(ARM, list(target))
    page.evaluate(CLICKED)
    t0 = time.perf_counter()
    page.get_by_role("button", name="保存位置").click()
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        page.wait_for_timeout(250)
        try:
            painted = frame.evaluate("() => window.__painted")
        except Exception:  # noqa: BLE001 - the map was re-created: time it from outside
            wait(pg, MOVED, list(target))
            return time.perf_counter() - t0
        if painted:
            return (painted - page.evaluate("() => window.__clicked")) / 1000
    raise TimeoutError("the map never drew the reservoir at its new place")


def bench_edit(folder: Path, record: Callable[..., None], runs: int = 5) -> None:
    """Median of ``runs`` saves per scale, on a private app over ``folder`` (copies: it is written)."""
    from harness import CHROMIUM, OFFLINE_ARGS, OfflinePage, start_app
    from playwright.sync_api import sync_playwright
    from run_bench import _wait

    from layers.store.workspace import open_workspace

    os.environ["ONEMAP_WORKSPACES"] = str(folder)
    names = {a: _unique_reservoir(a) for a in TARGETS}
    app, url = start_app(folder)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=OFFLINE_ARGS)
            for adcode, scale, goal in (("500231", "county", 0.5), ("500000", "province", 1.0)):
                pg = OfflinePage(browser, url, intercept=False)
                pg.page.set_viewport_size({"width": 1440, "height": 1500})
                pg.page.goto(f"{url}?adcode={adcode}&demo=1")
                _wait(pg, "() => !!(window.onemap && window.onemap.reservoirs)")
                search = pg.page.get_by_label("搜索", exact=False).first
                search.fill(names[adcode])
                search.press("Enter")
                pg.page.locator('[data-testid="stTable"]').filter(has_text=names[adcode]).wait_for(timeout=120_000)
                _fill(pg.page, "编辑人", "基准测试")
                lon, lat = TARGETS[adcode]
                times, rewrote = [], 0
                for i in range(runs):
                    times.append(_save_and_repaint(pg, (lon + 0.01 * i, lat + 0.005 * i), _wait))
                    rewrote += "risk_townships" in (open_workspace(adcode).changesets()[-1].layer or "")
                record(f"edit save -> live map repainted (median of {runs}; target {goal:g} s)", scale, statistics.median(times), "s")
                record("edit save: the first save of the session", scale, times[0], "s")
                record("edit save: the slowest save", scale, max(times), "s")
                record("edit save: saves whose township risk changed (rewritten)", scale, rewrote, f"of {runs}")
                pg.page.close()
            browser.close()
    finally:
        app.terminate()
        app.wait(timeout=10)
