"""What the risk page shows, computed without UI: reclassification for the chosen hazard and scheme,
the choropleth and its legend, the township card (with how its score adds up), tables in the user's
language, the click on the map, raster overlays and user rasters."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS
from shapely.geometry import Point

from geo import tables
from geo.crs import reproject
from geo.errors import CRSError, GeoError, NotARasterError, OptionError, RasterTooLargeError
from geo.raster import RasterSource, colorize, warp_grid_to_wgs84, warp_to_wgs84, zonal_stats
from geo.risk import class_upper_bounds, classify
from layers.analysis.risk import ADVICE, HAZARDS, INDICATOR_EN, INDICATOR_ZH, NO_DRIVER, kde_grid, located, risk_config
from layers.catalog.i18n import pick
from layers.catalog.quality import inputs_note, is_placeholder
from layers.catalog.specs import get_spec
from layers.views import mapview as view

CHOICES = ("composite", *HAZARDS)
CHOICE_LABELS = {"composite": ("综合风险", "Composite"), "geological": ("地质灾害", "Geological"),
                 "flood": ("洪涝", "Flood"), "forest_fire": ("森林火灾", "Forest fire")}
SCHEME_LABELS = {"fixed": ("固定阈值", "Fixed thresholds"), "natural_breaks": ("自然断点", "Natural breaks"),
                 "quantiles": ("分位数", "Quantiles")}
TEXT = {
    "legend": ("{what}风险等级({scheme})", "{what} risk level ({scheme})"),
    "score": ("{what}得分", "{what} score"), "level": ("风险等级", "Risk level"), "name": ("乡镇", "Township"),
    "n_hazard_points": ("隐患点数", "Hazard points"), "n_reservoirs": ("水库数", "Reservoirs"),
    "n_facilities": ("设施数", "Facilities"), "n_projects": ("项目数", "Projects"), "drivers": ("主要因素", "Key drivers"),
    "part": ("组成", "Component"), "weight": ("权重", "Weight"), "value": ("值", "Value"), "range": ("全县最小–最大", "County min–max"),
    "norm": ("归一化", "Normalised"), "weighted": ("权重×归一化", "Weight × normalised"),
    "sum": ("加权和 {total:.3f} = {what}得分 {score:.3f}", "Weighted sum {total:.3f} = {what} score {score:.3f}"),
    "fixed_rule": ("{score:.2f} {op} 阈值 {bound:.2f} → {level}", "{score:.2f} {op} threshold {bound:.2f} → {level}"),
    "low_rule": ("{score:.2f} ≤ {scheme}最低一级上界 {hi:.2f} → {level}",
                 "{score:.2f} ≤ {hi:.2f}, the upper bound of the lowest {scheme} class → {level}"),
    "score_plain": ("得分", "Score"),
    "range_rule": ("{score:.2f} 在 {scheme}区间 ({lo:.2f}, {hi:.2f}] 内 → {level}",
                   "{score:.2f} lies in the {scheme} class ({lo:.2f}, {hi:.2f}] → {level}"),
    "not_drawn": ("位置未知(县城中心占位)、未上图:{items}", "Not drawn, position unknown (county-centre placeholder): {items}"),
    "hazard": ("灾种", "Hazard"), "feature": ("要素", "Feature"), "count": ("数量", "Count"),
    "based_on": ("全县输入(各乡镇得分相互归一化):", "County-wide inputs (township scores are normalised against each other): "),
    "unknown_left_out": ("位置未知的要素未计入。", "Features with unknown position are left out."),
    "mean": ("均值", "Mean"), "max": ("最大值", "Max"), "cells": ("读取像元数", "Cells read"),
    "too_large": ("{name} 有 {w} × {h} 像元,超过上限 {limit:,} 像元,未读取。请先建金字塔(gdaladdo {name} 2 4 8 16)"
                  "或缩小后再上传(gdal_translate -outsize 25% 25% {name} small.tif)。",
                  "{name} is {w} x {h} pixels, over the limit of {limit:,} pixels, and was not read. Add overviews "
                  "(gdaladdo {name} 2 4 8 16) or upload a smaller copy (gdal_translate -outsize 25% 25% {name} small.tif)."),
    "not_tiff": ("{name} 不是可读取的 GeoTIFF 文件,请上传 .tif 栅格。", "{name} is not a readable GeoTIFF; upload a .tif raster."),
    "no_crs": ("{name} 没有可用的坐标系(缺失或为无法定位到地球上的本地坐标系),请先指定(如 gdal_edit.py -a_srs EPSG:4545 {name})。",
               "{name} has no usable CRS (none, or a local one that cannot be placed on the earth); assign one first "
               "(e.g. gdal_edit.py -a_srs EPSG:4545 {name})."),
}
COUNT_LABELS = {"n_hazard_points": ("隐患点", "Hazard points"), "n_reservoirs": ("水库", "Reservoirs"),
                "n_facilities": ("设施", "Facilities"), "n_projects": ("项目", "Projects")}
INPUTS = {  # what each hazard score is computed from: (layer, kinds or None, (zh, en))
    "geological": (("geohazards", ("hazard_point", "hazard_site"), ("隐患点", "hazard points")),
                   ("geohazards", ("susceptibility_zone",), ("易发区", "susceptibility zones"))),
    "flood": (("rivers", None, ("河流", "rivers")), ("facilities", ("flood_key_area",), ("防汛重点区域", "flood key areas")),
              ("reservoirs", None, ("水库", "reservoirs"))),
    "forest_fire": (("forest_fire", None, ("森林防火要素", "forest-fire features")),
                    ("facilities", ("checkpoint", "water_tank", "crew", "lookout"), ("防火设施", "fire facilities"))),
}


def score_col(choice: str) -> str:
    return "composite" if choice == "composite" else f"{choice}_score"


def level_names(lang: str) -> list[str]:
    lv = risk_config()["levels"]
    return list(lv["names_zh"] if lang == "zh" else lv["names_en"])


def _thresholds() -> tuple[float, float, float]:
    lv = risk_config()["levels"]
    return lv["level1"], lv["level2"], lv["level3"]


def reclassify(risk: gpd.GeoDataFrame, *, choice: str, scheme: str, lang: str = "zh") -> gpd.GeoDataFrame:
    """``risk`` with ``score``, ``level``, ``level_name`` and ``color`` for one hazard (or the composite) and scheme."""
    if choice not in CHOICES:
        raise OptionError(f"Unknown risk layer {choice!r}; use one of {list(CHOICES)}.")
    lv = risk_config()["levels"]
    names = level_names(lang)
    out = risk.copy()
    out["score"] = out[score_col(choice)]
    out["level"] = classify(out["score"], scheme=scheme, thresholds=_thresholds())
    out["level_name"] = out["level"].map(lambda i: names[i - 1])
    out["color"] = out["level"].map(lambda i: lv["colors"][i - 1])
    out["scheme"] = scheme
    return out


MAP_LAYERS = ("risk_townships", "county", "rivers", "reservoirs")


def map_frames(data: Mapping[str, gpd.GeoDataFrame], risk: gpd.GeoDataFrame, *, lang: str) -> dict[str, gpd.GeoDataFrame]:
    """Display frames of the page's map: the reclassified ``risk`` (never the stored layer) under the
    county, rivers and reservoirs; features whose position is only the county-centre placeholder are
    not drawn (see :func:`not_drawn`)."""
    frames = {**located(data), "risk_townships": risk}
    return view.display_frames(frames, list(MAP_LAYERS), lang=lang)


def not_drawn(data: Mapping[str, gpd.GeoDataFrame], lang: str) -> str:
    """"位置未知、未上图:水库 11 个" for the map's placeholder features, or "" when there is none."""
    counts = {k: int(is_placeholder(data[k]).sum()) for k in MAP_LAYERS[1:] if k in data}
    items = [f"{get_spec(k).label(lang)} {n}" for k, n in counts.items() if n]
    return pick(TEXT["not_drawn"], lang).format(items=", ".join(items)) if items else ""


def class_legend(risk: gpd.GeoDataFrame, *, choice: str, scheme: str, lang: str = "zh",
                 drawn_only: bool = False) -> list[tuple[str, str, str]]:
    """(colour, level name, score range) for the four levels, highest (重大) first; with ``drawn_only``
    only the levels some township has (``risk`` as returned by :func:`reclassify`)."""
    lv = risk_config()["levels"]
    names = level_names(lang)
    bounds = class_upper_bounds(risk[score_col(choice)], scheme=scheme, thresholds=_thresholds())
    lows = [0.0, *bounds[:-1]]
    ranges = [f"{lows[i]:.2f}–{bounds[i]:.2f}" for i in range(4)]
    if scheme == "fixed":
        ranges[3] = f"≥ {lows[3]:.2f}"
    rows = [(lv["colors"][3 - i], names[3 - i], ranges[i]) for i in range(4)][::-1]
    used = set(risk["color"]) if drawn_only and "color" in risk else None
    return [r for r in rows if used is None or r[0] in used]


def legend_title(choice: str, scheme: str, lang: str) -> str:
    return pick(TEXT["legend"], lang).format(what=pick(CHOICE_LABELS[choice], lang), scheme=pick(SCHEME_LABELS[scheme], lang))


def legend_block(risk: gpd.GeoDataFrame, *, choice: str, scheme: str, lang: str) -> dict:
    """The choropleth's legend block (``layers.render`` legend data): the chosen layer and scheme as title,
    the classes drawn (``risk`` as returned by :func:`reclassify`), 重大 → 低, with their score ranges."""
    rows = [[c, f"{n} {r}"] for c, n, r in class_legend(risk, choice=choice, scheme=scheme, lang=lang, drawn_only=True)]
    return {"layer": "risk_townships", "title": legend_title(choice, scheme, lang), "rows": rows}


def with_legend_block(legend: str, block: dict) -> str:
    """The map's legend data (JSON text from ``layers.render.compile_map``) with ``block`` in place of
    the block of the same layer (the renderer's block is titled after the stored composite layer)."""
    data = json.loads(legend)
    data["blocks"] = [block if b["layer"] == block["layer"] else b for b in data["blocks"]]
    return json.dumps(data, ensure_ascii=False)


def drivers_text(value: str, lang: str) -> str:
    """The drivers column (Chinese indicator names joined by 、) in ``lang``."""
    if lang == "zh":
        return value
    if value == NO_DRIVER[0]:
        return NO_DRIVER[1]
    en = {zh: INDICATOR_EN[k] for k, zh in INDICATOR_ZH.items()}
    return ", ".join(en.get(part, part) for part in value.split("、"))


def township_table(risk: gpd.GeoDataFrame, *, choice: str = "composite", lang: str = "zh") -> pd.DataFrame:
    """The sortable table (headers and values in ``lang``), highest score of the chosen layer first."""
    chosen = score_col(choice)
    scores = [chosen, *(c for c in ("composite", *(f"{h}_score" for h in HAZARDS)) if c != chosen)]
    out = pd.DataFrame({pick(TEXT["name"], lang): risk["name"].to_numpy()})
    out[pick(TEXT["level"], lang)] = risk["level_name"].to_numpy()
    for col in scores:
        what = pick(CHOICE_LABELS["composite" if col == "composite" else col.removesuffix("_score")], lang)
        out[pick(TEXT["score"], lang).format(what=what)] = risk[col].round(3).to_numpy()
    for col in COUNT_LABELS:
        out[pick(TEXT[col], lang)] = risk[col].to_numpy()
    out[pick(TEXT["drivers"], lang)] = [drivers_text(str(d), lang) for d in risk["drivers"]]
    order = np.argsort(-risk[chosen].to_numpy(dtype=float), kind="stable")
    return out.iloc[order].reset_index(drop=True)


def inputs_text(data: Mapping[str, gpd.GeoDataFrame], choice: str, lang: str) -> str:
    """How many inputs of the chosen layer are approximate, placeholder, synthetic or demo."""
    hazards = HAZARDS if choice == "composite" else (choice,)
    notes = []
    for layer, kinds, what in (i for h in hazards for i in INPUTS[h]):
        gdf = data.get(layer)
        if gdf is None:
            continue
        sub = gdf if kinds is None or gdf.empty else gdf[gdf["kind"].isin(kinds)]
        notes.append(inputs_note(sub, lang, what=what))
    sep = ";" if lang == "zh" else "; "
    return pick(TEXT["based_on"], lang) + sep.join(notes) + ("。" if lang == "zh" else ". ") + pick(TEXT["unknown_left_out"], lang)


@dataclass(frozen=True)
class Explanation:
    """How one township's score of the chosen layer is made and classified."""

    parts: pd.DataFrame  # index: component; columns weight, value, low, high, norm, weighted
    score: float
    level: int
    rule: tuple[str, float, float]  # ("fixed", score bound, 0) or ("range", low, high)


def _components(risk: gpd.GeoDataFrame, choice: str) -> tuple[pd.DataFrame, dict[str, float]]:
    cfg = risk_config()
    if choice == "composite":
        weights = cfg["composite"]["weights"]
        return risk[[f"{h}_score" for h in weights]].set_axis(list(weights), axis=1), weights
    weights = cfg[choice]["weights"]
    return risk[list(weights)], weights


def explain(risk: gpd.GeoDataFrame, name: str, *, choice: str, scheme: str) -> Explanation:
    """Weights, values, county min/max, normalised values and their weighted sum for ``name``, and the
    class rule that gives its level (``risk`` as returned by :func:`reclassify`)."""
    values, weights = _components(risk, choice)
    total_w = float(sum(weights.values()))
    i = risk.index[risk["name"] == name][0]
    lo, hi = values.min(), values.max()
    span = (hi - lo).where(hi > lo, np.nan)
    norm = ((values.loc[i] - lo) / span).fillna(0.0)
    w = pd.Series({k: v / total_w for k, v in weights.items()})
    parts = pd.DataFrame({"weight": w, "value": values.loc[i], "low": lo, "high": hi, "norm": norm, "weighted": w * norm})
    score, level = float(risk.at[i, score_col(choice)]), int(risk.at[i, "level"])
    bounds = class_upper_bounds(risk[score_col(choice)], scheme=scheme, thresholds=_thresholds())
    if scheme == "fixed":
        thr = _thresholds()
        bound = thr[level - 1] if level <= 3 else thr[2]
        return Explanation(parts, score, level, ("fixed", bound, 0.0))
    lows = [float("-inf"), *bounds[:-1]]
    k = 4 - level
    return Explanation(parts, score, level, ("range", lows[k], bounds[k]))


def _component_label(key: str, choice: str, lang: str) -> str:
    if choice == "composite":
        return pick(CHOICE_LABELS[key], lang)
    return INDICATOR_ZH[key] if lang == "zh" else INDICATOR_EN[key]


def card_table(ex: Explanation, *, choice: str, lang: str) -> pd.DataFrame:
    """The card's table: one row per component, with weight, value, county range, normalised and weighted value."""
    p = ex.parts
    return pd.DataFrame({
        pick(TEXT["part"], lang): [_component_label(k, choice, lang) for k in p.index],
        pick(TEXT["weight"], lang): p["weight"].round(2).to_numpy(),
        pick(TEXT["value"], lang): p["value"].round(3).to_numpy(),
        pick(TEXT["range"], lang): [f"{a:.3g}–{b:.3g}" for a, b in zip(p["low"], p["high"], strict=True)],
        pick(TEXT["norm"], lang): p["norm"].round(3).to_numpy(),
        pick(TEXT["weighted"], lang): p["weighted"].round(3).to_numpy(),
    })


def card_lines(ex: Explanation, *, choice: str, scheme: str, lang: str) -> tuple[str, str]:
    """("加权和 0.819 = 综合得分 0.819", "0.82 ≥ 阈值 0.70 → 重大"): how the score and the level follow."""
    what = pick(CHOICE_LABELS[choice], lang)
    total = float(ex.parts["weighted"].sum())
    line1 = pick(TEXT["sum"], lang).format(total=total, what=what, score=ex.score)
    name = level_names(lang)[ex.level - 1]
    kind, a, b = ex.rule
    if kind == "fixed":
        op = "≥" if ex.level <= 3 else "<"
        return line1, pick(TEXT["fixed_rule"], lang).format(score=ex.score, op=op, bound=a, level=name)
    key = "low_rule" if a == float("-inf") else "range_rule"
    return line1, pick(TEXT[key], lang).format(score=ex.score, scheme=pick(SCHEME_LABELS[scheme], lang), lo=a, hi=b, level=name)


def levels_table(risk: gpd.GeoDataFrame, name: str, lang: str) -> pd.DataFrame:
    """Score and level of every hazard and the composite for one township (fixed thresholds of the model
    for the hazards; the chosen scheme's level is on the card)."""
    row = risk[risk["name"] == name].iloc[0]
    names = level_names(lang)
    hz = [(pick(CHOICE_LABELS[h], lang), round(float(row[f"{h}_score"]), 3), names[int(row[f"{h}_level"]) - 1]) for h in HAZARDS]
    return pd.DataFrame(hz, columns=[pick(TEXT["hazard"], lang), pick(TEXT["score_plain"], lang), pick(TEXT["level"], lang)])


def counts_table(risk: gpd.GeoDataFrame, name: str, lang: str) -> pd.DataFrame:
    row = risk[risk["name"] == name].iloc[0]
    return pd.DataFrame({pick(TEXT["feature"], lang): [pick(v, lang) for v in COUNT_LABELS.values()],
                         pick(TEXT["count"], lang): [int(row[k]) for k in COUNT_LABELS]})


def advice(risk: gpd.GeoDataFrame, name: str, lang: str) -> list[tuple[str, str]]:
    """(hazard, advice) for the hazards at level 重大 or 较大 in ``name``."""
    row = risk[risk["name"] == name].iloc[0]
    return [(pick(CHOICE_LABELS[h], lang), pick(ADVICE[h], lang)) for h in HAZARDS if int(row[f"{h}_level"]) <= 2]


def township_at(risk: gpd.GeoDataFrame, lon: float, lat: float) -> str | None:
    """Name of the township containing the WGS84 point, or None outside every township."""
    hit = risk[reproject(risk, 4326).contains(Point(lon, lat))]
    return None if hit.empty else str(hit["name"].iloc[0])


@dataclass(frozen=True)
class ClickFill:
    """What a click on the risk map sets: the screening point's text and the card's township."""

    lon: str
    lat: str
    town: str | None


def click_fill(clicked: Mapping[str, float] | None, risk: gpd.GeoDataFrame) -> ClickFill | None:
    """The screening fields and township for st_folium's ``last_clicked`` ({"lat", "lng"}), or None."""
    if not clicked or clicked.get("lat") is None or clicked.get("lng") is None:
        return None
    lon, lat = float(clicked["lng"]), float(clicked["lat"])
    return ClickFill(f"{lon:.6f}", f"{lat:.6f}", township_at(risk, lon, lat))


def _png_url(values: np.ndarray, cmap: str) -> str:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(colorize(values, cmap=cmap)).save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def raster_overlay(src: RasterSource, *, cmap: str = "YlOrRd", name: str | None = None) -> tuple[str, tuple[float, float, float, float]]:
    """A PNG data URL of a raster (path or bytes) warped to lon/lat, and its (minx, miny, maxx, maxy)."""
    values, bounds = warp_to_wgs84(src, name=name)
    return _png_url(values, cmap), bounds


def kde_overlay(frames: Mapping[str, gpd.GeoDataFrame], crs: CRS) -> tuple[str, tuple[float, float, float, float]] | None:
    """The hazard-point density of the shown (located) hazard points as an overlay, or None without points."""
    grid = kde_grid(frames, crs, risk_config())
    if grid is None:
        return None
    values, bounds = warp_grid_to_wgs84(grid)
    return _png_url(values, "YlOrRd"), bounds


def user_raster_summary(src: RasterSource, risk: gpd.GeoDataFrame, *, lang: str = "zh", name: str | None = None) -> pd.DataFrame:
    """Mean / max of a user GeoTIFF (any CRS, read at most 2048 cells wide) per township."""
    stats = zonal_stats(src, risk, name=name)
    out = pd.DataFrame({pick(TEXT["name"], lang): risk["name"].to_numpy()})
    out[pick(TEXT["mean"], lang)] = stats["mean"].round(3).to_numpy()
    out[pick(TEXT["max"], lang)] = stats["max"].round(3).to_numpy()
    out[pick(TEXT["cells"], lang)] = stats["cells"].to_numpy()
    return out.sort_values(pick(TEXT["mean"], lang), ascending=False, na_position="last").reset_index(drop=True)


def raster_error_text(err: GeoError, name: str, lang: str) -> str:
    """A raster error in ``lang``, naming the file (never a server path) and the fix; an error without a
    translation here keeps the message :mod:`geo.raster` gave (which names the file the same way)."""
    if isinstance(err, RasterTooLargeError):
        return pick(TEXT["too_large"], lang).format(name=name, w=err.width, h=err.height, limit=err.limit)
    if isinstance(err, NotARasterError):
        return pick(TEXT["not_tiff"], lang).format(name=name)
    if isinstance(err, CRSError):
        return pick(TEXT["no_crs"], lang).format(name=name)
    return str(err)


def to_xlsx(df: pd.DataFrame) -> bytes:
    """XLSX bytes with formula cells neutralised (kept for the coverage page)."""
    return tables.xlsx_bytes(df)
