"""Map page screenshots at three widths (垫江 in Chinese, 旺苍 in English, OpenStreetMap offline), and
how much of the map the in-map panel and legend cover (they open collapsed on a narrow map)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Error as PlaywrightError

pytestmark = pytest.mark.e2e

COVERED = """() => {
  const map = window.map.getContainer().getBoundingClientRect();
  let area = 0;
  for (const sel of ['.onemap-panel', '.onemap-legend']) {
    const e = document.querySelector(sel);
    if (e) { const r = e.getBoundingClientRect(); area += r.width * r.height; }
  }
  return area / (map.width * map.height);
}"""


def _open(p, query: str, width: int) -> None:  # noqa: ANN001
    p.page.set_viewport_size({"width": width, "height": 900})
    p.page.goto(p.url + query)
    p.wait_features(lambda c: c["townships"] > 0)
    p.page.wait_for_timeout(2500)  # first rerun settled, bounds fitted


@pytest.mark.parametrize("width", [1024, 1440, 1920])
def test_map_page_screens(offline_page, width: int) -> None:
    p = offline_page
    _open(p, "?adcode=500231&lang=zh", width)
    covered = p.map_frame().evaluate(COVERED)
    if width == 1024:
        assert covered < 0.08, f"panel and legend cover {covered:.0%} of the map at 1024 px"
    p.shot(f"map_500231_zh_{width}")
    _open(p, "?adcode=510821&lang=en", width)
    legend = p.map_frame().locator(".onemap-legend").inner_text()
    assert "Legend" in legend and "图例" not in legend
    p.shot(f"map_510821_en_{width}")


def test_map_page_osm_offline_screen(offline_page) -> None:
    p = offline_page
    _open(p, "?adcode=500231&lang=zh", 1440)
    p.page.locator('[data-testid="stSelectbox"]').filter(has_text="底图").locator("input, [role=combobox]").first.click()
    p.page.get_by_role("option", name="OpenStreetMap").click()
    for _ in range(300):
        try:
            if "底图瓦片无法加载" in p.map_frame(5).locator(".onemap-tilemsg").inner_text(timeout=200):
                break
        except (AssertionError, PlaywrightError):
            pass
        p.page.wait_for_timeout(100)
    p.page.wait_for_timeout(500)
    p.shot("map_500231_osm_offline_1440")
