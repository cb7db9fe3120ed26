"""Coverage per facility kind on a hand-built county with known distances (issue 12 items 6, 9, 10).

Metric CRS EPSG:4545, y = 3 350 000 for every point. A shelter (standard 1 km where the plans set
none) at x = 500 000, a camera (3 km) at x = 510 000, and a camera at the county-centre placeholder
right next to h2 (its position is unknown, so it must cover nothing). Hazard points:

    h1 500 800: shelter  800 (in)   camera 9 200
    h2 501 500: shelter 1 500       camera 8 500        <- the placeholder camera is 100 m away
    h3 507 500: shelter 7 500       camera 2 500 (in)
    h4 512 900: shelter 12 900      camera 2 900 (in)
    h5 514 000: shelter 14 000      camera 4 000

shelter 1/5, camera 2/5, union 3/5 (h1, h3, h4). Townships: West x < 506 000 (h1, h2), East (h3-h5).
A 4 km x 4 km forest centred on the shelter: shelter covers pi * 1^2 / 16 = 19.635 % of it.
"""

from __future__ import annotations

import math

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from geo.errors import CRSError, OptionError, UnknownNameError
from layers.analysis import coverage as cv

GK = 4545
Y = 3_350_000
NOWHERE = "999999"  # a jurisdiction with no basis in data/coverage.toml: every standard is an assumption


def _gdf(rows: list[dict]) -> gpd.GeoDataFrame:
    base = {"geometry_quality": "approximate", "geometry_source": "test", "source_doc": "test", "township": None,
            "action": None}
    return gpd.GeoDataFrame([{**base, **r} for r in rows], geometry="geometry", crs=GK)


@pytest.fixture
def frames() -> dict[str, gpd.GeoDataFrame]:
    hz = [{"fid": f"h{i}", "name": f"隐患点{i}", "kind": "hazard_point", "geometry": Point(x, Y)}
          for i, x in enumerate((500_800, 501_500, 507_500, 512_900, 514_000), start=1)]
    return {
        "county": _gdf([{"fid": "c", "name": "县", "kind": "county", "geometry": box(490_000, 3_340_000, 520_000, 3_360_000)}]),
        "townships": _gdf([{"fid": "tw", "name": "西镇", "kind": "town", "geometry": box(490_000, 3_340_000, 506_000, 3_360_000)},
                           {"fid": "te", "name": "东镇", "kind": "town", "geometry": box(506_000, 3_340_000, 520_000, 3_360_000)}]),
        "township_seats": _gdf([{"fid": "sw", "name": "西镇", "kind": "seat", "geometry": Point(495_000, Y)}]),
        "geohazards": _gdf(hz),
        "facilities": _gdf([{"fid": "s1", "name": "避难场所", "kind": "shelter", "geometry": Point(500_000, Y),
                             "geometry_quality": "synthetic"}]),
        "forest_fire": _gdf([
            {"fid": "c1", "name": "监控1", "kind": "camera", "geometry": Point(510_000, Y)},
            {"fid": "c2", "name": "监控(未定位)", "kind": "camera", "geometry": Point(501_400, Y),
             "geometry_source": "county centre: the plan states no location"},
            {"fid": "f1", "name": "方山", "kind": "forest_area", "geometry": box(498_000, Y - 2000, 502_000, Y + 2000)},
        ]),
        "reservoirs": _gdf([
            {"fid": "r1", "name": "甲水库", "kind": "reservoir", "action": "除险加固", "geometry": Point(501_000, Y),
             "geometry_source": "county centre: the plan states no location"},
            {"fid": "r2", "name": "乙水库", "kind": "reservoir", "action": "除险加固", "geometry": Point(512_000, Y)},
        ]),
    }


def _run(frames, kind, demand="hazard_points", **kw):
    return cv.analyse_kind(frames, GK, NOWHERE, kind=kind, demand=demand, **kw)


def test_each_kind_uses_its_own_radius_and_share(frames) -> None:
    shelter, camera = _run(frames, "shelter"), _run(frames, "camera")
    assert shelter.radii == {"shelter": 1000} and camera.radii == {"camera": 3000}
    assert (shelter.n_covered, shelter.n_demand, shelter.share) == (1, 5, pytest.approx(0.2))
    assert (camera.n_covered, camera.n_demand, camera.share) == (2, 5, pytest.approx(0.4))  # not h2: placeholder camera ignored
    assert camera.n_facilities == 1 and camera.n_unknown_facilities == 1


def test_union_only_when_asked_and_with_each_radius(frames) -> None:
    both = cv.analyse_union(frames, GK, NOWHERE, kinds=["shelter", "camera"], demand="hazard_points")
    assert both.radii == {"shelter": 1000, "camera": 3000}
    assert (both.n_covered, both.share) == (3, pytest.approx(0.6))
    assert sorted(both.gaps["fid"]) == ["h2", "h5"]
    assert both.gaps.set_index("fid")["distance_m"].to_dict() == {"h2": 1500.0, "h5": 4000.0}
    assert "1000 m" in both.radius_text("zh") and "3000 m" in both.radius_text("zh")


def test_figures_are_named_after_what_they_measure(frames) -> None:
    label, value = _run(frames, "shelter").headline("zh")
    assert (label, value) == ("隐患点覆盖率 (1/5)", "20.0%")
    label, value = _run(frames, "shelter", demand="forest_areas").headline("zh")
    assert label == "森林区域面积覆盖率" and value == "19.6%"
    assert _run(frames, "camera").headline("en") == ("Hazard points covered (2/5)", "40.0%")


def test_one_gap_row_per_demand_object_with_township(frames) -> None:
    gaps = _run(frames, "shelter").gaps
    assert gaps["fid"].tolist() == ["h5", "h4", "h3", "h2"]  # farthest first
    assert gaps["distance_m"].tolist() == [14_000.0, 12_900.0, 7_500.0, 1_500.0]
    assert gaps["township"].tolist() == ["东镇", "东镇", "东镇", "西镇"]
    forest = _run(frames, "shelter", demand="forest_areas").gaps
    assert len(forest) == 1 and forest.iloc[0]["name"] == "方山" and forest.iloc[0]["township"] == "西镇"
    assert forest.iloc[0]["uncovered_share"] == pytest.approx(1 - math.pi / 16, abs=1e-3)
    assert forest.iloc[0]["distance_m"] == 0.0  # the shelter stands inside the forest


def test_gap_table_is_localised_and_has_a_position_to_zoom_to(frames) -> None:
    r = _run(frames, "shelter")
    zh, en = cv.gap_table(r, "zh"), cv.gap_table(r, "en")
    assert list(zh.columns) == ["名称", "乡镇", "未覆盖比例", "距最近设施(米)"]
    assert list(en.columns) == ["Name", "Township", "Uncovered share", "Distance to nearest facility (m)"]
    assert zh.iloc[0].tolist() == ["隐患点5", "东镇", "100%", 14000]
    lon, lat = r.gaps.iloc[0][["lon", "lat"]]
    x, y = gpd.GeoSeries([Point(lon, lat)], crs=4326).to_crs(GK).iloc[0].coords[0]
    assert (x, y) == (pytest.approx(514_000, abs=0.01), pytest.approx(Y, abs=0.01))


def test_per_township_shares_in_percent(frames) -> None:
    towns = _run(frames, "camera").townships.set_index("township")["share_pct"]
    assert towns.to_dict() == {"东镇": pytest.approx(200 / 3, abs=0.01), "西镇": 0.0}


def test_radius_and_travel_time_are_exclusive() -> None:
    assert cv.radius_for("fire_crew", NOWHERE, mode="minutes", value=20) == pytest.approx(10_000)  # 30 km/h
    assert cv.radius_for("fire_crew", NOWHERE, mode="radius", value=1234) == 1234
    assert cv.radius_for("fire_crew", NOWHERE) == 10_000
    with pytest.raises(OptionError, match=r"mode 'both' is not one of \['standard', 'radius', 'minutes'\]"):
        cv.radius_for("fire_crew", NOWHERE, mode="both", value=5)
    with pytest.raises(OptionError, match=r"mode 'radius' needs a value above 0 \(got 0\)"):
        cv.radius_for("fire_crew", NOWHERE, mode="radius", value=0)


def test_custom_radius_applies_to_every_kind(frames) -> None:
    r = cv.analyse_union(frames, GK, NOWHERE, kinds=["shelter", "camera"], demand="hazard_points", mode="radius", value=1600)
    assert r.radii == {"shelter": 1600, "camera": 1600} and r.n_covered == 2  # h1 (800), h2 (1500)


@pytest.mark.parametrize("kind", ["water_tank", "checkpoint", "camera", "base_station", "fire_crew", "material_depot",
                                  "shelter", "warning_station"])
def test_standards_cite_only_the_jurisdictions_own_documents(kind: str) -> None:
    for lang in ("zh", "en"):
        text = cv.standard(kind, "510821").label(lang)
        assert "垫江" not in text and "綦江" not in text and "dj2" not in text and "qj2" not in text
    assert "本辖区规划未规定该标准,采用假设值" in cv.standard(kind, "510821").label("zh")


def test_dianjiang_water_tanks_cite_the_2025_work_points() -> None:
    std = cv.standard("water_tank", "500231")
    assert std.cited and std.radius_m == 2000 and "垫江府发〔2025〕3号" in std.label("zh")
    cam = cv.standard("camera", "500231")
    assert not cam.cited and cam.radius_m == 3000 and "采用假设值 3000 m" in cam.label("zh")
    assert cam.target_share == 0.95 and "垫江府发〔2022〕9号" in cam.label("zh")


def test_no_facility_of_a_kind_says_so_instead_of_zero(frames) -> None:
    r = _run(frames, "water_tank")
    assert r.share is None and r.status == "no_facilities"
    assert r.headline("zh") == ("隐患点覆盖率", "本辖区无该类设施")
    assert r.headline("en") == ("Hazard points covered", "no facility of this kind here")
    frames["forest_fire"].loc[frames["forest_fire"]["fid"] == "c1", "geometry_source"] = "county centre: no location"
    r = _run(frames, "camera")
    assert r.headline("zh") == ("隐患点覆盖率", "本辖区无已定位的该类设施(2 个位置未知)")


def test_each_result_says_how_many_inputs_are_not_real(frames) -> None:
    note = _run(frames, "camera").inputs_note("zh")
    assert "依据 2 个森林火情智能监控/瞭望,其中 1 个近似位置、1 个位置未知(县城中心占位)" in note and "依据 5 个地灾隐患点" in note
    assert "1 synthetic" in _run(frames, "shelter").inputs_note("en")


def test_water_view_says_position_unknown_for_placeholders(frames) -> None:
    res = cv.reservoirs_downstream(frames, GK, distance_m=5000).set_index("reservoir")
    assert pd.isna(res.at["甲水库", "townships"]) and res.at["甲水库", "position"] == "placeholder"
    assert res.at["乙水库", "townships"] == "东镇" and res.at["乙水库", "hazard_points"] == 3  # h3, h4, h5
    zh = cv.water_table(res.reset_index(), "zh")
    assert zh.set_index("水库").at["甲水库", "影响范围内乡镇"] == "位置未知"
    assert "position" not in zh.columns and "townships" not in zh.columns


def test_unknown_kinds_and_exclusive_options_are_geo_errors_naming_the_value(frames) -> None:
    with pytest.raises(UnknownNameError, match=r"Unknown facilities kind 'tank'; known: \['"):
        _run(frames, "tank")
    with pytest.raises(OptionError, match=r"Give a radius or a travel time, not both \(got radius_m=500, minutes=10\)"):
        cv.analyse(frames, GK, facilities=["shelter"], demand="hazard_points", radius_m=500, minutes=10)


def test_candidate_sites_are_checked_before_any_work(frames) -> None:
    result = _run(frames, "shelter")
    with pytest.raises(OptionError, match=r"Candidate sites 'roads' are not one of \['grid', 'seats', 'user'\]; choose one"):
        cv.suggest(result, frames, GK, k=1, candidates="roads")
    with pytest.raises(OptionError, match=r"Candidate sites 'user' need user points; upload a file or choose 'grid' or 'seats'"):
        cv.suggest(result, frames, GK, k=1, candidates="user")
    with pytest.raises(CRSError, match=r"The candidate sites have no CRS; read them with geo\.io\.read_vector"):
        cv.suggest(result, frames, GK, k=1, candidates="user", user_points=gpd.GeoSeries([Point(503_000, Y)]))
    sites = cv.suggest(result, frames, GK, k=1, candidates="user", user_points=gpd.GeoSeries([Point(507_500, Y)], crs=GK))
    assert sites.suggestions.geometry.iloc[0].x == 507_500
