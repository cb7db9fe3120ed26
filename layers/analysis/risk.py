"""Township risk: per-hazard indicators, scores, composite and four-colour levels, plus the
hazard-point density surface. Parameters come from ``data/risk.toml``.

Features whose position is only the county-centre placeholder (``layers.quality.is_placeholder``)
are left out of every indicator and count: their township is unknown."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from geo.crs import CGCS2000
from geo.raster import Grid, area_mask, kernel_density, write_geotiff, zonal_stats
from geo.risk import classify, weighted_score
from layers.analysis._memo import digest, mask_key, memo
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


@dataclass(frozen=True)
class _Layer:
    """One input layer of the model: its rows (never copied), a digest of its geometry (the key of
    everything computed from it) and its geometry in the metric CRS (reused while unchanged)."""

    rows: pd.DataFrame
    key: str
    geoms: np.ndarray

    def where(self, mask: np.ndarray) -> tuple[str, np.ndarray]:
        """The key and the metric geometry of the rows ``mask`` selects."""
        return f"{self.key}/{mask_key(mask)}", self.geoms[mask]

    def select(self, column: str, values: tuple[str, ...], *, points: bool = False) -> np.ndarray:
        """Which located rows have ``column`` in ``values`` (and are points, with ``points``): a feature
        at the county-centre placeholder has no known township and counts nowhere."""
        if self.rows.empty:
            return np.zeros(0, dtype=bool)
        sel = self.located & self.rows[column].isin(values).to_numpy()
        return sel & (shapely.get_type_id(self.geoms) == 0) if points else sel

    @cached_property
    def located(self) -> np.ndarray:
        return ~is_placeholder(self.rows).to_numpy(dtype=bool) if len(self.rows) else np.zeros(0, dtype=bool)


def _layer(gdf: gpd.GeoDataFrame, crs: CRS) -> _Layer:
    if gdf.empty:
        return _Layer(gdf, "empty", np.empty(0, dtype=object))
    key = digest(gdf.geometry)
    return _Layer(gdf, key, memo(("metric", key, str(gdf.crs), crs.srs), lambda: gdf.geometry.to_crs(crs).to_numpy()))


def _share(cells: gpd.GeoSeries, parts: gpd.GeoSeries, *, buffer_m: float = 0.0, keys: tuple[str, str] | None = None) -> pd.Series:
    """Share of each cell's area covered by the union of ``parts`` (buffered by ``buffer_m``); ``keys``
    (of the cells and the parts) when the caller has them, else digests of their geometry."""
    def compute() -> np.ndarray:
        if parts.empty:
            return np.zeros(len(cells))
        area = shapely.union_all((parts.buffer(buffer_m) if buffer_m else parts).to_numpy())
        if area is None or area.is_empty:
            return np.zeros(len(cells))
        return (cells.intersection(area).area / cells.area).to_numpy()

    cells_key, parts_key = keys or (digest(cells), digest(parts))
    return pd.Series(memo(("share", cells_key, parts_key, buffer_m), compute), index=cells.index)


def _cell_tree(cells: _Layer, within_m: float) -> shapely.STRtree:
    """A tree of the cells (buffered by ``within_m``, as GeoSeries.buffer draws them)."""
    def build() -> shapely.STRtree:
        zones = shapely.buffer(cells.geoms, within_m, quad_segs=16) if within_m else cells.geoms
        return shapely.STRtree(zones)

    return memo(("cells", cells.key, within_m), build)


def _count(cells: _Layer, pts: _Layer, mask: np.ndarray, *, within_m: float = 0.0) -> np.ndarray:
    """For each cell the number of selected features that intersect it (within ``within_m``)."""
    key, geoms = pts.where(mask)

    def compute() -> np.ndarray:
        if not len(geoms) or not len(cells.geoms):
            return np.zeros(len(cells.geoms), dtype=int)
        _, hit = _cell_tree(cells, within_m).query(geoms, predicate="intersects")
        return np.bincount(hit, minlength=len(cells.geoms))

    return memo(("count", cells.key, key, within_m), compute)


def _within(cells: _Layer, pts: _Layer, mask: np.ndarray) -> np.ndarray:
    """For each selected point (by position) the position of the cell it lies within, -1 outside every cell."""
    key, geoms = pts.where(mask)

    def compute() -> np.ndarray:
        out = np.full(len(geoms), -1, dtype=int)
        if len(geoms) and len(cells.geoms):
            p_idx, c_idx = _cell_tree(cells, 0.0).query(geoms, predicate="within")
            out[p_idx] = c_idx
        return out

    return memo(("within", cells.key, key), compute)


def _points(gdf: gpd.GeoDataFrame, kinds: tuple[str, ...]) -> gpd.GeoDataFrame:
    return gdf[(gdf.geometry.geom_type == "Point") & gdf["kind"].isin(kinds)]


def _inputs(frames: Mapping[str, gpd.GeoDataFrame], crs: CRS) -> dict[str, _Layer]:
    return {k: _layer(frames[k], crs) for k in ("townships", "geohazards", "rivers", "forest_fire", "facilities", "reservoirs", "projects")}


def indicators(frames: Mapping[str, gpd.GeoDataFrame], crs: CRS, cfg: dict, *, inputs: Mapping[str, _Layer] | None = None) -> pd.DataFrame:
    """Raw (unnormalised) indicators per township, on the index of ``frames['townships']``. Features at
    the county-centre placeholder are left out (their township is unknown)."""
    L = inputs or _inputs(frames, crs)
    t, gh, rv, ff, fac, res = L["townships"], L["geohazards"], L["rivers"], L["forest_fire"], L["facilities"], L["reservoirs"]
    n = len(t.geoms)
    cells = gpd.GeoSeries(t.geoms, index=t.rows.index, crs=crs)
    area_km2 = cells.area.to_numpy() / 1e6
    hz = gh.select("kind", HAZARD_KINDS, points=True)
    out = pd.DataFrame(index=t.rows.index)
    out["hazard_density"] = _count(t, gh, hz) / area_km2
    home = _within(t, gh, hz)  # the township of each hazard point (by position; -1 outside all)
    people = gh.rows["threatened_people"].to_numpy(dtype=float, na_value=np.nan)[hz] if len(gh.rows) else np.zeros(0)
    inside = home >= 0
    out["people_threatened"] = np.bincount(home[inside], weights=np.nan_to_num(people[inside]), minlength=n)

    def share(layer: _Layer, mask: np.ndarray, buffer_m: float = 0.0) -> pd.Series:
        key, geoms = layer.where(mask)
        return _share(cells, gpd.GeoSeries(geoms, crs=crs), buffer_m=buffer_m, keys=(t.key, key))

    out["susceptibility_share"] = share(gh, gh.select("kind", ("susceptibility_zone",)))
    out["river_share"] = share(rv, rv.located, cfg["flood"]["river_buffer_m"])
    out["flood_key_areas"] = _count(t, fac, fac.select("kind", ("flood_key_area",), points=True))
    out["reservoirs_reinforced"] = _count(t, res, res.select("action", ("除险加固",)), within_m=cfg["flood"]["reservoir_reach_m"])
    forest_mask = ff.select("kind", ("forest_area", "forest_farm"))
    forest_key, forest_geoms = ff.where(forest_mask)
    forest = memo(("union", forest_key), lambda: shapely.union_all(forest_geoms))
    out["forest_share"] = share(ff, forest_mask)
    out["fire_sources"] = _count(t, ff, ff.select("kind", ("scenic_area",), points=True))
    out["facility_distance"] = _facility_distance(t, cells, (forest_key, forest), ff.geoms[ff.select("kind", FIRE_FACILITY_KINDS, points=True)])
    return out


def _facility_distance(t: _Layer, cells: gpd.GeoSeries, forest: tuple[str, shapely.Geometry], facilities: np.ndarray) -> pd.Series:
    """Distance (m) from the centre of each township's forest to the nearest fire facility (0 if no forest);
    the centres are reused while the townships and the forest are unchanged."""
    forest_key, area = forest
    if area is None or area.is_empty or not len(facilities):
        return pd.Series(0.0, index=cells.index)

    def centres_of() -> gpd.GeoSeries:
        parts = cells.intersection(area)
        return parts[~parts.is_empty].representative_point()

    centres = memo(("forest_centres", t.key, tuple(cells.index), forest_key), centres_of)
    tree = shapely.STRtree(facilities)
    _, dist = tree.query_nearest(centres.to_numpy(), return_distance=True, all_matches=False)
    out = pd.Series(0.0, index=cells.index)
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
    t = frames["townships"]
    inputs = _inputs(frames, crs)
    ind = indicators(frames, crs, cfg, inputs=inputs)
    sc = score(ind, cfg, scheme=scheme)
    out = gpd.GeoDataFrame({"fid": "risk-" + t["fid"], "name": t["name"], "township_code": t["code"]}, geometry=t.geometry, crs=t.crs)
    out = pd.concat([out, sc, ind.round(4)], axis=1)
    cells, gh = inputs["townships"], inputs["geohazards"]
    out["n_hazard_points"] = _count(cells, gh, gh.select("kind", HAZARD_KINDS, points=True)).astype(int)
    for layer in ("reservoirs", "facilities", "projects"):
        lay = inputs[layer]
        out[f"n_{layer}"] = _count(cells, lay, lay.located).astype(int)
    out["drivers"] = drivers(ind, cfg)
    out["source_doc"] = "本项目风险模型 data/risk.toml"
    out["source_section"] = f"scheme={scheme}; indicators from the plan layers and the demo hazard inventory"
    out["geometry_quality"] = t["geometry_quality"]
    out["geometry_source"] = t["geometry_source"]
    path = None
    if kde_path is not None:
        path = write_kde(located(frames), crs, cfg, kde_path)
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


DENSITY_TAG = "onemap_density_of"
"""The GeoTIFF metadata item naming what a density surface was computed from (:func:`density_key`)."""


def density_key(frames: Mapping[str, gpd.GeoDataFrame], crs: CRS, cfg: dict | None = None) -> str:
    """A digest of what the density surface of ``frames`` is computed from: the located hazard points,
    the county, the metric CRS and the kernel settings. A surface whose key differs is another one."""
    cfg = cfg or risk_config()
    gh = frames["geohazards"]
    pts = _points(gh if gh.empty else gh[~is_placeholder(gh)], HAZARD_KINDS).geometry
    parts = (digest(pts), digest(frames["county"].geometry), crs.srs, repr(sorted(cfg["kde"].items())))
    return hashlib.blake2b("|".join(parts).encode(), digest_size=16).hexdigest()


def write_kde(frames: Mapping[str, gpd.GeoDataFrame], crs: CRS, cfg: dict, path: Path) -> Path:
    """Hazard-point density (points/km²) over the county, GeoTIFF in the metric CRS, nodata outside,
    tagged with :func:`density_key` of the points it was computed from."""
    county = frames["county"].to_crs(crs)
    grid = _kde(county, _points(frames["geohazards"].to_crs(crs), HAZARD_KINDS).geometry, cfg)
    return write_geotiff(path, grid, mask=area_mask(county.geometry, grid), tags={DENSITY_TAG: density_key(frames, crs, cfg)})
