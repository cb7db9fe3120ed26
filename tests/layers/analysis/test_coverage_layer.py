"""Coverage over real workspaces and the coverage CLI."""

from __future__ import annotations

import json

import pytest

from layers.__main__ import main
from layers.analysis import coverage as cv
from layers.analysis.riskstore import workspace_crs
from layers.views import mapview as view

pytestmark = pytest.mark.usefixtures("built_workspaces")


def test_counts_tie_together() -> None:
    frames = view.load_frames("500231")
    r = cv.analyse(frames, workspace_crs("500231"), facilities=["water_tank"], demand="hazard_points")
    assert len(r.facilities) == (frames["forest_fire"]["kind"] == "water_tank").sum()
    assert r.townships["demand"].sum() == frames["geohazards"]["kind"].isin(["hazard_point", "hazard_site"]).sum()
    assert r.county_share == pytest.approx(r.townships["covered"].sum() / r.townships["demand"].sum())
    assert (r.gaps["distance_m"] > r.radius_m).all()
    assert r.radius_m == 2000  # dj25 附件三、19 standard


def test_radius_from_travel_time() -> None:
    assert cv.radius_for("fire_crew", "500231", mode="minutes", value=20) == pytest.approx(10_000)  # 30 km/h x 20 min
    assert cv.radius_for("fire_crew", "500231", mode="radius", value=1234) == 1234


def test_suggestions_add_coverage() -> None:
    frames = view.load_frames("500231")
    crs = workspace_crs("500231")
    r = cv.suggest(cv.analyse(frames, crs, facilities=["shelter"], demand="hazard_points"), frames, crs, k=3)
    assert len(r.suggestions) == 3 and r.suggestions["gain"].is_monotonic_decreasing
    assert 0 <= r.optimality_gap < 1


def test_claims_are_evaluated_with_numbers() -> None:
    claims = cv.check_claims(view.load_frames("500231"), workspace_crs("500231"), "500231")
    cams = claims[claims["cite"].str.contains("五、\\(一\\)")].iloc[0]
    assert cams["facilities"] == 73 and 0 <= cams["achieved_share"] <= 1 and cams["met"] == (cams["achieved_share"] >= 0.95)


def test_unknown_kind_lists_known_ones() -> None:
    from geo.errors import UnknownNameError

    with pytest.raises(UnknownNameError, match=r"Unknown facilities kind 'drone'; known: \['water_tank'"):
        cv.analyse(view.load_frames("500231"), workspace_crs("500231"), facilities=["drone"], demand="hazard_points")


def test_cli_list_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["coverage", "--list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert "water_tank" in listed["facilities"] and "hazard_points" in listed["demand"]
    assert main(["coverage", "500231", "--facilities", "water_tank,camera", "--demand", "forest_areas", "--suggest", "2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    by_kind = {r["kind"]: r for r in out["results"]}
    assert set(by_kind) == {"water_tank", "camera"}  # one result per kind, each with its own standard
    assert by_kind["water_tank"]["radii"] == {"water_tank": 2000} and by_kind["camera"]["radii"] == {"camera": 3000}
    assert by_kind["water_tank"]["share"] == pytest.approx(0.675, abs=0.001)  # as the page shows it (demo off)
    assert len(by_kind["water_tank"]["suggestions"]) == 2
    assert "合成示意" in by_kind["water_tank"]["inputs"]
    assert main(["coverage", "500231", "--facilities", "water_tank,camera", "--demand", "forest_areas", "--union", "--json"]) == 0
    union = json.loads(capsys.readouterr().out)["results"][-1]
    assert union["kind"] == "union" and union["radii"] == {"water_tank": 2000, "camera": 3000}


def test_cli_radius_and_minutes_are_exclusive(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["coverage", "500231", "--facilities", "water_tank", "--demand", "forest_areas", "--radius", "500", "--minutes", "5"]) == 2
    assert "半径" in capsys.readouterr().err


def test_cli_screen_never_names_a_demo_point_unless_asked(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["screen", "500231", "--lon", "107.35", "--lat", "30.33"]) == 0
    assert "演示" not in capsys.readouterr().out


def test_water_bureau_views() -> None:
    frames = view.load_frames("500231")
    crs = workspace_crs("500231")
    res = cv.reservoirs_downstream(frames, crs, distance_m=5000)
    assert len(res) == 9 + 2  # nine (dj21) + two unnamed (dj25) reservoirs under 除险加固
    fk = cv.flood_areas_nearest_station(frames, crs)
    assert len(fk) == (frames["facilities"]["kind"] == "flood_key_area").sum()
    unknown = fk["position"] == "placeholder"
    assert unknown.sum() == 2 and fk.loc[unknown, "distance_m"].isna().all() and fk.loc[~unknown, "distance_m"].notna().all()
    # nine reservoirs sit at the county-centre placeholder: no "downstream" list is computed for them
    assert res["townships"].isna().sum() == 9 and (res["position"] == "placeholder").sum() == 9


def test_dianjiang_tanks_and_cameras_one_result_each_with_gaps_per_forest() -> None:
    frames = view.load_frames("500231")
    crs = workspace_crs("500231")
    tanks = cv.analyse_kind(frames, crs, "500231", kind="water_tank", demand="forest_areas")
    cams = cv.analyse_kind(frames, crs, "500231", kind="camera", demand="forest_areas")
    assert tanks.radii == {"water_tank": 2000} and cams.radii == {"camera": 3000}
    assert tanks.n_facilities == 43 and tanks.n_unknown_facilities == 1 and cams.n_facilities == 73
    for r in (tanks, cams):
        assert r.gaps["fid"].is_unique and len(r.gaps) <= 5 and r.gaps["township"].notna().all()
        assert r.headline("zh")[0] == "森林区域面积覆盖率"


def test_wangcang_has_no_located_water_tank_and_cites_nothing_of_dianjiang() -> None:
    frames = view.load_frames("510821")
    r = cv.analyse_kind(frames, workspace_crs("510821"), "510821", kind="water_tank", demand="forest_areas")
    assert r.share is None and r.headline("zh") == ("森林区域面积覆盖率", "本辖区无已定位的该类设施(1 个位置未知)")
    assert "垫江" not in cv.standard("water_tank", "510821").label("zh")
