"""Harness shared by the end-to-end tests and `make bench`: start the app, drive headless Chromium
with every non-local request aborted and recorded."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# an intranet without internet: every host name but the app's fails to resolve. Used by `make bench`,
# where Playwright routing would distort timings (it disables the HTTP cache and sends every request
# through Python); the tests intercept instead, which also aborts requests to bare IP addresses.
# WebUIOmniboxPopup/PreloadTopChromeWebUI: new-headless Chromium builds its own omnibox popup (about 300
# chrome:// requests) for every new tab, competing for the two cores with the page being measured.
OFFLINE_ARGS = [*CHROMIUM_ARGS, "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                "--disable-features=WebUIOmniboxPopup,PreloadTopChromeWebUI"]
LOCAL = ("http://127.0.0.1", "data:", "blob:", "about:")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_app(workspaces: Path, *, timeout_s: float = 60.0, script: str = "app.py") -> tuple[subprocess.Popen, str]:
    """Start `streamlit run <script>` on a free port over ``workspaces``; returns (process, url)."""
    port = _free_port()
    env = {**os.environ, "ONEMAP_WORKSPACES": str(workspaces), "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port), "--server.headless", "true"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "_stcore/health", timeout=1) as r:
                if r.status == 200:
                    return proc, url
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"streamlit did not become healthy within {timeout_s} s")


class OfflinePage:
    """A page that records every non-local request. With ``intercept`` (the tests) it also aborts
    them; without (the bench, in a browser launched with OFFLINE_ARGS) name resolution fails them and
    the HTTP cache works as for a user. ``browser`` may be a Browser (a fresh profile per page: a
    first visit) or a BrowserContext (a profile shared with earlier pages: a returning visit)."""

    def __init__(self, browser: object, url: str, *, intercept: bool = True) -> None:
        self.blocked: list[str] = []
        if hasattr(browser, "new_context"):
            self.page = browser.new_page(viewport={"width": 1500, "height": 950})  # type: ignore[attr-defined]
        else:
            self.page = browser.new_page()  # type: ignore[attr-defined]
            self.page.set_viewport_size({"width": 1500, "height": 950})
        if intercept:
            self.page.route("**/*", self._route)
        else:
            self.page.on("request", lambda r: None if r.url.startswith(LOCAL) else self.blocked.append(r.url))
        self.url = url

    def _route(self, route: object) -> None:
        u = route.request.url  # type: ignore[attr-defined]
        if u.startswith(LOCAL):
            route.fallback()  # type: ignore[attr-defined]
        else:
            self.blocked.append(u)
            route.abort()  # type: ignore[attr-defined]

    def map_frame(self, timeout_s: float = 60.0):  # noqa: ANN201
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for f in self.page.frames:
                if "st_folium" in f.url and f.evaluate("() => !!window.map"):
                    return f
            self.page.wait_for_timeout(100)
        raise AssertionError("the map did not appear")

    def features(self) -> dict[str, int]:
        """Features drawn by Leaflet, by kind of geometry and by our fid prefixes."""
        return self.map_frame().evaluate("""() => {
            const out = {total: 0, points: 0, shapes: 0, townships: 0, demo_hazards: 0, reservoirs: 0, layers: {}};
            for (const k in (window.onemap || {})) out.layers[k] = window.onemap[k].count;
            window.map.eachLayer(l => {
                if (!l.feature) return;
                const fid = l.feature.properties.fid || '';
                out.total++; if (l.getLatLng) out.points++; else out.shapes++;
                if (/^\\d{9}$/.test(fid)) out.townships++;
                if (fid.startsWith('demo-')) out.demo_hazards++;
            });
            return out; }""")

    def wait_features(self, predicate, timeout_s: float = 30.0) -> dict[str, int]:  # noqa: ANN001
        deadline = time.monotonic() + timeout_s
        last: dict[str, int] = {}
        while time.monotonic() < deadline:
            try:
                last = self.features()
                if predicate(last):
                    return last
            except (PlaywrightError, AssertionError):  # the iframe may be re-created between polls
                pass
            self.page.wait_for_timeout(100)
        raise AssertionError(f"map features never satisfied the condition; last seen {last}")

    def view(self) -> list[float] | None:
        """[lat, lng, zoom] of the map, or None while the map iframe is being re-created."""
        try:
            return self.map_frame(5).evaluate("() => [window.map.getCenter().lat, window.map.getCenter().lng, window.map.getZoom()]")
        except (PlaywrightError, AssertionError):  # detached frame during a Streamlit rerun
            return None

    def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path


def app_over_copy(workspace: Path, folder: Path) -> Iterator[str]:
    """The app over a private copy of the workspace file ``workspace`` in ``folder`` (a test that writes
    disturbs no other); yields its URL, stops it afterwards. For module fixtures: ``yield from``."""
    if not (ROOT / "static" / "vendor" / "leaflet" / "leaflet.js").exists():
        raise RuntimeError("static/vendor is missing: run `make test` (it installs Leaflet from npm) instead of bare pytest")
    shutil.copy(workspace, folder / workspace.name)
    proc, url = start_app(folder)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def eval_until(p: OfflinePage, script: str, predicate, arg=None, tries: int = 300):  # noqa: ANN001, ANN201
    """``script`` evaluated in the map iframe (with ``arg``) until ``predicate`` holds; its value then."""
    last = None
    for _ in range(tries):
        try:
            frame = p.map_frame(5)
            last = frame.evaluate(script, arg) if arg is not None else frame.evaluate(script)
            if predicate(last):
                return last
        except Exception:  # noqa: BLE001 - the iframe is re-created during a rerun
            pass
        p.page.wait_for_timeout(200)
    raise AssertionError(f"never matched; last seen {last}")
