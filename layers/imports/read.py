"""Read the bureaus' own files into :class:`RawTable` s: XLSX/XLS, CSV/TXT, shapefiles (loose or
zipped), GeoPackage, GeoJSON, KML/KMZ. One funnel, :func:`read_source`; nothing is interpreted here
(no column roles, no CRS guess, no number parsing): cells stay the text the user sees.

Limits, checked before anything is read or extracted: a file (or a loose shapefile's parts together)
of at most ``MAX_FILE_BYTES``; an archive (zip, KMZ, XLSX) whose members declare at most
``MAX_UNPACKED_BYTES`` together and no member more than ``geo.archive.MAX_MEMBER_RATIO`` times its
compressed size. Archives are extracted only into a private temporary folder that is removed after
reading. Every error is a :class:`geo.errors.GeoError` in Chinese, then English, naming the file by the
name the user gave it (never a server path), and the sheet, row or member when there is one.

Sheets: ``sheet=None`` reads the first sheet that has data, or every sheet with data when they all
have the same header (one sheet per township); ``sheet="all"`` reads every sheet with data; a name
reads that sheet. GeoPackage: ``layer=None`` reads every layer; a name reads that layer (``sheet``
names a layer as well, so the import's ``--sheet`` chooses one). Row numbers:
Excel rows, text lines (the header on line 1 puts the first data row on line 2), or the 1-based
feature / placemark number. ``sha256`` is that of the uploaded file (a zip's own bytes; for a loose
shapefile, of its .shp, .shx, .dbf, .prj and .cpg in that order).
"""

from __future__ import annotations

import codecs
import hashlib
import logging
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

import geopandas as gpd
import pandas as pd
import pyogrio

from geo.archive import MAX_UNPACKED_BYTES, check_members, extract, open_zip, read_member
from geo.errors import OptionError, SourceReadError, UnknownNameError
from geo.io import dbf_encoding, shapefile_encoding
from geo.tables import FORMULA_START
from layers.imports._kml import kml_tables
from layers.imports._sheets import Grid, cell_text, csv_grid, decode, grid_table, unique_names, wkt_geometry, xls_grids, xlsx_grids
from layers.imports.table import RawTable

__all__ = ["MAX_FILE_BYTES", "MAX_UNPACKED_BYTES", "SUFFIXES", "EncodingSamples", "encoding_samples", "read_source"]

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 200 * 1024 * 1024  # 200 MiB per uploaded file
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
FIELD_MAP_SUFFIX = "_fields.csv"  # written next to a shapefile by the project's download (layers.exports.data)
_OGR_ERRORS = (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, pyogrio.errors.FieldError,
               pyogrio.errors.FeatureError, pyogrio.errors.GeometryError, pyogrio.errors.CRSError)


@dataclass(frozen=True)
class _Source:
    path: Path
    name: str
    sha256: str
    sheet: str | None
    layer: str | None
    encoding: str


def read_source(path: Path, *, name: str | None = None, sheet: str | None = None, layer: str | None = None,
                encoding: str = "auto") -> list[RawTable]:
    """Every table of the file at ``path`` (see the module docstring for sheets, layers and limits).

    Parameters
    ----------
    path : the uploaded file on this machine.
    name : the file name to show in messages and provenance (default ``path.name``).
    sheet : a sheet name, ``"all"``, or None for the first sheet with data (all when they share a header).
    layer : a GeoPackage layer name; None reads every layer.
    encoding : ``"auto"`` (sniffed) or a codec name such as ``"gbk"`` for CSV and shapefile attributes.
    """
    path = Path(path)
    name = name or path.name
    _check_encoding(encoding)
    suffix = PurePosixPath(name).suffix.lower() or path.suffix.lower()
    reader = _READERS.get(suffix)
    if reader is None:
        raise SourceReadError(f"文件 {name} 的类型（{suffix or '无扩展名'}）无法导入；可导入：{' '.join(SUFFIXES)}，shapefile 可打包为 .zip / "
                              f"file {name}: files of type {suffix or '(none)'} cannot be imported; use one of {' '.join(SUFFIXES)} "
                              "(a shapefile loose or as one .zip).")
    parts = _shapefile_files(path, name) if suffix == ".shp" else [path]
    _check_size(parts, name)
    tables = reader(_Source(path, name, _sha256(parts), sheet, layer, encoding))
    if not tables:
        raise SourceReadError(f"文件 {name} 中没有数据 / file {name} holds no data; check that it is the right file.")
    return tables


def _check_encoding(encoding: str) -> None:
    if encoding == "auto":
        return
    try:
        codecs.lookup(encoding)
    except LookupError as err:
        raise OptionError(f"编码 {encoding!r} 未知，请用 auto、utf-8、gbk 或 gb18030 / unknown encoding {encoding!r}; "
                          "use auto, utf-8, gbk or gb18030.") from err


def _check_size(parts: list[Path], name: str) -> None:
    if not parts[0].is_file():
        raise SourceReadError(f"文件 {name} 不存在 / file {name} not found; upload it again.")
    size = sum(p.stat().st_size for p in parts)
    if size == 0:
        raise SourceReadError(f"文件 {name} 是空的（0 字节）；请检查是否上传了正确的文件 / file {name} is empty (0 bytes); "
                              "check that you uploaded the right file.")
    if size > MAX_FILE_BYTES:
        raise SourceReadError(f"文件 {name} 有 {size:,} 字节，超过 {MAX_FILE_BYTES:,} 字节的上限；请按乡镇或图层拆分后分别导入 / "
                              f"file {name} is {size:,} bytes, over the limit of {MAX_FILE_BYTES:,}; split it (by township "
                              "or layer) and import the parts one by one.")


def _sha256(parts: list[Path]) -> str:
    digest = hashlib.sha256()
    for p in parts:
        with open(p, "rb") as f:
            while block := f.read(1 << 20):
                digest.update(block)
    return digest.hexdigest()


# --- spreadsheets and text -----------------------------------------------------------------------
def _pick_sheets(grids: list[tuple[str, Grid]], src: _Source, encoding: str | None = None) -> list[RawTable]:
    names = [n for n, _ in grids]
    if src.sheet not in (None, "all"):
        if src.sheet not in names:
            raise UnknownNameError(f"文件 {src.name} 中没有工作表 {src.sheet!r}；现有工作表：{'、'.join(names)} / file {src.name} has no "
                                   f"sheet {src.sheet!r}; its sheets are {', '.join(names)}.")
        grids = [g for g in grids if g[0] == src.sheet]
    tables = [t for n, g in grids if (t := grid_table(g, file=src.name, sheet=n, sha256=src.sha256, encoding=encoding))]
    if src.sheet not in (None, "all"):
        return tables
    with_rows = [t for t in tables if t.rows]
    if src.sheet == "all" or len({tuple(t.frame.columns) for t in with_rows}) == 1:
        return with_rows
    if with_rows:
        log.info("%s: reading sheet %s only; the sheets %s have other headers (choose one, or 'all').",
                 src.name, with_rows[0].sheet, [t.sheet for t in with_rows[1:]])
    return with_rows[:1]


def _read_xlsx(src: _Source) -> list[RawTable]:
    return [wkt_geometry(t) for t in _pick_sheets(xlsx_grids(src.path, name=src.name), src)]


def _read_xls(src: _Source) -> list[RawTable]:
    return [wkt_geometry(t) for t in _pick_sheets(xls_grids(src.path, name=src.name), src)]


def _read_csv(src: _Source) -> list[RawTable]:
    grid, used = csv_grid(src.path.read_bytes(), name=src.name, encoding=src.encoding)
    table = grid_table(grid, file=src.name, sheet=None, sha256=src.sha256, encoding=used)
    return [wkt_geometry(table)] if table is not None and table.rows else []


# --- vector files --------------------------------------------------------------------------------
def _vector_table(data: pd.DataFrame, src: _Source, *, sheet: str | None, encoding: str | None) -> RawTable:
    geometry = data.geometry.reset_index(drop=True) if isinstance(data, gpd.GeoDataFrame) else None
    columns = [c for c in data.columns if geometry is None or c != data.geometry.name]
    frame = pd.DataFrame({c: [cell_text(v) for v in data[c]] for c in columns}, index=range(len(data)), dtype=object)
    return RawTable(file=src.name, sheet=sheet, frame=frame, rows=list(range(1, len(data) + 1)), geometry=geometry,
                    crs=None if geometry is None else geometry.crs, encoding=encoding, sha256=src.sha256)


def _ogr(src: _Source, *, layer: str | None = None, encoding: str | None = None) -> pd.DataFrame:
    try:
        return pyogrio.read_dataframe(src.path, layer=layer, encoding=encoding)
    except _OGR_ERRORS as err:
        why = _without_path(err, src)
        raise SourceReadError(f"文件 {src.name} 无法作为地理数据读取（{why}）；文件可能已损坏或扩展名不对，请从原软件重新导出 / file {src.name} "
                              f"cannot be read as geographic data ({why}); it may be damaged or misnamed, export it again.") from err


def _without_path(err: Exception, src: _Source) -> str:
    """The reader's message with the server's path replaced by the user's file name."""
    return str(err).replace(str(src.path), src.name).split("; It might help")[0]


def _read_ogr(src: _Source) -> list[RawTable]:
    return [_vector_table(_ogr(src), src, sheet=None, encoding=None)]


def _read_gpkg(src: _Source) -> list[RawTable]:
    try:
        layers = [str(n) for n, _ in pyogrio.list_layers(src.path)]
    except _OGR_ERRORS as err:
        why = _without_path(err, src)
        raise SourceReadError(f"文件 {src.name} 不是可读取的 GeoPackage（{why}）；请重新导出 / file {src.name} is not a GeoPackage that "
                              f"can be read ({why}); export it again.") from err
    wanted = src.layer if src.layer is not None else src.sheet if src.sheet != "all" else None  # --sheet names a layer too
    if wanted is not None and wanted not in layers:
        raise UnknownNameError(f"文件 {src.name} 中没有图层 {wanted!r}；现有图层：{'、'.join(layers)} / file {src.name} has no layer "
                               f"{wanted!r}; its layers are {', '.join(layers)}.")
    chosen = layers if wanted is None else [wanted]
    return [_vector_table(_ogr(src, layer=n), src, sheet=n, encoding=None) for n in chosen]


def _sibling(shp: Path, ext: str) -> Path | None:
    return next((p for p in (shp.with_suffix(ext), shp.with_suffix(ext.upper())) if p.is_file()), None)


def _shapefile_files(shp: Path, name: str) -> list[Path]:
    """The parts of a loose shapefile in hashing order; a missing .shx or .dbf is named."""
    stem = PurePosixPath(name).stem
    for ext in (".shx", ".dbf"):
        if shp.is_file() and _sibling(shp, ext) is None:
            raise SourceReadError(f"shapefile {name} 缺少 {stem}{ext}；请把同名的 .shp、.shx、.dbf、.prj（和 .cpg）一起上传，或压缩成一个 .zip / "
                                  f"shapefile {name}: {stem}{ext} is missing; upload the .shp, .shx, .dbf, .prj (and .cpg) of the "
                                  "same name together, or as one .zip.")
    return [shp, *(p for ext in SHAPEFILE_PARTS[1:] if (p := _sibling(shp, ext)) is not None)]


def _read_shp(src: _Source) -> list[RawTable]:
    _shapefile_files(src.path, src.name)
    encoding = src.encoding if src.encoding != "auto" else shapefile_encoding(src.path)
    if _sibling(src.path, ".prj") is None:
        log.warning("%s: no .prj; the coordinate system must be chosen.", src.name)
    try:
        data = _ogr(src, encoding=encoding)
    except UnicodeDecodeError:  # a field name cut inside a character at its 10th byte, as writers do
        data = _read_with_whole_names(src, encoding)
    return [_vector_table(data, src, sheet=None, encoding=encoding)]


def _read_with_whole_names(src: _Source, encoding: str) -> pd.DataFrame:
    """Read a copy whose DBF field names lose the cut last character (乡镇名 + half of 称 -> 乡镇名)."""
    with tempfile.TemporaryDirectory(prefix="import-") as tmp:
        for part in _shapefile_files(src.path, src.name):
            shutil.copyfile(part, Path(tmp) / f"data{part.suffix.lower()}")
        dbf = Path(tmp) / "data.dbf"
        dbf.write_bytes(_whole_field_names(dbf.read_bytes(), encoding))
        try:
            return _ogr(replace(src, path=Path(tmp) / "data.shp"), encoding=encoding)
        except UnicodeDecodeError as err:
            raise SourceReadError(f"文件 {src.name} 的属性不是 {encoding} 编码的文字；请选择其他编码（如 gbk 或 utf-8） / file {src.name}: "
                                  f"the attributes are not {encoding} text; choose another encoding (gbk or utf-8).") from err


def _whole_field_names(raw: bytes, encoding: str) -> bytes:
    out = bytearray(raw)
    header_len = int.from_bytes(raw[8:10], "little")
    for i in range(32, header_len - 1, 32):
        name = raw[i : i + 11].split(b"\0", 1)[0]
        try:
            whole = codecs.getincrementaldecoder(encoding)().decode(name, final=False).encode(encoding)
        except UnicodeDecodeError:
            continue  # not a cut character: the read reports the encoding
        out[i : i + 11] = whole.ljust(11, b"\0")
    return bytes(out)


def _read_kml(src: _Source) -> list[RawTable]:
    return kml_tables(src.path.read_bytes(), file=src.name, sha256=src.sha256)


def _read_kmz(src: _Source) -> list[RawTable]:
    with open_zip(src.path, name=src.name) as zf:
        kmls = sorted((i for i in check_members(zf, name=src.name) if i.filename.lower().endswith(".kml")),
                      key=lambda i: (i.filename.lower() != "doc.kml", i.filename))
        if not kmls:
            raise SourceReadError(f"文件 {src.name} 中没有 .kml；请从地图软件重新导出 KMZ / file {src.name} holds no .kml; export the KMZ again.")
        return kml_tables(read_member(zf, kmls[0], name=src.name), file=src.name, sha256=src.sha256)


# --- zip archives --------------------------------------------------------------------------------
def _member_suffix(member: str) -> str:
    return PurePosixPath(member.replace("\\", "/")).suffix.lower()


def _read_zip(src: _Source) -> list[RawTable]:
    """Every shapefile (in any sub-folder) and every other readable file in the zip."""
    with open_zip(src.path, name=src.name) as zf, tempfile.TemporaryDirectory(prefix="import-") as tmp:
        members = check_members(zf, name=src.name)
        wanted = [m for m in members if _member_suffix(m.filename) in _READERS and _member_suffix(m.filename) not in (".zip", ".shp")]
        shps = [m for m in members if _member_suffix(m.filename) == ".shp"]
        stems = {m.filename[:-4].lower() for m in shps}
        parts = [m for m in members if m.filename.rsplit(".", 1)[0].lower() in stems]
        if not shps and not wanted:
            raise SourceReadError(f"压缩包 {src.name} 里没有可导入的文件（{' '.join(SUFFIXES)}） / archive {src.name} holds no file that can "
                                  f"be imported ({' '.join(SUFFIXES)}); zip the data files themselves.")
        _check_zipped_parts(src.name, shps, {m.filename.lower() for m in members})
        files = extract(zf, parts + wanted, Path(tmp), name=src.name)
        maps = _field_maps([m for m in wanted if shps], files, src.name)
        tables: list[RawTable] = []
        for m in shps + [m for m in wanted if m.filename not in maps]:
            member = replace(src, path=files[m.filename], name=f"{src.name}/{m.filename}")
            mapping = _field_map_of(m.filename, maps) if m in shps else {}
            tables += [replace(t, frame=t.frame.rename(columns=mapping)) for t in _READERS[_member_suffix(m.filename)](member)]
        if len(tables) > 1:  # several shapefiles: each named like a sheet, so rows and problems say which
            tables = [t if t.sheet else replace(t, sheet=t.file.removeprefix(f"{src.name}/")) for t in tables]
        return tables


def _field_maps(members: list[zipfile.ZipInfo], files: dict[str, Path], name: str) -> dict[str, dict[str, str]]:
    """The ``<layer>_fields.csv`` members that map a shapefile's DBF names (cut to 10 bytes) back to the
    full column names (``field,column``, written by the project's download), by member name."""
    out: dict[str, dict[str, str]] = {}
    for m in members:
        if not m.filename.lower().endswith(FIELD_MAP_SUFFIX):
            continue
        grid, _ = csv_grid(files[m.filename].read_bytes(), name=f"{name}/{m.filename}", encoding="auto")
        if grid.rows and grid.rows[0][:2] == ["field", "column"]:
            out[m.filename] = {r[0]: _unquoted(r[1]) for r in grid.rows[1:] if len(r) >= 2 and r[0] and r[1]}
    return out


def _unquoted(text: str) -> str:
    """A name as it was before the download's formula guard put an apostrophe in front of it."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_START) else text


def _field_map_of(shp: str, maps: dict[str, dict[str, str]]) -> dict[str, str]:
    """The map written for shapefile ``shp``: ``reservoirs_fields.csv`` for ``reservoirs.shp`` and for
    the ``reservoirs_point.shp`` / ``reservoirs_polygon.shp`` of a layer of several geometry types."""
    stem = shp[:-4].lower()
    owners = [k for k in maps if stem == k[: -len(FIELD_MAP_SUFFIX)].lower() or stem.startswith(k[: -len(FIELD_MAP_SUFFIX)].lower() + "_")]
    return maps[max(owners, key=len)] if owners else {}


def _check_zipped_parts(name: str, shps: list, members: set[str]) -> None:
    for shp in shps:
        for ext in (".shx", ".dbf"):
            part = shp.filename[:-4] + ext
            if part.lower() not in members:
                raise SourceReadError(f"压缩包 {name} 中的 shapefile 缺少 {part}；请把同名的 .shp、.shx、.dbf、.prj（和 .cpg）一起压缩 / "
                                      f"archive {name}: the shapefile is missing {part}; zip the .shp, .shx, .dbf, .prj (and .cpg) "
                                      "of the same name together.")


# --- encodings for a person to confirm -------------------------------------------------------------
SAMPLE_ENCODINGS = ("GBK", "UTF-8")


@dataclass(frozen=True)
class EncodingSamples:
    """The first rows of a shapefile's attributes (or a CSV's) decoded each way, for a person to confirm
    what :func:`read_source` decided from the bytes. ``detected``: the encoding ``encoding="auto"`` reads
    with (GB18030 included when GBK is not enough); ``declared``: what the file says (a ``.cpg``, a BOM),
    None when nothing; ``samples``: encoding -> the field names as columns and the first rows as text,
    undecodable bytes shown as U+FFFD (never an error); ``file``: the shapefile or CSV shown (a zip
    member as ``a.zip/b.shp``)."""

    file: str
    detected: str
    declared: str | None
    samples: dict[str, pd.DataFrame]


def encoding_samples(path: Path, n: int = 5, *, name: str | None = None) -> EncodingSamples | None:
    """The first ``n`` attribute rows of the shapefile (loose ``.shp``/``.dbf``, or the first one in a
    ``.zip``) or CSV/TXT at ``path``, decoded as GBK and as UTF-8 (and as GB18030 when that is what was
    detected); None for files whose text encoding is not a question (XLSX, GeoPackage, GeoJSON, KML)."""
    path = Path(path)
    name = name or path.name
    suffix = PurePosixPath(name).suffix.lower() or path.suffix.lower()
    _check_size([path], name)
    if suffix in (".csv", ".txt"):
        return _csv_samples(path.read_bytes(), name, n)
    if suffix in (".shp", ".dbf"):
        dbf = _sibling(path, ".dbf") if suffix == ".shp" else path
        if dbf is None:
            raise SourceReadError(f"shapefile {name} 缺少 .dbf / shapefile {name}: the .dbf is missing; upload it with the .shp.")
        cpg = _sibling(path, ".cpg")
        return _dbf_samples(dbf.read_bytes(), cpg.read_text(errors="replace").strip() if cpg else None, name, n)
    if suffix == ".zip":
        return _zip_samples(path, name, n)
    return None


def _zip_samples(path: Path, name: str, n: int) -> EncodingSamples | None:
    with open_zip(path, name=name) as zf:
        members = {m.filename.lower(): m for m in check_members(zf, name=name)}
        dbfs = sorted(k for k in members if k.endswith(".dbf") and k[:-4] + ".shp" in members)
        if dbfs:
            cpg = members.get(dbfs[0][:-4] + ".cpg")
            declared = read_member(zf, cpg, name=name).decode("ascii", "replace").strip() if cpg else None
            dbf = members[dbfs[0]]
            return _dbf_samples(read_member(zf, dbf, name=name), declared, f"{name}/{dbf.filename}", n)
        csvs = sorted(k for k in members if _member_suffix(k) in (".csv", ".txt"))
        return _csv_samples(read_member(zf, members[csvs[0]], name=name), f"{name}/{members[csvs[0]].filename}", n) if csvs else None


def _sample_codecs(detected: str) -> tuple[str, ...]:
    try:
        codecs.lookup(detected)
    except LookupError:
        return SAMPLE_ENCODINGS
    return SAMPLE_ENCODINGS + ((detected,) if detected.upper() not in SAMPLE_ENCODINGS else ())


def _cpg_encoding(declared: str) -> str:
    """The encoding a ``.cpg`` names, as :func:`geo.io.shapefile_encoding` reads it (936 is GBK)."""
    return "GBK" if declared.upper() in {"936", "GB2312", "CP936"} else declared or "UTF-8"


def _dbf_samples(raw: bytes, declared: str | None, name: str, n: int) -> EncodingSamples:
    if len(raw) < 33 or raw[0] not in (0x02, 0x03, 0x04, 0x05, 0x30, 0x31, 0x43, 0x63, 0x83, 0x8B, 0xCB, 0xF5, 0xFB):
        raise SourceReadError(f"文件 {name} 不是可读取的 dBASE 属性表（.dbf）；请从原软件重新导出 / file {name}: not a dBASE attribute "
                              "table (.dbf) that can be read; export it again.")
    header_len, record_len = int.from_bytes(raw[8:10], "little"), int.from_bytes(raw[10:12], "little")
    fields = []  # (raw name, width)
    for i in range(32, min(header_len, len(raw)) - 1, 32):
        if raw[i] == 0x0D:
            break
        fields.append((raw[i : i + 11].split(b"\0", 1)[0], raw[i + 16]))
    records = []
    for start in range(header_len, len(raw) - record_len + 1, max(record_len, 1)):
        if len(records) == n:
            break
        if raw[start : start + 1] == b"*":  # a deleted record
            continue
        cells, at = [], start + 1
        for _, width in fields:
            cells.append(raw[at : at + width])
            at += width
        records.append(cells)
    detected = dbf_encoding(raw, label=name) if declared is None else _cpg_encoding(declared)
    return EncodingSamples(name, detected, declared, {enc: _decoded(fields, records, enc) for enc in _sample_codecs(detected)})


def _decoded(fields: list[tuple[bytes, int]], records: list[list[bytes]], encoding: str) -> pd.DataFrame:
    names = unique_names([f.decode(encoding, errors="replace").strip() or f"列{k + 1}" for k, (f, _) in enumerate(fields)])
    rows = [[c.decode(encoding, errors="replace").strip() or None for c in r] for r in records]
    return pd.DataFrame(rows, columns=names, dtype=object)


def _csv_samples(raw: bytes, name: str, n: int) -> EncodingSamples:
    declared = "UTF-8" if raw.startswith(b"\xef\xbb\xbf") else "UTF-16" if raw.startswith((b"\xff\xfe", b"\xfe\xff")) else None
    try:
        detected = decode(raw, name=name, encoding="auto")[1]
    except SourceReadError:
        detected = "GB18030"  # none of them decodes: the samples show where each fails
    samples = {}
    for enc in _sample_codecs(detected):
        text = raw.decode("utf-8-sig" if enc == "UTF-8" else "utf-16" if enc == "UTF-16" else enc, errors="replace")
        grid, _ = csv_grid(text.encode("utf-8"), name=name, encoding="utf-8")
        table = grid_table(grid, file=name, sheet=None, sha256="")
        samples[enc] = table.frame.head(n).reset_index(drop=True) if table is not None else pd.DataFrame()
    return EncodingSamples(name, detected, declared, samples)


_READERS: dict[str, Callable[[_Source], list[RawTable]]] = {
    ".xlsx": _read_xlsx, ".xlsm": _read_xlsx, ".xls": _read_xls, ".csv": _read_csv, ".txt": _read_csv,
    ".shp": _read_shp, ".zip": _read_zip, ".gpkg": _read_gpkg, ".geojson": _read_ogr, ".json": _read_ogr,
    ".kml": _read_kml, ".kmz": _read_kmz,
}
SUFFIXES = tuple(_READERS)
