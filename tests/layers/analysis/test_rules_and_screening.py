"""Rule zones in metres and the site-screening checklist, on hand-built fixtures."""

from __future__ import annotations

import math

import geopandas as gpd
import pytest
from shapely.geometry import LineString, Point

from geo.errors import CoordinateError
from layers.analysis.riskstore import workspace_crs
from layers.analysis.screen import OutsideAreaError, checklist_frame, error_text, projects_table, screen_point, screen_projects
from layers.plans.rules import buffer_metres, rule_zone
from layers.views import mapview as view

GK = 4545


def _rivers(*lines: LineString, kind: str = "river", quality: str = "approximate") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"name": [f"河{i}" for i in range(len(lines))], "kind": kind, "geometry_quality": quality},
                            geometry=list(lines), crs=GK)


@pytest.mark.parametrize(("text", "metres"), [("buffer_km=3", 3000.0), ("岸线1km内禁建", 1000.0), ("距岸线<=1公里", 1000.0), ("无距离", None)])
def test_buffer_distance_parsed_from_the_rule(text: str, metres: float | None) -> None:
    assert buffer_metres(text) == metres


def test_rule_zone_area_is_2rl_plus_pi_r2_in_metres() -> None:
    river = LineString([(500_000, 3_350_000), (510_000, 3_350_000)])  # 10 km, far from the area edge
    area = Point(505_000, 3_350_000).buffer(50_000)
    zone, quality, how = rule_zone({"target": "岸线1km内", "name": "县级主要河流禁建区", "location_hint": "县级主要河流"},
                                   _rivers(river), area)
    # 2 r L + pi r^2 = 2 * 1000 * 10000 + pi * 1000^2 = 23,141,593 m² (buffer arcs are polygons: within 0.1 %)
    assert zone.area == pytest.approx(2 * 1000 * 10_000 + math.pi * 1000**2, rel=1e-3)
    assert quality == "approximate" and "1000 m buffer" in how


def test_rule_without_distance_or_river_is_not_drawn() -> None:
    area = Point(0, 0).buffer(10)
    assert rule_zone({"target": "", "name": "头顶库", "location_hint": ""}, _rivers(LineString([(0, 0), (1, 1)])), area) is None
    assert rule_zone({"target": "1km", "name": "綦江河禁建", "location_hint": "綦江河"}, _rivers(LineString([(0, 0), (1, 1)]), kind="stream"), area) is None


@pytest.mark.usefixtures("built_workspaces")
def test_screening_inside_and_outside_the_1km_river_zone() -> None:
    frames = view.load_frames("500110")
    crs = workspace_crs("500110")
    river = frames["rivers"].to_crs(crs)
    line = river[river["name"] == "綦江河"].geometry.iloc[0]
    mid = line.interpolate(0.5, normalized=True)
    far_m = next(Point(mid.x + dx, mid.y) for dx in (1500, -1500, 3000, -3000) if line.distance(Point(mid.x + dx, mid.y)) > 1100)
    near_m = Point(mid.x + 300, mid.y)
    assert line.distance(near_m) <= 300
    inside, outside = gpd.GeoSeries([near_m, far_m], crs=crs).to_crs(4326)
    near = {c.item: c for c in screen_point(frames, crs, inside.x, inside.y)}
    far = {c.item: c for c in screen_point(frames, crs, outside.x, outside.y)}
    assert near["空间管控规则"].flag and "綦江河岸线1公里范围" in near["空间管控规则"].result
    assert not far["空间管控规则"].flag and far["空间管控规则"].result == "无"


@pytest.mark.usefixtures("built_workspaces")
def test_screening_gcj02_input_and_errors() -> None:
    frames = view.load_frames("500231")
    crs = workspace_crs("500231")
    with pytest.raises(CoordinateError, match=r"lies outside 垫江县; check the datum") as err:
        screen_point(frames, crs, 116.4, 39.9)
    assert isinstance(err.value, OutsideAreaError)
    assert error_text(err.value, "zh") == "点 (116.4, 39.9) [wgs84] 不在垫江县内:请检查坐标系(高德取点为 GCJ-02)以及经纬度是否填反。"
    checks = screen_point(frames, crs, 107.355, 30.332, datum="gcj02")
    assert len(checks) == 6


@pytest.mark.usefixtures("built_workspaces")
def test_every_plan_project_is_screened() -> None:
    frames = view.load_frames("500110")
    table = screen_projects(frames, workspace_crs("500110"))
    assert len(table) == len(frames["projects"]) == 76
    unknown = table["position"].eq("placeholder")
    assert unknown.sum() == 34  # 綦江's plan does not locate 34 of its 76 projects: they are not screened
    assert table.loc[~unknown, "n_flags"].between(0, 6).all() and table.loc[unknown, "n_flags"].isna().all()
    zh, en = projects_table(table, "zh"), projects_table(table, "en")
    assert list(zh.columns) == ["编号", "名称", "位置", "需关注项数", "需关注项", "来源文件"]
    assert set(zh.loc[unknown.to_numpy(), "需关注项"]) == {"位置未知"} and set(en.loc[unknown.to_numpy(), "Flagged checks"]) == {"position unknown"}
    assert set(en["Position"]) <= {"approximate", "synthetic", "position unknown (county-centre placeholder)"}


def _frames_with_hazards(*points: tuple[float, float, str, str]) -> dict[str, gpd.GeoDataFrame]:
    """A 20 km square county (GK CM 108E) with hazard points (x, y, name, geometry_source or quality)."""
    from shapely.geometry import box

    sq = box(490_000, 3_340_000, 510_000, 3_360_000)
    empty = gpd.GeoDataFrame({"name": [], "kind": [], "geometry_quality": [], "geometry_source": [], "source_doc": []},
                             geometry=[], crs=GK)
    hz = gpd.GeoDataFrame({
        "name": [n for _, _, n, _ in points], "kind": "hazard_point",
        "geometry_quality": ["synthetic" if q == "synthetic" else "approximate" for *_, q in points],
        "geometry_source": ["county centre (the plan gives no location)" if q == "placeholder" else "seeded" for *_, q in points],
        "source_doc": "plan.docx"}, geometry=[Point(x, y) for x, y, _, _ in points], crs=GK)
    risk = gpd.GeoDataFrame({"name": ["甲镇"], "level": [2], "composite": [0.5], "level_name": ["较大"]}, geometry=[sq], crs=GK)
    return {"county": gpd.GeoDataFrame({"name": ["测试县"]}, geometry=[sq], crs=GK), "rules": empty, "geohazards": hz,
            "rivers": empty, "facilities": empty, "forest_fire": empty, "risk_townships": risk}


def _at_centre(frames: dict[str, gpd.GeoDataFrame]) -> dict[str, object]:
    centre = gpd.GeoSeries([Point(500_000, 3_350_000)], crs=GK).to_crs(4326).iloc[0]
    return {c.item: c for c in screen_point(frames, _gk(), centre.x, centre.y)}


def _gk():  # noqa: ANN202
    from pyproj import CRS

    return CRS.from_epsg(GK)


def test_nearest_hazard_is_never_a_county_centre_placeholder() -> None:
    # the placeholder sits on the screening point (0 m); the nearest located point is 2 km east, synthetic
    frames = _frames_with_hazards((500_000, 3_350_000, "占位隐患点", "placeholder"), (502_000, 3_350_000, "合成点", "synthetic"))
    near = _at_centre(frames)["最近地灾隐患点"]
    assert near.result == "合成点(合成示意) 2000 m; 另有 1 个位置未知,未参与计算" and not near.flag
    assert near.result_en == "合成点 (synthetic) 2000 m; 1 more with unknown position not used"
    assert near.basis == "依据 2 个隐患点,其中 1 个位置未知(县城中心占位)、1 个合成示意"


def test_only_placeholders_give_position_unknown() -> None:
    near = _at_centre(_frames_with_hazards((500_000, 3_350_000, "占位隐患点", "placeholder")))["最近地灾隐患点"]
    assert (near.result, near.result_en, near.flag) == ("位置未知", "position unknown", False)


def test_checklist_table_in_each_language() -> None:
    checks = list(_at_centre(_frames_with_hazards((501_000, 3_350_000, "近点", "approximate"))).values())
    zh, en = checklist_frame(checks, "zh"), checklist_frame(checks, "en")
    assert list(zh.columns) == ["检查项", "结果", "需关注", "依据"] and list(en.columns) == ["Check", "Result", "Attention", "Basis"]
    assert zh.iloc[4].tolist()[:3] == ["所在乡镇风险等级", "甲镇: 较大 (综合 0.50)", "是"]
    assert en.iloc[4].tolist()[:3] == ["Township risk level", "甲镇: High (composite 0.50)", "yes"]
    assert en.iloc[2, 1] == "not in a susceptibility zone" and en.iloc[1, 2] == "no"  # 1000 m away: not within 500 m
