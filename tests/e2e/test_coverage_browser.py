"""The coverage page in a real browser: what is drawn is what was chosen (one service area per located
facility of each chosen kind, one gap marker per uncovered demand object),
with screenshots at 1024, 1440 and 1920 px for 垫江 (Chinese) and 旺苍 (English)."""

from __future__ import annotations

import pytest
from harness import eval_until

pytestmark = pytest.mark.e2e
COUNT = """() => { const k = {svc: {}, gap: 0, site: 0};
    window.map.eachLayer(l => { const f = (l.feature && l.feature.properties.fid) || '';
        if (f.startsWith('svc-')) { const kind = f.split('-')[1]; k.svc[kind] = (k.svc[kind] || 0) + 1; }
        if (f.startsWith('gap-')) k.gap++; if (f.startsWith('site-')) k.site++; });
    return k; }"""


def _wait(p, predicate, tries: int = 300) -> dict:
    return eval_until(p, COUNT, predicate, tries=tries)


def _add_kind(p, label: str, option: str) -> None:
    box = p.page.locator('[data-testid="stMultiSelect"]').filter(has_text=label).locator("input")
    box.click(timeout=30_000)
    box.fill(option[:4])
    p.page.get_by_role("option", name=option, exact=True).click()
    p.page.keyboard.press("Escape")


def _shots(p, name: str) -> None:
    for width in (1024, 1440, 1920):
        p.page.set_viewport_size({"width": width, "height": 900})
        p.page.wait_for_timeout(1500)
        assert p.page.locator('[data-testid="stException"]').count() == 0
        p.page.screenshot(path=str(p.shot(f"{name}_{width}")), full_page=True)


def test_dianjiang_tanks_and_cameras_each_drawn_with_gaps(offline_page) -> None:
    p = offline_page
    p.page.goto(p.url + "coverage?adcode=500231")
    k = _wait(p, lambda k: k["svc"].get("water_tank") == 43 and k["site"] == 3)  # 44 tanks, one without a position
    assert 0 < k["gap"] <= 5  # one marker per forest not fully covered (5 forests), not one per sample cell
    _add_kind(p, "设施类别", "森林火情智能监控/瞭望")
    k = _wait(p, lambda k: k["svc"].get("camera") == 73)
    assert k["svc"]["water_tank"] == 43 and k["site"] == 6  # three suggested sites per kind
    metrics = p.page.locator('[data-testid="stMetricLabel"]').all_inner_texts()
    assert metrics.count("森林区域面积覆盖率") == 2
    _shots(p, "coverage_500231_zh_tanks_cameras")
    assert p.blocked == []


def test_wangcang_english_says_no_facility_instead_of_zero(offline_page) -> None:
    p = offline_page
    p.page.goto(p.url + "coverage?adcode=510821&lang=en")
    p.page.get_by_role("heading", name="Facility coverage").first.wait_for(timeout=60_000)
    _add_kind(p, "Facility kinds", "Fire cameras and lookouts")
    p.page.get_by_text("no facility of this kind here", exact=False).first.wait_for(timeout=60_000)
    body = p.page.locator("body").inner_text()
    assert "no located facility of this kind here (1 position unknown)" in body
    assert "垫江" not in body and "0.0%" not in body and "0.000000" not in body
    _shots(p, "coverage_510821_en")
    assert p.blocked == []
