"""Per-feature display style derived from layer specs: colour, legend label, weight, radius, quality."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from layers.i18n import STATUS_LABELS, pick
from layers.specs import get_spec

HAZARD_COLORS = {"滑坡": "#8c510a", "崩塌": "#d73027", "泥石流": "#542788", "不稳定斜坡": "#f46d43", "地面塌陷": "#4d4d4d"}
HAZARD_EN = {"滑坡": "Landslide", "崩塌": "Rockfall", "泥石流": "Debris flow", "不稳定斜坡": "Unstable slope", "地面塌陷": "Subsidence"}
RISK_RADIUS = {"高": 8, "较高": 6.5, "中": 5, "低": 3.5}
ACTION_COLORS = {"除险加固": ("#d7301f", ("除险加固", "Reinforcement")), "建设": ("#08519c", ("在建/新建", "Construction"))}
STATUS_COLORS = {"planned": "#7a0177", "under_construction": "#dd3497", "completed": "#41ab5d", "ongoing": "#fe9929", "unknown": "#999999"}
RIVER_WEIGHT = {1: 3.5, 2: 2.2, 3: 1.3}
APPROX = ("approximate", "synthetic")


def _kind_style(layer_id: str, kinds: pd.Series, lang: str) -> tuple[pd.Series, pd.Series]:
    spec = get_spec(layer_id)
    color = kinds.map(lambda k: spec.kind(k).color if spec.kind(k) else spec.color)
    label = kinds.map(lambda k: spec.kind(k).label(lang) if spec.kind(k) else k)  # type: ignore[union-attr]
    return color, label


def style_columns(layer_id: str, gdf: gpd.GeoDataFrame, lang: str) -> pd.DataFrame:
    """Columns ``_c`` colour, ``_l`` legend label, ``_w`` line weight, ``_r`` point radius,
    ``_fo`` polygon fill opacity, ``_q``
    1 if the position is approximate or synthetic (drawn hollow/dashed)."""
    spec = get_spec(layer_id)
    n = len(gdf)
    out = pd.DataFrame(index=gdf.index)
    out["_c"], out["_l"] = spec.color, spec.label(lang)
    out["_w"], out["_r"], out["_fo"] = 1.5, 5.0, 0.25
    if "kind" in gdf and spec.kinds:
        out["_c"], out["_l"] = _kind_style(layer_id, gdf["kind"], lang)
    if layer_id == "geohazards":
        pts = gdf["kind"] == "hazard_point"
        out.loc[pts, "_c"] = gdf.loc[pts, "hazard_type"].map(HAZARD_COLORS).fillna(spec.color)
        out.loc[pts, "_l"] = gdf.loc[pts, "hazard_type"].map(lambda h: h if lang == "zh" else HAZARD_EN.get(h, h))
        out.loc[pts, "_r"] = gdf.loc[pts, "risk_level"].map(RISK_RADIUS).fillna(4.0)
    elif layer_id == "reservoirs":
        act = gdf["action"].fillna("")
        out["_c"] = act.map(lambda a: ACTION_COLORS.get(a, ("#6baed6", ("", "")))[0])
        out["_l"] = act.map(lambda a: pick(ACTION_COLORS[a][1], lang) if a in ACTION_COLORS else (a or "-"))
        out["_r"] = 7.0
    elif layer_id == "projects":
        out["_c"] = gdf["status"].map(STATUS_COLORS).fillna("#999999")
        out["_l"] = gdf["status"].map(lambda s: pick(STATUS_LABELS.get(s, (s, s)), lang))
    elif layer_id == "rivers":
        out["_w"] = gdf["order"].map(RIVER_WEIGHT).fillna(1.5)
    elif layer_id in ("townships", "township_seats"):
        out["_c"], out["_w"], out["_fo"] = "#7a7a7a", 1.0, 0.0
    elif layer_id == "county":
        out["_c"], out["_w"], out["_fo"] = "#222222", 2.5, 0.0
    elif layer_id in ("rules", "forest_fire", "geohazards"):
        out["_fo"] = 0.18
    out["_q"] = gdf["geometry_quality"].isin(APPROX).astype(int) if "geometry_quality" in gdf else [0] * n
    return out
