"""Facility coverage analysis over a workspace: kinds, standards, per-township results, gaps,
suggested sites, plan-claim checks and the water-bureau view. The page and the CLI call this."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from geo.coverage import area_covered_share, greedy_max_cover, grid_candidates, nearest
from geo.errors import UnknownNameError
from layers.registry import DATA_DIR

COVERAGE_CONFIG = DATA_DIR / "coverage.toml"
AREA_SAMPLE_M = 500.0  # forest polygons are also sampled on this grid to list uncovered patches


def coverage_config() -> dict:
    with COVERAGE_CONFIG.open("rb") as fh:
        return tomllib.load(fh)


def kinds() -> dict[str, list[str]]:
    """Ids of facility and demand kinds (``--list``)."""
    cfg = coverage_config()
    return {"facilities": list(cfg["facilities"]), "demand": list(cfg["demand"])}


def _kind(cfg: dict, section: str, kind: str) -> dict:
    if kind not in cfg[section]:
        raise UnknownNameError(f"Unknown {section} kind {kind!r}; known: {list(cfg[section])}.")
    return cfg[section][kind]


def facility_points(frames: Mapping[str, gpd.GeoDataFrame], kind_ids: Sequence[str], crs: CRS) -> gpd.GeoDataFrame:
    """All facilities of the given kinds (points) in ``crs``, with a ``facility_kind`` column."""
    cfg = coverage_config()
    parts = []
    for kid in kind_ids:
        for layer, sub in _kind(cfg, "facilities", kid)["sources"]:
            g = frames[layer]
            g = g[(g["kind"] == sub) & (g.geometry.geom_type == "Point")]
            parts.append(g[["fid", "name", "geometry_quality", "geometry"]].assign(facility_kind=kid))
    out = pd.concat(parts, ignore_index=True) if parts else gpd.GeoDataFrame(columns=["fid", "name", "geometry"], geometry="geometry")
    return gpd.GeoDataFrame(out, geometry="geometry", crs=frames["county"].crs).to_crs(crs)


def demand_features(frames: Mapping[str, gpd.GeoDataFrame], kind: str, crs: CRS) -> gpd.GeoDataFrame:
    """Demand features of one kind in ``crs`` (points, or polygons for forest areas)."""
    layer, subs = _kind(coverage_config(), "demand", kind)["source"]
    g = frames[layer]
    if subs:
        g = g[g["kind"].isin(subs)]
    return g[["fid", "name", "geometry_quality", "geometry"]].to_crs(crs).reset_index(drop=True)


def radius_for(kind_ids: Sequence[str], *, radius_m: float | None = None, minutes: float | None = None) -> float:
    """The service radius: explicit metres, else travel time x the kind's speed, else the standard
    of the first kind."""
    cfg = coverage_config()
    first = _kind(cfg, "facilities", kind_ids[0])
    if radius_m is not None:
        return float(radius_m)
    if minutes is not None:
        return float(first.get("speed_kmh", 30)) * 1000 / 60 * minutes
    return float(first["radius_m"])


@dataclass
class CoverageResult:
    radius_m: float
    demand_kind: str
    county_share: float  # 0..1 (of demand count, or of area for polygons)
    townships: pd.DataFrame  # name, demand, covered, share
    gaps: gpd.GeoDataFrame  # uncovered demand with distance to nearest facility (m)
    service: gpd.GeoDataFrame  # facility buffers
    facilities: gpd.GeoDataFrame
    suggestions: gpd.GeoDataFrame = field(default_factory=gpd.GeoDataFrame)
    optimality_gap: float | None = None


def _sample_polygons(polys: gpd.GeoDataFrame, spacing: float) -> gpd.GeoDataFrame:
    rows = []
    for _, p in polys.iterrows():
        pts = grid_candidates(p.geometry, spacing)
        if len(pts) == 0:
            pts = np.array([p.geometry.representative_point()])
        n = len(pts)
        rows.append(gpd.GeoDataFrame({"fid": [p["fid"]] * n, "name": [p["name"]] * n, "geometry_quality": [p["geometry_quality"]] * n},
                                     geometry=list(pts), crs=polys.crs))
    return pd.concat(rows, ignore_index=True) if rows else polys.iloc[0:0]


def analyse(frames: Mapping[str, gpd.GeoDataFrame], crs: CRS, *, facilities: Sequence[str], demand: str,
            radius_m: float | None = None, minutes: float | None = None) -> CoverageResult:
    """Coverage of ``demand`` by ``facilities`` within the standard (or given) radius."""
    radius = radius_for(facilities, radius_m=radius_m, minutes=minutes)
    fac = facility_points(frames, facilities, crs)
    dem = demand_features(frames, demand, crs)
    towns = frames["townships"].to_crs(crs)[["name", "geometry"]]
    is_area = bool(len(dem)) and dem.geometry.geom_type.isin(["Polygon", "MultiPolygon"]).all()
    pts = _sample_polygons(dem, AREA_SAMPLE_M) if is_area else dem
    dist, _ = nearest(pts.geometry, fac.geometry)
    pts = pts.assign(distance_m=np.round(dist, 1), covered=dist <= radius)
    joined = gpd.sjoin(pts, towns.rename(columns={"name": "township"}), predicate="within", how="left")
    per = joined.groupby("township").agg(demand=("covered", "size"), covered=("covered", "sum"))
    per["share"] = (per["covered"] / per["demand"]).round(4)
    county = float(area_covered_share(gpd.GeoSeries([shapely.union_all(dem.geometry.to_numpy())], crs=crs), fac.geometry, radius)[0]) \
        if is_area and len(dem) else (float(pts["covered"].mean()) if len(pts) else 1.0)
    gaps = joined[~joined["covered"]].sort_values("distance_m", ascending=False)
    gaps = gaps.drop_duplicates("fid") if not is_area else gaps
    service = gpd.GeoDataFrame(fac.drop(columns="geometry"), geometry=fac.buffer(radius, quad_segs=16), crs=crs)
    return CoverageResult(radius, demand, county, per.reset_index(), gaps.drop(columns=["index_right"], errors="ignore"),
                          service, fac)


def suggest(result: CoverageResult, frames: Mapping[str, gpd.GeoDataFrame], crs: CRS, *, k: int,
            candidates: str = "grid", spacing_m: float = 2000.0, user_points: gpd.GeoSeries | None = None) -> CoverageResult:
    """Add ``k`` suggested new sites (greedy maximal covering of the uncovered demand)."""
    county = frames["county"].to_crs(crs).geometry.iloc[0]
    if candidates == "seats":
        cand = frames["township_seats"].to_crs(crs).geometry.reset_index(drop=True)
    elif candidates == "user":
        if user_points is None or user_points.empty:
            raise ValueError("Candidate sites 'user' need user points; upload a file or choose 'grid' or 'seats'.")
        cand = user_points.to_crs(crs).reset_index(drop=True)
    else:
        cand = gpd.GeoSeries(grid_candidates(county, spacing_m), crs=crs)
    uncovered = result.gaps.geometry.reset_index(drop=True)
    pick = greedy_max_cover(uncovered, cand, result.radius_m, k)
    sites = gpd.GeoDataFrame({"rank": range(1, len(pick.chosen) + 1), "gain": pick.gains,
                              "name": [f"建议新增点 {i + 1}" for i in range(len(pick.chosen))]},
                             geometry=cand.iloc[pick.chosen].to_numpy(), crs=crs)
    result.suggestions, result.optimality_gap = sites, pick.gap
    return result


def check_claims(frames: Mapping[str, gpd.GeoDataFrame], crs: CRS, adcode: str) -> pd.DataFrame:
    """The plans' own coverage claims, evaluated: met / not met with the numbers."""
    rows = []
    for c in coverage_config().get("claims", []):
        if c["adcode"] != adcode:
            continue
        r = analyse(frames, crs, facilities=[c["facilities"]], demand=c["demand"])
        rows.append({"claim": c["zh"], "cite": c["cite"], "facilities": len(r.facilities), "radius_m": r.radius_m,
                     "achieved_share": round(r.county_share, 4), "target_share": c["target_share"],
                     "met": r.county_share >= c["target_share"],
                     "facilities_synthetic": round(float((r.facilities["geometry_quality"] == "synthetic").mean()), 2) if len(r.facilities) else 0.0})
    return pd.DataFrame(rows)


def reservoirs_downstream(frames: Mapping[str, gpd.GeoDataFrame], crs: CRS, *, distance_m: float = 5000.0) -> pd.DataFrame:
    """Reservoirs under reinforcement with the townships and hazard points within ``distance_m``.

    The direction of flow is not known offline (river lines are approximate or schematic), so
    "downstream" is approximated by distance from the reservoir; the table says so.
    """
    res = frames["reservoirs"].to_crs(crs)
    res = res[res["action"] == "除险加固"]
    towns = frames["townships"].to_crs(crs)
    hz = frames["geohazards"].to_crs(crs)
    hz = hz[hz["kind"].isin(["hazard_point", "hazard_site"])]
    rows = []
    for _, r in res.iterrows():
        reach = r.geometry.buffer(distance_m)
        rows.append({"reservoir": r["name"], "geometry_quality": r["geometry_quality"],
                     "townships": "、".join(towns[towns.intersects(reach)]["name"]),
                     "hazard_points": int(hz.intersects(reach).sum()), "basis": f"within {distance_m:g} m (flow direction unknown offline)"})
    return pd.DataFrame(rows)


def flood_areas_nearest_station(frames: Mapping[str, gpd.GeoDataFrame], crs: CRS) -> pd.DataFrame:
    """Flood key areas with the nearest monitoring / warning station and its distance."""
    fk = demand_features(frames, "flood_key_areas", crs)
    st = facility_points(frames, ["warning_station"], crs)
    dist, idx = nearest(fk.geometry, st.geometry)
    return pd.DataFrame({"flood_key_area": fk["name"], "nearest_station": [st["name"].iloc[i] if i >= 0 else None for i in idx],
                         "distance_m": np.round(dist, 0)})


def result_layers(result: CoverageResult) -> dict[str, gpd.GeoDataFrame]:
    """The result as renderable analysis layers (service areas, gaps, suggested sites), in EPSG:4490."""
    svc = result.service.assign(fid=lambda d: "svc-" + d["fid"].astype(str))
    gaps = result.gaps.reset_index(drop=True)
    gaps = gaps.assign(fid=[f"gap-{i}" for i in range(len(gaps))])
    out = {"coverage_service": svc[["fid", "name", "facility_kind", "geometry_quality", "geometry"]],
           "coverage_gaps": gaps[["fid", "name", "distance_m", "geometry_quality", "geometry"]]}
    if len(result.suggestions):
        sites = result.suggestions.assign(fid=lambda d: "site-" + d["rank"].astype(str), geometry_quality="synthetic")
        out["coverage_sites"] = sites[["fid", "name", "gain", "geometry_quality", "geometry"]]
    return {k: gpd.GeoDataFrame(v, geometry="geometry", crs=result.service.crs).to_crs(4490) for k, v in out.items()}
