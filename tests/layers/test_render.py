"""The renderer and view helpers: offline assets, legend, GCJ-02 shift, picking, search."""

from __future__ import annotations

import pickle
import re

import pytest

from geo.crs import wgs84_to_gcj02
from layers import view
from layers.render import LOCAL_CSS, LOCAL_JS, assemble_map, basemap, build_map, compile_map, js_data, js_json, parse_js_data

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
    from layers.render import _Visibility, visibility_group

    sel = {"layer": "projects", "fid": "p1", "lat": 30.0, "lng": 107.0}
    group = visibility_group(["townships", "projects"], {"projects": [1], "facilities": None},
                             classes={"geohazards": ["滑坡"]}, selected=sel)
    (el,) = [c for c in group._children.values() if isinstance(c, _Visibility)]
    assert parse_js_data(el.data) == {"v": ["projects", "townships"], "a": {"projects": [1], "facilities": None},
                                      "c": {"geohazards": ["滑坡"]}, "s": sel}
