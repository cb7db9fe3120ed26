"""Spreadsheets and text tables (XLSX, XLS, CSV) as a grid of display texts, and a grid as a RawTable:
the header row found below title and unit rows, a two-row header under merged cells, 合计/小计 rows
and empty rows dropped and reported, every row numbered as the user sees it; a WKT column (the
project's own CSV/XLSX downloads) read as the table's geometry."""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import math
import numbers
import re
import struct
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from pyproj import CRS
from shapely.geometry import Point

from geo.archive import check_members, read_member
from geo.errors import OptionError, SourceReadError
from geo.numbers import parse_angle_cell
from layers.imports.table import RawTable

log = logging.getLogger(__name__)

HEADER_SEARCH_ROWS = 30  # the header is looked for in the first 30 rows
_TOTAL = re.compile(r"(合计|小计|总计|共计|总合计)([:：(（].*)?")
_CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass
class Grid:
    """Cells as display texts (None = empty); ``numbers[i]`` is row i's number as the user sees it;
    ``merges`` as (row0, col0, row1, col1), 0-based and inclusive, indices into ``rows``."""

    rows: list[list[str | None]]
    numbers: list[int]
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    letters: bool = True  # unnamed columns called 列F (spreadsheets) or 列6 (text files)


def cell_text(v: object) -> str | None:
    """A cell as the user sees it: 107.354 (not 107.35400000000001), 12 (not 12.0), dates as ISO text."""
    if type(v) is str:  # most cells: the checks below would end in str(v) as well
        return v if v.strip() else None
    if v is None or v is pd.NaT or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return None
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, numbers.Integral):
        return str(int(v))
    if isinstance(v, numbers.Real):
        f = float(v)
        if f.is_integer() and abs(f) < 1e21:
            return str(int(f))
        text = f"{f:.15g}"  # Excel shows at most 15 significant digits
        return text if "e" not in text else repr(f)
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time(0) else v.isoformat(sep=" ")
    if isinstance(v, dt.date | dt.time):
        return v.isoformat()
    text = str(v)
    return text if text.strip() else None


# --- grid -> RawTable ---------------------------------------------------------------------------
def _header_index(rows: list[list[str | None]]) -> int | None:
    counts = [sum(1 for c in row if c is not None) for row in rows[: HEADER_SEARCH_ROWS + 20]]
    width = max(counts, default=0)
    if width == 0:
        return None
    need = max(2, math.ceil(0.6 * width)) if width >= 2 else 1
    return next((i for i, n in enumerate(counts[:HEADER_SEARCH_ROWS]) if n >= need), next(i for i, n in enumerate(counts) if n))


def _spans(grid: Grid, h: int) -> list[tuple[int, int]]:
    """Column ranges merged across several columns within header row ``h`` only."""
    return [(c0, c1) for r0, c0, r1, c1 in grid.merges if r0 == h and r1 == h and c1 > c0]


def _two_row_header(grid: Grid, h: int) -> list[tuple[int, int]]:
    """The merged spans of row ``h`` when row ``h + 1`` names their sub-columns (经纬度 over 经度/纬度)."""
    spans = _spans(grid, h)
    if not spans or h + 1 >= len(grid.rows):
        return []
    below = grid.rows[h + 1]
    covered = {c for c0, c1 in spans for c in range(c0, c1 + 1)}
    named = all(c < len(below) and below[c] is not None for c in covered)
    only_there = all(v is None or c in covered for c, v in enumerate(below))
    return spans if named and only_there else []


def _clean(text: str | None) -> str:
    if text is None:
        return ""
    text = re.sub(r"[\r\n]+", "" if _CJK.search(text) else " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _column_label(c: int, letters: bool) -> str:
    if not letters:
        return f"列{c + 1}"
    name = ""
    c += 1
    while c:
        c, r = divmod(c - 1, 26)
        name = chr(65 + r) + name
    return f"列{name}"


def _header(grid: Grid, h: int, width: int) -> tuple[list[str], list[bool], int]:
    """Column names (unique), whether the file named each column, and the number of header rows."""
    top = grid.rows[h] + [None] * width
    spans = _two_row_header(grid, h)
    below = grid.rows[h + 1] + [None] * width if spans else []
    names = [_clean(top[c]) for c in range(width)]
    for c0, c1 in spans:
        parent = names[c0]
        for c in range(c0, c1 + 1):
            names[c] = _clean(below[c])
        children = [names[c] for c in range(c0, c1 + 1)]
        if any(names.count(n) > 1 for n in children) and parent:  # 度/分/秒 under 经度 and 纬度
            for c in range(c0, c1 + 1):
                names[c] = f"{parent}_{names[c]}"
    named = [bool(n) for n in names]
    names = [n or _column_label(c, grid.letters) for c, n in enumerate(names)]
    return unique_names(names), named, 2 if spans else 1


def unique_names(names: list[str]) -> list[str]:
    """Column names made unique as a table reader must: a repeated name gets ``_2``, ``_3`` ..."""
    seen: dict[str, int] = {}
    out = []
    for n in names:
        seen[n] = seen.get(n, 0) + 1
        out.append(n if seen[n] == 1 else f"{n}_{seen[n]}")
    return out


def _fill_vertical_merges(grid: Grid, start: int) -> None:
    """A cell merged down over several data rows (a 乡镇 over its villages) belongs to each of them."""
    for r0, c0, r1, c1 in grid.merges:
        if r0 >= start and c0 == c1 and r1 > r0:
            value = grid.rows[r0][c0] if c0 < len(grid.rows[r0]) else None
            for r in range(r0 + 1, min(r1 + 1, len(grid.rows))):
                row = grid.rows[r]
                row.extend([None] * (c0 + 1 - len(row)))
                row[c0] = value


def _drop_reason(cells: list[str | None]) -> str | None:
    filled = [c for c in cells if c is not None]
    if not filled:
        return "空行 / empty row"
    if any(_TOTAL.fullmatch(re.sub(r"\s+", "", c)) for c in filled[:3]):
        return "合计行 / total row"
    return None


def grid_table(grid: Grid, *, file: str, sheet: str | None, sha256: str, encoding: str | None = None) -> RawTable | None:
    """The table in ``grid`` (None when it holds no cell at all)."""
    h = _header_index(grid.rows)
    if h is None:
        return None
    width = max(len(r) for r in grid.rows)
    names, named, header_rows = _header(grid, h, width)
    start = h + header_rows
    _fill_vertical_merges(grid, start)
    last = max((i for i in range(start, len(grid.rows)) if any(c is not None for c in grid.rows[i])), default=start - 1)
    kept: list[list[str | None]] = []
    rows: list[int] = []
    dropped: list[tuple[int, str]] = []
    for i in range(start, last + 1):  # empty rows after the last data row end the table; they are not reported
        cells = (grid.rows[i] + [None] * width)[:width]
        reason = _drop_reason(cells)
        if reason:
            dropped.append((grid.numbers[i], reason))
        else:
            kept.append(cells)
            rows.append(grid.numbers[i])
    frame = pd.DataFrame(kept, columns=names, dtype=object) if kept else pd.DataFrame(columns=names, dtype=object)
    keep = [n for c, n in enumerate(names) if named[c] or frame[n].notna().any()]  # unnamed empty columns go
    return RawTable(file=file, sheet=sheet, frame=frame[keep], rows=rows, encoding=encoding, sha256=sha256,
                    header_row=grid.numbers[h], dropped=dropped)


# --- geometry written as text in a table -----------------------------------------------------------
WKT_COLUMNS: dict[str, int | None] = {"geometry_wkt": 4326, "wkt": None}
"""Table columns read as geometry, with the CRS they are in: ``geometry_wkt`` is the column of the
project's CSV/XLSX downloads (EPSG:4326, beside ``lon``/``lat``); ``WKT`` (QGIS) declares no CRS, so
the import asks for one."""
MOVED_DEG = 1e-6
"""A point whose ``lon``/``lat`` cells differ from its ``geometry_wkt`` by more than this (the downloads
round lon/lat to 6 decimals) was moved in the sheet without clearing the WKT cell."""


def wkt_geometry(t: RawTable) -> RawTable:
    """``t`` with its geometry read from a WKT column (the column leaves the attributes); rows whose WKT
    cell is empty take a point from ``lon``/``lat``. Unchanged when it has no such column."""
    col = next((c for c in t.frame.columns if str(c).strip().lower() in WKT_COLUMNS), None)
    if col is None or t.frame[col].isna().all():
        return t
    cells = t.frame[col].tolist()
    geoms = [None if c is None else shapely.from_wkt(c, on_invalid="ignore") for c in cells]
    lonlat = [_lonlat(t, i) for i in range(len(cells))]
    for i, (cell, g, ll) in enumerate(zip(cells, geoms, lonlat, strict=True)):
        if cell is not None and g is None:
            raise SourceReadError(f"{_at(t, i)}，列 {col} 不是有效的 WKT 几何（{cell[:40]}…）；请从原下载重新复制该格，或清空它并填写 lon、lat / "
                                  f"{t.where(i)}, column {col}: not a WKT geometry ({cell[:40]}...); copy the cell again from the "
                                  "download, or clear it and fill in lon and lat.")
        if g is not None and g.geom_type == "Point" and ll is not None and max(abs(ll[0] - g.x), abs(ll[1] - g.y)) > MOVED_DEG:
            raise SourceReadError(f"{_at(t, i)}的 lon、lat（{ll[0]:g}, {ll[1]:g}）与列 {col} 的点不一致；要移动这个点，请清空该行的 {col} / "
                                  f"{t.where(i)}: lon/lat ({ll[0]:g}, {ll[1]:g}) differ from the point in column {col}; to move "
                                  f"the point, clear its {col} cell.")
    geometry = [g if g is not None else (Point(ll) if ll is not None else None) for g, ll in zip(geoms, lonlat, strict=True)]
    epsg = WKT_COLUMNS[str(col).strip().lower()]
    crs = None if epsg is None else CRS.from_epsg(epsg)
    return replace(t, frame=t.frame.drop(columns=[col]), geometry=gpd.GeoSeries(geometry, crs=crs), crs=crs)


def _lonlat(t: RawTable, i: int) -> tuple[float, float] | None:
    """The ``lon``/``lat`` cells of frame row ``i`` as degrees, None when either is missing or unreadable."""
    if "lon" not in t.frame.columns or "lat" not in t.frame.columns:
        return None
    lon, lat = (parse_angle_cell(t.frame.iloc[i][a], axis=a)[0] for a in ("lon", "lat"))
    return None if lon is None or lat is None else (lon, lat)


def _at(t: RawTable, i: int) -> str:
    return f"文件 {t.file}{f' 工作表 {t.sheet}' if t.sheet else ''} 第 {t.rows[i]} 行"


# --- XLSX / XLS ----------------------------------------------------------------------------------
def _unreadable(name: str, err: BaseException, zh: str, en: str) -> SourceReadError:
    why = str(err).replace("\n", " ")[:120]
    return SourceReadError(f"文件 {name} 无法作为{zh}读取（文件可能已损坏或扩展名不对），请在 Excel 中打开后另存为 .xlsx 再上传 / "
                           f"file {name} cannot be read as {en} ({type(err).__name__}: {why}); open it in Excel, save it "
                           "as .xlsx and upload that.")


def xlsx_grids(path: Path, *, name: str) -> list[tuple[str, Grid]]:
    """Every sheet of an XLSX workbook: cached values of formulas, the formula text where none is cached.

    Cells are streamed (openpyxl's read-only mode: no cell objects, a 20,000-row ledger in about half
    the time); merged ranges, which that mode does not give, are read from each sheet's ``<mergeCell>``
    elements, and the ``<dimension>`` a sheet declares is not trusted (other writers get it wrong)."""
    import openpyxl  # deferred: only spreadsheets need it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        archive = zipfile.ZipFile(path)  # an XLSX is a zip archive: checked like any other before reading
    except (zipfile.BadZipFile, EOFError) as err:
        raise _unreadable(name, err, " Excel 工作簿", "an Excel workbook") from err
    with archive as zf:
        check_members(zf, name=name)
        merges, has_formulas = {}, False
        for i in zf.infolist():
            if i.filename.startswith("xl/worksheets/") and i.filename.endswith(".xml"):
                xml = read_member(zf, i, name=name)
                has_formulas = has_formulas or bool(re.search(rb"<(\w+:)?f[ >]", xml))
                merges[i.filename] = _merged_ranges(xml)
    books = []
    try:
        book = openpyxl.load_workbook(path, data_only=True, read_only=True)
        books.append(book)
        formulas = openpyxl.load_workbook(path, data_only=False, read_only=True) if has_formulas else None
        books += [formulas] if formulas is not None else []
        return [(ws.title, _sheet_grid(ws, formulas, merges.get(ws._worksheet_path.lstrip("/"), []))) for ws in book.worksheets]
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as err:
        raise _unreadable(name, err, " Excel 工作簿", "an Excel workbook") from err
    finally:
        for b in books:
            b.close()


_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([A-Za-z]+\d+(?::[A-Za-z]+\d+)?)\"")


def _merged_ranges(xml: bytes) -> list[tuple[int, int, int, int]]:
    """The merged ranges of a sheet's XML as (row0, col0, row1, col1), 0-based and inclusive."""
    from openpyxl.utils.cell import range_boundaries

    out = []
    for ref in _MERGE.findall(xml):
        c0, r0, c1, r1 = range_boundaries(ref.decode("ascii").upper())
        out.append((r0 - 1, c0 - 1, r1 - 1, c1 - 1))
    return out


def _sheet_grid(ws: object, formulas: object | None, merges: list[tuple[int, int, int, int]]) -> Grid:
    """One read-only sheet as a grid, every row as wide as the widest row or merged range."""
    ws.reset_dimensions()  # type: ignore[attr-defined]
    rows = [[cell_text(v) for v in row] for row in ws.iter_rows(min_row=1, min_col=1, values_only=True)]  # type: ignore[attr-defined]
    width = max([len(r) for r in rows] + [c1 + 1 for _, _, _, c1 in merges], default=0)
    rows += [[] for _ in range(max([r1 + 1 for _, _, r1, _ in merges], default=0) - len(rows))]  # a merge below the last cell
    for row in rows:
        row.extend([None] * (width - len(row)))
    if formulas is not None:
        _add_formula_text(rows, formulas[ws.title])  # type: ignore[index,attr-defined]
    return Grid(rows, list(range(1, len(rows) + 1)), merges)


def _add_formula_text(rows: list[list[str | None]], ws: object) -> None:
    """Where a formula has no cached value (the file was not saved by Excel), its text, never evaluated."""
    ws.reset_dimensions()  # type: ignore[attr-defined]
    for r, row in enumerate(ws.iter_rows(values_only=True)):  # type: ignore[attr-defined]
        for c, v in enumerate(row):
            if isinstance(v, str) and v.startswith("=") and r < len(rows) and c < len(rows[r]) and rows[r][c] is None:
                rows[r][c] = v


def xls_grids(path: Path, *, name: str) -> list[tuple[str, Grid]]:
    """Every sheet of an old .xls workbook (needs xlrd; formulas come as the values Excel cached, merged
    cells as xlrd reports them with ``formatting_info``). An .xlsx workbook named .xls is refused with
    the fix (rename it), a damaged one with the error of the reader; xlrd's own warnings are logged."""
    try:
        import xlrd  # type: ignore[import-untyped]
    except ImportError as err:
        raise SourceReadError(f"文件 {name} 是旧版 Excel 97-2003 (.xls) 工作簿，本系统未安装读取它所需的 xlrd；请在 Excel 中另存为 .xlsx 后上传，"
                              f"或由管理员安装 xlrd（pip install xlrd） / file {name} is an old Excel 97-2003 (.xls) workbook and the "
                              "reader it needs (xlrd) is not installed; save it as .xlsx in Excel and upload that, or ask the "
                              "administrator to run pip install xlrd.") from err
    with open(path, "rb") as f:
        if f.read(4) == b"PK\x03\x04":
            raise SourceReadError(f"文件 {name} 其实是 .xlsx 工作簿（扩展名写成了 .xls）；请把扩展名改为 .xlsx 后重新上传 / file {name} is an "
                                  ".xlsx workbook with the name of an .xls; rename it to .xlsx and upload it again.")
    messages = io.StringIO()
    try:
        book = xlrd.open_workbook(str(path), formatting_info=True, logfile=messages)
    except (xlrd.XLRDError, xlrd.compdoc.CompDocError, ValueError, AssertionError, IndexError, KeyError, struct.error,
            UnicodeDecodeError, OSError) as err:
        raise _unreadable(name, err, " Excel 97-2003 工作簿", "an Excel 97-2003 workbook") from err
    finally:
        if messages.getvalue().strip():
            log.warning("%s: %s", name, " ".join(messages.getvalue().split()))
    grids = []
    for sh in book.sheets():
        rows = [[_xls_cell(sh.cell(r, c), book.datemode, xlrd) for c in range(sh.ncols)] for r in range(sh.nrows)]
        merges = [(r0, c0, r1 - 1, c1 - 1) for r0, r1, c0, c1 in sh.merged_cells]
        grids.append((sh.name, Grid(rows, list(range(1, len(rows) + 1)), merges)))
    return grids


def _xls_cell(cell: object, datemode: int, xlrd: object) -> str | None:
    ctype, value = cell.ctype, cell.value  # type: ignore[attr-defined]
    if ctype == 3:  # XL_CELL_DATE
        return cell_text(xlrd.xldate.xldate_as_datetime(value, datemode))  # type: ignore[attr-defined]
    if ctype == 4:  # XL_CELL_BOOLEAN
        return cell_text(bool(value))
    if ctype in (0, 5, 6):  # empty, error, blank
        return None
    return cell_text(value)


# --- CSV -----------------------------------------------------------------------------------------
def decode(raw: bytes, *, name: str, encoding: str) -> tuple[str, str]:
    """The text and the encoding used: the one given, or sniffed (BOM, UTF-8, GBK, GB18030)."""
    if encoding != "auto":
        return _decode_as(raw, name=name, encoding=encoding), encoding
    if raw.startswith(b"\xef\xbb\xbf"):
        return _decode_as(raw, name=name, encoding="utf-8-sig"), "UTF-8"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text"
        return _decode_as(raw, name=name, encoding="utf-16"), "UTF-16"
    for enc in ("utf-8", "gbk", "gb18030"):
        try:
            return raw.decode(enc), enc.upper()
        except UnicodeDecodeError:
            continue
    return _decode_as(raw, name=name, encoding="utf-8"), "UTF-8"  # raises, naming the line


def _decode_as(raw: bytes, *, name: str, encoding: str) -> str:
    try:
        return raw.decode(encoding)
    except LookupError as err:
        raise OptionError(f"编码 {encoding!r} 未知，请用 auto、utf-8、gbk 或 gb18030 / unknown encoding {encoding!r}; use auto, "
                          "utf-8, gbk or gb18030.") from err
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise SourceReadError(f"文件 {name} 第 {line} 行不是 {encoding} 编码的文字；请在 Excel 中另存为“CSV UTF-8”后上传，或选择其他编码 / "
                              f"file {name}, line {line}: not {encoding} text; save it as \"CSV UTF-8\" in Excel and upload "
                              "that, or choose another encoding.") from err


def _delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the most, and most regular, fields."""
    sample = [ln for ln in text.splitlines()[:50] if ln.strip()]
    best, best_score = ",", (0, 0)
    for d in (",", "\t", ";", "|"):
        counts = [len(r) for r in csv.reader(sample, delimiter=d)]
        wide = [n for n in counts if n > 1]
        mode = max(set(wide), key=wide.count) if wide else 1
        score = (wide.count(mode), mode)
        if score > best_score:
            best, best_score = d, score
    return best


def csv_grid(raw: bytes, *, name: str, encoding: str) -> tuple[Grid, str]:
    """The lines of a CSV/TXT file as a grid numbered by text line, and the encoding used."""
    text, used = decode(raw, name=name, encoding=encoding)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    rows: list[list[str | None]] = []
    numbers: list[int] = []
    line = 0
    try:
        for record in reader:
            numbers.append(line + 1)  # a quoted cell may span lines: the record starts on the line after the last
            line = reader.line_num
            rows.append([c if c.strip() else None for c in record])
    except csv.Error as err:
        raise SourceReadError(f"文件 {name} 第 {reader.line_num} 行无法按 CSV 读取（{err}）；请检查引号后重新保存 / file {name}, line "
                              f"{reader.line_num}: cannot be read as CSV ({err}); check the quotes and save it again.") from err
    return Grid(rows, numbers, letters=False), used
