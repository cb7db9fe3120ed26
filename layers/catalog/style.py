"""Per-feature display style derived from layer specs: colour, legend label, weight, radius, quality."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from layers.catalog.i18n import STATUS_LABELS, pick
from layers.catalog.specs import get_spec

HAZARD_COLORS = {"滑坡": "#8c510a", "崩塌": "#d73027", "泥石流": "#542788", "不稳定斜坡": "#f46d43", "地面塌陷": "#4d4d4d"}
HAZARD_EN = {"滑坡": "Landslide", "崩塌": "Rockfall", "泥石流": "Debris flow", "不稳定斜坡": "Unstable slope", "地面塌陷": "Subsidence"}
RISK_RADIUS = {"高": 8, "较高": 6.5, "中": 5, "低": 3.5}
ACTION_COLORS = {"除险加固": ("#d7301f", ("除险加固", "Reinforcement")), "建设": ("#08519c", ("在建/新建", "Construction")),
                 "调查评估": ("#6baed6", ("调查评估", "Survey and assessment")), "联合调度": ("#3182bd", ("联合调度", "Joint operation"))}
STATUS_COLORS = {"planned": "#7a0177", "under_construction": "#dd3497", "completed": "#41ab5d", "ongoing": "#fe9929", "unknown": "#999999"}
RIVER_WEIGHT = {1: 3.5, 2: 2.2, 3: 1.3}
APPROX = ("approximate", "synthetic")


def _kind_style(layer_id: str, kinds: pd.Series, lang: str) -> tuple[pd.Series, pd.Series]:
    spec = get_spec(layer_id)
    color = kinds.map(lambda k: spec.kind(k).color if spec.kind(k) else spec.color)
    label = kinds.map(lambda k: spec.kind(k).label(lang) if spec.kind(k) else k)  # type: ignore[union-attr]
    return color, label


def _geohazards(out: pd.DataFrame, gdf: gpd.GeoDataFrame, lang: str) -> None:
    pts = gdf["kind"] == "hazard_point"
    out["_fo"] = 0.18
    if not pts.any():
        return
    out.loc[pts, "_c"] = gdf.loc[pts, "hazard_type"].map(HAZARD_COLORS).fillna(get_spec("geohazards").color)
    out.loc[pts, "_l"] = gdf.loc[pts, "hazard_type"].map(lambda h: h if lang == "zh" else HAZARD_EN.get(h, h))
    out.loc[pts, "_r"] = gdf.loc[pts, "risk_level"].map(RISK_RADIUS).fillna(4.0)


def _reservoirs(out: pd.DataFrame, gdf: gpd.GeoDataFrame, lang: str) -> None:
    act = gdf["action"].fillna("")
    out["_c"] = act.map(lambda a: ACTION_COLORS.get(a, ("#6baed6", ("", "")))[0])
    out["_l"] = act.map(lambda a: pick(ACTION_COLORS[a][1], lang) if a in ACTION_COLORS else (a or "-"))
    out["_r"] = 7.0


def _projects(out: pd.DataFrame, gdf: gpd.GeoDataFrame, lang: str) -> None:
    out["_c"] = gdf["status"].map(STATUS_COLORS).fillna("#999999")
    out["_l"] = gdf["status"].map(lambda s: pick(STATUS_LABELS.get(s, (s, s)), lang))


def _rivers(out: pd.DataFrame, gdf: gpd.GeoDataFrame, lang: str) -> None:
    out["_w"] = gdf["order"].map(RIVER_WEIGHT).fillna(1.5)


def _outline(color: str, weight: float):  # noqa: ANN202
    def apply(out: pd.DataFrame, gdf: gpd.GeoDataFrame, lang: str) -> None:
        out["_c"], out["_w"], out["_fo"] = color, weight, 0.0
    return apply


def _risk(out: pd.DataFrame, gdf: gpd.GeoDataFrame, lang: str) -> None:
    from layers.analysis.risk import risk_config

    names = risk_config()["levels"]["names_zh" if lang == "zh" else "names_en"]
    out["_c"], out["_fo"], out["_w"] = gdf["color"], 0.65, 0.8
    out["_l"] = gdf["level"].map(lambda i: names[int(i) - 1]) if "level" in gdf else gdf["level_name"]


def _translucent(out: pd.DataFrame, gdf: gpd.GeoDataFrame, lang: str) -> None:
    out["_fo"] = 0.18


_BY_LAYER = {
    "geohazards": _geohazards, "reservoirs": _reservoirs, "projects": _projects, "rivers": _rivers,
    "townships": _outline("#7a7a7a", 1.0), "township_seats": _outline("#7a7a7a", 1.0), "county": _outline("#222222", 2.5),
    "risk_townships": _risk, "rules": _translucent, "forest_fire": _translucent,
    "coverage_service": _translucent,
}


def style_columns(layer_id: str, gdf: gpd.GeoDataFrame, lang: str) -> pd.DataFrame:
    """Columns ``_c`` colour, ``_l`` legend label, ``_w`` line weight, ``_r`` point radius,
    ``_fo`` polygon fill opacity, ``_q`` 1 if the position is approximate or synthetic (drawn
    hollow/dashed; the risk choropleth keeps solid outlines because its fill carries the message)."""
    spec = get_spec(layer_id)
    out = pd.DataFrame(index=gdf.index)
    out["_c"], out["_l"] = spec.color, spec.label(lang)
    out["_w"], out["_r"], out["_fo"] = 1.5, 5.0, 0.25
    if "kind" in gdf and spec.kinds:
        out["_c"], out["_l"] = _kind_style(layer_id, gdf["kind"], lang)
    if layer_id in _BY_LAYER:
        _BY_LAYER[layer_id](out, gdf, lang)
    approx = "geometry_quality" in gdf and layer_id not in ("risk_townships", "coverage_service", "coverage_gaps")
    if layer_id == "coverage_sites":
        out["_r"] = 9.0
    out["_q"] = gdf["geometry_quality"].isin(APPROX).astype(int) if approx else 0
    return out
