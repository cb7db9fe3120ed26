"""Read vector data from the files users actually have: GeoJSON, GeoPackage, shapefiles (plain,
zipped, GBK without ``.cpg``), and CSV/XLSX tables with lon/lat columns (decimal or 度分秒)."""

from __future__ import annotations

import codecs
import logging
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pyproj
from pyproj import CRS

from geo.archive import check_members, extract
from geo.crs import Datum, to_wgs84
from geo.dms import parse_angle
from geo.errors import CoordinateError, CRSError, Problem, SourceReadError, ValidationError

log = logging.getLogger(__name__)

LON_NAMES = ("lon", "lng", "long", "longitude", "x", "经度", "东经")
LAT_NAMES = ("lat", "latitude", "y", "纬度", "北纬")
_TABLE_SUFFIXES = {".csv", ".txt", ".xlsx", ".xls"}


def read_vector(
    path: str | Path,
    *,
    layer: str | None = None,
    crs: str | int | CRS | None = None,
    datum: Datum = "wgs84",
    lon_col: str | None = None,
    lat_col: str | None = None,
) -> gpd.GeoDataFrame:
    """Read ``path`` into a GeoDataFrame with a declared CRS.

    Parameters
    ----------
    path : vector file (``.geojson``, ``.json``, ``.gpkg``, ``.shp``, ``.zip``) or table
        (``.csv``, ``.xlsx``) with lon/lat columns.
    layer : layer name inside a GeoPackage.
    crs : CRS to assume when the file declares none (never guessed silently).
    datum : for tables only: the datum of the lon/lat values; ``gcj02`` is converted to WGS84.
    lon_col, lat_col : column names of a table; found by common names (lon, 经度, ...) if omitted.
    """
    p = Path(path)
    if not p.exists():
        raise SourceReadError(f"{p}: file not found; check the path.")
    suffix = p.suffix.lower()
    if suffix in _TABLE_SUFFIXES:
        return read_table_points(p, datum=datum, lon_col=lon_col, lat_col=lat_col)
    if suffix == ".zip":
        return _read_zipped_shapefile(p, crs=crs)
    if suffix == ".shp":
        return _read_shapefile(p, crs=crs)
    return _read_ogr(p, layer=layer, crs=crs)


def _read_ogr(
    path: Path, *, layer: str | None, crs: str | int | CRS | None, encoding: str | None = None, label: Path | None = None
) -> gpd.GeoDataFrame:
    try:
        gdf = gpd.read_file(path, layer=layer, encoding=encoding, engine="pyogrio")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as err:
        raise SourceReadError(f"{label or path}: cannot read as a vector file ({err}).") from err
    if gdf.crs is None:
        if crs is None:
            raise CRSError(
                f"{label or path}: the file declares no CRS and none was given; pass crs= (for example "
                "EPSG:4490 for CGCS2000 lon/lat, or EPSG:4545 for Gauss-Krüger 108E)."
            )
        try:
            gdf = gdf.set_crs(crs)
        except pyproj.exceptions.CRSError as err:
            raise CRSError(f"{label or path}: crs={crs!r} is not a CRS that can be used ({err}); pass an EPSG code "
                           "such as EPSG:4490 (CGCS2000 lon/lat) or EPSG:4545 (Gauss-Krüger 108E).") from err
    return gdf


def _read_shapefile(path: Path, *, crs: str | int | CRS | None, label: Path | None = None) -> gpd.GeoDataFrame:
    encoding = shapefile_encoding(path)
    return _read_ogr(path, layer=None, crs=crs, encoding=encoding, label=label)


def _read_zipped_shapefile(path: Path, *, crs: str | int | CRS | None) -> gpd.GeoDataFrame:
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as err:
        raise SourceReadError(f"{path}: not a zip archive that can be read ({err}); zip the shapefile again.") from err
    with archive as zf, tempfile.TemporaryDirectory() as tmp:
        members = check_members(zf, name=path.name)  # traversal, symlinks and zip bombs refused before extracting
        shps = [i.filename for i in members if i.filename.lower().endswith(".shp")]
        if len(shps) != 1:
            raise SourceReadError(
                f"{path}: expected exactly one .shp inside the zip, found {len(shps)} ({shps}); "
                "zip one shapefile (.shp, .shx, .dbf, .prj, .cpg) per file."
            )
        stem = shps[0][: -len(".shp")]
        parts = [i for i in members if i.filename.rsplit(".", 1)[0] == stem]
        extracted = extract(zf, parts, Path(tmp), name=path.name)
        return _read_shapefile(extracted[shps[0]], crs=crs, label=path)


def shapefile_encoding(shp: Path) -> str:
    """Encoding of a shapefile's attributes: from ``.cpg``; else UTF-8 if the DBF decodes, else GBK."""
    for cpg in (shp.with_suffix(".cpg"), shp.with_suffix(".CPG")):
        if cpg.exists():
            name = cpg.read_text(errors="replace").strip() or "UTF-8"
            return "GBK" if name.upper() in {"936", "GB2312", "CP936"} else name
    dbf = next((p for p in (shp.with_suffix(".dbf"), shp.with_suffix(".DBF")) if p.exists()), None)
    if dbf is None:
        raise SourceReadError(f"{shp}: the .dbf file is missing; a shapefile needs .shp, .shx and .dbf.")
    return dbf_encoding(dbf.read_bytes(), label=shp.name)


def dbf_encoding(raw: bytes, *, label: str = "dbf") -> str:
    """UTF-8, GBK or GB18030, decided from a DBF's field names and records (its binary header skipped):
    UTF-8 when they decode as UTF-8 (pure ASCII included), else GBK, else GB18030; bytes that are none
    of these are read as GB18030 with a warning (the page shows samples decoded each way). A field name
    cut inside a character at its 10th byte (as writers do) still counts as that encoding."""
    header_len = int.from_bytes(raw[8:10], "little") if len(raw) >= 10 else 0
    names = [raw[i : i + 11].split(b"\0", 1)[0] for i in range(32, max(header_len - 1, 32), 32)]
    for enc in ("utf-8", "gbk", "gb18030"):
        if _decodes(names, raw[header_len:], enc):
            if enc != "utf-8":
                log.warning("%s: no .cpg and attributes are not UTF-8; reading them as %s.", label, enc.upper())
            return "UTF-8" if enc == "utf-8" else enc.upper()
    log.warning("%s: no .cpg and attributes are neither UTF-8 nor GBK; reading them as GB18030.", label)
    return "GB18030"


def _decodes(names: list[bytes], records: bytes, encoding: str) -> bool:
    try:
        for name in names:
            codecs.getincrementaldecoder(encoding)().decode(name, final=False)  # a cut last character is fine
        records.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _read_table(path: Path) -> pd.DataFrame:
    """The table with its index = line number in the file (line 1 is the header); reader errors become
    a ``SourceReadError`` naming the file and the fix."""
    try:
        df = pd.read_excel(path, dtype=str) if path.suffix.lower() in {".xlsx", ".xls"} else _read_csv(path)
    except ImportError as err:  # .xls needs xlrd
        raise SourceReadError(f"{path}: reading {path.suffix} files needs {err.name or 'a reader'}, which is not installed; "
                              "save the sheet as .xlsx or CSV.") from err
    except (ValueError, KeyError, zipfile.BadZipFile) as err:  # pandas' ParserError and EmptyDataError are ValueErrors
        raise SourceReadError(f"{path}: cannot read as a table ({err}); save it again as CSV (UTF-8) or .xlsx "
                              "with one header row.") from err
    df.index = df.index + 2
    return df


def _read_csv(path: Path) -> pd.DataFrame:
    for enc in ("utf-8-sig", "gbk"):
        try:
            return pd.read_csv(path, dtype=str, encoding=enc, skip_blank_lines=False).dropna(how="all")
        except UnicodeDecodeError:
            continue
    raise SourceReadError(f"{path}: text is neither UTF-8 nor GBK; save the CSV as UTF-8.")


def _find_column(df: pd.DataFrame, wanted: str | None, names: tuple[str, ...], path: Path) -> str:
    if wanted is not None:
        if wanted not in df.columns:
            raise SourceReadError(f"{path}: column {wanted!r} not found; columns are {list(df.columns)}.")
        return wanted
    lower = {str(c).strip().lower(): c for c in df.columns}
    for n in names:
        if n in lower:
            return str(lower[n])
    raise SourceReadError(
        f"{path}: no column named like {names}; columns are {list(df.columns)}. "
        "Rename the coordinate columns or pass lon_col=/lat_col=."
    )


def _cell_angle(raw: object, axis: str) -> float:
    if raw is None or (isinstance(raw, float) and raw != raw) or not str(raw).strip():
        raise CoordinateError(f"{axis} is empty; fill in the coordinate or delete the row.")
    return parse_angle(str(raw), axis=axis)


def read_table_points(
    path: Path, *, datum: Datum = "wgs84", lon_col: str | None = None, lat_col: str | None = None
) -> gpd.GeoDataFrame:
    """Points from a CSV/XLSX table; every unreadable coordinate is reported with its row."""
    df = _read_table(path)
    lon_c = _find_column(df, lon_col, LON_NAMES, path)
    lat_c = _find_column(df, lat_col, LAT_NAMES, path)
    problems: list[Problem] = []
    lons: list[float] = []
    lats: list[float] = []
    for line, lo, la in zip(df.index, df[lon_c], df[lat_c], strict=True):
        values = []
        for col, raw, axis in ((lon_c, lo, "lon"), (lat_c, la, "lat")):
            try:
                values.append(_cell_angle(raw, axis))
            except CoordinateError as err:
                problems.append(Problem(int(line), col, str(err)))
                values.append(float("nan"))
        lons.append(values[0])
        lats.append(values[1])
    if problems:
        raise ValidationError(str(path), problems)
    wlon, wlat = to_wgs84(lons, lats, datum=datum)
    out = df.drop(columns=[lon_c, lat_c]).reset_index(drop=True)
    return gpd.GeoDataFrame(out, geometry=gpd.points_from_xy(wlon, wlat), crs="EPSG:4326")
