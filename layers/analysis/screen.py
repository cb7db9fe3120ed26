"""Project-site screening: a checklist of the risks at one point, and a run over every plan project.

Only features with a known position are measured: a feature that sits at the county-centre
placeholder (the plan does not locate it) is never reported as "nearest" and no distance is computed
from it; each line says how many of its inputs are approximate, synthetic or demo."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
from pyproj import CRS
from shapely.geometry import Point

from geo.crs import Datum, to_wgs84
from geo.errors import CoordinateError
from layers.analysis.risk import HAZARD_KINDS, risk_config
from layers.catalog.i18n import pick
from layers.catalog.quality import class_label, inputs_note, is_placeholder, position_class
from layers.catalog.quality import text as qtext

NEAR_HAZARD_M = 500.0
NEAR_FLOOD_KEY_M = 500.0
FOREST_KINDS = ("forest_area", "forest_farm")
TEXT = {
    "item": ("检查项", "Check"), "result": ("结果", "Result"), "flag": ("需关注", "Attention"), "basis": ("依据", "Basis"),
    "yes": ("是", "yes"), "no": ("否", "no"), "none": ("无", "none"), "no_data": ("无数据", "no data"),
    "unknown_more": ("另有 {n} 个位置未知,未参与计算", "{n} more with unknown position not used"),
    "not_in_zone": ("不在易发区", "not in a susceptibility zone"), "not_in_forest": ("不在重点林区", "not in a key forest area"),
    "flood": ("距河流 {r}, 距防汛重点区域 {k}", "{r} to a river, {k} to a flood key area"),
    "township": ("{name}: {level} (综合 {score:.2f})", "{name}: {level} (composite {score:.2f})"),
    "outside": ("点 ({lon}, {lat}) [{datum}] 不在{area}内:请检查坐标系(高德取点为 GCJ-02)以及经纬度是否填反。",
                "Point ({lon}, {lat}) [{datum}] lies outside {area}; check the datum (GCJ-02 from AMap?) and whether "
                "lon/lat are swapped."),
    "fid": ("编号", "ID"), "name": ("名称", "Name"), "position": ("位置", "Position"), "n_flags": ("需关注项数", "Flags"),
    "flags": ("需关注项", "Flagged checks"), "doc": ("来源文件", "Source document"),
}
WHAT = {"rules": ("管控区", "rule zones"), "hazards": ("隐患点", "hazard points"), "zones": ("易发区", "susceptibility zones"),
        "rivers": ("河流", "rivers"), "flood_keys": ("防汛重点区域", "flood key areas"), "forest": ("重点林区", "key forest areas")}


class OutsideAreaError(CoordinateError):
    """A screening point lies outside the jurisdiction; carries the values for a translated message."""

    def __init__(self, lon: float, lat: float, datum: str, area: str) -> None:
        self.lon, self.lat, self.datum, self.area = lon, lat, datum, area
        super().__init__(error_text(self, "en"))


def error_text(err: OutsideAreaError, lang: str) -> str:
    return pick(TEXT["outside"], lang).format(lon=err.lon, lat=err.lat, datum=err.datum, area=err.area)


@dataclass(frozen=True)
class Check:
    """One line of the checklist, in both languages, with a note on the inputs it rests on."""

    item: str
    item_en: str
    result: str
    result_en: str
    flag: bool
    basis: str = ""
    basis_en: str = ""


def _both(key: str, **values: object) -> tuple[str, str]:
    zh, en = TEXT[key]
    return zh.format(**values), en.format(**values)


def _basis(gdf: pd.DataFrame, what: str) -> tuple[str, str]:
    return inputs_note(gdf, "zh", what=WHAT[what]), inputs_note(gdf, "en", what=WHAT[what])


def _located(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return gdf[~is_placeholder(gdf)]


def _metric_point(frames: Mapping[str, gpd.GeoDataFrame], crs: CRS, lon: float, lat: float, datum: Datum) -> Point:
    wlon, wlat = to_wgs84([lon], [lat], datum=datum)
    pt = gpd.GeoSeries([Point(float(wlon[0]), float(wlat[0]))], crs=4326).to_crs(crs).iloc[0]
    county = frames["county"].to_crs(crs).geometry.iloc[0]
    if not county.buffer(50).contains(pt):
        raise OutsideAreaError(lon, lat, datum, str(frames["county"]["name"].iloc[0]))
    return pt


def screen_point(frames: Mapping[str, gpd.GeoDataFrame], crs: CRS, lon: float, lat: float, *, datum: Datum = "wgs84") -> list[Check]:
    """The checklist at ``lon``/``lat`` (in ``datum``), measured in the metric ``crs``."""
    pt = _metric_point(frames, crs, lon, lat, datum)
    return _checks({k: v.to_crs(crs) for k, v in frames.items()}, pt, risk_config()["flood"]["river_buffer_m"])


def _checks(m: Mapping[str, gpd.GeoDataFrame], pt: Point, river_buffer_m: float) -> list[Check]:
    """The six checks at a metric point; ``m`` is already in the metric CRS."""
    return [_rules(m, pt), _nearest_hazard(m, pt), _zone(m, pt), _flood(m, pt, river_buffer_m), _township(m, pt), _forest(m, pt)]


def _names(hit: gpd.GeoDataFrame, empty: str) -> tuple[str, str]:
    names = "、".join(hit["name"].astype(str))
    return (names, names) if names else TEXT[empty]


def _rules(m: Mapping[str, gpd.GeoDataFrame], pt: Point) -> Check:
    rules = _located(m["rules"])
    hit = rules[rules.contains(pt)]
    return Check("空间管控规则", "Spatial rule zones", *_names(hit, "none"), not hit.empty, *_basis(m["rules"], "rules"))


def _nearest_hazard(m: Mapping[str, gpd.GeoDataFrame], pt: Point) -> Check:
    gh = m["geohazards"]
    pts = gh[gh["kind"].isin(HAZARD_KINDS)]
    basis = _basis(pts, "hazards")
    located = _located(pts)
    if pts.empty:
        return Check("最近地灾隐患点", "Nearest hazard point", *TEXT["no_data"], False, *basis)
    if located.empty:
        return Check("最近地灾隐患点", "Nearest hazard point", *_qpair("position_unknown"), False, *basis)
    d = located.distance(pt)
    i = d.idxmin()
    cls = position_class(located.loc[[i]]).iloc[0]
    zh = f"{located.at[i, 'name']}({class_label(cls, 'zh')}) {d[i]:.0f} m"
    en = f"{located.at[i, 'name']} ({class_label(cls, 'en')}) {d[i]:.0f} m"
    if n_unknown := len(pts) - len(located):
        zh, en = (f"{a}; {b}" for a, b in zip((zh, en), _both("unknown_more", n=n_unknown), strict=True))
    return Check("最近地灾隐患点", "Nearest hazard point", zh, en, bool(d[i] < NEAR_HAZARD_M), *basis)


def _qpair(key: str) -> tuple[str, str]:
    return qtext(key, "zh"), qtext(key, "en")


def _zone(m: Mapping[str, gpd.GeoDataFrame], pt: Point) -> Check:
    gh = m["geohazards"]
    zones = gh[gh["kind"] == "susceptibility_zone"]
    hit = _located(zones)[_located(zones).contains(pt)]
    return Check("地质灾害易发区", "Geohazard susceptibility zone", *_names(hit, "not_in_zone"), not hit.empty, *_basis(zones, "zones"))


def _distance_text(d: float) -> tuple[str, str]:
    return TEXT["no_data"] if d == float("inf") else (f"{d:.0f} m", f"{d:.0f} m")


def _flood(m: Mapping[str, gpd.GeoDataFrame], pt: Point, river_buffer_m: float) -> Check:
    rv = _located(m["rivers"])
    fk_all = m["facilities"][m["facilities"]["kind"] == "flood_key_area"]
    fk = _located(fk_all)
    d_river = float(rv.distance(pt).min()) if len(rv) else float("inf")
    d_key = float(fk.distance(pt).min()) if len(fk) else float("inf")
    flag = d_river <= river_buffer_m or d_key <= NEAR_FLOOD_KEY_M
    (rz, re), (kz, ke) = _distance_text(d_river), _distance_text(d_key)
    zh, en = TEXT["flood"][0].format(r=rz, k=kz), TEXT["flood"][1].format(r=re, k=ke)
    if n_unknown := len(fk_all) - len(fk):
        zh, en = (f"{a}; {b}" for a, b in zip((zh, en), _both("unknown_more", n=n_unknown), strict=True))
    basis = [f"{a}; {b}" for a, b in zip(_basis(m["rivers"], "rivers"), _basis(fk_all, "flood_keys"), strict=True)]
    return Check("洪涝影响区", "Flood zone", zh, en, flag, *basis)


def _township(m: Mapping[str, gpd.GeoDataFrame], pt: Point) -> Check:
    r = m["risk_townships"]
    hit = r[r.contains(pt)]
    if hit.empty:
        return Check("所在乡镇风险等级", "Township risk level", "未知", "unknown", False)
    row = hit.iloc[0]
    lv = risk_config()["levels"]
    level = int(row["level"])
    zh = TEXT["township"][0].format(name=row["name"], level=lv["names_zh"][level - 1], score=row["composite"])
    en = TEXT["township"][1].format(name=row["name"], level=lv["names_en"][level - 1], score=row["composite"])
    return Check("所在乡镇风险等级", "Township risk level", zh, en, level <= 2)


def _forest(m: Mapping[str, gpd.GeoDataFrame], pt: Point) -> Check:
    ff = m["forest_fire"]
    areas = ff[ff["kind"].isin(FOREST_KINDS)]
    hit = _located(areas)[_located(areas).contains(pt)]
    return Check("森林防火区域", "Forest-fire area", *_names(hit, "not_in_forest"), not hit.empty, *_basis(areas, "forest"))


def checklist_frame(checks: list[Check], lang: str = "zh") -> pd.DataFrame:
    """The checklist as a table with headers and values in ``lang``."""
    en = lang != "zh"
    return pd.DataFrame({
        pick(TEXT["item"], lang): [c.item_en if en else c.item for c in checks],
        pick(TEXT["result"], lang): [c.result_en if en else c.result for c in checks],
        pick(TEXT["flag"], lang): [pick(TEXT["yes" if c.flag else "no"], lang) for c in checks],
        pick(TEXT["basis"], lang): [c.basis_en if en else c.basis for c in checks],
    })


def screen_projects(frames: Mapping[str, gpd.GeoDataFrame], crs: CRS) -> pd.DataFrame:
    """Run the checklist for every plan project (at its representative point); one row per project.
    Projects at the county-centre placeholder are listed with ``position`` = placeholder and no checks."""
    m = {k: v.to_crs(crs) for k, v in frames.items()}  # reprojected once, not once per project
    buffer_m = risk_config()["flood"]["river_buffer_m"]
    projects = m["projects"]
    cls = position_class(projects)
    rows = []
    for i, p in projects.iterrows():
        row = {"fid": p["fid"], "name": p["name"], "source_doc": p["source_doc"], "position": cls[i],
               "n_flags": pd.NA, "flags": "", "flags_en": ""}
        if cls[i] != "placeholder":
            checks = [c for c in _checks(m, p.geometry.representative_point(), buffer_m) if c.flag]
            row.update(n_flags=len(checks), flags="、".join(c.item for c in checks), flags_en=", ".join(c.item_en for c in checks))
        rows.append(row)
    out = pd.DataFrame(rows, columns=["fid", "name", "source_doc", "position", "n_flags", "flags", "flags_en"])
    out["n_flags"] = out["n_flags"].astype("Int64")
    return out.sort_values(["n_flags", "fid"], ascending=[False, True], na_position="last").reset_index(drop=True)


def projects_table(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``screen_projects`` output with headers and values in ``lang``; placeholders read "position unknown"."""
    unknown = df["position"].eq("placeholder")
    flags = df["flags_en" if lang != "zh" else "flags"].where(~unknown, qtext("position_unknown", lang))
    return pd.DataFrame({
        pick(TEXT["fid"], lang): df["fid"], pick(TEXT["name"], lang): df["name"],
        pick(TEXT["position"], lang): df["position"].map(lambda c: class_label(c, lang)),
        pick(TEXT["n_flags"], lang): df["n_flags"], pick(TEXT["flags"], lang): flags,
        pick(TEXT["doc"], lang): df["source_doc"],
    })
