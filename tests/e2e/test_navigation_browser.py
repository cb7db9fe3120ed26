"""A page change in the browser keeps the language, the jurisdiction and the layer choices."""

from __future__ import annotations

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

pytestmark = pytest.mark.e2e


def _go(p, link: str, heading: str) -> None:  # noqa: ANN001
    """Click a page in the navigation until its heading shows (a click during a rerun can be lost)."""
    for _ in range(3):
        p.page.locator('[data-testid="stSidebarNav"]').get_by_text(link, exact=True).click()
        try:
            p.page.get_by_role("heading", name=heading).wait_for(timeout=30_000)
            return
        except PlaywrightTimeout:
            continue
    p.page.get_by_role("heading", name=heading).wait_for(timeout=30_000)


def test_english_wangcang_survives_a_page_change(offline_page) -> None:
    p = offline_page
    p.page.goto(p.url)
    p.wait_features(lambda c: c["townships"] == 26)
    sidebar = p.page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("English", exact=True).click()
    p.page.get_by_role("heading", name="County risk one-map · Dianjiang County").wait_for(timeout=30_000)
    sidebar.locator('[data-testid="stSelectbox"]').filter(has_text="Jurisdiction").click()
    p.page.get_by_role("option", name="Wangcang County (510821)").click()
    p.page.get_by_role("heading", name="County risk one-map · Wangcang County").wait_for(timeout=30_000)
    _go(p, "Risk zoning", "Risk zoning · Wangcang County")
    assert "adcode=510821" in p.page.url and "lang=en" in p.page.url
    _go(p, "Facility coverage", "Facility coverage · Wangcang County")
    _go(p, "Risk map", "County risk one-map · Wangcang County")
    p.wait_features(lambda c: c["townships"] == 17)  # the map is drawn again, of 旺苍
    p.shot("navigation_wangcang_en")
    assert p.blocked == []
