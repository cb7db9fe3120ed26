"""The map in a real browser with no internet: paints, toggles, searches."""

from __future__ import annotations

import pytest

from layers import load_layer

pytestmark = pytest.mark.e2e


def test_map_paints_offline_with_townships_and_hazard_points(offline_page) -> None:
    p = offline_page
    p.page.goto(p.url)
    p.wait_features(lambda c: c["townships"] == 26 and c["demo_hazards"] == 120)
    p.page.wait_for_timeout(2000)  # let the first Streamlit rerun settle before looking
    f = p.wait_features(lambda c: c["townships"] == 26 and c["demo_hazards"] == 120)
    assert f["shapes"] >= 26 + 1 + 18  # townships, county, rivers (+ zones)
    frame = p.map_frame()
    assert frame.locator("canvas").count() >= 1  # vector layers on the canvas renderer
    assert frame.locator(".onemap-legend").inner_text().count("位置示意") == 1
    assert frame.locator(".leaflet-control-scale").count() == 1
    p.shot("map_dianjiang_offline")
    assert p.blocked == [], f"the map asked the internet for {p.blocked[:3]}"


def test_layer_toggle_changes_what_is_painted(offline_page) -> None:
    p = offline_page
    p.page.goto(p.url)
    before = p.wait_features(lambda c: c["demo_hazards"] == 120)
    p.page.wait_for_timeout(2000)  # past the first rerun
    frame = p.map_frame()
    frame.evaluate("() => { window.__probe = 42; window.map.setView([30.3, 107.4], 12); }")
    p.page.get_by_text("地质灾害 (381)").click()
    after = p.wait_features(lambda c: c["demo_hazards"] == 0)
    assert after["total"] == before["total"] - 381
    # the sidebar toggle ran in the live map: same document, same view, in-map panel unticked to match
    assert frame.evaluate("() => window.__probe") == 42
    assert frame.evaluate("() => [window.map.getCenter().lat, window.map.getCenter().lng, window.map.getZoom()]") == \
        pytest.approx([30.3, 107.4, 12], abs=1e-3)
    assert frame.locator('.onemap-panel input[data-layer="geohazards"]').is_checked() is False
    p.page.get_by_text("地质灾害 (381)").click()
    p.wait_features(lambda c: c["demo_hazards"] == 120)
    assert frame.evaluate("() => window.__probe") == 42
    assert frame.locator('.onemap-panel input[data-layer="geohazards"]').is_checked() is True
    p.shot("map_after_toggle")


def test_search_moves_the_view_to_the_reservoir(offline_page) -> None:
    p = offline_page
    p.page.goto(p.url)
    p.wait_features(lambda c: c["townships"] == 26)
    res = load_layer("500231", "reservoirs")
    target = res[res["name"] == "全胜水库"].geometry.iloc[0]
    box = p.page.get_by_placeholder("输入名称的一部分", exact=False)
    box.fill("全胜水库")
    box.press("Enter")
    moved, view = False, None
    for _ in range(300):
        view = p.view()
        if view and abs(view[0] - target.y) < 0.002 and abs(view[1] - target.x) < 0.002 and view[2] >= 14:
            moved = True
            break
        p.page.wait_for_timeout(100)
    assert moved, f"view did not move to 全胜水库 ({target.y:.4f}, {target.x:.4f}); last {view}"
    p.page.get_by_text("垫江府发〔2022〕9号").first.wait_for(timeout=20000)  # details panel with provenance
    p.shot("map_search_quansheng")


def test_tile_basemap_unreachable_still_paints_overlays(offline_page) -> None:
    """OpenStreetMap tiles are aborted (no internet): the overlays must paint all the same."""
    p = offline_page
    p.page.goto(p.url)
    p.wait_features(lambda c: c["townships"] == 26)
    p.page.locator('[data-testid="stSelectbox"]').filter(has_text="底图").locator("input, [role=combobox]").first.click()
    p.page.get_by_role("option", name="OpenStreetMap").click()
    for _ in range(100):  # the tiles are really asked for, and fail
        if any("openstreetmap" in u for u in p.blocked):
            break
        p.page.wait_for_timeout(100)
    p.shot("map_osm_tiles_blocked")
    assert any("openstreetmap" in u for u in p.blocked), p.blocked[:3]
    f = p.wait_features(lambda c: c["townships"] == 26 and c["demo_hazards"] == 120)
    assert f["total"] >= 26 + 120


def test_in_map_layer_panel_toggles_instantly_and_keeps_the_view(offline_page) -> None:
    p = offline_page
    p.page.goto(p.url)
    before = p.wait_features(lambda c: c["demo_hazards"] == 120)
    p.page.wait_for_timeout(1500)
    frame = p.map_frame()
    frame.evaluate("() => { window.map.setView([30.30, 107.40], 12); }")
    view = p.view()
    frame.locator('.onemap-panel input[data-layer="geohazards"]').click()
    after = p.wait_features(lambda c: c["demo_hazards"] == 0, timeout_s=10)
    assert after["total"] == before["total"] - 381
    assert p.view() == pytest.approx(view, abs=1e-9)  # no reload, same centre and zoom
    frame.locator('.onemap-panel input[data-layer="facilities"]').click()  # loaded but off at start
    p.wait_features(lambda c: c["total"] == after["total"] + 863, timeout_s=10)
    p.shot("map_panel_facilities_on")


def test_in_map_hazard_type_filter_hides_points_on_the_client(offline_page) -> None:
    p = offline_page
    p.page.goto(p.url)
    p.wait_features(lambda c: c["demo_hazards"] == 120)
    p.page.wait_for_timeout(1500)
    gh = load_layer("500231", "geohazards")
    n_landslides = int((gh["hazard_type"] == "滑坡").sum())
    assert 0 < n_landslides < 120
    p.map_frame().locator('.onemap-panel input[data-class="滑坡"]').click()
    p.wait_features(lambda c: c["demo_hazards"] == 120 - n_landslides, timeout_s=10)
    p.map_frame().locator('.onemap-panel input[data-class="滑坡"]').click()
    p.wait_features(lambda c: c["demo_hazards"] == 120, timeout_s=10)


PROJECTS_DRAWN = """() => ['projects', 'projects:shapes'].reduce((n, k) => n + ((window.onemap || {})[k] ? window.onemap[k].count : 0), 0)"""


def test_sidebar_filter_panel_opens_on_demand_and_its_filter_survives_closing(offline_page) -> None:
    p = offline_page
    p.page.goto(p.url + "?adcode=500231")
    p.wait_features(lambda c: c["townships"] == 26)
    pr = load_layer("500231", "projects")
    n_all, n_done = len(pr), int((pr["status"] == "completed").sum())
    assert 0 < n_done < n_all
    p.page.wait_for_timeout(1500)  # past the first rerun
    frame = p.map_frame()
    assert frame.evaluate(PROJECTS_DRAWN) == n_all
    frame.evaluate("() => { window.__probe = 7; window.map.setView([30.3, 107.4], 12); }")
    sidebar = p.page.locator('[data-testid="stSidebar"]')
    assert sidebar.locator('[data-testid="stMultiSelect"]').count() == 0  # nothing built while closed
    p.page.locator('[data-testid="stSidebar"] [data-testid="stExpander"] summary').filter(has_text="筛选").click()
    status = sidebar.locator('[data-testid="stMultiSelect"]').filter(has_text="项目状态").locator("input")
    status.click(timeout=20_000)
    status.fill("已完成")
    p.page.get_by_role("option", name="已完成", exact=True).click()
    p.page.keyboard.press("Escape")
    for _ in range(100):  # the filter applies in the live map: same document, same view, fewer projects
        if frame.evaluate(PROJECTS_DRAWN) == n_done:
            break
        p.page.wait_for_timeout(100)
    assert frame.evaluate(PROJECTS_DRAWN) == n_done
    assert frame.evaluate("() => [window.__probe, window.map.getCenter().lat, window.map.getCenter().lng, window.map.getZoom()]") == \
        pytest.approx([7, 30.3, 107.4, 12], abs=1e-3)
    p.page.locator('[data-testid="stSidebar"] [data-testid="stExpander"] summary').filter(has_text="筛选").click()
    for _ in range(100):  # panel closed again: its widgets are gone
        if sidebar.locator('[data-testid="stMultiSelect"]').count() == 0:
            break
        p.page.wait_for_timeout(100)
    assert sidebar.locator('[data-testid="stMultiSelect"]').count() == 0
    p.page.locator('[data-testid="stSidebar"] [data-testid="stExpander"] summary').filter(has_text="筛选").click()
    chosen = sidebar.locator('[data-testid="stMultiSelect"]').filter(has_text="项目状态")
    chosen.get_by_text("已完成").wait_for(timeout=20_000)  # reopened with the filter still chosen
    assert frame.evaluate("() => window.__probe") == 7 and frame.evaluate(PROJECTS_DRAWN) == n_done
    assert p.blocked == []
