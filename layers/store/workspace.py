"""The workspace store: one GeoPackage per jurisdiction (``workspaces/<adcode>.gpkg``)."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.errors import SourceReadError, UnknownNameError
from geo.gpkg import list_gpkg_layers
from layers.catalog.registry import PROJECT_DIR
from layers.catalog.specs import get_spec

META_TABLE = "workspace_meta"
UNMAPPED_TABLE = "plan_items_unmapped"


def workspace_dir() -> Path:
    """Folder of the workspace files (``$ONEMAP_WORKSPACES`` or ``<project>/workspaces``)."""
    return Path(os.environ.get("ONEMAP_WORKSPACES", PROJECT_DIR / "workspaces"))


def workspace_path(adcode: str) -> Path:
    return workspace_dir() / f"{adcode}.gpkg"


def kde_path(gpkg: Path, hazard: str) -> Path:
    """GeoTIFF of a density surface stored beside a workspace GeoPackage."""
    return gpkg.with_name(f"{gpkg.stem}_kde_{hazard}.tif")


@dataclass(frozen=True)
class WorkspaceInfo:
    adcode: str
    name: str
    name_en: str
    path: Path


def list_workspaces() -> list[WorkspaceInfo]:
    """Every built workspace, sorted by adcode."""
    out = []
    for path in sorted(workspace_dir().glob("*.gpkg")):
        meta = read_meta(path)
        out.append(WorkspaceInfo(path.stem, meta.get("name", path.stem), meta.get("name_en", path.stem), path))
    return out


def _require(adcode: str) -> Path:
    path = workspace_path(adcode)
    if not path.exists():
        known = [w.adcode for w in list_workspaces()]
        raise UnknownNameError(
            f"No workspace {adcode!r} in {workspace_dir()}; built workspaces: {known}. "
            f"Build it with: python -m layers build {adcode}"
        )
    return path


def read_meta(path: Path) -> dict[str, str]:
    """Key/value metadata stored in the workspace (name, build inputs, counts)."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as con:
        rows = con.execute(f"SELECT key, value FROM {META_TABLE}").fetchall()
    return {str(k): str(v) for k, v in rows}


def layer_ids(adcode: str) -> list[str]:
    """Spatial layers stored in a workspace."""
    return list_gpkg_layers(_require(adcode))


def load_layer(adcode: str, layer_id: str) -> gpd.GeoDataFrame:
    """One layer of a workspace as a GeoDataFrame in EPSG:4490."""
    get_spec(layer_id)
    path = _require(adcode)
    if layer_id not in list_gpkg_layers(path):
        raise UnknownNameError(f"Workspace {adcode} has no layer {layer_id!r}; rebuild it with: python -m layers build {adcode}")
    return gpd.read_file(path, layer=layer_id, engine="pyogrio")


def load_unmapped(adcode: str) -> pd.DataFrame:
    """Plan items that carry no drawable geometry (rules without a river, etc.), with reasons."""
    path = _require(adcode)
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as con:
            return pd.read_sql(f"SELECT * FROM {UNMAPPED_TABLE}", con)
    except (sqlite3.DatabaseError, pd.errors.DatabaseError) as err:
        raise SourceReadError(f"{path}: table {UNMAPPED_TABLE} is missing ({err}); rebuild the workspace.") from err


def conform(layer_id: str, gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Columns of ``gdf`` in spec order with spec types (missing optional columns added empty)."""
    spec = get_spec(layer_id)
    out = gdf.copy()
    for f in spec.fields:
        if f.name not in out:
            out[f.name] = None
        if f.dtype == "int":
            out[f.name] = out[f.name].astype("Int64")
        elif f.dtype == "float":
            out[f.name] = out[f.name].astype("float64")
    return out[[f.name for f in spec.fields] + [out.geometry.name]]
