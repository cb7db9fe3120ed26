"""The risk choropleth in a real browser: four colours painted, offline."""

from __future__ import annotations

import pytest
from playwright.sync_api import Error as PlaywrightError

pytestmark = pytest.mark.e2e
FOUR = {"#d7191c", "#fdae61", "#ffff33", "#2c7bb6"}


def _risk_colours(p) -> set[str]:
    return set(p.map_frame().evaluate("""() => { const c = new Set();
        window.map.eachLayer(l => { if (l.feature && (l.feature.properties.fid || '').startsWith('risk-')) c.add(l.options.fillColor); });
        return [...c]; }"""))


def test_choropleth_paints_four_colours(offline_page) -> None:
    p = offline_page
    p.page.goto(p.url + "risk")
    p.wait_features(lambda c: c["total"] >= 26)
    p.page.get_by_text("分位数").click()
    colours: set[str] = set()
    for _ in range(100):
        try:
            colours = _risk_colours(p)
        except PlaywrightError:  # map iframe re-created by the rerun
            colours = set()
        if colours == FOUR:
            break
        p.page.wait_for_timeout(100)
    assert colours == FOUR
    p.page.wait_for_timeout(1000)
    p.shot("risk_quantiles")
    assert p.blocked == []
