"""Recompute risk layers of a stored workspace and write them back atomically."""

from __future__ import annotations

import os

import geopandas as gpd
import pandas as pd
from pyproj import CRS

from geo.gpkg import write_gpkg_atomic
from layers.analysis.risk import compute_risk
from layers.store.workspace import META_TABLE, UNMAPPED_TABLE, conform, kde_path, load_unmapped, read_meta, workspace_path
from layers.views.mapview import load_frames


def workspace_crs(adcode: str) -> CRS:
    """The metric CRS a workspace was built with (stored in its metadata)."""
    return CRS.from_epsg(int(read_meta(workspace_path(adcode))["metric_epsg"]))


def recompute_risk(adcode: str, *, scheme: str = "fixed") -> gpd.GeoDataFrame:
    """Recompute ``risk_townships`` (and the density surface) with ``scheme``; other layers are kept."""
    path = workspace_path(adcode)
    frames = load_frames(adcode)
    final = kde_path(path, "geohazard")
    tmp = final.with_name(f".{final.stem}.tmp.tif")
    try:
        risk = conform("risk_townships", compute_risk(frames, workspace_crs(adcode), scheme=scheme, kde_path=tmp).townships)
        frames["risk_townships"] = risk
        meta = pd.DataFrame(list(read_meta(path).items()), columns=["key", "value"])
        write_gpkg_atomic(path, frames, tables={META_TABLE: meta, UNMAPPED_TABLE: load_unmapped(adcode)})
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)
    return risk
