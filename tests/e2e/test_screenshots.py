"""Every page at the three screen widths planners use (1024, 1440, 1920 px), saved into test-artifacts/
to be looked at; each must show its title and the data-status banner and no error."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e
PAGES = (("", "风险一张图"), ("risk", "风险区划"), ("coverage", "设施覆盖分析"))


@pytest.mark.parametrize("width", [1024, 1440, 1920])
@pytest.mark.parametrize(("path", "title"), PAGES)
def test_page_at_width_shows_title_banner_and_no_error(offline_page, path: str, title: str, width: int) -> None:
    p = offline_page
    p.page.set_viewport_size({"width": width, "height": 900})
    p.page.goto(f"{p.url}{path}?adcode=500231")
    p.page.get_by_role("heading", name=title).first.wait_for(timeout=60_000)
    p.map_frame()
    p.page.wait_for_timeout(1500)  # let the map paint
    assert p.page.locator('[data-testid="stException"]').count() == 0
    banner = p.page.locator('[data-testid="stAlertContentWarning"]').filter(has_text="当前显示")
    assert banner.count() >= 1, "the data-status banner is missing"
    p.page.screenshot(path=str(p.shot(f"page_{path or 'map'}_{width}")), full_page=True)
    assert p.blocked == []
