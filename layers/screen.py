"""Project-site screening: a checklist of the risks at one point, and a run over every plan project."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass

import geopandas as gpd
import pandas as pd
from pyproj import CRS
from shapely.geometry import Point

from geo.crs import Datum, to_wgs84
from geo.errors import CoordinateError
from layers.risk import HAZARD_KINDS, risk_config

NEAR_HAZARD_M = 500.0
NEAR_FLOOD_KEY_M = 500.0


@dataclass(frozen=True)
class Check:
    """One line of the screening checklist."""

    item: str
    item_en: str
    result: str
    flag: bool


def _metric_point(frames: Mapping[str, gpd.GeoDataFrame], crs: CRS, lon: float, lat: float, datum: Datum) -> Point:
    wlon, wlat = to_wgs84([lon], [lat], datum=datum)
    pt = gpd.GeoSeries([Point(float(wlon[0]), float(wlat[0]))], crs=4326).to_crs(crs).iloc[0]
    county = frames["county"].to_crs(crs).geometry.iloc[0]
    if not county.buffer(50).contains(pt):
        raise CoordinateError(
            f"Point ({lon}, {lat}) [{datum}] lies outside {frames['county']['name'].iloc[0]}; "
            "check the datum (GCJ-02 from AMap?) and whether lon/lat are swapped."
        )
    return pt


def screen_point(frames: Mapping[str, gpd.GeoDataFrame], crs: CRS, lon: float, lat: float, *, datum: Datum = "wgs84") -> list[Check]:
    """The checklist at ``lon``/``lat`` (in ``datum``), measured in the metric ``crs``."""
    pt = _metric_point(frames, crs, lon, lat, datum)
    return _checks({k: v.to_crs(crs) for k, v in frames.items()}, pt, risk_config()["flood"]["river_buffer_m"])


def _checks(m: Mapping[str, gpd.GeoDataFrame], pt: Point, river_buffer_m: float) -> list[Check]:
    """The six checks at a metric point; ``m`` is already in the metric CRS."""
    return [_rules(m, pt), _nearest_hazard(m, pt), _zone(m, pt), _flood(m, pt, river_buffer_m), _township(m, pt), _forest(m, pt)]


def _rules(m: Mapping[str, gpd.GeoDataFrame], pt: Point) -> Check:
    hit = m["rules"][m["rules"].contains(pt)]
    names = "、".join(hit["name"]) or "无"
    return Check("空间管控规则", "Spatial rule zones", names, not hit.empty)


def _nearest_hazard(m: Mapping[str, gpd.GeoDataFrame], pt: Point) -> Check:
    gh = m["geohazards"]
    pts = gh[gh["kind"].isin(HAZARD_KINDS)]
    if pts.empty:
        return Check("最近地灾隐患点", "Nearest hazard point", "无隐患点数据", False)
    d = pts.distance(pt)
    i = d.idxmin()
    return Check("最近地灾隐患点", "Nearest hazard point", f"{pts.at[i, 'name']} {d[i]:.0f} m", bool(d[i] < NEAR_HAZARD_M))


def _zone(m: Mapping[str, gpd.GeoDataFrame], pt: Point) -> Check:
    gh = m["geohazards"]
    hit = gh[(gh["kind"] == "susceptibility_zone") & gh.contains(pt)]
    return Check("地质灾害易发区", "Geohazard susceptibility zone", "、".join(hit["name"]) or "不在易发区", not hit.empty)


def _flood(m: Mapping[str, gpd.GeoDataFrame], pt: Point, river_buffer_m: float) -> Check:
    rv = m["rivers"]
    fk = m["facilities"][m["facilities"]["kind"] == "flood_key_area"]
    d_river = float(rv.distance(pt).min()) if len(rv) else float("inf")
    d_key = float(fk.distance(pt).min()) if len(fk) else float("inf")
    flag = d_river <= river_buffer_m or d_key <= NEAR_FLOOD_KEY_M
    text = f"距河流 {d_river:.0f} m, 距防汛重点区域 {d_key:.0f} m".replace("inf m", "无数据")
    return Check("洪涝影响区", "Flood zone", text, flag)


def _township(m: Mapping[str, gpd.GeoDataFrame], pt: Point) -> Check:
    r = m["risk_townships"]
    hit = r[r.contains(pt)]
    if hit.empty:
        return Check("所在乡镇风险等级", "Township risk level", "未知", False)
    row = hit.iloc[0]
    return Check("所在乡镇风险等级", "Township risk level", f"{row['name']}: {row['level_name']} (综合 {row['composite']:.2f})",
                 int(row["level"]) <= 2)


def _forest(m: Mapping[str, gpd.GeoDataFrame], pt: Point) -> Check:
    ff = m["forest_fire"]
    hit = ff[ff["kind"].isin(["forest_area", "forest_farm"]) & ff.contains(pt)]
    return Check("森林防火区域", "Forest-fire area", "、".join(hit["name"]) or "不在重点林区", not hit.empty)


def checklist_frame(checks: list[Check]) -> pd.DataFrame:
    return pd.DataFrame([asdict(c) for c in checks])


def screen_projects(frames: Mapping[str, gpd.GeoDataFrame], crs: CRS) -> pd.DataFrame:
    """Run the checklist for every plan project (at its representative point); one row per project."""
    m = {k: v.to_crs(crs) for k, v in frames.items()}  # reprojected once, not once per project
    buffer_m = risk_config()["flood"]["river_buffer_m"]
    rows = []
    for _, p in m["projects"].iterrows():
        checks = _checks(m, p.geometry.representative_point(), buffer_m)
        flags = [c.item for c in checks if c.flag]
        rows.append({"fid": p["fid"], "name": p["name"], "source_doc": p["source_doc"], "geometry_quality": p["geometry_quality"],
                     "n_flags": len(flags), "flags": "、".join(flags)})
    return pd.DataFrame(rows).sort_values(["n_flags", "fid"], ascending=[False, True]).reset_index(drop=True)
