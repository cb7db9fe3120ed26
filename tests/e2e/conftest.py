"""Fixtures for end-to-end tests: the real app served by Streamlit, driven by headless Chromium.

Every request that does not go to 127.0.0.1 is aborted and recorded, so the tests prove the
map works with no internet (tiles, CDNs and all)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def app_url(built_workspaces: Path) -> Iterator[str]:
    if not (ROOT / "static" / "vendor" / "leaflet" / "leaflet.js").exists():
        pytest.fail("static/vendor is missing: run `make test` (it installs Leaflet from npm) instead of bare pytest")
    port = _free_port()
    env = {**os.environ, "ONEMAP_WORKSPACES": str(built_workspaces)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.headless", "true"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "_stcore/health", timeout=1) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("streamlit did not become healthy within 60 s")
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: `make test` installs Debian chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class OfflinePage:
    """A page that aborts every non-local request and records it."""

    def __init__(self, browser: object, url: str) -> None:
        self.blocked: list[str] = []
        self.page = browser.new_page(viewport={"width": 1500, "height": 950})  # type: ignore[attr-defined]
        self.page.route("**/*", self._route)
        self.url = url

    def _route(self, route: object) -> None:
        u = route.request.url  # type: ignore[attr-defined]
        if u.startswith(("http://127.0.0.1", "data:", "blob:", "about:")):
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
            const out = {total: 0, points: 0, shapes: 0, townships: 0, demo_hazards: 0, reservoirs: 0};
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


@pytest.fixture
def offline_page(browser: object, app_url: str) -> Iterator[OfflinePage]:
    p = OfflinePage(browser, app_url)
    yield p
    p.page.close()
