"""GeoPackage store primitives: atomic multi-layer writes and layer listing."""

from __future__ import annotations

import logging
import math
import os
import sqlite3
import struct
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from shapely.geometry.base import BaseGeometry

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
        raise SourceReadError(f"{p.name}: GeoPackage not found; build it first (python -m layers build).")
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


# --- feature tables written and read with sqlite3 itself -------------------------------------------
# The workspace store writes its tables inside one SQLite transaction (several layers, the change log
# and the revision commit together or not at all), which GDAL cannot do across layers. These helpers
# write standard GeoPackage feature tables (GDAL, QGIS and pyogrio read them) without a spatial index.

GPKG_APPLICATION_ID = 0x47504B47  # "GPKG"
GPKG_USER_VERSION = 10400
SQL_TYPES = {"str": "TEXT", "int": "INTEGER", "float": "REAL", "bool": "BOOLEAN"}
_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}

_CORE_DDL = """
CREATE TABLE IF NOT EXISTS gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY, organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
CREATE TABLE IF NOT EXISTS gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE, description TEXT DEFAULT '',
  last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE IF NOT EXISTS gpkg_geometry_columns (
  table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL,
  z TINYINT NOT NULL, m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
CREATE TABLE IF NOT EXISTS gpkg_extensions (
  table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL, definition TEXT NOT NULL, scope TEXT NOT NULL,
  CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name));
"""


def _q(name: str) -> str:
    """An SQL identifier, quoted."""
    return '"' + name.replace('"', '""') + '"'


def init_gpkg(con: sqlite3.Connection) -> None:
    """Make an empty (or existing) SQLite database a GeoPackage: application id, version, core tables
    and the three spatial reference systems the standard requires. Idempotent; no commit."""
    con.execute(f"PRAGMA application_id = {GPKG_APPLICATION_ID}")
    con.execute(f"PRAGMA user_version = {GPKG_USER_VERSION}")
    for stmt in _CORE_DDL.split(";"):
        if stmt.strip():
            con.execute(stmt)
    con.executemany(
        "INSERT OR IGNORE INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)",
        [("Undefined cartesian SRS", -1, "NONE", -1, "undefined", "undefined cartesian coordinate reference system"),
         ("Undefined geographic SRS", 0, "NONE", 0, "undefined", "undefined geographic coordinate reference system")],
    )
    ensure_srs(con, 4326)


def ensure_srs(con: sqlite3.Connection, epsg: int) -> int:
    """Register EPSG:``epsg`` in ``gpkg_spatial_ref_sys`` (WKT from PROJ) and return its srs_id."""
    from pyproj import CRS

    if con.execute("SELECT 1 FROM gpkg_spatial_ref_sys WHERE srs_id = ?", (epsg,)).fetchone() is None:
        crs = CRS.from_epsg(epsg)
        con.execute("INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, 'EPSG', ?, ?, ?)",
                    (crs.name, epsg, epsg, crs.to_wkt("WKT1_GDAL"), crs.name))
    return epsg


def register_gpkg_functions(con: sqlite3.Connection) -> None:
    """The SQL functions GDAL's spatial-index triggers call, so a table indexed by another tool
    (QGIS adds ``rtree_*`` triggers) can still be written through plain sqlite3."""

    def geom(blob: bytes | None) -> BaseGeometry | None:
        return None if blob is None else shapely.from_wkb(bytes(blob[_header_len(blob):]))

    def bound(i: int):  # noqa: ANN202
        def f(blob: bytes | None) -> float | None:
            g = geom(blob)
            return None if g is None or g.is_empty else float(g.bounds[i])
        return f

    def is_empty(blob: bytes | None) -> int | None:
        g = geom(blob)
        return None if g is None else int(g.is_empty)

    con.create_function("ST_IsEmpty", 1, is_empty, deterministic=True)
    for name, i in (("ST_MinX", 0), ("ST_MinY", 1), ("ST_MaxX", 2), ("ST_MaxY", 3)):
        con.create_function(name, 1, bound(i), deterministic=True)
    con.create_function("GPKG_IsAssignable", 2, lambda a, b: 1, deterministic=True)


def _header_len(blob: bytes) -> int:
    return 8 + _ENVELOPE_BYTES.get((blob[3] >> 1) & 0b111, 0)


def to_gpkg_blobs(geoms: Sequence[BaseGeometry | None], srs_id: int) -> list[bytes | None]:
    """GeoPackage geometry blobs (little-endian header with an xy envelope, then WKB); None stays None."""
    arr = np.asarray(geoms, dtype=object)
    present = np.array([g is not None for g in arr], dtype=bool)
    out: list[bytes | None] = [None] * len(arr)
    if not present.any():
        return out
    wkb = shapely.to_wkb(arr[present], byte_order=1)
    bounds = shapely.bounds(arr[present])
    empty = shapely.is_empty(arr[present])
    srs = struct.pack("<i", srs_id)
    for k, i in enumerate(np.flatnonzero(present)):
        if empty[k]:
            out[i] = b"GP\x00" + bytes([0b00010001]) + srs + wkb[k]
        else:
            minx, miny, maxx, maxy = bounds[k]
            out[i] = b"GP\x00\x03" + srs + struct.pack("<4d", minx, maxx, miny, maxy) + wkb[k]
    return out


def from_gpkg_blobs(blobs: Sequence[bytes | None]) -> np.ndarray:
    """Shapely geometries from GeoPackage blobs (None for NULL)."""
    wkb = [None if b is None else bytes(b[_header_len(b):]) for b in blobs]
    return shapely.from_wkb(np.asarray(wkb, dtype=object)) if wkb else np.empty(0, dtype=object)


def geometry_type_name(geom_types: Sequence[str]) -> str:
    """The GeoPackage geometry type of a column holding ``geom_types`` (GEOMETRY when mixed)."""
    names = {g.upper() for g in geom_types}
    if len(names) == 1:
        return names.pop()
    multi = {n.removeprefix("MULTI") for n in names}
    return f"MULTI{multi.pop()}" if len(multi) == 1 else "GEOMETRY"


def create_feature_table(con: sqlite3.Connection, table: str, columns: Sequence[tuple[str, str]], *,
                         geometry_type: str, srs_id: int, identifier: str | None = None) -> None:
    """A GeoPackage feature table ``table`` with row id ``gpkg_fid``, geometry ``geom`` and ``columns``
    (name, SQL type), registered in the GeoPackage catalogue. No commit."""
    cols = ", ".join(f"{_q(n)} {t}" for n, t in columns)
    con.execute(f"CREATE TABLE {_q(table)} (gpkg_fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, geom {geometry_type}, {cols})")
    con.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) VALUES (?, 'features', ?, ?)",
                (table, identifier or table, srs_id))
    con.execute("INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', ?, ?, 0, 0)", (table, geometry_type, srs_id))


def drop_feature_table(con: sqlite3.Connection, table: str) -> None:
    """Drop ``table`` with its catalogue rows and any spatial index another tool added. No commit."""
    for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", (table,)).fetchall():
        con.execute(f"DROP TRIGGER IF EXISTS {_q(name)}")
    for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE ?", (f"rtree_{table}_%",)).fetchall():
        if name.count("_") >= 2 and not name.endswith(("_node", "_parent", "_rowid")):
            con.execute(f"DROP TABLE IF EXISTS {_q(name)}")
    con.execute(f"DROP TABLE IF EXISTS {_q(table)}")
    for meta in ("gpkg_geometry_columns", "gpkg_extensions", "gpkg_contents"):
        con.execute(f"DELETE FROM {meta} WHERE table_name = ?", (table,))


def table_columns(con: sqlite3.Connection, table: str) -> list[tuple[str, str]]:
    """(name, declared type) of the columns of ``table`` (empty if it does not exist)."""
    return [(str(r[1]), str(r[2]).upper()) for r in con.execute(f"PRAGMA table_info({_q(table)})").fetchall()]


def insert_features(con: sqlite3.Connection, table: str, frame: pd.DataFrame, columns: Sequence[str],
                    geoms: Sequence[BaseGeometry | None], srs_id: int) -> int:
    """Append rows (``columns`` of ``frame`` and one geometry each) to ``table``; returns the count. No commit."""
    blobs = to_gpkg_blobs(geoms, srs_id)
    values = frame[list(columns)].astype(object).where(frame[list(columns)].notna(), None).to_numpy().tolist()
    rows = [(b, *(_plain(v) for v in vals)) for b, vals in zip(blobs, values, strict=True)]
    names = ", ".join(["geom", *map(_q, columns)])
    con.executemany(f"INSERT INTO {_q(table)} ({names}) VALUES ({', '.join('?' * (len(columns) + 1))})", rows)
    _update_extent(con, table, geoms)
    return len(rows)


def _plain(v: object) -> object:
    """numpy scalars to Python values sqlite3 accepts."""
    return v.item() if isinstance(v, np.generic) else v


def _update_extent(con: sqlite3.Connection, table: str, geoms: Sequence[BaseGeometry | None]) -> None:
    """Grow the table's extent in ``gpkg_contents`` by ``geoms`` (a table emptied first starts afresh)."""
    arr = np.asarray([g for g in geoms if g is not None], dtype=object)
    old = con.execute("SELECT min_x, min_y, max_x, max_y FROM gpkg_contents WHERE table_name = ?", (table,)).fetchone()
    new = [float(x) for x in shapely.total_bounds(arr)] if len(arr) else [math.nan] * 4
    if old is not None and old[0] is not None and con.execute(f"SELECT 1 FROM {_q(table)} LIMIT 1").fetchone() is not None:
        new = [float(np.nanmin([old[0], new[0]])), float(np.nanmin([old[1], new[1]])),
               float(np.nanmax([old[2], new[2]])), float(np.nanmax([old[3], new[3]]))]
    ext = [None if math.isnan(x) else x for x in new]
    con.execute("UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ?, "
                "last_change = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE table_name = ?", (*ext, table))


def read_features(con: sqlite3.Connection, table: str, columns: Sequence[str], *, where: str = "",
                  params: Sequence[object] = ()) -> tuple[pd.DataFrame, np.ndarray]:
    """``columns`` and the geometries of the rows of ``table`` matching ``where`` (in row-id order)."""
    names = ", ".join(["geom", *map(_q, columns)])
    rows = con.execute(f"SELECT {names} FROM {_q(table)} {('WHERE ' + where) if where else ''} ORDER BY gpkg_fid", tuple(params)).fetchall()
    df = pd.DataFrame([r[1:] for r in rows], columns=list(columns))
    return df, from_gpkg_blobs([r[0] for r in rows])


def clear_features(con: sqlite3.Connection, table: str) -> None:
    """Delete every row of ``table`` and forget its extent. No commit."""
    con.execute(f"DELETE FROM {_q(table)}")
    con.execute("UPDATE gpkg_contents SET min_x = NULL, min_y = NULL, max_x = NULL, max_y = NULL WHERE table_name = ?", (table,))
