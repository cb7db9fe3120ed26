"""Per-feature display style and text derived from layer specs: colour, legend label, weight, radius,
quality; and attribute values as people read them (tooltips, the details panel, atlas tables)."""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import pandas as pd

from layers.catalog.i18n import QUALITY_LABELS, STATUS_LABELS, pick
from layers.catalog.sourcetext import source_text
from layers.catalog.specs import TITLE, LayerSpec, get_spec

HAZARD_COLORS = {"滑坡": "#8c510a", "崩塌": "#d73027", "泥石流": "#542788", "不稳定斜坡": "#f46d43", "地面塌陷": "#4d4d4d"}
HAZARD_EN = {"滑坡": "Landslide", "崩塌": "Rockfall", "泥石流": "Debris flow", "不稳定斜坡": "Unstable slope", "地面塌陷": "Subsidence"}
RISK_RADIUS = {"高": 8, "较高": 6.5, "中": 5, "低": 3.5}
RISK_LEVEL_EN = {"高": "High", "较高": "Fairly high", "中": "Medium", "低": "Low"}
ACTION_COLORS = {"除险加固": ("#d7301f", ("除险加固", "Reinforcement")), "建设": ("#08519c", ("在建/新建", "Construction")),
                 "调查评估": ("#6baed6", ("调查评估", "Survey and assessment")), "联合调度": ("#3182bd", ("联合调度", "Joint operation"))}
STATUS_COLORS = {"planned": "#7a0177", "under_construction": "#dd3497", "completed": "#41ab5d", "ongoing": "#fe9929", "unknown": "#999999"}
RIVER_WEIGHT = {1: 3.5, 2: 2.2, 3: 1.3}
APPROX = ("approximate", "synthetic")

Rule = Callable[[pd.DataFrame, gpd.GeoDataFrame, LayerSpec, str], None]


def _kind_style(spec: LayerSpec, kinds: pd.Series, lang: str) -> tuple[pd.Series, pd.Series]:
    color = kinds.map(lambda k: spec.kind(k).color if spec.kind(k) else spec.color)
    label = kinds.map(lambda k: spec.kind(k).label(lang) if spec.kind(k) else k)  # type: ignore[union-attr]
    return color, label


def _hazard_points(out: pd.DataFrame, gdf: gpd.GeoDataFrame, spec: LayerSpec, lang: str) -> None:
    pts = gdf["kind"] == "hazard_point"
    if not pts.any():
        return
    out.loc[pts, "_c"] = gdf.loc[pts, "hazard_type"].map(HAZARD_COLORS).fillna(spec.color)
    out.loc[pts, "_l"] = gdf.loc[pts, "hazard_type"].map(lambda h: h if lang == "zh" else HAZARD_EN.get(h, h))
    out.loc[pts, "_r"] = gdf.loc[pts, "risk_level"].map(RISK_RADIUS).fillna(4.0)


def _reservoir_action(out: pd.DataFrame, gdf: gpd.GeoDataFrame, spec: LayerSpec, lang: str) -> None:
    act = gdf["action"].fillna("")
    out["_c"] = act.map(lambda a: ACTION_COLORS.get(a, ("#6baed6", ("", "")))[0])
    out["_l"] = act.map(lambda a: pick(ACTION_COLORS[a][1], lang) if a in ACTION_COLORS else (a or "-"))


def _project_status(out: pd.DataFrame, gdf: gpd.GeoDataFrame, spec: LayerSpec, lang: str) -> None:
    out["_c"] = gdf["status"].map(STATUS_COLORS).fillna("#999999")
    out["_l"] = gdf["status"].map(lambda s: pick(STATUS_LABELS.get(s, (s, s)), lang))


def _river_order(out: pd.DataFrame, gdf: gpd.GeoDataFrame, spec: LayerSpec, lang: str) -> None:
    out["_w"] = gdf["order"].map(RIVER_WEIGHT).fillna(1.5)


def risk_level_names(lang: str) -> list[str]:
    """Names of the risk model's levels 1..4 (重大 first) in ``lang``."""
    from layers.catalog.params import risk_config

    return risk_config()["levels"]["names_zh" if lang == "zh" else "names_en"]


def _risk_level(out: pd.DataFrame, gdf: gpd.GeoDataFrame, spec: LayerSpec, lang: str) -> None:
    names = risk_level_names(lang)
    out["_c"] = gdf["color"]
    out["_l"] = gdf["level"].map(lambda i: names[int(i) - 1]) if "level" in gdf else gdf["level_name"]


RULES: dict[str, Rule] = {
    "hazard_points": _hazard_points, "reservoir_action": _reservoir_action, "project_status": _project_status,
    "river_order": _river_order, "risk_level": _risk_level,
}
"""``Look.rule`` -> how it styles features by an attribute (after the layer's look and kinds)."""


def style_columns(layer_id: str, gdf: gpd.GeoDataFrame, lang: str) -> pd.DataFrame:
    """Columns ``_c`` colour, ``_l`` legend label, ``_w`` line weight, ``_r`` point radius,
    ``_fo`` polygon fill opacity, ``_q`` 1 if the position is approximate or synthetic (drawn
    hollow/dashed, unless the layer's look says its fill carries the message): the spec's colour
    and look, its kinds' colours and labels, then its ``Look.rule``."""
    spec = get_spec(layer_id)
    look = spec.look
    out = pd.DataFrame(index=gdf.index)
    out["_c"], out["_l"] = spec.color, spec.label(lang)
    out["_w"], out["_r"], out["_fo"] = look.weight, look.radius, look.fill_opacity
    if "kind" in gdf and spec.kinds:
        out["_c"], out["_l"] = _kind_style(spec, gdf["kind"], lang)
    if look.rule:
        RULES[look.rule](out, gdf, spec, lang)
    approx = look.marks_approx and "geometry_quality" in gdf
    out["_q"] = gdf["geometry_quality"].isin(APPROX).astype(int) if approx else 0
    return out


def _is_missing(value: object) -> bool:
    return value is None or bool(pd.api.types.is_scalar(value) and pd.isna(value))


def _is_risk_level(spec: LayerSpec, field: str) -> bool:
    """An integer field named ``level`` or ``*_level``: a class 1..4 of the risk model."""
    dtype = next((f.dtype for f in spec.fields if f.name == field), "")
    return dtype == "int" and (field == "level" or field.endswith("_level"))


def value_text(layer_id: str, field: str, value: object, lang: str) -> str | None:
    """``value`` of ``field`` as people read it in ``lang`` (None when missing): kinds, statuses,
    position qualities and sources, reservoir actions, hazard types and risk levels by their labels;
    anything else as written."""
    if _is_missing(value):
        return None
    s = str(value)
    spec = get_spec(layer_id)
    if field == "kind":
        kind = spec.kind(s)
        return kind.label(lang) if kind else s
    if field == "status":
        return pick(STATUS_LABELS.get(s, (s, s)), lang)
    if field in ("geometry_quality", "seat_quality"):
        return pick(QUALITY_LABELS.get(s, (s, s)), lang)
    if field == "geometry_source":
        return source_text(s, lang)
    if field == "action" and s in ACTION_COLORS:
        return pick(ACTION_COLORS[s][1], lang)
    if field == "hazard_type" and lang != "zh":
        return HAZARD_EN.get(s, s)
    if field == "risk_level" and lang != "zh":
        return RISK_LEVEL_EN.get(s, s)
    if _is_risk_level(spec, field):
        return risk_level_names(lang)[int(float(s)) - 1]
    return s


def column_text(layer_id: str, field: str, values: pd.Series, lang: str) -> pd.Series:
    """``value_text`` of a whole column (each distinct value once); None where a value is missing."""
    texts = {v: value_text(layer_id, field, v, lang) for v in values.dropna().unique()}
    out = values.map(texts).astype(object)
    return out.where(out.notna(), None)


def tooltip_texts(layer_id: str, gdf: pd.DataFrame, lang: str) -> list[list[str]]:
    """What the map shows on hover over each feature: the spec's ``tooltip`` entries as people read
    them (``TITLE``: the layer's title); entries the frame lacks or a feature leaves empty are left out."""
    spec = get_spec(layer_id)
    columns: list[list[str | None]] = []
    for entry in spec.tooltip:
        if entry == TITLE:
            columns.append([spec.label(lang)] * len(gdf))
        elif entry in gdf:
            columns.append(column_text(layer_id, entry, gdf[entry], lang).tolist())
    return [[v for v in row if v] for row in zip(*columns, strict=True)] if columns else [[] for _ in range(len(gdf))]
