"""Facility coverage over a workspace: one result per facility kind with that kind's own standard
(the radius and where it comes from in *this* jurisdiction's plans), a union only when asked, gaps
listed per demand object, suggested sites, plan-claim checks and the water-bureau view.

Positions that are only the county-centre placeholder of an item the plan does not locate
(``layers.quality.is_placeholder``) take part in no distance: such facilities cover nothing, such
demand objects are left out and counted, and the water view says "position unknown" for them.
The page and the CLI call this; the ``*_table`` functions give the tables as a user reads them.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from geo.coverage import greedy_max_cover, grid_candidates, nearest
from geo.errors import CRSError, OptionError, UnknownNameError
from layers.catalog.i18n import pick, say
from layers.catalog.quality import class_counts, class_label, inputs_note, is_placeholder, position_class
from layers.catalog.registry import DATA_DIR

COVERAGE_CONFIG = DATA_DIR / "coverage.toml"
AREA_SAMPLE_M = 500.0  # uncovered forest is sampled on this grid for the site suggestions
MODES = ("standard", "radius", "minutes")
CANDIDATES = ("grid", "seats", "user")
DEFAULT_SPEED_KMH = 30.0
MIN_TOWN_AREA_M2 = 10_000.0  # a township holds a share of a forest only above 1 ha of it
KEEP = ("fid", "name", "geometry_quality", "geometry_source", "source_doc", "geometry")
Pair = tuple[str, str]
TEXT: dict[str, Pair] = {
    "no_std": ("本辖区规划未规定该标准,采用假设值 {r} m({why})",
               "this jurisdiction's plans set no such standard; assumed value {r} m ({why})"),
    "target": ("目标:{text}({cite})", "target: {text} ({cite})"),
    "custom": ("自定半径 {r} m(未按服务标准)", "custom radius {r} m (not the service standard)"),
    "minutes": ("按通行时间 {m:g} 分钟 × {v:g} 公里/小时 = {r} m", "travel time {m:g} min × {v:g} km/h = {r} m"),
    "no_fac": ("本辖区无该类设施", "no facility of this kind here"),
    "no_fac_located": ("本辖区无已定位的该类设施({n} 个位置未知)", "no located facility of this kind here ({n} position unknown)"),
    "no_dem": ("本辖区无该类需求对象", "no demand object of this kind here"),
    "no_dem_located": ("本辖区无已定位的该类需求对象({n} 个位置未知)", "no located demand object of this kind here ({n} position unknown)"),
    "skipped": ("位置未知的 {n} 个对象不参与距离计算", "{n} objects with an unknown position take part in no distance"),
    "union": ("所选设施合计", "selected facilities together"),
    "unknown": ("位置未知", "position unknown"),
    "none_located": ("无已定位站点", "no located station"),
    "site": ("建议新增点 {i}", "Suggested site {i}"),
    "yes": ("是", "yes"), "no": ("否", "no"),
    "no_fac_short": ("无该类设施", "no facility of this kind"),
}
COLUMNS: dict[str, Pair] = {
    "name": ("名称", "Name"), "township": ("乡镇", "Township"), "uncovered_share": ("未覆盖比例", "Uncovered share"),
    "distance_m": ("距最近设施(米)", "Distance to nearest facility (m)"), "rank": ("序号", "Rank"),
    "gain": ("新增覆盖", "Added cover"), "lon": ("经度", "Longitude"), "lat": ("纬度", "Latitude"),
    "claim": ("规划表述", "Plan statement"), "cite": ("出处", "Source"), "facilities": ("已定位设施数", "Located facilities"),
    "radius_m": ("服务半径(米)", "Service radius (m)"), "achieved": ("实际覆盖率", "Achieved"),
    "target": ("目标覆盖率", "Target"), "met": ("是否达标", "Met"), "inputs": ("数据依据", "Inputs"),
    "reservoir": ("水库", "Reservoir"), "position": ("位置", "Position"),
    "townships": ("影响范围内乡镇", "Townships within reach"), "hazard_points": ("影响范围内隐患点数", "Hazard points within reach"),
    "flood_key_area": ("防汛重点区域", "Flood key area"), "nearest_station": ("最近监测预警站点", "Nearest warning station"),
    "station_m": ("距离(米)", "Distance (m)"),
}


def text(key: str, lang: str, **values: object) -> str:
    return say(TEXT, key, lang, **values)


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


def kind_label(section: str, kind: str, lang: str) -> str:
    """The Chinese or English name of a facility or demand kind."""
    k = _kind(coverage_config(), section, kind)
    return pick((k["zh"], k["en"]), lang)


@dataclass(frozen=True)
class Standard:
    """A facility kind's service standard in one jurisdiction: the radius, and whether this
    jurisdiction's own documents set it (``cited``) or it is the project's assumption."""

    kind: str
    radius_m: float
    cited: bool
    cite: str = ""
    basis: Pair = ("", "")
    why: Pair = ("", "")
    target_share: float | None = None

    def label(self, lang: str) -> str:
        r = f"{self.radius_m:.0f}"
        if self.cited:
            return f"{r} m — {pick(self.basis, lang)}({self.cite})" if lang == "zh" else f"{r} m — {pick(self.basis, lang)} ({self.cite})"
        out = text("no_std", lang, r=r, why=pick(self.why, lang))
        out = out[:1].upper() + out[1:]
        if self.cite:
            out += ("; " if lang == "en" else ";") + text("target", lang, text=pick(self.basis, lang), cite=self.cite)
        return out


def standard(kind: str, adcode: str) -> Standard:
    """The standard of ``kind`` in ``adcode``: only that jurisdiction's own basis is read."""
    k = _kind(coverage_config(), "facilities", kind)
    b = k.get("basis", {}).get(adcode, {})
    return Standard(kind, float(b.get("radius_m", k["radius_m"])), "radius_m" in b, b.get("cite", ""),
                    (b.get("zh", ""), b.get("en", "")), (k["why_zh"], k["why_en"]), b.get("target_share"))


def radius_for(kind: str, adcode: str, *, mode: str = "standard", value: float | None = None) -> float:
    """The radius of ``kind``: its standard, a custom radius (m) or travel time (min) x its speed.
    One mode at a time: radius and travel time cannot both apply."""
    if mode not in MODES:
        raise OptionError(f"Coverage mode {mode!r} is not one of {list(MODES)}; choose one.")
    if mode == "standard":
        return standard(kind, adcode).radius_m
    if value is None or value <= 0:
        raise OptionError(f"Coverage mode {mode!r} needs a value above 0 (got {value}); enter metres or minutes.")
    if mode == "radius":
        return float(value)
    return speed_kmh(kind) * 1000 / 60 * float(value)


def speed_kmh(kind: str) -> float:
    return float(_kind(coverage_config(), "facilities", kind).get("speed_kmh", DEFAULT_SPEED_KMH))


def radius_note(kind: str, adcode: str, lang: str, *, mode: str = "standard", value: float | None = None) -> str:
    """Where the radius of ``kind`` comes from, in ``lang``."""
    r = f"{radius_for(kind, adcode, mode=mode, value=value):.0f}"
    if mode == "radius":
        return text("custom", lang, r=r)
    if mode == "minutes":
        return text("minutes", lang, m=value, v=speed_kmh(kind), r=r)
    return standard(kind, adcode).label(lang)


def facility_points(frames: Mapping[str, gpd.GeoDataFrame], kind_ids: Sequence[str], crs: CRS) -> gpd.GeoDataFrame:
    """All facilities of the given kinds (points) in ``crs``, with a ``facility_kind`` column."""
    cfg = coverage_config()
    parts = []
    for kid in kind_ids:
        for layer, sub in _kind(cfg, "facilities", kid)["sources"]:
            g = frames[layer]
            g = g[(g["kind"] == sub) & (g.geometry.geom_type == "Point")]
            parts.append(g[[c for c in KEEP if c in g]].assign(facility_kind=kid))
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=[*KEEP, "facility_kind"])
    return gpd.GeoDataFrame(out, geometry="geometry", crs=frames["county"].crs).to_crs(crs)


def demand_features(frames: Mapping[str, gpd.GeoDataFrame], kind: str, crs: CRS) -> gpd.GeoDataFrame:
    """Demand features of one kind in ``crs`` (points, or polygons for forest areas)."""
    layer, subs = _kind(coverage_config(), "demand", kind)["source"]
    g = frames[layer]
    if subs:
        g = g[g["kind"].isin(subs)]
    return g[[c for c in KEEP if c in g]].to_crs(crs).reset_index(drop=True)


@dataclass
class KindResult:
    """Coverage of one demand kind by one facility kind (or by several together, ``kind == "union"``)."""

    kind: str
    demand_kind: str
    radii: dict[str, float]
    status: str  # "ok", "no_facilities" or "no_demand"
    facilities: gpd.GeoDataFrame  # every facility of the kinds, placeholders included (inputs)
    demand: gpd.GeoDataFrame  # every demand object, placeholders included (inputs)
    is_area: bool = False
    n_covered: int = 0
    share: float | None = None  # 0..1 of the located demand (by count, or by area for polygons)
    townships: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["township", "share_pct"]))
    gaps: gpd.GeoDataFrame = field(default_factory=gpd.GeoDataFrame)  # one row per not fully covered object
    service: gpd.GeoDataFrame = field(default_factory=gpd.GeoDataFrame)
    uncovered: gpd.GeoSeries = field(default_factory=gpd.GeoSeries)  # points to suggest sites from
    suggestions: gpd.GeoDataFrame = field(default_factory=gpd.GeoDataFrame)
    optimality_gap: float | None = None

    @property
    def n_facilities(self) -> int:
        return int((~is_placeholder(self.facilities)).sum())

    @property
    def n_unknown_facilities(self) -> int:
        return int(is_placeholder(self.facilities).sum())

    @property
    def n_demand(self) -> int:
        return int((~is_placeholder(self.demand)).sum())

    @property
    def radius_m(self) -> float:
        """The smallest of the radii (the only one for a single kind); suggestions use it."""
        return min(self.radii.values())

    @property
    def county_share(self) -> float:
        return 0.0 if self.share is None else self.share

    def metric(self, lang: str) -> str:
        d = _kind(coverage_config(), "demand", self.demand_kind)
        return pick((d["metric_zh"], d["metric_en"]), lang)

    def headline(self, lang: str) -> tuple[str, str]:
        """(label, value) of the figure: named after what it measures; a missing input said in words."""
        if self.status == "no_facilities":
            n = self.n_unknown_facilities
            return self.metric(lang), text("no_fac_located", lang, n=n) if n else text("no_fac", lang)
        if self.status == "no_demand":
            n = int(is_placeholder(self.demand).sum())
            return self.metric(lang), text("no_dem_located", lang, n=n) if n else text("no_dem", lang)
        label = self.metric(lang) if self.is_area else f"{self.metric(lang)} ({self.n_covered}/{self.n_demand})"
        return label, f"{self.share:.1%}"

    def title(self, lang: str) -> str:
        return text("union", lang) if self.kind == "union" else kind_label("facilities", self.kind, lang)

    def radius_text(self, lang: str) -> str:
        sep = "、" if lang == "zh" else ", "
        return sep.join(f"{kind_label('facilities', k, lang)} {r:.0f} m" for k, r in self.radii.items())

    def inputs_note(self, lang: str) -> str:
        """How many facilities and demand objects the figure rests on, by position class."""
        what = (("所选设施", "selected facilities") if self.kind == "union" else
                (kind_label("facilities", self.kind, "zh"), kind_label("facilities", self.kind, "en")))
        dem = (kind_label("demand", self.demand_kind, "zh"), kind_label("demand", self.demand_kind, "en"))
        parts = [inputs_note(self.facilities, lang, what=what), inputs_note(self.demand, lang, what=dem)]
        skipped = int(is_placeholder(self.facilities).sum() + is_placeholder(self.demand).sum())
        if skipped:
            parts.append(text("skipped", lang, n=skipped))
        return ("；" if lang == "zh" else "; ").join(parts) + ("。" if lang == "zh" else ".")


def analyse_kind(frames: Mapping[str, gpd.GeoDataFrame], crs: CRS, adcode: str, *, kind: str, demand: str,
                 mode: str = "standard", value: float | None = None) -> KindResult:
    """Coverage of ``demand`` by facilities of ``kind`` within the kind's radius (see ``radius_for``)."""
    return _analyse(frames, crs, adcode, [kind], demand, mode, value, label=kind)


def analyse_union(frames: Mapping[str, gpd.GeoDataFrame], crs: CRS, adcode: str, *, kinds: Sequence[str], demand: str,
                  mode: str = "standard", value: float | None = None) -> KindResult:
    """Coverage by several kinds together: an object is covered when a facility of some kind is
    within that kind's own radius."""
    return _analyse(frames, crs, adcode, list(kinds), demand, mode, value, label="union")


def analyse(frames: Mapping[str, gpd.GeoDataFrame], crs: CRS, *, facilities: Sequence[str], demand: str,
            radius_m: float | None = None, minutes: float | None = None, adcode: str = "") -> KindResult:
    """CLI entry: one kind, or the union of several (each with its own radius unless ``radius_m``)."""
    if radius_m is not None and minutes is not None:
        raise OptionError(f"Give a radius or a travel time, not both (got radius_m={radius_m}, minutes={minutes}).")
    mode, value = ("radius", radius_m) if radius_m is not None else ("minutes", minutes) if minutes is not None else ("standard", None)
    label = facilities[0] if len(facilities) == 1 else "union"
    return _analyse(frames, crs, adcode, list(facilities), demand, mode, value, label=label)


def _analyse(frames: Mapping[str, gpd.GeoDataFrame], crs: CRS, adcode: str, kind_ids: list[str], demand: str,
             mode: str, value: float | None, *, label: str) -> KindResult:
    radii = {k: radius_for(k, adcode, mode=mode, value=value) for k in kind_ids}
    fac_all = facility_points(frames, kind_ids, crs)
    dem_all = demand_features(frames, demand, crs)
    fac = fac_all[~is_placeholder(fac_all)].reset_index(drop=True)
    fac = fac.assign(radius_m=fac["facility_kind"].map(radii).astype(float))
    dem = dem_all[~is_placeholder(dem_all)].reset_index(drop=True)
    res = KindResult(label, demand, radii, "ok", fac_all, dem_all)
    if fac.empty or dem.empty:
        res.status = "no_facilities" if fac.empty else "no_demand"
        return res
    res.service = gpd.GeoDataFrame(fac.drop(columns="geometry"), geometry=fac.buffer(fac["radius_m"], quad_segs=16), crs=crs)
    towns = frames["townships"].to_crs(crs)[["name", "geometry"]].rename(columns={"name": "township"})
    res.is_area = bool(dem.geometry.geom_type.isin(["Polygon", "MultiPolygon"]).all())
    (_areas if res.is_area else _points)(res, fac, dem, towns)
    return res


def _points(res: KindResult, fac: gpd.GeoDataFrame, dem: gpd.GeoDataFrame, towns: gpd.GeoDataFrame) -> None:
    dist, _ = nearest(dem.geometry, fac.geometry)
    covered = np.zeros(len(dem), dtype=bool)
    for r, sub in fac.groupby("radius_m"):
        covered |= nearest(dem.geometry, sub.geometry)[0] <= r
    twn = gpd.sjoin_nearest(dem[["geometry"]], towns, how="left")
    twn = twn[~twn.index.duplicated()]["township"]
    obj = dem.assign(township=twn, distance_m=np.round(dist, 1), uncovered_share=(~covered).astype(float), covered=covered)
    per = obj.groupby("township").agg(demand=("covered", "size"), covered=("covered", "sum"))
    res.townships = per.assign(share_pct=100 * per["covered"] / per["demand"]).reset_index()
    res.n_covered, res.share = int(covered.sum()), float(covered.mean())
    res.gaps = _gap_rows(obj[~covered], obj[~covered].geometry)
    res.uncovered = obj[~covered].geometry.reset_index(drop=True)


def _areas(res: KindResult, fac: gpd.GeoDataFrame, dem: gpd.GeoDataFrame, towns: gpd.GeoDataFrame) -> None:
    reach = shapely.union_all(fac.geometry.buffer(fac["radius_m"], quad_segs=32).to_numpy())
    geoms = dem.geometry.to_numpy()
    total = shapely.area(geoms)
    share = np.divide(shapely.area(shapely.intersection(geoms, reach)), total, out=np.ones(len(dem)), where=total > 0)
    dist, _ = nearest(dem.geometry, fac.geometry)
    over = shapely.area(shapely.intersection(geoms[:, None], towns.geometry.to_numpy()[None, :]))
    names = ["、".join(towns["township"].iloc[j] for j in np.argsort(-row) if row[j] > 0) or None for row in over]
    obj = dem.assign(township=names, distance_m=np.round(dist, 1), uncovered_share=np.round(1 - share, 4))
    gap = obj["uncovered_share"] > 1e-4
    rest = shapely.difference(geoms[gap.to_numpy()], reach)
    where = [shapely.point_on_surface(g if not g.is_empty else p) for g, p in zip(rest, geoms[gap.to_numpy()], strict=True)]
    res.gaps = _gap_rows(obj[gap], gpd.GeoSeries(where, index=obj[gap].index, crs=dem.crs))
    union = shapely.union_all(geoms)
    res.share = float(shapely.area(shapely.intersection(union, reach)) / shapely.area(union)) if union.area else 1.0
    res.n_covered = int((~gap).sum())
    in_town = shapely.intersection(union, towns.geometry.to_numpy())
    a, c = shapely.area(in_town), shapely.area(shapely.intersection(in_town, reach))
    keep = a > MIN_TOWN_AREA_M2
    res.townships = pd.DataFrame({"township": towns["township"].to_numpy()[keep], "demand": a[keep] / 1e6,
                                  "covered": c[keep] / 1e6, "share_pct": 100 * c[keep] / a[keep]})
    left = shapely.difference(union, reach)
    pts = grid_candidates(left, AREA_SAMPLE_M) if not left.is_empty else np.array([])
    res.uncovered = gpd.GeoSeries(list(pts), crs=dem.crs)


def _gap_rows(obj: gpd.GeoDataFrame, where: gpd.GeoSeries) -> gpd.GeoDataFrame:
    ll = where.to_crs(4326)
    out = gpd.GeoDataFrame(obj[["fid", "name", "township", "uncovered_share", "distance_m"]].assign(lon=ll.x, lat=ll.y,
                           geometry_quality=obj["geometry_quality"]), geometry=where.to_numpy(), crs=obj.crs)
    out["position"] = position_class(obj)
    return out.sort_values(["uncovered_share", "distance_m"], ascending=False).reset_index(drop=True)


def suggest(result: KindResult, frames: Mapping[str, gpd.GeoDataFrame], crs: CRS, *, k: int,
            candidates: str = "grid", spacing_m: float = 2000.0, user_points: gpd.GeoSeries | None = None) -> KindResult:
    """Add ``k`` suggested new sites (greedy maximal covering of the uncovered demand within the
    result's radius; for polygons, of 500 m cells of the uncovered forest)."""
    cand = _candidates(frames, crs, candidates, spacing_m, user_points)
    if result.status != "ok" or result.uncovered.empty or cand.empty:
        return result
    pick_ = greedy_max_cover(result.uncovered.reset_index(drop=True), cand, result.radius_m, k)
    cell_km2 = AREA_SAMPLE_M ** 2 / 1e6 if result.is_area else 1.0
    result.suggestions = gpd.GeoDataFrame({"rank": range(1, len(pick_.chosen) + 1), "gain": np.array(pick_.gains) * cell_km2},
                                          geometry=cand.iloc[pick_.chosen].to_numpy(), crs=crs)
    result.optimality_gap = pick_.gap
    return result


def _candidates(frames: Mapping[str, gpd.GeoDataFrame], crs: CRS, candidates: str, spacing_m: float,
                user_points: gpd.GeoSeries | None) -> gpd.GeoSeries:
    """Candidate sites in ``crs``: a grid over the county, the township seats, or the user's points."""
    if candidates not in CANDIDATES:
        raise OptionError(f"Candidate sites {candidates!r} are not one of {list(CANDIDATES)}; choose one.")
    if candidates == "seats":
        return frames["township_seats"].to_crs(crs).geometry.reset_index(drop=True)
    if candidates == "grid":
        return gpd.GeoSeries(grid_candidates(frames["county"].to_crs(crs).geometry.iloc[0], spacing_m), crs=crs)
    if user_points is None or user_points.empty:
        raise OptionError("Candidate sites 'user' need user points; upload a file or choose 'grid' or 'seats'.")
    if user_points.crs is None:
        raise CRSError("The candidate sites have no CRS; read them with geo.io.read_vector (which declares one) or set one.")
    return user_points.to_crs(crs).reset_index(drop=True)


def check_claims(frames: Mapping[str, gpd.GeoDataFrame], crs: CRS, adcode: str, lang: str = "zh") -> pd.DataFrame:
    """The plans' own coverage claims for ``adcode``, evaluated with the numbers and their inputs."""
    rows = []
    for c in coverage_config().get("claims", []):
        if c["adcode"] != adcode:
            continue
        r = analyse_kind(frames, crs, adcode, kind=c["facilities"], demand=c["demand"])
        rows.append({"claim": pick((c["zh"], c["en"]), lang), "cite": c["cite"], "facilities": r.n_facilities,
                     "radius_m": r.radii[c["facilities"]], "achieved_share": None if r.share is None else round(r.share, 4),
                     "target_share": c["target_share"], "met": None if r.share is None else r.share >= c["target_share"],
                     "inputs": inputs_note(r.facilities, lang, what=(kind_label("facilities", r.kind, "zh"), kind_label("facilities", r.kind, "en")))})
    return pd.DataFrame(rows)


def claims_table(claims: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``check_claims`` as a user reads it: headers and values in ``lang``, shares in %."""
    if claims.empty:
        return claims
    pct = lambda v: text("no_fac_short", lang) if v is None or pd.isna(v) else f"{v:.1%}"  # noqa: E731
    out = pd.DataFrame({"claim": claims["claim"], "cite": claims["cite"], "facilities": claims["facilities"],
                        "radius_m": claims["radius_m"].round().astype(int), "achieved": claims["achieved_share"].map(pct),
                        "target": claims["target_share"].map(pct),
                        "met": claims["met"].map(lambda v: "—" if v is None else text("yes" if v else "no", lang)),
                        "inputs": claims["inputs"]})
    return _localise(out, lang)


def _position(cls: str, lang: str) -> str:
    label = class_label(cls, lang)
    return label[:1].upper() + label[1:]


def _localise(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    return df.rename(columns={c: pick(COLUMNS[c], lang) for c in df.columns if c in COLUMNS})


def reservoirs_downstream(frames: Mapping[str, gpd.GeoDataFrame], crs: CRS, *, distance_m: float = 5000.0) -> pd.DataFrame:
    """Reservoirs under reinforcement with the townships and hazard points within ``distance_m``.

    Flow direction is not known offline, so "downstream" is approximated by distance; a reservoir
    whose position is only the county-centre placeholder gets no list (``townships`` None).
    """
    res = frames["reservoirs"].to_crs(crs)
    res = res[res["action"] == "除险加固"]
    towns = frames["townships"].to_crs(crs)
    hz = frames["geohazards"].to_crs(crs)
    hz = hz[hz["kind"].isin(["hazard_point", "hazard_site"]) & ~is_placeholder(hz)]
    unknown = is_placeholder(res)
    rows = []
    for (_, r), cls, skip in zip(res.iterrows(), position_class(res), unknown, strict=True):
        reach = r.geometry.buffer(distance_m)
        rows.append({"reservoir": r["name"], "position": cls,
                     "townships": None if skip else "、".join(towns[towns.intersects(reach)]["name"]),
                     "hazard_points": None if skip else int(hz.intersects(reach).sum())})
    return pd.DataFrame(rows, columns=["reservoir", "position", "townships", "hazard_points"])


def water_table(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``reservoirs_downstream`` in ``lang``: position classes named, "position unknown" spelt out."""
    unknown = text("unknown", lang)
    out = df.assign(position=df["position"].map(lambda c: _position(c, lang)),
                    townships=df["townships"].astype(object).where(df["townships"].notna(), unknown),
                    hazard_points=df["hazard_points"].map(lambda v: unknown if pd.isna(v) else str(int(v))))
    return _localise(out, lang)


def flood_areas_nearest_station(frames: Mapping[str, gpd.GeoDataFrame], crs: CRS) -> pd.DataFrame:
    """Flood key areas with the nearest located monitoring / warning station and its distance;
    none for an area (or station) whose position is only the county-centre placeholder."""
    fk = demand_features(frames, "flood_key_areas", crs)
    st = facility_points(frames, ["warning_station"], crs)
    st = st[~is_placeholder(st)].reset_index(drop=True)
    dist, idx = nearest(fk.geometry, st.geometry)
    skip = is_placeholder(fk).to_numpy()
    return pd.DataFrame({"flood_key_area": fk["name"], "position": position_class(fk),
                         "nearest_station": [None if s or i < 0 else st["name"].iloc[i] for s, i in zip(skip, idx, strict=True)],
                         "distance_m": [None if s or i < 0 else round(float(d)) for s, i, d in zip(skip, idx, dist, strict=True)]})


def flood_table(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    unknown = text("unknown", lang)
    out = df.assign(position=df["position"].map(lambda c: _position(c, lang)),
                    nearest_station=df["nearest_station"].astype(object).where(df["nearest_station"].notna(), unknown),
                    station_m=df["distance_m"].map(lambda v: unknown if pd.isna(v) else f"{v:.0f}")).drop(columns="distance_m")
    return _localise(out, lang)


def gap_table(result: KindResult, lang: str) -> pd.DataFrame:
    """One row per uncovered or partly covered demand object, in ``lang``."""
    g = result.gaps
    out = pd.DataFrame({"name": g["name"], "township": g["township"].fillna(text("unknown", lang)),
                        "uncovered_share": g["uncovered_share"].map(lambda v: f"{v:.0%}"),
                        "distance_m": g["distance_m"].round().astype(int)})
    return _localise(out, lang)


def suggestions_table(result: KindResult, lang: str) -> pd.DataFrame:
    s = result.suggestions
    if s.empty:
        return pd.DataFrame()
    ll = s.to_crs(4326).geometry
    unit = ("km²" if result.is_area else ("个" if lang == "zh" else ""))
    out = pd.DataFrame({"rank": s["rank"], "gain": [f"{g:.2f} {unit}".strip() if result.is_area else f"{g:.0f} {unit}".strip() for g in s["gain"]],
                        "lon": ll.x.round(5), "lat": ll.y.round(5)})
    return _localise(out, lang)


def inputs_summary(gdf: pd.DataFrame) -> dict[str, int]:
    """Counts by position class (for the page's session record)."""
    return class_counts(gdf)


def result_layers(result: KindResult, lang: str = "zh") -> dict[str, gpd.GeoDataFrame]:
    """The result as renderable analysis layers (service areas, gaps, suggested sites), in EPSG:4490."""
    if result.status != "ok":
        return {}
    p = result.kind if result.kind != "union" else "all"
    svc = result.service.assign(fid=lambda d: f"svc-{p}-" + d["fid"].astype(str))
    gaps = result.gaps.assign(fid=[f"gap-{p}-{i}" for i in range(len(result.gaps))], facility_kind=result.kind)
    out = {"coverage_service": svc[["fid", "name", "facility_kind", "geometry_quality", "geometry"]],
           "coverage_gaps": gaps[["fid", "name", "distance_m", "facility_kind", "geometry_quality", "geometry"]]}
    if len(result.suggestions):
        sites = result.suggestions.assign(fid=lambda d: f"site-{p}-" + d["rank"].astype(str), geometry_quality="synthetic",
                                          name=[text("site", lang, i=i) for i in result.suggestions["rank"]])
        out["coverage_sites"] = sites[["fid", "name", "gain", "geometry_quality", "geometry"]]
    return {k: gpd.GeoDataFrame(v, geometry="geometry", crs=result.service.crs).to_crs(4490) for k, v in out.items()}


def merge_layers(parts: Sequence[dict[str, gpd.GeoDataFrame]]) -> dict[str, gpd.GeoDataFrame]:
    """The analysis layers of several results as one frame per layer id."""
    out: dict[str, gpd.GeoDataFrame] = {}
    for lid in ("coverage_service", "coverage_gaps", "coverage_sites"):
        frames = [p[lid] for p in parts if lid in p]
        if frames:
            out[lid] = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=frames[0].crs)
    return out
