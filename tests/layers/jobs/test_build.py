"""Workspace build: counts tied to plan figures, provenance, determinism, atomic rebuilds."""

from __future__ import annotations

import hashlib

import geopandas as gpd
import pandas as pd
import pytest

from layers import list_workspaces, load_layer
from layers.catalog.specs import PLAN_LAYERS, QUALITIES, SPECS
from layers.jobs.build import build_workspace

pytestmark = pytest.mark.usefixtures("built_workspaces")


def _rows(layer_gdf: gpd.GeoDataFrame, fid_prefix: str) -> gpd.GeoDataFrame:
    return layer_gdf[layer_gdf["fid"].str.startswith(fid_prefix)]


def test_three_workspaces_listed_with_names() -> None:
    names = {w.adcode: w.name for w in list_workspaces()}
    assert names == {"500110": "綦江区", "500231": "垫江县", "510821": "旺苍县"}


@pytest.mark.parametrize("adcode", ["500231", "500110", "510821"])
def test_every_feature_has_complete_provenance(adcode: str) -> None:
    for layer_id in SPECS:
        gdf = load_layer(adcode, layer_id)
        assert gdf.crs.to_epsg() == 4490
        for col in ("name", "source_doc", "source_section", "geometry_quality", "geometry_source"):
            assert gdf[col].notna().all() and (gdf[col].astype(str).str.len() > 0).all(), (layer_id, col)
        assert set(gdf["geometry_quality"]) <= set(QUALITIES)
        assert gdf["fid"].is_unique, layer_id


def test_dianjiang_counts_match_the_plan() -> None:
    """Hand-checked against 垫江府发〔2022〕9号 (dj21) and 〔2025〕3号 (dj25)."""
    res = load_layer("500231", "reservoirs")
    reinforce = res[(res["source_doc"] == "垫江府发〔2022〕9号") & (res["action"] == "除险加固")]
    assert len(reinforce) == 9  # 四、(二)10 names nine reservoirs for 除险加固
    assert {"全胜水库", "长大水库", "杉树河沟水库"} <= set(reinforce["name"])
    built = res[res["source_doc"] == "垫江府发〔2025〕3号"]
    assert set(built.loc[built["status"] == "under_construction", "name"]) == {"石桥水库", "龙谷溪水库"}

    rivers = load_layer("500231", "rivers")
    dj21_rivers = rivers[rivers["fid"].str.startswith("dj21")]
    assert (dj21_rivers["kind"] != "lake").sum() == 16 and "长寿湖" in set(dj21_rivers["name"])

    gh = load_layer("500231", "geohazards")
    assert (gh["kind"] == "susceptibility_zone").sum() == 3
    budgets = gh.loc[gh["fid"].isin(["dj21-030", "dj21-031", "dj21-032"]), "budget_wan"].sort_values().tolist()
    assert budgets == [300.0, 380.0, 930.0]

    fac = load_layer("500231", "facilities")
    assert (fac["kind"] == "water_reserve_point").sum() == 2
    assert (_rows(fac, "dj21")["kind"] == "flood_key_area").sum() >= 9

    ff = load_layer("500231", "forest_fire")
    assert (ff["kind"] == "scenic_area").sum() == 3
    tanks = _rows(ff, "dj21-050")  # 新建森林消防蓄水池26口
    assert len(tanks) == 26 and set(tanks["geometry_quality"]) == {"synthetic"} and set(tanks["plan_count"]) == {26}
    cameras = _rows(ff, "dj21-059")  # 73 smart cameras
    assert len(cameras) == 73


def test_counted_features_are_synthetic_and_named_ones_are_not() -> None:
    ff = load_layer("500231", "forest_fire")
    counted = ff[ff["plan_count"] > 1]
    assert (counted["geometry_quality"] == "synthetic").all()
    assert counted["geometry_source"].str.contains("seeded").all()
    mountains = ff[ff["name"].isin(["明月山", "黄草山"])]
    assert set(mountains["geometry_quality"]) == {"approximate"}


def test_qijiang_river_and_rules_in_metres() -> None:
    rivers = load_layer("500110", "rivers")
    qj = rivers[rivers["name"] == "綦江河"].iloc[0]
    assert qj["geometry_quality"] == "approximate"
    rules = load_layer("500110", "rules")
    assert len(rules) == 2 and set(rules["buffer_m"]) == {1000.0}
    # the zone is a 1 km buffer of the river line, measured in the metric CRS (GK CM 108E)
    river_m = gpd.GeoSeries([qj.geometry], crs=4490).to_crs(4545)
    zone_m = rules.to_crs(4545).geometry.iloc[0]
    assert river_m.buffer(999).iloc[0].difference(zone_m.buffer(1)).area / 1e6 < 0.5  # covers the 1 km band inside the county
    # buffer of a line of length L by r: 2 r L + pi r^2 (two half-disc ends), minus what the county clips
    length = river_m.length.iloc[0]
    assert zone_m.area == pytest.approx(2 * 1000 * length + 3.14159 * 1000**2, rel=0.03)


def test_wangcang_names_mines_airport_and_rules_it_cannot_draw() -> None:
    fac = load_layer("510821", "facilities")
    assert (fac["kind"] == "mine").any() and (fac["kind"] == "airport").any()
    from layers import load_unmapped

    unmapped = load_unmapped("510821")
    assert {"wc21-065", "wc21-066"} <= set(unmapped["fid"])
    assert unmapped["reason"].str.len().gt(0).all()


def test_demo_hazard_points_are_marked_synthetic() -> None:
    gh = load_layer("500231", "geohazards")
    demo = gh[gh["kind"] == "hazard_point"]
    assert len(demo) == 120
    assert (demo["geometry_quality"] == "synthetic").all()
    assert demo["source_doc"].str.contains("演示").all()


def _digest(adcode: str) -> str:
    parts = []
    for layer_id in PLAN_LAYERS + ("townships", "county"):
        gdf = load_layer(adcode, layer_id)
        parts.append(pd.util.hash_pandas_object(gdf.drop(columns="geometry"), index=False).sum())
        parts.append(hashlib.sha256(b"".join(gdf.geometry.to_wkb())).hexdigest())
    return str(parts)


def test_build_is_deterministic() -> None:
    before = _digest("500231")
    build_workspace("500231")
    assert _digest("500231") == before


def test_failed_rebuild_leaves_workspace_untouched(monkeypatch: pytest.MonkeyPatch, built_workspaces) -> None:
    from geo.errors import ValidationError
    from layers.jobs import build as build_mod

    path = built_workspaces / "500110.gpkg"
    old = path.read_bytes()

    original = build_mod.plan_rows

    def broken_rows(adcode: str) -> pd.DataFrame:
        rows = original(adcode)
        rows.loc[0, "status"] = "half-done"  # not a valid status
        return rows

    monkeypatch.setattr(build_mod, "plan_rows", broken_rows)
    with pytest.raises(ValidationError, match=r"field 'status': value 'half-done' is not one of"):
        build_workspace("500110")
    assert path.read_bytes() == old
    assert not list(built_workspaces.glob("*.tmp.gpkg"))
