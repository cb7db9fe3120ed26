"""The renderer and view helpers: offline assets, legend, GCJ-02 shift, picking, search."""

from __future__ import annotations

import pickle
import re

import pytest

from geo.crs import wgs84_to_gcj02
from layers.render.webmap import LOCAL_CSS, LOCAL_JS, assemble_map, basemap, build_map, compile_map, js_data, js_json, parse_js_data, point_tips
from layers.views import mapview as view

pytestmark = pytest.mark.usefixtures("built_workspaces")


@pytest.fixture(scope="module")
def frames() -> dict:
    return view.load_frames("500231")


def test_map_html_loads_leaflet_from_the_app_not_a_cdn(frames: dict) -> None:
    shown = view.display_frames(frames, ["county", "townships", "reservoirs"], lang="zh")
    m = build_map(shown, bounds=view.bounds_of(frames))
    html = m.get_root().render()
    assert LOCAL_JS[0][1] in html and LOCAL_CSS[0][1] in html
    for cdn in ("cdn.jsdelivr.net", "code.jquery.com", "cdnjs.cloudflare.com", "unpkg.com", "bootstrapcdn"):
        assert cdn not in html, cdn
    assert "位置示意" in html  # legend explains hollow/dashed symbols


def test_compiled_parts_assemble_into_the_same_map(frames: dict) -> None:
    shown = view.display_frames(frames, list(frames), lang="zh")
    parts = compile_map(shown, lang="zh")
    parts = pickle.loads(pickle.dumps(parts))  # what st.cache_data does with them on every rerun
    visible = ["county", "townships", "reservoirs"]
    a = assemble_map(parts, bounds=view.bounds_of(frames), shown=visible).get_root().render()
    b = build_map(shown, bounds=view.bounds_of(frames), shown=visible).get_root().render()
    strip = re.compile(r"_[0-9a-f]{32}")  # folium's random element ids
    assert strip.sub("", a) == strip.sub("", b)
    assert {p.layer_id: p.count for p in parts.layers}["reservoirs"] == len(frames["reservoirs"])
    assert '"id":"reservoirs"' in a and '"show":true' in a and '"show":false' in a  # panel flags follow ``shown``


def test_names_that_look_like_templates_are_drawn_literally(frames: dict) -> None:
    # rendered data used to be re-compiled as a Jinja template: "{{" in a name broke the page
    res = frames["reservoirs"].copy()
    res["name"] = ["{{ 水库 }}"] + ["{% if x %}"] + list(res["name"].iloc[2:])
    shown = view.display_frames({**frames, "reservoirs": res}, ["reservoirs"], lang="zh")
    html = build_map(shown, bounds=view.bounds_of(frames)).get_root().render()
    assert "{{ 水库 }}" in html and "{% if x %}" in html


@pytest.mark.parametrize("encode", [js_data, js_json])
def test_data_literals_survive_quotes_backslashes_and_script_tags(encode) -> None:  # noqa: ANN001
    obj = {"name": 'a "b" \\ c\'d </script><script>alert(1)</script> \u2028 水库', "n": [1, -2.5]}
    js = encode(obj)
    assert "</script" not in js  # cannot end the <script> element it is embedded in
    assert parse_js_data(js) == obj


def test_amap_shifts_overlays_and_says_so(frames: dict) -> None:
    plain = view.display_frames(frames, ["reservoirs"], lang="zh")["reservoirs"]
    shifted = view.display_frames(frames, ["reservoirs"], lang="zh", gcj02=True)["reservoirs"]
    x, y = plain.geometry.iloc[0].x, plain.geometry.iloc[0].y
    ex, ey = wgs84_to_gcj02(x, y)
    assert shifted.geometry.iloc[0].x == pytest.approx(float(ex), abs=2e-5)
    assert shifted.geometry.iloc[0].y == pytest.approx(float(ey), abs=2e-5)
    html = build_map({"reservoirs": shifted}, bounds=view.bounds_of(frames), base=basemap("amap")).get_root().render()
    assert "GCJ-02" in html


def test_tianditu_needs_a_key() -> None:
    with pytest.raises(ValueError, match="Tianditu tiles need a key"):
        basemap("tianditu")
    assert "tk=abc" in basemap("tianditu", tianditu_key="abc").tiles[0][0]
    with pytest.raises(ValueError, match="Unknown basemap 'google'"):
        basemap("google")


def test_pick_maps_a_click_back_to_the_feature(frames: dict) -> None:
    res = frames["reservoirs"].to_crs(4326)
    target = res[res["name"] == "白杨水库"].geometry.iloc[0]
    assert view.pick_at(frames, ["reservoirs", "townships"], target.x, target.y, zoom=14) == (
        "reservoirs", res.loc[res["name"] == "白杨水库", "fid"].iloc[0])
    # a click in open country picks the township polygon under it
    seat = frames["townships"].iloc[0]
    layer, fid = view.pick_at(frames, ["townships"], seat["seat_lon"], seat["seat_lat"], zoom=12)
    assert layer == "townships" and fid == seat["fid"]


def test_pick_skips_features_a_filter_hides(frames: dict) -> None:
    fa = frames["facilities"].to_crs(4326)
    f = fa.iloc[0]
    other = next(k for k in fa["kind"].unique() if k != f["kind"])
    at = (f.geometry.x, f.geometry.y)
    assert view.pick_at(frames, ["facilities"], *at, zoom=18) == ("facilities", f["fid"])
    assert view.pick_at(frames, ["facilities"], *at, zoom=18, filters=view.Filters(facility_kinds=(f["kind"],))) == ("facilities", f["fid"])
    hit = view.pick_at(frames, ["facilities"], *at, zoom=18, filters=view.Filters(facility_kinds=(other,)))
    assert hit is None or hit[1] != f["fid"]


def test_search_finds_partial_names(frames: dict) -> None:
    hits = view.search(frames, "明月山")
    assert {"明月山", "明月山林场"} <= set(hits["name"])
    assert set(view.search(frames, "龙溪河")["layer"]) >= {"rivers", "facilities"}
    assert view.search(frames, "不存在的地名").empty


def test_details_are_labelled_in_both_languages(frames: dict) -> None:
    fid = frames["reservoirs"]["fid"].iloc[0]
    zh = dict(view.feature_details(frames, "reservoirs", fid, "zh"))
    en = dict(view.feature_details(frames, "reservoirs", fid, "en"))
    assert zh["来源文件"] == en["Source document"] == "垫江府发〔2022〕9号"
    assert zh["位置质量"] == "近似位置" and en["Geometry quality"] == "Approximate"


def _small_frames() -> dict:
    import geopandas as gpd
    from shapely.geometry import LineString, Point

    pts = [Point(107.0 + i / 100, 30.0) for i in range(4)]
    projects = gpd.GeoDataFrame({  # rows 0, 2, 3 are points, row 1 a line: the map draws points and shapes apart
        "status": ["completed", "planned", "planned", "completed"], "year": [2021, 2022, 2023, 2024],
        "lead_dept": ["水利局", "林业局;应急局", "应急局", "林业局"]},
        geometry=[pts[0], LineString([(107, 30), (107.1, 30.1)]), pts[2], pts[3]], crs=4490)
    facilities = gpd.GeoDataFrame({"kind": ["tank", "camera", "tank"]}, geometry=pts[:3], crs=4490)
    geohazards = gpd.GeoDataFrame({"hazard_type": ["滑坡", "崩塌"], "kind": ["hazard_point", "hazard_point"]}, geometry=pts[:2], crs=4490)
    return {"projects": projects, "facilities": facilities, "geohazards": geohazards}


def test_filter_allow_lists_what_passes_per_drawn_part() -> None:
    frames = _small_frames()
    assert view.filter_allow(frames, view.Filters()) == {"projects": None, "projects:shapes": None, "facilities": None, "geohazards": None}
    got = view.filter_allow(frames, view.Filters(project_status=("planned",), facility_kinds=("tank",)))
    # project points are rows 0, 2, 3 (planned: row 2 -> position 1); the one line is planned
    assert got == {"projects": [1], "projects:shapes": None, "facilities": [0, 2], "geohazards": None}
    got = view.filter_allow(frames, view.Filters(project_depts=("林业局",), hazard_types=("崩塌",)))
    assert got == {"projects": [2], "projects:shapes": None, "facilities": None, "geohazards": [1]}
    got = view.filter_allow(frames, view.Filters(project_years=(2021,)))
    assert got["projects"] == [0] and got["projects:shapes"] == []  # the line is filtered out: an empty list, not None


def test_visibility_group_carries_visible_layers_and_filters() -> None:
    from layers.render.webmap import _Visibility, visibility_group

    sel = {"layer": "projects", "fid": "p1", "lat": 30.0, "lng": 107.0}
    group = visibility_group(["townships", "projects"], {"projects": [1], "facilities": None},
                             classes={"geohazards": ["滑坡"]}, selected=sel)
    (el,) = [c for c in group._children.values() if isinstance(c, _Visibility)]
    assert parse_js_data(el.data) == {"v": ["projects", "townships"], "a": {"projects": [1], "facilities": None},
                                      "c": {"geohazards": ["滑坡"]}, "s": sel, "e": None, "p": None}  # no edit in progress, nothing patched


# --- issue 12: markup stays text, empty layers listed, errors in the user's language, picking as drawn


def _evil_frames() -> dict:
    import geopandas as gpd
    from shapely.geometry import Point, box

    evil = "<img src=x onerror=alert(1)>"
    res = gpd.GeoDataFrame({"fid": ["r1"], "name": [evil], "action": ["建设"], "geometry_quality": ["approximate"]},
                           geometry=[Point(107.35, 30.33)], crs=4490)
    town = gpd.GeoDataFrame({"fid": ["t1"], "name": [evil + "镇"], "geometry_quality": ["gazetteer"]},
                            geometry=[box(107.3, 30.3, 107.4, 30.36)], crs=4490)
    return {"reservoirs": res, "townships": town}


def test_names_reach_the_map_as_data_and_the_browser_code_never_builds_html_from_data() -> None:
    from layers.render.webmap import JS_RUNTIME

    frames = _evil_frames()
    shown = view.display_frames(frames, list(frames), lang="zh")
    parts = compile_map(shown, lang="zh")
    by_id = {p.layer_id: p for p in parts.layers}
    assert next(iter(point_tips(parse_js_data(by_id["reservoirs"].points)).values())) == ["<img src=x onerror=alert(1)>", "在建/新建"]  # data, as written
    assert parse_js_data(by_id["townships"].labels)["f"][0][2] == "<img src=x onerror=alert(1)>镇"  # a text node's text
    page = assemble_map(parts, bounds=(107.3, 30.3, 107.4, 30.36), shown=list(frames)).get_root().render()
    assert "innerHTML" not in page and "insertAdjacentHTML" not in page
    assert "<img src=x" not in page.replace('\\"', '"').split("JSON.parse(")[0]  # nowhere before the data literals
    assert "onemapEsc" in JS_RUNTIME and "bindTooltip(R.tip(" in JS_RUNTIME  # tooltips are escaped text


def test_empty_layers_are_listed_disabled_and_not_drawn(frames: dict) -> None:
    empty = frames["rivers"].iloc[0:0]
    shown = view.display_frames({**frames, "rivers": empty}, ["townships", "rivers"], lang="zh")
    html = build_map(shown, bounds=view.bounds_of(frames), shown=["townships", "rivers"]).get_root().render()
    panel = next(parse_js_data(line.split("window.onemapPanel(", 1)[1].split(", ", 1)[1].rsplit(");", 1)[0])
                 for line in html.splitlines() if "window.onemapPanel(" in line)
    rivers = [entry for g in panel["groups"] for entry in g["layers"] if entry["id"] == "rivers"]
    assert rivers == [{"id": "rivers", "label": "河流水系", "count": 0, "show": True, "classes": []}]  # listed with 0 (the browser disables it)
    assert '"layer":"rivers"' not in html.replace('\\"', '"')  # nothing drawn for it


@pytest.mark.parametrize(("lang", "message"), [("zh", "天地图底图需要密钥"), ("en", "Tianditu tiles need a key")])
def test_basemap_errors_are_in_the_users_language_without_configuration_names(lang: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as err:
        basemap("tianditu", lang=lang)
    with pytest.raises(ValueError, match="本地瓦片底图尚未配置" if lang == "zh" else "local tile basemap is not set up") as err2:
        basemap("local", lang=lang)
    for e in (err, err2):
        assert "ONEMAP" not in str(e.value) and "/work" not in str(e.value)


def test_pick_takes_the_topmost_layer_as_the_canvas_does() -> None:
    import geopandas as gpd
    from shapely.geometry import LineString, Point, box

    town = gpd.GeoDataFrame({"fid": ["t1"], "name": ["镇"]}, geometry=[box(107.0, 30.0, 107.2, 30.2)], crs=4326)
    hazard = gpd.GeoDataFrame({"fid": ["g1"], "name": ["点"]}, geometry=[Point(107.1, 30.1)], crs=4326)
    river = gpd.GeoDataFrame({"fid": ["r1"], "name": ["河"]}, geometry=[LineString([(107.1, 30.0), (107.1, 30.2)])], crs=4326)
    frames = {"townships": town, "geohazards": hazard, "rivers": river}
    # the point sits on the river; rivers are drawn above hazard points, hazard points above townships
    assert view.pick_at(frames, ["townships", "geohazards", "rivers"], 107.1, 30.1, zoom=15) == ("rivers", "r1")
    assert view.pick_at(frames, ["townships", "geohazards"], 107.1, 30.1, zoom=15) == ("geohazards", "g1")
    assert view.pick_at(frames, ["townships", "geohazards"], 107.15, 30.1, zoom=15) == ("townships", "t1")
    assert view.pick_at(frames, ["county", "townships"], 107.15, 30.1, zoom=15) == ("townships", "t1")


def test_a_map_click_shows_the_feature_the_map_had_under_the_cursor(frames: dict) -> None:
    gh = frames["geohazards"]
    f = gh[gh.geometry.geom_type == "Point"].iloc[0]
    town = frames["townships"].iloc[0]
    # the map sent the point's id: that is what the panel shows, wherever the click landed in it
    assert view.resolve_pick(frames, ["townships", "geohazards"], ["geohazards", f["fid"], 0, 0, "t"], zoom=12) == ("geohazards", f["fid"])
    assert view.resolve_pick(frames, ["townships"], ["geohazards", f["fid"], 0, 0, "t"], zoom=12) is None  # hidden layer
    assert view.resolve_pick(frames, ["townships"], ["", "", 30, 107, "t"], zoom=12) is None  # a click on nothing
    # a dense layer's points carry no id: the nearest feature of that layer
    assert view.resolve_pick(frames, ["townships"], ["townships", "", town["seat_lat"], town["seat_lon"], "t"], zoom=12) == ("townships", town["fid"])
    hidden = view.Filters(hazard_types=("没有这种灾害",))
    assert view.resolve_pick(frames, ["geohazards"], ["geohazards", f["fid"], 0, 0, "t"], zoom=12, filters=hidden) is None


def test_hazard_classes_ticked_in_the_map_are_the_sidebar_hazard_filter(frames: dict) -> None:
    from layers.catalog.style import style_columns

    gh = frames["geohazards"]
    pts = gh[gh.geometry.geom_type == "Point"]
    all_labels = sorted(set(style_columns("geohazards", pts, "zh")["_l"]))
    assert view.hazard_types_for(frames, all_labels, "zh") == ()  # everything ticked = no filter
    keep = all_labels[0]
    f = view.Filters(hazard_types=view.hazard_types_for(frames, [keep], "zh"))
    passed = view.apply_filters(frames, f)["geohazards"]
    shown_labels = set(style_columns("geohazards", passed[passed.geometry.geom_type == "Point"], "zh")["_l"])
    assert shown_labels == {keep}
    assert len(passed[passed.geometry.geom_type != "Point"]) == len(gh[gh.geometry.geom_type != "Point"])  # zones stay
    assert view.class_ticks(frames, f, "zh") == {"geohazards": [keep]}  # and the map ticks exactly that class
    assert view.class_ticks(frames, view.Filters(), "zh") == {"geohazards": None}


def test_map_state_reads_only_what_the_map_sent() -> None:
    import json

    state = {"vis": {"geohazards": False}, "vt": "a1", "cls": {}, "ct": None, "pick": None}
    assert view.map_state(["onemap", json.dumps(state)]) == state
    assert view.map_state([]) is None and view.map_state(None) is None and view.map_state(["onemap", "{bad"]) is None


@pytest.mark.parametrize(("stored", "zh"), [
    ("county centre: the plan states no location", "县域中心(规划未给出位置)"),
    ("synthetic: the plan gives only a count (26); seeded random point inside the susceptibility zones (seed = fid)",
     "合成示意:规划只给出数量(26 处),按要素编号作种子在地质灾害易发区内随机生成的点"),
    ("Voronoi cell of the township seat clipped to the county boundary (no township boundaries offline)",
     "以乡镇驻地划分的泰森多边形,裁剪至县界(离线数据无乡镇界线)"),
    ("GeoNames seat matched by pinyin", "GeoNames 地名库驻地(按拼音匹配)"),
    ("schematic 6 km line near the seat of 新民镇 (township named in the plan); course unknown offline",
     "示意线(长 6 公里),位于新民镇驻地附近(规划点名的乡镇);离线无法获知实际走向"),
    ("middle of the drawn river line; river: line through the seat of 桂溪街道、桂阳街道 (township named in the plan)",
     "位于已绘河流线的中点;河流:连接桂溪街道、桂阳街道驻地的线(规划点名的乡镇)"),
])
def test_position_sources_are_shown_in_chinese_and_stored_as_written(stored: str, zh: str) -> None:
    from layers.catalog.sourcetext import source_text

    assert source_text(stored, "zh") == zh
    assert source_text(stored, "en") == stored


def test_details_show_the_position_source_in_the_users_language(frames: dict) -> None:
    fid = frames["townships"]["fid"].iloc[0]
    zh = dict(view.feature_details(frames, "townships", fid, "zh"))
    en = dict(view.feature_details(frames, "townships", fid, "en"))
    assert zh["位置来源"] == "以乡镇驻地划分的泰森多边形,裁剪至县界(离线数据无乡镇界线)"
    assert en["Geometry source"].startswith("Voronoi cell of the township seat")
    assert frames["townships"]["geometry_source"].iloc[0].startswith("Voronoi")  # stored text unchanged


def test_style_labels_risk_levels_and_reservoir_actions_in_english() -> None:
    import geopandas as gpd
    from shapely.geometry import Point, box

    from layers.catalog.style import style_columns

    risk = gpd.GeoDataFrame({"level": [1, 4], "level_name": ["重大", "低"], "color": ["#d7191c", "#2c7bb6"]},
                            geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=4490)
    assert style_columns("risk_townships", risk, "en")["_l"].tolist() == ["Major", "Low"]
    assert style_columns("risk_townships", risk, "zh")["_l"].tolist() == ["重大", "低"]
    res = gpd.GeoDataFrame({"action": ["调查评估", "联合调度"], "kind": ["reservoir"] * 2, "geometry_quality": ["approximate"] * 2},
                           geometry=[Point(0, 0)] * 2, crs=4490)
    assert style_columns("reservoirs", res, "en")["_l"].tolist() == ["Survey and assessment", "Joint operation"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_drawn_tooltip_is_the_specs_fields_of_the_stored_feature(frames: dict, lang: str) -> None:
    from layers.catalog.specs import TITLE, get_spec
    from layers.catalog.style import value_text

    drawn: dict[str, dict[str, list[str]]] = {}
    for p in compile_map(view.display_frames(frames, list(frames), lang=lang), lang=lang).layers:
        tips = drawn.setdefault(p.layer_id, {})
        if p.points:
            tips.update(point_tips(parse_js_data(p.points)))
        if p.shapes:
            tips.update({f["properties"]["fid"]: f["properties"]["_t"] for f in parse_js_data(p.shapes)["g"]["features"]})
    for layer, gdf in frames.items():
        spec = get_spec(layer)
        want = {str(r["fid"]): [t for t in (spec.label(lang) if e == TITLE else value_text(layer, e, r.get(e), lang)
                                            for e in spec.tooltip) if t] for _, r in gdf.iterrows()}
        assert drawn[layer] == want, layer
