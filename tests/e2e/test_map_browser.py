"""The map in a real browser with no internet: paints, toggles, searches."""

from __future__ import annotations

import pytest
from playwright.sync_api import Error as PlaywrightError

from layers import load_layer

pytestmark = pytest.mark.e2e


def test_map_paints_offline_with_townships_and_hazard_points(offline_page) -> None:
    p = offline_page
    p.page.goto(p.url + "?demo=1")
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
    p.page.goto(p.url + "?demo=1")
    before = p.wait_features(lambda c: c["demo_hazards"] == 120)
    p.page.wait_for_timeout(2000)  # past the first rerun
    frame = p.map_frame()
    frame.evaluate("() => { window.__probe = 42; window.map.setView([30.3, 107.4], 12); }")
    n_hazards = len(load_layer("500231", "geohazards"))  # plan items and the 120 demo points, as the sidebar counts them
    p.page.get_by_text(f"地质灾害 ({n_hazards})").click()
    after = p.wait_features(lambda c: c["demo_hazards"] == 0)
    assert after["total"] == before["total"] - n_hazards
    # the sidebar toggle ran in the live map: same document, same view, in-map panel unticked to match
    assert frame.evaluate("() => window.__probe") == 42
    assert frame.evaluate("() => [window.map.getCenter().lat, window.map.getCenter().lng, window.map.getZoom()]") == \
        pytest.approx([30.3, 107.4, 12], abs=1e-3)
    assert frame.locator('.onemap-panel input[data-layer="geohazards"]').is_checked() is False
    p.page.get_by_text(f"地质灾害 ({n_hazards})").click()
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
    ring = None
    for _ in range(100):  # and the found reservoir is ringed on the map
        ring = p.map_frame().evaluate("() => { const h = window.onemapRT.hl; if (!h) return null;"
                                      " const l = h.getLayers()[0]; return [l.getLatLng().lat, l.getLatLng().lng, window.onemapRT.hlLayer]; }")
        if ring:
            break
        p.page.wait_for_timeout(100)
    assert ring == [pytest.approx(target.y, abs=2e-5), pytest.approx(target.x, abs=2e-5), "reservoirs"]
    p.shot("map_search_quansheng")


def test_tile_basemap_unreachable_still_paints_overlays(offline_page) -> None:
    """OpenStreetMap tiles are aborted (no internet): the overlays must paint all the same."""
    p = offline_page
    p.page.goto(p.url + "?demo=1")
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
    p.page.goto(p.url + "?demo=1")
    before = p.wait_features(lambda c: c["demo_hazards"] == 120)
    p.page.wait_for_timeout(1500)
    frame = p.map_frame()
    frame.evaluate("() => { window.map.setView([30.30, 107.40], 12); }")
    view = p.view()
    frame.locator('.onemap-panel input[data-layer="geohazards"]').click()
    after = p.wait_features(lambda c: c["demo_hazards"] == 0, timeout_s=10)
    assert after["total"] == before["total"] - len(load_layer("500231", "geohazards"))
    assert p.view() == pytest.approx(view, abs=1e-9)  # no reload, same centre and zoom
    n_facilities = len(load_layer("500231", "facilities"))  # every facility is a point of its own
    assert n_facilities > 800
    frame.locator('.onemap-panel input[data-layer="facilities"]').click()  # loaded but off at start
    p.wait_features(lambda c: c["total"] == after["total"] + n_facilities, timeout_s=10)
    p.shot("map_panel_facilities_on")


def test_in_map_hazard_type_filter_hides_points_on_the_client(offline_page) -> None:
    p = offline_page
    p.page.goto(p.url + "?demo=1")
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
    box = sidebar.locator('[data-testid="stMultiSelect"]').filter(has_text="项目状态")
    for _ in range(3):  # a rerun still drawing the freshly opened panel can swallow the choice: choose again
        status = box.locator("input")
        status.click(timeout=20_000)
        status.fill("已完成")
        p.page.get_by_role("option", name="已完成", exact=True).click()
        p.page.keyboard.press("Escape")
        p.page.wait_for_timeout(1500)
        if box.get_by_text("已完成").count():
            break
    for _ in range(300):  # the filter applies in the live map: same document, same view, fewer projects
        if frame.evaluate(PROJECTS_DRAWN) == n_done:  # (after a rerun: on two shared cores that can take seconds)
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


# --- every visible layer answers clicks and hovers; one visibility state; offline basemaps; data is text


def _lonely_hazard_point() -> tuple[str, str, float, float]:
    """(fid, name, lon, lat) of a real (not demo) hazard point inside a township polygon, with no other
    point or line of a default layer within 150 m: under the cursor at zoom 15 it is the only point."""
    import geopandas as gpd
    import numpy as np

    from layers.views import mapview as view

    frames = {k: g.to_crs(3857) for k, g in view.load_frames("500231").items() if len(g)}
    gh = frames["geohazards"]
    pts = gh[(gh.geometry.geom_type == "Point") & ~gh["fid"].str.startswith("demo-")]
    others = gpd.GeoSeries(np.concatenate([g[~g["fid"].str.startswith("demo-")].geometry.values for k, g in frames.items()
                                           if view.get_spec(k).default_visible and k not in ("county", "townships")]), crs=3857)
    others = others[others.geom_type != "Polygon"]
    towns = frames["townships"].geometry
    for i, pt in pts.geometry.items():
        near = others.distance(pt)
        if (near < 150).sum() == 1 and towns.contains(pt).any():  # only itself
            ll = gpd.GeoSeries([pt], crs=3857).to_crs(4326).iloc[0]
            return str(gh.at[i, "fid"]), str(gh.at[i, "name"]), ll.x, ll.y
    raise AssertionError("no isolated hazard point in 500231")


def _screen_xy(p, lat: float, lng: float, zoom: float = 15) -> tuple[float, float]:  # noqa: ANN001
    """Page coordinates of lat/lng after centring the map there, once the page has stopped moving (the
    view change reruns the page, which may shift the map's iframe)."""
    frame = p.map_frame()
    frame.evaluate(f"() => {{ window.map.setView([{lat}, {lng}], {zoom}, {{animate: false}}); }}")
    # wholly in the viewport: a click on a partly hidden iframe scrolls the page between press and release
    p.page.locator('iframe[title*="st_folium"]').first.scroll_into_view_if_needed()
    last = None
    for _ in range(50):
        p.page.wait_for_timeout(400)
        pt = frame.evaluate(f"() => {{ const q = window.map.latLngToContainerPoint([{lat}, {lng}]);"
                            " const r = window.map.getContainer().getBoundingClientRect(); return [r.x + q.x, r.y + q.y]; }")
        box = p.page.locator('iframe[title*="st_folium"]').first.bounding_box()
        now = (round(box["x"] + pt[0], 1), round(box["y"] + pt[1], 1))
        if now == last:
            return now
        last = now
    return last


def test_a_click_on_a_point_inside_a_township_picks_the_point(offline_page) -> None:
    """Townships are drawn under the hazard points: the click must reach the point, the details panel
    show it, and a click beside it (inside the township only) show the township."""
    fid, name, lon, lat = _lonely_hazard_point()
    p = offline_page
    p.page.goto(p.url)
    p.wait_features(lambda c: c["townships"] == 26)
    p.page.wait_for_timeout(1500)  # past the first rerun
    x, y = _screen_xy(p, lat, lon)
    p.page.mouse.click(x, y)
    frame = p.map_frame()
    assert frame.evaluate("() => window.onemapRT.state.pick.slice(0, 2)") == ["geohazards", fid]
    p.page.locator('[data-testid="stTable"]').get_by_text(fid, exact=True).wait_for(timeout=30_000)  # the panel shows the same feature
    assert p.page.locator('[data-testid="stTable"]').get_by_text(name, exact=True).count() == 1
    p.shot("map_click_point_in_township")
    p.page.mouse.click(x + 120, y)  # 120 px east: no point there, the township polygon is
    for _ in range(100):
        picked = frame.evaluate("() => window.onemapRT.state.pick.slice(0, 2)")
        if picked[0] == "townships":
            break
        p.page.wait_for_timeout(100)
    assert picked[0] == "townships"
    p.page.locator('[data-testid="stTable"]').get_by_text(picked[1], exact=True).first.wait_for(timeout=30_000)
    assert p.page.locator('[data-testid="stTable"]').get_by_text(fid, exact=True).count() == 0  # the new click replaced it


def test_hovering_a_hazard_point_over_townships_shows_its_tooltip(offline_page) -> None:
    fid, name, lon, lat = _lonely_hazard_point()
    p = offline_page
    p.page.goto(p.url)
    p.wait_features(lambda c: c["townships"] == 26)
    p.page.wait_for_timeout(1500)
    x, y = _screen_xy(p, lat, lon)
    p.page.mouse.move(x - 30, y)
    p.page.mouse.move(x, y, steps=5)
    p.page.wait_for_timeout(100)  # Leaflet's canvas handles one mouse move per 32 ms
    p.page.mouse.move(x + 1, y)
    frame = p.map_frame()
    frame.locator(".leaflet-tooltip").filter(has_text=name).wait_for(timeout=10_000)  # the point's, over its township
    assert frame.locator(".leaflet-tooltip").filter(has_text=name).count() == 1


def test_hiding_hazards_in_the_map_hides_them_everywhere(offline_page) -> None:
    """The in-map panel and the sidebar are one state: the sidebar box (which the export's layer list
    ``map_spec["layers"]`` follows), the legend and the drawn features all lose the hazards."""
    p = offline_page
    p.page.goto(p.url)
    p.wait_features(lambda c: c["layers"].get("geohazards", 0) > 0)
    p.page.wait_for_timeout(1500)
    frame = p.map_frame()
    sidebar_box = p.page.locator('[data-testid="stSidebar"] [data-testid="stCheckbox"]').filter(has_text="地质灾害").locator("input")
    assert sidebar_box.is_checked()
    assert frame.locator('.onemap-legend [data-layer="geohazards"]').is_visible()
    frame.locator('.onemap-panel input[data-layer="geohazards"]').click()
    for _ in range(300):
        if not sidebar_box.is_checked():
            break
        p.page.wait_for_timeout(100)
    assert not sidebar_box.is_checked()
    assert not frame.locator('.onemap-legend [data-layer="geohazards"]').is_visible()
    assert frame.evaluate("() => window.onemapLayers.geohazards.every(fg => !window.map.hasLayer(fg))")
    p.page.wait_for_timeout(1500)  # the rerun's visibility group keeps them hidden
    assert frame.evaluate("() => window.onemapLayers.geohazards.every(fg => !window.map.hasLayer(fg))")
    assert "layers=" in p.page.url and "geohazards" not in p.page.url.split("layers=")[1].split("&")[0]


def test_url_carries_layers_and_view(offline_page) -> None:
    p = offline_page
    p.page.goto(p.url + "?adcode=500231&layers=townships,facilities&view=30.30000,107.40000,12")
    p.wait_features(lambda c: c["layers"].get("facilities", 0) > 0 and c["townships"] == 26)
    for _ in range(100):
        v = p.view()
        if v and v[2] == 12:
            break
        p.page.wait_for_timeout(100)
    assert p.view() == pytest.approx([30.3, 107.4, 12], abs=1e-3)
    frame = p.map_frame()
    assert frame.evaluate("() => window.onemapLayers.geohazards.every(fg => !window.map.hasLayer(fg))")
    assert frame.evaluate("() => window.onemapLayers.facilities.some(fg => window.map.hasLayer(fg))")


def test_offline_osm_says_tiles_failed_and_features_still_answer(offline_page) -> None:
    fid, _, lon, lat = _lonely_hazard_point()
    p = offline_page
    p.page.goto(p.url)
    p.wait_features(lambda c: c["townships"] == 26)
    p.page.locator('[data-testid="stSelectbox"]').filter(has_text="底图").locator("input, [role=combobox]").first.click()
    p.page.get_by_role("option", name="OpenStreetMap").click()
    msg = None
    for _ in range(300):
        try:  # the basemap change re-creates the map's iframe
            msg = p.map_frame(5).locator(".onemap-tilemsg")
            if msg.count() and "底图瓦片无法加载" in msg.inner_text():
                break
        except (AssertionError, PlaywrightError):
            pass
        p.page.wait_for_timeout(100)
    assert msg is not None and "底图瓦片无法加载" in msg.inner_text()
    assert "ONEMAP" not in msg.inner_text()
    frame = p.map_frame()
    prefix = frame.locator(".leaflet-control-attribution")
    assert prefix.locator("svg").count() == 0 and "Leaflet" in prefix.inner_text()
    p.shot("map_osm_offline_message")
    x, y = _screen_xy(p, lat, lon)
    p.page.mouse.click(x, y)
    assert frame.evaluate("() => window.onemapRT.state.pick.slice(0, 2)") == ["geohazards", fid]


def test_a_name_with_markup_is_shown_as_text_in_the_html_export(browser, tmp_path) -> None:  # noqa: ANN001
    """The single-file HTML export uses the same renderer: hovering or clicking a reservoir named
    ``<img src=x onerror=window.__xss=1>`` runs nothing and shows the name literally."""
    import geopandas as gpd
    from shapely.geometry import Point, box

    from layers.exports.data import standalone_html
    from layers.render.webmap import build_map
    from layers.views import mapview as view

    evil = "<img src=x onerror=window.__xss=1>"
    res = gpd.GeoDataFrame({"fid": ["r1"], "name": [evil], "action": ["建设"], "geometry_quality": ["approximate"]},
                           geometry=[Point(107.35, 30.33)], crs=4490)
    town = gpd.GeoDataFrame({"fid": ["500231001"], "name": [evil + "镇"], "geometry_quality": ["gazetteer"]},
                            geometry=[box(107.3, 30.3, 107.4, 30.36)], crs=4490)
    shown = view.display_frames({"reservoirs": res, "townships": town}, ["townships", "reservoirs"], lang="zh")
    page = browser.new_page(viewport={"width": 900, "height": 700})
    page.route("**/*", lambda r: r.abort() if not r.request.url.startswith(("data:", "about:")) else r.fallback())
    page.set_content(standalone_html(build_map(shown, bounds=(107.3, 30.3, 107.4, 30.36), lang="zh", shown=["townships", "reservoirs"])))
    page.wait_for_function("() => !!(window.onemap && window.onemap.reservoirs)")
    page.evaluate("() => { const m = window.__m = window.onemapRT.map; m.setView([30.33, 107.35], 15, {animate: false}); }")
    page.wait_for_timeout(500)
    x, y = page.evaluate("() => { const q = window.__m.latLngToContainerPoint([30.33, 107.35]);"
                         " const r = window.__m.getContainer().getBoundingClientRect(); return [r.x + q.x, r.y + q.y]; }")
    page.mouse.move(x - 20, y)
    page.mouse.move(x, y, steps=5)
    page.wait_for_timeout(100)
    page.mouse.move(x + 1, y)
    page.locator(".leaflet-tooltip").first.wait_for(timeout=5000)
    assert evil in page.locator(".leaflet-tooltip").first.inner_text()
    page.mouse.click(x, y)
    page.mouse.move(x + 200, y)  # over the township: its tooltip and label are text too
    page.wait_for_timeout(500)
    assert page.evaluate("() => window.__xss") is None
    assert page.locator("img[src='x']").count() == 0
    page.close()
