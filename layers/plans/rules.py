"""Spatial rules stated in the plans, drawn in metres (buffers along named or main rivers)."""

from __future__ import annotations

import re

import geopandas as gpd
import shapely
from shapely.geometry.base import BaseGeometry

_KM = re.compile(r"(\d+(?:\.\d+)?)\s*(?:km|公里|千米)", re.IGNORECASE)
_BUFFER_KM = re.compile(r"buffer_km\s*=\s*(\d+(?:\.\d+)?)")
MAIN_RIVER_WORDS = ("主要河流", "干流", "县级河流", "重要支流")


def buffer_metres(text: str) -> float | None:
    """Buffer distance in metres stated in a rule's target text (``1km``, ``buffer_km=3``, ``1公里``)."""
    m = _BUFFER_KM.search(text) or _KM.search(text)
    return float(m.group(1)) * 1000.0 if m else None


def rule_zone(row: dict, rivers_m: gpd.GeoDataFrame, area_m: BaseGeometry) -> tuple[BaseGeometry, str, str] | None:
    """The zone of a river-buffer rule, clipped to the jurisdiction, with its quality and a description.

    ``rivers_m`` holds the jurisdiction's river lines in a metric CRS. Returns ``None`` when the rule
    names no distance or no river of this jurisdiction (such rules are reported, not drawn).
    """
    dist = buffer_metres(f"{row['target']};{row['name']}")
    if dist is None or rivers_m.empty:
        return None
    text = f"{row['name']};{row['location_hint']}"
    lines = rivers_m[rivers_m.geometry.geom_type.str.contains("Line")]
    named = lines[lines["name"].map(lambda n: n in text)]
    if named.empty and any(w in text for w in MAIN_RIVER_WORDS):
        named = lines[lines["kind"] == "river"]
    if named.empty:
        return None
    zone = shapely.union_all(list(named.geometry.buffer(dist))).intersection(area_m)
    worst = "synthetic" if (named["geometry_quality"] == "synthetic").any() else "approximate"
    how = f"{dist:g} m buffer (metric CRS) of {'、'.join(named['name'])}; as exact as those river lines ({worst})"
    return zone, worst, how
