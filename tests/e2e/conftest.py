"""Fixtures for end-to-end tests: the real app served by Streamlit, driven by headless Chromium.

Every request that does not go to 127.0.0.1 is aborted and recorded, so the tests prove the
map works with no internet (tiles, CDNs and all)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import CHROMIUM, CHROMIUM_ARGS, ROOT, OfflinePage, start_app


@pytest.fixture(scope="session")
def app_url(built_workspaces: Path) -> Iterator[str]:
    if not (ROOT / "static" / "vendor" / "leaflet" / "leaflet.js").exists():
        pytest.fail("static/vendor is missing: run `make test` (it installs Leaflet from npm) instead of bare pytest")
    proc, url = start_app(built_workspaces)
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


@pytest.fixture
def offline_page(browser: object, app_url: str) -> Iterator[OfflinePage]:
    p = OfflinePage(browser, app_url)
    yield p
    p.page.close()
