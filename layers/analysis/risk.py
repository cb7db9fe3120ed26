"""Township risk: per-hazard indicators, scores, composite and four-colour levels, plus the
hazard-point density surface. Parameters come from ``data/risk.toml``.

Features whose position is only the county-centre placeholder (``layers.quality.is_placeholder``)
are left out of every indicator and count: their township is unknown."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from geo.crs import CGCS2000
from geo.raster import Grid, area_mask, kernel_density, write_geotiff, zonal_stats
from geo.risk import classify, weighted_score
from layers.analysis._memo import digest, memo
from layers.catalog.params import RISK_CONFIG, risk_config  # noqa: F401  (re-exported: the risk model's parameters)
from layers.catalog.quality import is_placeholder

HAZARDS = ("geological", "flood", "forest_fire")
HAZARD_ZH = {"geological": "地质灾害", "flood": "洪涝", "forest_fire": "森林火灾"}
INDICATOR_ZH = {
    "hazard_density": "隐患点密度", "people_threatened": "威胁人数", "susceptibility_share": "易发区占比",
    "river_share": "临河区域占比", "flood_key_areas": "防汛重点区域", "reservoirs_reinforced": "病险水库",
    "forest_share": "重点林区占比", "fire_sources": "景区火源", "facility_distance": "距防火设施远",
}
INDICATOR_EN = {
    "hazard_density": "hazard-point density", "people_threatened": "people threatened", "susceptibility_share": "susceptible area",
    "river_share": "area near rivers", "flood_key_areas": "flood key areas", "reservoirs_reinforced": "reservoirs under repair",
    "forest_share": "key forest area", "fire_sources": "scenic fire sources", "facility_distance": "far from fire facilities",
}
NO_DRIVER = ("无突出因素", "none stands out")
ADVICE = {  # short recommendations in our own words, by hazard
    "geological": ("汛前排查隐患点,落实群测群防和专业监测,高风险点优先工程治理或搬迁避让",
                   "Inspect hazard points before the rainy season, keep community and sensor monitoring, treat or relocate the worst"),
    "flood": ("加强临河段巡查和预警到户,病险水库汛期空库或限制运行,完善转移路线",
              "Patrol river reaches, push warnings to every household, keep unsafe reservoirs low, rehearse evacuation routes"),
    "forest_fire": ("重点时段加密巡护和卡口检查,补齐取水点与扑火队伍,清理林缘可燃物",
                    "Add patrols and checkpoint checks in fire season, fill gaps in water points and crews, clear fuel at forest edges"),
}
HAZARD_KINDS = ("hazard_point", "hazard_site")
FIRE_FACILITY_KINDS = ("checkpoint", "water_tank", "crew", "lookout")


@dataclass(frozen=True)
class RiskResult:
    townships: gpd.GeoDataFrame  # EPSG:4490, layer risk_townships
    kde_path: Path | None


def _metric(gdf: gpd.GeoDataFrame, crs: CRS) -> gpd.GeoDataFrame:
    """``gdf`` in ``crs``; the projected geometry is reused while the geometry is unchanged."""
    if gdf.empty:
        return gdf.to_crs(crs)
    geoms = memo(("metric", digest(gdf.geometry), str(gdf.crs), crs.srs), lambda: gdf.geometry.to_crs(crs).to_numpy())
    return gpd.GeoDataFrame(gdf.drop(columns=gdf.geometry.name), geometry=gpd.GeoSeries(geoms, index=gdf.index, crs=crs), crs=crs)


def _share(cells: gpd.GeoSeries, parts: gpd.GeoSeries, *, buffer_m: float = 0.0) -> pd.Series:
    """Share of each cell's area covered by the union of ``parts`` (buffered by ``buffer_m``)."""
    def compute() -> np.ndarray:
        if parts.empty:
            return np.zeros(len(cells))
        area = shapely.union_all((parts.buffer(buffer_m) if buffer_m else parts).to_numpy())
        if area is None or area.is_empty:
            return np.zeros(len(cells))
        return (cells.intersection(area).area / cells.area).to_numpy()

    return pd.Series(memo(("share", digest(cells), digest(parts), buffer_m), compute), index=cells.index)


def _within(pts: gpd.GeoSeries, cells: gpd.GeoDataFrame) -> np.ndarray:
    """For each point (by position) the position of the cell it lies within, -1 outside every cell;
    reused while the points and the cells are unchanged."""
    def compute() -> np.ndarray:
        out = np.full(len(pts), -1, dtype=int)
        if len(pts) and len(cells):
            p_idx, c_idx = cells.sindex.query(pts.to_numpy(), predicate="within")
            out[p_idx] = c_idx
        return out

    return memo(("within", digest(pts), digest(cells.geometry)), compute)


def _count_in(cells: gpd.GeoDataFrame, pts: gpd.GeoDataFrame, *, within_m: float = 0.0) -> pd.Series:
    if pts.empty:
        return pd.Series(0, index=cells.index)
    zones = cells[["geometry"]].copy()
    if within_m:
        zones["geometry"] = zones.buffer(within_m)
    j = gpd.sjoin(pts[["geometry"]], zones, predicate="intersects")
    return j.groupby("index_right").size().reindex(cells.index, fill_value=0)


def _points(gdf: gpd.GeoDataFrame, kinds: tuple[str, ...] | None = None) -> gpd.GeoDataFrame:
    sel = gdf[gdf.geometry.geom_type == "Point"]
    return sel[sel["kind"].isin(kinds)] if kinds else sel


def indicators(frames: Mapping[str, gpd.GeoDataFrame], crs: CRS, cfg: dict) -> pd.DataFrame:
    """Raw (unnormalised) indicators per township, on the index of ``frames['townships']``."""
    t = _metric(frames["townships"], crs)
    gh, rv = _metric(frames["geohazards"], crs), _metric(frames["rivers"], crs)
    ff, fac, res = _metric(frames["forest_fire"], crs), _metric(frames["facilities"], crs), _metric(frames["reservoirs"], crs)
    area_km2 = t.area / 1e6
    hz = _points(gh, HAZARD_KINDS)
    home = _within(hz.geometry, t)  # the township of each hazard point (by position; -1 outside all)
    forest_parts = ff.loc[ff["kind"].isin(["forest_area", "forest_farm"]), "geometry"]
    forest = memo(("union", digest(forest_parts)), lambda: shapely.union_all(forest_parts.to_numpy()))
    out = pd.DataFrame(index=t.index)
    out["hazard_density"] = _count_in(t, hz) / area_km2
    people = pd.Series(hz["threatened_people"].to_numpy(), index=home)
    out["people_threatened"] = people[home >= 0].groupby(level=0).sum().reindex(range(len(t)), fill_value=0).to_numpy()
    out["susceptibility_share"] = _share(t.geometry, gh.loc[gh["kind"] == "susceptibility_zone", "geometry"])
    out["river_share"] = _share(t.geometry, rv.geometry, buffer_m=cfg["flood"]["river_buffer_m"])
    out["flood_key_areas"] = _count_in(t, _points(fac, ("flood_key_area",)))
    out["reservoirs_reinforced"] = _count_in(t, res[res["action"] == "除险加固"], within_m=cfg["flood"]["reservoir_reach_m"])
    out["forest_share"] = _share(t.geometry, forest_parts)
    out["fire_sources"] = _count_in(t, _points(ff, ("scenic_area",)))
    out["facility_distance"] = _facility_distance(t, forest_parts, forest, _points(ff, FIRE_FACILITY_KINDS))
    return out


def _facility_distance(t: gpd.GeoDataFrame, forest_parts: gpd.GeoSeries, forest: shapely.Geometry,
                       facilities: gpd.GeoDataFrame) -> pd.Series:
    """Distance (m) from the centre of each township's forest to the nearest fire facility (0 if no forest);
    the centres are reused while the townships and the forest are unchanged."""
    if forest is None or forest.is_empty or facilities.empty:
        return pd.Series(0.0, index=t.index)

    def centres_of() -> gpd.GeoSeries:
        parts = t.geometry.intersection(forest)
        return parts[~parts.is_empty].representative_point()

    centres = memo(("forest_centres", digest(t.geometry), tuple(t.index), digest(forest_parts)), centres_of)
    tree = shapely.STRtree(facilities.geometry.to_numpy())
    _, dist = tree.query_nearest(centres.to_numpy(), return_distance=True, all_matches=False)
    out = pd.Series(0.0, index=t.index)
    out.loc[centres.index] = dist
    return out


def score(ind: pd.DataFrame, cfg: dict, *, scheme: str) -> pd.DataFrame:
    """Per-hazard scores, composite, level 1-4, name and colour."""
    out = pd.DataFrame(index=ind.index)
    for hz in HAZARDS:
        out[f"{hz}_score"] = weighted_score(ind, cfg[hz]["weights"]).round(4)
    comp_w = cfg["composite"]["weights"]
    out["composite"] = weighted_score(out.rename(columns=lambda c: c.replace("_score", "")), comp_w).round(4)
    lv = cfg["levels"]
    thresholds = (lv["level1"], lv["level2"], lv["level3"])
    out["level"] = classify(out["composite"], scheme=scheme, thresholds=thresholds)
    for hz in HAZARDS:
        out[f"{hz}_level"] = classify(out[f"{hz}_score"], scheme=scheme, thresholds=thresholds)
    out["level_name"] = out["level"].map(lambda i: lv["names_zh"][i - 1])
    out["color"] = out["level"].map(lambda i: lv["colors"][i - 1])
    out["scheme"] = scheme
    return out


def drivers(ind: pd.DataFrame, cfg: dict, top: int = 3) -> pd.Series:
    """The indicators that contribute most to each township's composite, named in Chinese."""
    contrib = {}
    for hz in HAZARDS:
        w = cfg[hz]["weights"]
        total = sum(w.values())
        for k, wk in w.items():
            span = ind[k].max() - ind[k].min()
            norm = (ind[k] - ind[k].min()) / span if span > 0 else ind[k] * 0
            contrib[k] = norm * wk / total * cfg["composite"]["weights"][hz]
    c = pd.DataFrame(contrib)
    values = c.to_numpy(dtype=float)
    order = np.argsort(-values, axis=1, kind="stable")[:, :top]  # largest first; ties in column order
    names = [INDICATOR_ZH[k] for k in c.columns]
    return pd.Series(["、".join(names[j] for j in row if v[j] > 0) or NO_DRIVER[0] for row, v in zip(order, values, strict=True)],
                     index=c.index, dtype=object)


def located(frames: Mapping[str, gpd.GeoDataFrame]) -> dict[str, gpd.GeoDataFrame]:
    """``frames`` without the features that sit at the county-centre placeholder (county and townships kept)."""
    return {k: v if k in ("county", "townships") or v.empty else v[~is_placeholder(v)] for k, v in frames.items()}


def compute_risk(frames: Mapping[str, gpd.GeoDataFrame], crs: CRS, *, scheme: str = "fixed", cfg: dict | None = None,
                 kde_path: Path | None = None) -> RiskResult:
    """Everything for the ``risk_townships`` layer (and the density GeoTIFF if ``kde_path``)."""
    cfg = cfg or risk_config()
    frames = located(frames)
    t = frames["townships"]
    ind = indicators(frames, crs, cfg)
    sc = score(ind, cfg, scheme=scheme)
    out = gpd.GeoDataFrame({"fid": "risk-" + t["fid"], "name": t["name"], "township_code": t["code"]}, geometry=t.geometry, crs=t.crs)
    out = pd.concat([out, sc, ind.round(4)], axis=1)
    t_m = _metric(t, crs)
    out["n_hazard_points"] = _count_in(t_m, _points(_metric(frames["geohazards"], crs), HAZARD_KINDS)).astype(int)
    for layer in ("reservoirs", "facilities", "projects"):
        out[f"n_{layer}"] = _count_in(t_m, _metric(frames[layer], crs)).astype(int)
    out["drivers"] = drivers(ind, cfg)
    out["source_doc"] = "本项目风险模型 data/risk.toml"
    out["source_section"] = f"scheme={scheme}; indicators from the plan layers and the demo hazard inventory"
    out["geometry_quality"] = t["geometry_quality"]
    out["geometry_source"] = t["geometry_source"]
    path = None
    if kde_path is not None:
        path = write_kde(frames, crs, cfg, kde_path)
        out["kde_mean"] = zonal_stats(path, out)["mean"].round(4)
    return RiskResult(gpd.GeoDataFrame(out, geometry="geometry", crs=CGCS2000), path)


def kde_grid(frames: Mapping[str, gpd.GeoDataFrame], crs: CRS, cfg: dict) -> Grid | None:
    """Density (points/km²) of the located hazard points of ``frames`` over the county, NaN outside it;
    None when there is no point."""
    county = frames["county"].to_crs(crs)
    pts = _points(located(frames)["geohazards"].to_crs(crs), HAZARD_KINDS).geometry
    if pts.empty:
        return None
    grid = _kde(county, pts, cfg)
    return Grid(np.where(area_mask(county.geometry, grid), grid.values, np.nan), grid.transform, grid.crs)


def _kde(county: gpd.GeoDataFrame, pts: gpd.GeoSeries, cfg: dict) -> Grid:
    pad = 2 * cfg["kde"]["bandwidth_m"]
    minx, miny, maxx, maxy = county.total_bounds
    return kernel_density(pts, bounds=(minx - pad, miny - pad, maxx + pad, maxy + pad),
                          cell_m=cfg["kde"]["cell_m"], bandwidth_m=cfg["kde"]["bandwidth_m"])


def write_kde(frames: Mapping[str, gpd.GeoDataFrame], crs: CRS, cfg: dict, path: Path) -> Path:
    """Hazard-point density (points/km²) over the county, GeoTIFF in the metric CRS, nodata outside."""
    county = frames["county"].to_crs(crs)
    grid = _kde(county, _points(frames["geohazards"].to_crs(crs), HAZARD_KINDS).geometry, cfg)
    return write_geotiff(path, grid, mask=area_mask(county.geometry, grid))
