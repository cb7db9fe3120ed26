"""The risk page in a real browser, offline: each township is painted in the colour of its level in the
page's own table (its CSV download) for every hazard and scheme, and a click on the map switches the
card and fills the screening point."""

from __future__ import annotations

import csv
import io
import time

import pytest
from harness import OfflinePage
from playwright.sync_api import Error as PlaywrightError
from shapely.ops import polylabel

from layers.analysis.risk import risk_config
from layers.views import mapview as view

pytestmark = pytest.mark.e2e
LV = risk_config()["levels"]
COLOUR = dict(zip(LV["names_zh"], LV["colors"], strict=True))
CHOICES = {"composite": "综合风险", "geological": "地质灾害", "flood": "洪涝", "forest_fire": "森林火灾"}
SCHEMES = {"fixed": "固定阈值", "natural_breaks": "自然断点", "quantiles": "分位数"}
FILL_JS = """() => { const out = {};
    window.map.eachLayer(l => { const p = l.feature && l.feature.properties;
        if (p && (p.fid || '').startsWith('risk-')) out[p.name] = l.options.fillColor; });
    return out; }"""


def _map_fills(p) -> dict[str, str]:
    try:
        return p.map_frame(5).evaluate(FILL_JS)
    except (PlaywrightError, AssertionError):  # the map iframe is being re-created by a rerun
        return {}


def _table_csv(p) -> tuple[str, dict[str, str]]:
    """(file name, {township: level}) of the page's table, as its CSV download gives it."""
    with p.page.expect_download(timeout=20_000) as info:
        p.page.locator(".st-key-dl_csv button").click()
    d = info.value
    rows = list(csv.DictReader(io.StringIO(open(d.path(), encoding="utf-8-sig").read())))
    return d.suggested_filename, {r["乡镇"]: r["风险等级"] for r in rows}


def _choose(p, key: str, label: str) -> None:
    p.page.locator(f".st-key-{key}").get_by_text(label, exact=True).click()


def _wait_agree(p, choice: str, scheme: str, timeout_s: float = 40.0) -> dict[str, str]:
    """Wait until the table is that of (choice, scheme) and the map paints it; returns the fills."""
    deadline = time.monotonic() + timeout_s
    last: tuple = ()
    while time.monotonic() < deadline:
        name, levels = _table_csv(p)
        fills = _map_fills(p)
        want = {town: COLOUR[lv] for town, lv in levels.items()}
        if name.endswith(f"_{choice}_{scheme}.csv") and fills == want and len(want) == 26:
            return fills
        last = (name, {t: (fills.get(t), c) for t, c in want.items() if fills.get(t) != c})
        p.page.wait_for_timeout(500)
    raise AssertionError(f"map never matched the table for {choice}/{scheme}: last table {last[0]}, differing {last[1]}")


def test_each_township_is_painted_in_the_colour_of_its_level(offline_page) -> None:
    p = offline_page
    p.page.goto(p.url + "risk?adcode=500231&lang=zh")
    p.wait_features(lambda c: c["total"] >= 26, timeout_s=120)
    paintings = set()
    for choice, clabel in CHOICES.items():
        _choose(p, "risk_choice", clabel)
        for scheme, slabel in SCHEMES.items():
            _choose(p, "risk_scheme", slabel)
            paintings.add(tuple(sorted(_wait_agree(p, choice, scheme).items())))
    assert len(paintings) >= 6  # hazards and schemes really give different maps
    assert p.blocked == []


def test_a_click_on_the_map_switches_the_card_and_fills_the_screening_point(offline_page) -> None:
    p = offline_page
    p.page.goto(p.url + "risk?adcode=500231&lang=zh")
    p.wait_features(lambda c: c["total"] >= 26, timeout_s=120)
    risk = view.load_frames("500231")["risk_townships"]
    card = p.page.get_by_test_id("stMetricLabel").first
    p.page.wait_for_timeout(2000)  # let the layout settle: the click is placed in map pixels
    current = card.inner_text()
    areas = risk.to_crs(4545).area
    town = next(n for n in risk.loc[areas.sort_values(ascending=False).index, "name"] if not current.startswith(n))
    shape = risk.loc[risk["name"] == town].geometry.iloc[0]
    pt = polylabel(max(getattr(shape, "geoms", [shape]), key=lambda g: g.area), tolerance=1e-4)  # deep inside
    iframe = p.page.locator("iframe[title='streamlit_folium.st_folium']")
    # wholly on screen: Leaflet focuses its container on mousedown, and Chromium then scrolls a partly hidden
    # map into view between mousedown and mouseup, moving the click (reported to the map's owner)
    iframe.scroll_into_view_if_needed()
    p.page.wait_for_timeout(300)
    frame = p.map_frame()
    x, y = frame.evaluate(f"""() => {{ const q = window.map.latLngToContainerPoint([{pt.y}, {pt.x}]);
        const r = window.map.getContainer().getBoundingClientRect(); return [r.left + q.x, r.top + q.y]; }}""")
    iframe.click(position={"x": x, "y": y})
    lon_in, lat_in = p.page.locator(".st-key-scr_lon input"), p.page.locator(".st-key-scr_lat input")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not (town in card.inner_text() and lon_in.input_value() and lat_in.input_value()):
        p.page.wait_for_timeout(200)  # the rerun streams the card first, the screening fields further down later
    got = (lon_in.input_value(), lat_in.input_value())
    assert card.inner_text().startswith(f"{town} · "), f"clicked {town} at {pt.x:.5f}, {pt.y:.5f}; the page got {got}"
    lon, lat = float(got[0]), float(got[1])
    assert abs(lon - pt.x) < 0.01 and abs(lat - pt.y) < 0.01  # the point under the cursor, within a few pixels
    picker = p.page.locator(".st-key-risk_town")
    assert town in picker.text_content() + picker.locator("input").first.input_value()  # and so did the township picker


@pytest.mark.parametrize("width", [1024, 1440, 1920])
def test_risk_page_screenshots(browser, app_url: str, width: int) -> None:
    for query, name in (("adcode=500231&lang=zh", "dianjiang_flood_zh"), ("adcode=510821&lang=en", "wangcang_en")):
        p = OfflinePage(browser, app_url)
        p.page.set_viewport_size({"width": width, "height": 1100})
        p.page.goto(p.url + "risk?" + query)
        p.wait_features(lambda c: c["total"] >= 10, timeout_s=120)
        if "zh" in query:
            _choose(p, "risk_choice", "洪涝")
            _wait_agree(p, "flood", "fixed")
        p.page.wait_for_timeout(1500)
        p.page.evaluate("() => document.querySelectorAll('*').forEach(e => { if (e.scrollTop) e.scrollTop = 0; })")
        p.page.wait_for_timeout(300)
        p.shot(f"risk_{name}_{width}")
        p.page.locator(".st-key-dl_csv").scroll_into_view_if_needed()
        p.page.wait_for_timeout(300)
        p.shot(f"risk_{name}_{width}_table")
        assert p.blocked == []
        p.page.close()
