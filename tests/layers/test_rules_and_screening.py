"""Rule zones in metres and the site-screening checklist, on hand-built fixtures."""

from __future__ import annotations

import math

import geopandas as gpd
import pytest
from shapely.geometry import LineString, Point

from geo.errors import CoordinateError
from layers import view
from layers.riskstore import workspace_crs
from layers.rules import buffer_metres, rule_zone
from layers.screen import screen_point, screen_projects

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
    with pytest.raises(CoordinateError, match=r"lies outside 垫江县; check the datum"):
        screen_point(frames, crs, 116.4, 39.9)
    checks = screen_point(frames, crs, 107.355, 30.332, datum="gcj02")
    assert len(checks) == 6


@pytest.mark.usefixtures("built_workspaces")
def test_every_plan_project_is_screened() -> None:
    frames = view.load_frames("510821")
    table = screen_projects(frames, workspace_crs("510821"))
    assert len(table) == len(frames["projects"])
    assert table["n_flags"].between(0, 6).all()
