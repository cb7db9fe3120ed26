"""The township risk model on a built workspace: placeholders are not counted in any township."""

from __future__ import annotations

import geopandas as gpd
import pytest

from layers.analysis.risk import compute_risk
from layers.analysis.riskstore import workspace_crs
from layers.catalog.quality import is_placeholder
from layers.views import mapview as view

pytestmark = pytest.mark.usefixtures("built_workspaces")


def test_county_centre_placeholders_drive_no_township() -> None:
    frames = view.load_frames("500231")
    res, fac = frames["reservoirs"], frames["facilities"]
    assert is_placeholder(res).sum() == 11 and len(res) == 13  # 垫江: 11 of 13 reservoirs have no location in the plans
    risk = compute_risk(frames, workspace_crs("500231")).townships
    located = res[~is_placeholder(res)]
    inside = gpd.sjoin(located[["geometry"]], frames["townships"][["geometry"]], predicate="intersects")
    assert risk["n_reservoirs"].sum() == inside.index.nunique() <= 2
    keys = fac[(fac["kind"] == "flood_key_area") & ~is_placeholder(fac)]
    assert risk["flood_key_areas"].sum() == gpd.sjoin(keys[["geometry"]], frames["townships"][["geometry"]]).index.nunique()
    assert risk["n_facilities"].sum() <= (~is_placeholder(fac)).sum()


def test_a_moved_reservoir_gives_the_risk_a_fresh_computation_gives() -> None:
    """The model reuses what a change leaves alone (the hazard counts, shares, the cells); a reservoir
    moved into another township is counted there, exactly as without anything reused."""
    from shapely.geometry import Point

    from layers.analysis import _memo

    frames = dict(view.load_frames("500231"))
    crs = workspace_crs("500231")
    compute_risk(frames, crs)  # everything reusable is now kept
    res = frames["reservoirs"]
    i = res.index[~is_placeholder(res) & (res.geom_type == "Point")][0]
    town = frames["townships"]
    before = town[town.contains(res.at[i, "geometry"])].index[0]
    target = town.drop(index=before).geometry.iloc[0].representative_point()
    moved = res.set_geometry(res.geometry.where(res.index != i, Point(target.x, target.y)))
    frames["reservoirs"] = moved
    reused = compute_risk(frames, crs).townships
    _memo.clear()
    fresh = compute_risk(frames, crs).townships
    assert reused.drop(columns="geometry").equals(fresh.drop(columns="geometry"))
    after = town[town.contains(Point(target.x, target.y))].index[0]
    assert reused.at[after, "n_reservoirs"] == fresh.at[after, "n_reservoirs"] >= 1
