"""Helpers of the store tests: read a workspace file with sqlite3 and GDAL, independently of the
store's own reader, and run ``python -m layers`` in a subprocess."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import shapely

ADCODE = "500231"
REPO = Path(__file__).resolve().parents[3]
FOREIGN = "survey_points"


def gpkg_path(folder: Path) -> Path:
    return folder / f"{ADCODE}.gpkg"


def add_foreign_layer(path: Path) -> gpd.GeoDataFrame:
    """Add ``survey_points`` (two points) with GDAL, as QGIS would; returns what was written."""
    pts = gpd.GeoDataFrame({"name": ["井口 A", "滑坡桩 B"], "depth_m": [1.5, 12.25], "note": [None, "引号 'q' \"dq\""]},
                           geometry=[shapely.Point(107.35, 30.33), shapely.Point(107.41, 30.27)], crs=4490)
    pts.to_file(path, layer=FOREIGN, driver="GPKG", engine="pyogrio")
    return pts


def read_foreign(path: Path) -> gpd.GeoDataFrame:
    return gpd.read_file(path, layer=FOREIGN, engine="pyogrio")


def assert_same_features(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> None:
    """Same attribute values, row by row, and byte-equal WKB."""
    cols = [c for c in a.columns if c != a.geometry.name]
    assert list(b.columns) == list(a.columns)
    assert a[cols].astype(object).where(a[cols].notna(), None).values.tolist() == \
        b[cols].astype(object).where(b[cols].notna(), None).values.tolist()
    assert list(a.geometry.to_wkb()) == list(b.geometry.to_wkb())


def connect(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(path)
    from geo.gpkg import register_gpkg_functions

    register_gpkg_functions(con)
    return con


def raw_rows(path: Path, table: str) -> list[tuple]:
    """Every row of ``table`` as stored (geometry blobs included), in row-id order."""
    con = connect(path)
    try:
        return con.execute(f'SELECT * FROM "{table}" ORDER BY rowid').fetchall()
    finally:
        con.close()


def table_hashes(path: Path) -> dict[str, str]:
    """sha256 of the rows of every ordinary table of the file (row-id order)."""
    con = connect(path)
    try:
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'")]
        out = {}
        for name in names:
            h = hashlib.sha256()
            for row in con.execute(f'SELECT * FROM "{name}" ORDER BY rowid'):
                h.update(repr(row).encode())
            out[name] = h.hexdigest()
        return out
    finally:
        con.close()


def table_counts(path: Path) -> dict[str, int]:
    """Row count of every feature or attribute table listed in ``gpkg_contents``."""
    con = connect(path)
    try:
        names = [r[0] for r in con.execute("SELECT table_name FROM gpkg_contents")]
        return {n: con.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in names}
    finally:
        con.close()


def integrity(path: Path) -> str:
    con = sqlite3.connect(path)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


def layers_env(folder: Path) -> dict[str, str]:
    return {**os.environ, "ONEMAP_WORKSPACES": str(folder), "PYTHONPATH": str(REPO)}


def run_layers(folder: Path, *args: str, cwd: Path = REPO, timeout: float = 120) -> subprocess.CompletedProcess:
    """``python -m layers ARGS`` in a subprocess with the store at ``folder``."""
    return subprocess.run([sys.executable, "-m", "layers", *args], cwd=cwd, env=layers_env(folder), capture_output=True,
                          text=True, timeout=timeout, check=False)


def add_spatial_index(path: Path, table: str, scratch: Path) -> None:
    """Give the store's ``table`` the R-tree index and triggers GDAL would add (as QGIS does on "create
    spatial index"): GDAL's own DDL, taken from a layer it writes to ``scratch``, retargeted at ``table``."""
    probe = gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(0, 0)], crs=4490)
    probe.to_file(scratch, layer="zzprobe", driver="GPKG", engine="pyogrio")
    con = sqlite3.connect(scratch)
    try:
        ddl = [s for n, s in con.execute("SELECT name, sql FROM sqlite_master WHERE name LIKE 'rtree_zzprobe_geom%' ORDER BY type DESC")
               if not n.endswith(("_rowid", "_node", "_parent"))]
    finally:
        con.close()
    assert any("VIRTUAL" in s for s in ddl) and any("TRIGGER" in s for s in ddl), ddl
    con = connect(path)
    try:
        for stmt in ddl:
            con.execute(stmt.replace("rtree_zzprobe_geom", f"rtree_{table}_geom").replace('"zzprobe"', f'"{table}"')
                        .replace('."fid"', '."gpkg_fid"'))
        con.execute(f'INSERT INTO "rtree_{table}_geom" SELECT gpkg_fid, ST_MinX(geom), ST_MaxX(geom), ST_MinY(geom), ST_MaxY(geom) '
                    f'FROM "{table}" WHERE geom IS NOT NULL')
        con.execute("INSERT INTO gpkg_extensions VALUES (?, 'geom', 'gpkg_rtree_index', "
                    "'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')", (table,))
        con.commit()
    finally:
        con.close()


def index_matches(path: Path, table: str) -> bool:
    """Whether the R-tree of ``table`` holds exactly its rows, with their extents."""
    con = connect(path)
    try:
        rows = con.execute(f'SELECT gpkg_fid, ST_MinX(geom), ST_MaxX(geom), ST_MinY(geom), ST_MaxY(geom) FROM "{table}" '
                           "WHERE geom IS NOT NULL ORDER BY gpkg_fid").fetchall()
        index = con.execute(f'SELECT id, minx, maxx, miny, maxy FROM "rtree_{table}_geom" ORDER BY id').fetchall()
    finally:
        con.close()
    # the R-tree stores 32-bit floats rounded outwards
    return [r[0] for r in rows] == [i[0] for i in index] and all(
        i[1] <= r[1] and i[2] >= r[2] and i[3] <= r[3] and i[4] >= r[4] for r, i in zip(rows, index, strict=True))


# --- either backend ---------------------------------------------------------------------------------------
class Backend:
    """The store a test writes to, read independently of the store's own reader: its GeoPackage with
    sqlite3 and GDAL, or its PostgreSQL schema with psycopg. ``folder`` is ``$ONEMAP_WORKSPACES``."""

    def __init__(self, kind: str, folder: Path, url: str | None = None) -> None:
        self.kind, self.folder, self.url = kind, folder, url
        self.schema = f"ws_{ADCODE}"

    @property
    def path(self) -> Path:
        return gpkg_path(self.folder)

    def _sql(self, sql: str, params: tuple = ()) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as con:
            cur = con.execute(sql, params)
            return cur.fetchall() if cur.description else []

    def tables(self) -> list[str]:
        if self.kind == "gpkg":
            return sorted(r[1] for r in raw_rows(self.path, "sqlite_master") if r[0] == "table")
        return [r[0] for r in self._sql("SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY 1", (self.schema,))]

    def raw_rows(self, table: str) -> list[tuple]:
        """Every row of ``table`` as stored (geometry as stored), in the order written."""
        if self.kind == "gpkg":
            return raw_rows(self.path, table)
        order = "gid" if any(c == "gid" for (c,) in self._sql("SELECT column_name FROM information_schema.columns WHERE "
                                                                 "table_schema = %s AND table_name = %s", (self.schema, table))) else "1"
        return self._sql(f'SELECT * FROM "{self.schema}"."{table}" ORDER BY {order}')

    def table_hashes(self) -> dict[str, str]:
        """sha256 of the rows of every table of the workspace."""
        if self.kind == "gpkg":
            return table_hashes(self.path)
        out = {}
        for (name,) in self._sql("SELECT tablename FROM pg_tables WHERE schemaname = %s", (self.schema,)):
            out[name] = hashlib.sha256(repr(self.raw_rows(name)).encode()).hexdigest()
        return out

    def add_foreign_layer(self) -> gpd.GeoDataFrame:
        """Add ``survey_points`` as another tool would (GDAL into the GeoPackage; SQL into the schema)."""
        if self.kind == "gpkg":
            return add_foreign_layer(self.path)
        pts = gpd.GeoDataFrame({"name": ["井口 A", "滑坡桩 B"], "depth_m": [1.5, 12.25], "note": [None, "引号 'q' \"dq\""]},
                               geometry=[shapely.Point(107.35, 30.33), shapely.Point(107.41, 30.27)], crs=4490)
        self._sql(f'CREATE TABLE "{self.schema}".{FOREIGN} (ogc_fid serial PRIMARY KEY, name text, depth_m float8, note text, '
                  "geom geometry(Point, 4490))")
        for r in pts.itertuples():
            self._sql(f'INSERT INTO "{self.schema}".{FOREIGN} (name, depth_m, note, geom) VALUES (%s, %s, %s, ST_GeomFromText(%s, 4490))',
                      (r.name, r.depth_m, r.note, r.geometry.wkt))
        return pts

    def read_foreign(self) -> gpd.GeoDataFrame:
        if self.kind == "gpkg":
            return read_foreign(self.path)
        rows = self._sql(f'SELECT name, depth_m, note, ST_AsBinary(geom) FROM "{self.schema}".{FOREIGN} ORDER BY ogc_fid')
        return gpd.GeoDataFrame({"name": [r[0] for r in rows], "depth_m": [r[1] for r in rows], "note": [r[2] for r in rows]},
                                geometry=[shapely.from_wkb(bytes(r[3])) for r in rows], crs=4490)
