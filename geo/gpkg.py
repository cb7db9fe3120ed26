"""GeoPackage store primitives: atomic multi-layer writes and layer listing."""

from __future__ import annotations

import logging
import os
import sqlite3
import tempfile
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geo.errors import SourceReadError

log = logging.getLogger(__name__)


def write_gpkg_atomic(
    path: str | Path,
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    tables: Mapping[str, pd.DataFrame] | None = None,
) -> Path:
    """Write all ``layers`` (and attribute ``tables``) to a new GeoPackage at ``path``, replacing
    any old file atomically.

    Everything goes to a temporary file in the same directory, which then replaces ``path`` with
    :func:`os.replace`. If anything fails, the old file is left exactly as it was.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=".tmp.gpkg", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # let GDAL create the file itself
    try:
        for name, gdf in layers.items():
            # GDAL's own row id is renamed so that a text column called "fid" can be stored
            gdf.to_file(tmp, layer=name, driver="GPKG", engine="pyogrio", mode="a" if tmp.exists() else "w",
                        layer_options={"FID": "gpkg_fid"})
        _write_tables(tmp, tables or {})
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
    log.info("wrote %s (%d layers)", target, len(layers))
    return target


def list_gpkg_layers(path: str | Path) -> list[str]:
    """Names of the spatial layers stored in a GeoPackage (attribute-only tables excluded)."""
    p = Path(path)
    if not p.exists():
        raise SourceReadError(f"{p}: GeoPackage not found; build it first (python -m layers build).")
    return [str(name) for name, geom_type in pyogrio.list_layers(p) if geom_type is not None]


def _write_tables(path: Path, tables: Mapping[str, pd.DataFrame]) -> None:
    """Attribute-only tables, registered in ``gpkg_contents`` as the GeoPackage standard asks."""
    with sqlite3.connect(path) as con:
        for name, df in tables.items():
            df.to_sql(name, con, index=False, if_exists="replace")
            con.execute(
                "INSERT OR REPLACE INTO gpkg_contents (table_name, data_type, identifier) VALUES (?, 'attributes', ?)",
                (name, name),
            )
