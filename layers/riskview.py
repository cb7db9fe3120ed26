"""What the risk page shows, computed without UI: reclassification, choropleth frames, cards,
tables, raster overlays and user rasters."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.raster import colorize, warp_to_wgs84, zonal_stats
from geo.risk import class_upper_bounds, classify
from layers.risk import ADVICE, HAZARD_ZH, HAZARDS, risk_config

CHOICES = ("composite", *HAZARDS)
CHOICE_LABELS = {"composite": ("综合风险", "Composite"), "geological": ("地质灾害", "Geological"),
                 "flood": ("洪涝", "Flood"), "forest_fire": ("森林火灾", "Forest fire")}
TABLE_COLUMNS = ["name", "composite", "level_name", "geological_score", "flood_score", "forest_fire_score",
                 "n_hazard_points", "n_reservoirs", "n_facilities", "n_projects", "drivers"]


def _score_col(choice: str) -> str:
    return "composite" if choice == "composite" else f"{choice}_score"


def reclassify(risk: gpd.GeoDataFrame, *, choice: str, scheme: str, lang: str = "zh") -> gpd.GeoDataFrame:
    """``risk`` with ``level``, ``level_name`` and ``color`` for one hazard (or the composite) and scheme."""
    if choice not in CHOICES:
        raise ValueError(f"Unknown risk layer {choice!r}; use one of {list(CHOICES)}.")
    lv = risk_config()["levels"]
    names = lv["names_zh"] if lang == "zh" else lv["names_en"]
    out = risk.copy()
    out["level"] = classify(out[_score_col(choice)], scheme=scheme, thresholds=(lv["level1"], lv["level2"], lv["level3"]))
    out["level_name"] = out["level"].map(lambda i: names[i - 1])
    out["color"] = out["level"].map(lambda i: lv["colors"][i - 1])
    out["scheme"] = scheme
    return out


def class_legend(risk: gpd.GeoDataFrame, *, choice: str, scheme: str, lang: str = "zh") -> list[tuple[str, str, str]]:
    """(colour, level name, score range) for the four levels, highest first."""
    lv = risk_config()["levels"]
    names = lv["names_zh"] if lang == "zh" else lv["names_en"]
    bounds = class_upper_bounds(risk[_score_col(choice)], scheme=scheme, thresholds=(lv["level1"], lv["level2"], lv["level3"]))
    lows = [0.0, *bounds[:-1]]
    rows = [(lv["colors"][3 - i], names[3 - i], f"{lows[i]:.2f}–{bounds[i]:.2f}") for i in range(4)]
    return rows[::-1]


def township_card(risk: gpd.GeoDataFrame, name: str, lang: str = "zh") -> dict:
    """Levels per hazard, counts inside, drivers and short advice for one township."""
    row = risk[risk["name"] == name].iloc[0]
    lv = risk_config()["levels"]
    names = lv["names_zh"] if lang == "zh" else lv["names_en"]
    levels = {h: names[int(row[f"{h}_level"]) - 1] for h in HAZARDS}
    return {
        "name": name, "composite": float(row["composite"]), "level": names[int(row["level"]) - 1],
        "levels": {(HAZARD_ZH[h] if lang == "zh" else h): v for h, v in levels.items()},
        "counts": {k: int(row[f"n_{k}"]) for k in ("hazard_points", "reservoirs", "facilities", "projects")},
        "drivers": row["drivers"],
        "advice": {(HAZARD_ZH[h] if lang == "zh" else h): (ADVICE[h][0] if lang == "zh" else ADVICE[h][1])
                   for h in HAZARDS if int(row[f"{h}_level"]) <= 2},
    }


def township_table(risk: gpd.GeoDataFrame) -> pd.DataFrame:
    """The sortable table (no geometry), highest composite first."""
    return pd.DataFrame(risk[TABLE_COLUMNS]).sort_values("composite", ascending=False).reset_index(drop=True)


def to_xlsx(df: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    df.to_excel(buf, index=False)
    return buf.getvalue()


def raster_overlay(path: str | Path, *, cmap: str = "YlOrRd") -> tuple[str, tuple[float, float, float, float]]:
    """A PNG data URL of a raster warped to lon/lat, and its (minx, miny, maxx, maxy)."""
    from PIL import Image

    values, bounds = warp_to_wgs84(path)
    buf = io.BytesIO()
    Image.fromarray(colorize(values, cmap=cmap)).save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode(), bounds


def user_raster_summary(path: str | Path, risk: gpd.GeoDataFrame) -> pd.DataFrame:
    """Mean / max of a user GeoTIFF (any CRS) per township."""
    stats = zonal_stats(path, risk)
    out = pd.DataFrame({"name": risk["name"].values})
    out["mean"] = stats["mean"].round(3).values
    out["max"] = stats["max"].round(3).values
    out["cells"] = stats["cells"].values
    return out.sort_values("mean", ascending=False, na_position="last").reset_index(drop=True)

