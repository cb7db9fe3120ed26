"""A page change in the browser keeps the language, the jurisdiction and the layer choices."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


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
    p.page.locator('[data-testid="stSidebarNav"]').get_by_text("Risk zoning").click()
    p.page.get_by_role("heading", name="Risk zoning · Wangcang County").wait_for(timeout=60_000)
    assert "adcode=510821" in p.page.url and "lang=en" in p.page.url
    p.page.locator('[data-testid="stSidebarNav"]').get_by_text("Facility coverage").click()
    p.page.get_by_role("heading", name="Facility coverage · Wangcang County").wait_for(timeout=60_000)
    p.page.locator('[data-testid="stSidebarNav"]').get_by_text("Risk map").click()
    p.page.get_by_role("heading", name="County risk one-map · Wangcang County").wait_for(timeout=60_000)
    p.wait_features(lambda c: c["townships"] == 17)  # the map is drawn again, of 旺苍
    p.shot("navigation_wangcang_en")
    assert p.blocked == []
