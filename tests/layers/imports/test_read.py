"""imports.read: the bureaus' files as RawTables (sheets, rows as the user sees them, dropped rows,
encodings, archives, and the errors for files that cannot be read). Every fixture is made here."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import warnings
import zipfile
from pathlib import Path

import geopandas as gpd
import openpyxl
import pytest
from shapely.geometry import LineString, Point, Polygon

from geo.errors import GeoError, NotPermittedError, OptionError, SourceReadError, UnknownNameError
from layers.imports.read import MAX_FILE_BYTES, encoding_samples, read_source

TITLE = "垫江县2025年地质灾害隐患点一览表"
HEADER = ["序号", "统一编号", "隐患点名称", "乡镇(街道)", "灾害类型", "威胁人数", "经度", "纬度"]


def _hazard_xlsx(path: Path, *, sheets: dict[str, list[list[object]]] | None = None, unit_row: bool = True) -> Path:
    """A ledger as offices make it: a merged title, a unit row, the header, data, a 合计 row."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    rows = [
        [1, "500231010001", "桂溪滑坡", "桂溪街道", "滑坡", 12, 107.354, 30.33],
        [2, "500231010002", "新民崩塌", "新民镇", "崩塌", 5, "107°21′15.3″", "30度19分48秒"],
    ]
    for title, data in (sheets or {"隐患点": rows}).items():
        ws = wb.create_sheet(title)
        ws.append([TITLE])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
        if unit_row:
            ws.append(["单位：户、人、万元"])
        ws.append(HEADER)
        for r in data:
            ws.append(r)
        ws.append(["合计", None, None, None, None, 17])
    wb.save(path)
    return path


# --- XLSX ----------------------------------------------------------------------------------------
def test_xlsx_header_below_title_and_unit_rows(tmp_path: Path) -> None:
    path = _hazard_xlsx(tmp_path / "ledger.xlsx")
    [t] = read_source(path)
    assert list(t.frame.columns) == HEADER
    assert t.header_row == 3
    assert t.rows == [4, 5]
    assert t.sheet == "隐患点"
    assert t.frame.iloc[0].tolist() == ["1", "500231010001", "桂溪滑坡", "桂溪街道", "滑坡", "12", "107.354", "30.33"]
    assert t.frame.loc[1, "经度"] == "107°21′15.3″"
    assert t.dropped == [(6, "合计行 / total row")]
    assert t.where(1) == "ledger.xlsx, sheet 隐患点, row 5"
    assert t.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_xlsx_numbers_as_the_user_sees_them(tmp_path: Path) -> None:
    path = _hazard_xlsx(tmp_path / "n.xlsx", sheets={"s": [[1, "001", "a", "b", "c", 12.0, 107.35400000000001, 0.1 + 0.2]]})
    [t] = read_source(path)
    assert t.frame.iloc[0].tolist() == ["1", "001", "a", "b", "c", "12", "107.354", "0.3"]


def test_xlsx_two_row_header_under_merged_cells(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append([TITLE])
    ws.merge_cells("A1:D1")
    ws.append(["序号", "名称", "经纬度", None])
    ws.append([None, None, "经度", "纬度"])
    ws.merge_cells("A2:A3")
    ws.merge_cells("B2:B3")
    ws.merge_cells("C2:D2")
    ws.append([1, "全胜水库", 107.3, 30.2])
    path = tmp_path / "two.xlsx"
    wb.save(path)
    [t] = read_source(path)
    assert list(t.frame.columns) == ["序号", "名称", "经度", "纬度"]
    assert t.header_row == 2
    assert t.rows == [4]


def test_xlsx_read_whatever_size_the_sheet_declares(tmp_path: Path) -> None:
    """Some writers declare a sheet's size wrong (``<dimension ref="A1"/>``); every row and column is read."""
    path = _hazard_xlsx(tmp_path / "dim.xlsx")
    with zipfile.ZipFile(path) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    sheet = "xl/worksheets/sheet1.xml"
    assert b'<dimension ref="A1:H6" />' in members[sheet]
    members[sheet] = members[sheet].replace(b'<dimension ref="A1:H6" />', b'<dimension ref="A1" />')
    with zipfile.ZipFile(path, "w") as zf:
        for member, data in members.items():
            zf.writestr(member, data)
    [t] = read_source(path)
    assert (list(t.frame.columns), t.header_row, t.rows) == (HEADER, 3, [4, 5])
    assert t.frame["纬度"].tolist() == ["30.33", "30度19分48秒"]


def test_xlsx_empty_rows_dropped_and_reported_trailing_ones_not(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in (["名称", "乡镇"], ["a", "b"], [], ["c", "d"], ["小 计", None], [None, None]):
        ws.append(r)
    ws.cell(row=10, column=1).number_format = "0.00"  # a formatted but empty cell further down
    path = tmp_path / "gaps.xlsx"
    wb.save(path)
    [t] = read_source(path)
    assert t.rows == [2, 4]
    assert t.dropped == [(3, "空行 / empty row"), (5, "合计行 / total row")]


def test_xlsx_formula_cells_cached_value_or_text(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["名称", "威胁人数", "合成"])
    ws.append(["a", "=1+2", '=A2&"村"'])
    path = tmp_path / "f.xlsx"
    wb.save(path)  # openpyxl writes no cached values: the formula text is kept, never evaluated
    [t] = read_source(path)
    assert t.frame.iloc[0].tolist() == ["a", "=1+2", '=A2&"村"']


def test_xlsx_formula_with_cached_value(tmp_path: Path) -> None:
    path = tmp_path / "cached.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["名称", "人数"])
    wb.active.append(["a", 3])
    wb.save(path)
    _rewrite_member(path, "xl/worksheets/sheet1.xml", lambda xml: xml.replace(b"<v>3</v>", b"<f>1+2</f><v>3</v>"))
    [t] = read_source(path)
    assert t.frame.iloc[0].tolist() == ["a", "3"]


def _rewrite_member(path: Path, member: str, change: object) -> None:
    with zipfile.ZipFile(path) as zf:
        items = [(i, zf.read(i)) for i in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in items:
            zf.writestr(info, change(data) if info.filename == member else data)  # type: ignore[operator]


def test_xlsx_vertically_merged_township_fills_its_rows(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in (["乡镇", "名称"], ["桂溪街道", "a"], [None, "b"]):
        ws.append(r)
    ws.merge_cells("A2:A3")
    path = tmp_path / "m.xlsx"
    wb.save(path)
    [t] = read_source(path)
    assert t.frame["乡镇"].tolist() == ["桂溪街道", "桂溪街道"]


@pytest.mark.parametrize(
    ("sheet", "expected"),
    [(None, ["桂溪", "新民"]), ("all", ["桂溪", "新民"]), ("新民", ["新民"])],
)
def test_xlsx_sheets_with_the_same_header(tmp_path: Path, sheet: str | None, expected: list[str]) -> None:
    row = [[1, "x", "y", "z", "滑坡", 1, 107.3, 30.3]]
    path = _hazard_xlsx(tmp_path / "towns.xlsx", sheets={"桂溪": row, "新民": row})
    tables = read_source(path, sheet=sheet)
    assert [t.sheet for t in tables] == expected
    assert all(t.rows == [4] for t in tables)


def test_xlsx_default_is_the_first_sheet_with_data_when_headers_differ(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    wb.create_sheet("点").append(["名称", "经度"])
    wb["点"].append(["a", 107])
    wb.create_sheet("汇总").append(["乡镇", "数量"])
    wb["汇总"].append(["b", 1])
    path = tmp_path / "mixed.xlsx"
    wb.save(path)
    assert [t.sheet for t in read_source(path)] == ["点"]
    assert [t.sheet for t in read_source(path, sheet="all")] == ["点", "汇总"]


def test_xlsx_unknown_sheet_lists_the_sheets(tmp_path: Path) -> None:
    path = _hazard_xlsx(tmp_path / "ledger.xlsx")
    with pytest.raises(UnknownNameError, match=r"文件 ledger\.xlsx 中没有工作表 'x'；现有工作表：隐患点 / file ledger\.xlsx has no sheet 'x'"):
        read_source(path, sheet="x")


# --- XLS (real files, written with xlwt as Excel 97-2003 writes them) ---------------------------------
XLS_HEADER = [*HEADER, "核查日期"]


def _hazard_xls(path: Path) -> Path:
    """An old ledger, one sheet per township: a merged title (write_merge), a unit row, the header,
    a decimal and a 度分秒 position, a date cell, and a 合计 row whose sum is a formula."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    date = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    sheets = {"桂溪街道": [1, "500231010001", "桂溪滑坡", "桂溪街道", "滑坡", 12, 107.354, 30.33, dt.date(2025, 3, 1)],
              "新民镇": [1, "500231010002", "新民崩塌", "新民镇", "崩塌", 5, "107°21′15.3″", "30度19分48秒", dt.date(2025, 3, 2)]}
    for title, row in sheets.items():
        ws = wb.add_sheet(title)
        ws.write_merge(0, 0, 0, len(XLS_HEADER) - 1, TITLE)
        ws.write(1, 0, "单位：户、人、万元")
        for c, h in enumerate(XLS_HEADER):
            ws.write(2, c, h)
        for c, v in enumerate(row):
            ws.write(3, c, v, date) if isinstance(v, dt.date) else ws.write(3, c, v)
        ws.write(4, 0, "合计")
        ws.write(4, 5, xlwt.Formula("SUM(F4:F4)"))
    wb.save(str(path))
    return path


def test_xls_ledger_read_like_the_xlsx_one(tmp_path: Path) -> None:
    tables = read_source(_hazard_xls(tmp_path / "old.xls"))
    assert [t.sheet for t in tables] == ["桂溪街道", "新民镇"]  # one sheet per township, same header: both
    for t in tables:
        assert list(t.frame.columns) == XLS_HEADER
        assert (t.header_row, t.rows, t.dropped) == (3, [4], [(5, "合计行 / total row")])
    assert tables[0].frame.iloc[0].tolist() == ["1", "500231010001", "桂溪滑坡", "桂溪街道", "滑坡", "12", "107.354", "30.33", "2025-03-01"]
    assert tables[1].frame.iloc[0, 6:].tolist() == ["107°21′15.3″", "30度19分48秒", "2025-03-02"]
    assert tables[1].where(0) == "old.xls, sheet 新民镇, row 4"
    assert [t.sheet for t in read_source(tmp_path / "old.xls", sheet="新民镇")] == ["新民镇"]


def test_xls_ledger_dry_run_into_geohazards(private_workspaces: Path, tmp_path: Path) -> None:
    from layers.imports.importer import plan_import
    from layers.store.workspace import open_workspace

    plan = plan_import(open_workspace("500231"), _hazard_xls(tmp_path / "old.xls"), layer="geohazards")
    assert [p.as_dict() for p in plan.problems] == []
    assert (plan.rows_read, len(plan.features), plan.location.label) == (2, 2, "EPSG:4490")
    got = {r["name"]: (r.geometry.x, r.geometry.y, r["kind"], r["hazard_type"], r["threatened_people"]) for _, r in plan.features.iterrows()}
    assert got["桂溪滑坡"] == pytest.approx((107.354, 30.33, "hazard_site", "滑坡", 12))
    assert got["新民崩塌"] == pytest.approx((107.35425, 30.33, "hazard_site", "崩塌", 5))  # 107°21′15.3″ = 107.354250°


def test_xlsx_named_xls_names_the_fix(tmp_path: Path) -> None:
    path = _hazard_xlsx(tmp_path / "ledger.xlsx").rename(tmp_path / "台账.xls")
    with pytest.raises(SourceReadError, match=r"^文件 台账\.xls 其实是 \.xlsx 工作簿（扩展名写成了 \.xls）；请把扩展名改为 \.xlsx 后重新上传 / "
                       r"file 台账\.xls is an \.xlsx workbook with the name of an \.xls; rename it to \.xlsx and upload it again\.$"):
        read_source(path)


@pytest.mark.parametrize("damage", ["ole", "text", "cut"])
def test_damaged_xls_is_a_clear_error(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "old.xls"
    content = {"ole": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "text": "名称\t经度\n甲\t107\n".encode(),
               "cut": _hazard_xls(tmp_path / "whole.xls").read_bytes()[:3000]}[damage]
    path.write_bytes(content)
    with pytest.raises(SourceReadError, match=r"^文件 上传\.xls 无法作为 Excel 97-2003 工作簿读取（文件可能已损坏或扩展名不对），请在 Excel 中打开后"
                       r"另存为 \.xlsx 再上传 / file 上传\.xls cannot be read as an Excel 97-2003 workbook \(\w+: .*\); open it in "
                       r"Excel, save it as \.xlsx and upload that\.$") as info:
        read_source(path, name="上传.xls")
    assert str(tmp_path) not in str(info.value)


def test_xls_without_its_reader_names_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "xlrd", None)  # as on a machine without it
    with pytest.raises(SourceReadError, match=r"文件 old\.xls 是旧版 Excel 97-2003.*另存为 \.xlsx.*pip install xlrd"):
        read_source(_hazard_xls(tmp_path / "old.xls"))


# --- CSV -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8"), ("gbk", "GBK"), ("gb18030", "GB18030"), ("utf-16", "UTF-16")],
)
def test_csv_encoding_sniffed(tmp_path: Path, encoding: str, expected: str) -> None:
    name = "蓄水池㙟" if encoding == "gb18030" else "蓄水池"  # 㙟 is not in GBK
    path = tmp_path / "ledger.csv"
    path.write_bytes(f"名称,经度,纬度\r\n{name},107.3,30.3\r\n".encode(encoding))
    [t] = read_source(path)
    assert t.encoding == expected
    assert t.frame.iloc[0].tolist() == [name, "107.3", "30.3"]
    assert t.rows == [2]


@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_csv_delimiter_sniffed_and_lines_numbered_after_title_lines(tmp_path: Path, delimiter: str) -> None:
    path = tmp_path / "ledger.csv"
    lines = ["垫江县林业局检查站台账", "", delimiter.join(["名称", "经度", "纬度"]), delimiter.join(["检查站, 一", "107.3", "30.3"])]
    if delimiter == ",":
        lines[3] = '"检查站, 一",107.3,30.3'
    lines.append(delimiter.join(["合计", "", ""]))
    lines.append(delimiter.join(['"二号\n检查站"', "107.4", "30.4"]) if delimiter == "," else delimiter.join(["二号", "107.4", "30.4"]))
    path.write_text("\n".join(lines) + "\n", encoding="gbk")
    [t] = read_source(path)
    assert list(t.frame.columns) == ["名称", "经度", "纬度"]
    assert t.header_row == 3
    assert t.rows == [4, 6]
    assert t.frame.loc[0, "名称"] == "检查站, 一"
    assert t.dropped == [(5, "合计行 / total row")]


def test_csv_encoding_override_and_its_error(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes("名称\n甲\n".encode("gbk"))
    assert read_source(path, encoding="gbk")[0].frame.iloc[0, 0] == "甲"
    with pytest.raises(SourceReadError, match=r"文件 x\.csv 第 1 行不是 utf-8 编码的文字.*file x\.csv, line 1: not utf-8 text"):
        read_source(path, encoding="utf-8")
    with pytest.raises(OptionError, match=r"unknown encoding 'klingon'"):
        read_source(path, encoding="klingon")


# --- shapefiles ----------------------------------------------------------------------------------
def _towns(crs: object = "EPSG:4545") -> gpd.GeoDataFrame:
    square = Polygon([(0, 0), (1000, 0), (1000, 1000), (0, 1000)])
    return gpd.GeoDataFrame({"乡镇名称XXXXXX": ["桂溪街道", "新民镇"], "code": ["500231001", "500231002"], "pop": [12, 5]},
                            geometry=[square, square.buffer(-10)], crs=crs)


def _write_shp(folder: Path, *, encoding: str = "GBK", cpg: bool = False, crs: object = "EPSG:4545") -> Path:
    folder.mkdir(exist_ok=True)
    shp = folder / "乡镇界.shp"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _towns(crs).to_file(shp, encoding=encoding)
    if not cpg:
        shp.with_suffix(".cpg").unlink(missing_ok=True)
    return shp


@pytest.mark.parametrize("encoding", ["GBK", "UTF-8"])
def test_loose_shapefile_without_cpg(tmp_path: Path, encoding: str) -> None:
    shp = _write_shp(tmp_path / "s", encoding=encoding)
    [t] = read_source(shp)
    assert t.encoding == encoding
    assert list(t.frame.columns) == ["乡镇名称XX" if encoding == "GBK" else "乡镇名", "code", "pop"]  # 10 bytes, a cut character dropped
    assert t.frame["code"].tolist() == ["500231001", "500231002"]
    assert t.frame["pop"].tolist() == ["12", "5"]
    assert t.frame.iloc[:, 0].tolist() == ["桂溪街道", "新民镇"]
    assert t.crs is not None and t.crs.to_epsg() == 4545
    assert t.rows == [1, 2]
    assert t.geometry is not None and len(t.geometry) == 2


def test_shapefile_field_names_as_stored(tmp_path: Path) -> None:
    [t] = read_source(_write_shp(tmp_path / "s", encoding="GBK"))
    first = t.frame.columns[0]
    assert len(first.encode("gbk")) <= 10 and "乡镇名称XXXXXX".startswith(first)


def test_shapefile_encoding_override(tmp_path: Path) -> None:
    [t] = read_source(_write_shp(tmp_path / "s", encoding="UTF-8"), encoding="utf-8")
    assert t.encoding == "utf-8"
    assert t.frame.iloc[0, 0] == "桂溪街道"


def test_shapefile_without_prj_has_no_crs(tmp_path: Path) -> None:
    shp = _write_shp(tmp_path / "s")
    shp.with_suffix(".prj").unlink()
    [t] = read_source(shp)
    assert t.crs is None


def test_esri_prj_is_read(tmp_path: Path) -> None:
    shp = _write_shp(tmp_path / "s")
    shp.with_suffix(".prj").write_text(
        'PROJCS["CGCS2000_3_Degree_GK_CM_108E",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",'
        'SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],'
        'PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],'
        'PARAMETER["Central_Meridian",108.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]'
    )
    [t] = read_source(shp)
    assert t.crs is not None and t.crs.is_projected
    assert any(p.value == 108 for p in t.crs.coordinate_operation.params)


# --- encodings for a person to confirm --------------------------------------------------------------
def test_encoding_samples_of_a_gbk_shapefile_without_cpg(tmp_path: Path) -> None:
    shp = _write_shp(tmp_path / "s", encoding="GBK")
    s = encoding_samples(shp)
    assert s is not None and (s.file, s.detected, s.declared) == ("乡镇界.shp", "GBK", None)
    assert set(s.samples) == {"GBK", "UTF-8"}
    gbk, utf8 = s.samples["GBK"], s.samples["UTF-8"]
    assert list(gbk.columns) == ["乡镇名称XX", "code", "pop"]
    assert gbk.values.tolist() == [["桂溪街道", "500231001", "12"], ["新民镇", "500231002", "5"]]
    assert "\ufffd" in utf8.columns[0] and "\ufffd" in utf8.iloc[0, 0]  # shown as the replacement char, no error
    assert utf8["code"].tolist() == ["500231001", "500231002"]


def test_encoding_samples_field_names_alone_decide(tmp_path: Path) -> None:
    """ASCII values under a GBK field name: the name's bytes say GBK."""
    gdf = gpd.GeoDataFrame({"名称": ["a1", "b2"]}, geometry=[Point(0, 0), Point(1, 1)], crs=4490)
    shp = tmp_path / "p.shp"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gdf.to_file(shp, encoding="GBK")
    shp.with_suffix(".cpg").unlink(missing_ok=True)
    s = encoding_samples(shp)
    assert s is not None and s.detected == "GBK"
    assert list(s.samples["GBK"].columns) == ["名称"] and s.samples["GBK"]["名称"].tolist() == ["a1", "b2"]
    assert read_source(shp)[0].encoding == "GBK"


def test_encoding_samples_of_a_zipped_shapefile_and_its_cpg(tmp_path: Path) -> None:
    shp = _write_shp(tmp_path / "s", encoding="UTF-8", cpg=True)
    files = {f"data/{p.name}": p for p in shp.parent.iterdir()}
    s = encoding_samples(_zip(tmp_path / "t.zip", files))
    assert s is not None and (s.file, s.detected, s.declared) == ("t.zip/data/乡镇界.dbf", "UTF-8", "UTF-8")
    assert s.samples["UTF-8"].iloc[1, 0] == "新民镇"


def test_encoding_samples_of_a_gbk_csv(tmp_path: Path) -> None:
    path = tmp_path / "台账.csv"
    lines = ["垫江县林业局蓄水池台账", "名称,类型,经度,纬度", *[f"蓄水池{i},蓄水池,107.3,30.3" for i in range(8)]]
    path.write_bytes("\r\n".join(lines).encode("gbk"))
    s = encoding_samples(path, n=3)
    assert s is not None and (s.detected, s.declared) == ("GBK", None)
    assert list(s.samples["GBK"].columns) == ["名称", "类型", "经度", "纬度"]
    assert s.samples["GBK"]["名称"].tolist() == ["蓄水池0", "蓄水池1", "蓄水池2"]
    assert len(s.samples["UTF-8"]) == 3 and "\ufffd" in s.samples["UTF-8"].iloc[0, 0]


def test_encoding_samples_of_a_utf8_csv_with_bom_and_of_other_files(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes("名称\n甲\n".encode("utf-8-sig"))
    s = encoding_samples(path)
    assert s is not None and (s.detected, s.declared) == ("UTF-8", "UTF-8")
    assert s.samples["UTF-8"].values.tolist() == [["甲"]]
    assert encoding_samples(_hazard_xlsx(tmp_path / "x.xlsx")) is None


@pytest.mark.parametrize("part", [".dbf", ".shx"])
def test_loose_shapefile_missing_part_is_named(tmp_path: Path, part: str) -> None:
    shp = _write_shp(tmp_path / "s")
    shp.with_suffix(part).unlink()
    with pytest.raises(SourceReadError, match=rf"shapefile 乡镇界\.shp 缺少 乡镇界\{part}"):
        read_source(shp)


def _zip(path: Path, files: dict[str, Path | bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for arc, src in files.items():
            zf.writestr(arc, src if isinstance(src, bytes) else src.read_bytes())
    return path


def test_zipped_shapefile_in_a_sub_folder(tmp_path: Path) -> None:
    shp = _write_shp(tmp_path / "s")
    archive = _zip(tmp_path / "边界.zip", {f"数据/{p.name}": p for p in shp.parent.iterdir()})
    [t] = read_source(archive)
    assert t.file == "边界.zip/数据/乡镇界.shp"
    assert t.encoding == "GBK"
    assert t.frame.iloc[:, 0].tolist() == ["桂溪街道", "新民镇"]
    assert t.sha256 == hashlib.sha256(archive.read_bytes()).hexdigest()


def test_zipped_shapefile_missing_dbf_is_named(tmp_path: Path) -> None:
    shp = _write_shp(tmp_path / "s")
    archive = _zip(tmp_path / "a.zip", {p.name: p for p in shp.parent.iterdir() if p.suffix != ".dbf"})
    with pytest.raises(SourceReadError, match=r"压缩包 a\.zip 中的 shapefile 缺少 乡镇界\.dbf"):
        read_source(archive)


# --- GeoPackage, GeoJSON, KML/KMZ ----------------------------------------------------------------
def test_geopackage_layers_by_chinese_name(tmp_path: Path) -> None:
    path = tmp_path / "data.gpkg"
    _towns().to_file(path, layer="乡镇界", driver="GPKG")
    gpd.GeoDataFrame({"名称": ["龙溪河"]}, geometry=[LineString([(0, 0), (500, 800)])], crs=4545).to_file(path, layer="水系", driver="GPKG", mode="a")
    assert [t.sheet for t in read_source(path)] == ["乡镇界", "水系"]
    [t] = read_source(path, layer="水系")
    assert t.frame["名称"].tolist() == ["龙溪河"]
    assert t.crs is not None and t.crs.to_epsg() == 4545
    with pytest.raises(UnknownNameError, match=r"文件 data\.gpkg 中没有图层 'x'；现有图层：乡镇界、水系"):
        read_source(path, layer="x")
    assert [t.sheet for t in read_source(path, sheet="乡镇界")] == ["乡镇界"]  # the import's --sheet chooses a layer
    assert [t.sheet for t in read_source(path, sheet="all")] == ["乡镇界", "水系"]


def test_geojson_crs_member_honoured(tmp_path: Path) -> None:
    path = tmp_path / "pts.geojson"
    path.write_text(json.dumps({
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}},
        "features": [{"type": "Feature", "properties": {"名称": "a", "n": 7}, "geometry": {"type": "Point", "coordinates": [11950000.5, 3540000.25]}}],
    }, ensure_ascii=False), encoding="utf-8")
    [t] = read_source(path)
    assert t.crs is not None and t.crs.to_epsg() == 3857
    assert t.geometry is not None and t.geometry.iloc[0].x == 11950000.5
    assert t.frame.iloc[0].tolist() == ["a", "7"]


KML = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>导出</name>
<Folder><name>桂溪街道</name>
  <Placemark><name>1号蓄水池</name><description>&lt;b&gt;容积&lt;/b&gt; 200方</description><Point><coordinates>107.35,30.33,0</coordinates></Point></Placemark>
  <Folder><name>龙溪村</name>
    <Placemark><name>瞭望塔</name><ExtendedData><Data name="高度"><value>12</value></Data></ExtendedData>
      <Point><coordinates>107.36,30.34</coordinates></Point></Placemark>
  </Folder>
</Folder>
<Folder><name>新民镇</name>
  <Placemark><name>巡护路线</name><LineString><coordinates>107.1,30.1 107.2,30.2</coordinates></LineString></Placemark>
  <Placemark><name>防火区</name><Polygon><outerBoundaryIs><LinearRing>
    <coordinates>107,30 107.1,30 107.1,30.1 107,30</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>
</Folder>
</Document></kml>"""


def _check_kml_tables(tables: list) -> None:
    assert [t.sheet for t in tables] == ["桂溪街道", "桂溪街道/龙溪村", "新民镇"]
    first, village, town = tables
    assert first.frame.iloc[0].tolist() == ["1号蓄水池", "<b>容积</b> 200方"]
    assert village.frame.loc[0, "高度"] == "12"
    assert town.rows == [1, 2]
    assert [g.geom_type for g in town.geometry] == ["LineString", "Polygon"]
    assert first.geometry.iloc[0].equals(Point(107.35, 30.33))
    assert first.crs.to_epsg() == 4326


def test_kml_every_folder_is_a_table(tmp_path: Path) -> None:
    path = tmp_path / "巡护.kml"
    path.write_text(KML, encoding="utf-8")
    _check_kml_tables(read_source(path))


def test_kmz_from_the_map_app(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "巡护.kmz", {"doc.kml": KML.encode("utf-8"), "files/icon.png": b"\x89PNG"})
    tables = read_source(archive)
    _check_kml_tables(tables)
    assert tables[0].file == "巡护.kmz"


# --- archives that must not be opened ------------------------------------------------------------
def test_zip_traversal_entry_refused(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "evil.zip", {"../../x.csv": b"a,b\n1,2\n"})
    with pytest.raises(NotPermittedError, match=r"压缩包 evil\.zip 中的 '\.\./\.\./x\.csv' 指向压缩包之外.*archive evil\.zip: entry '\.\./\.\./x\.csv'"):
        read_source(archive)


@pytest.mark.parametrize("entry", ["/etc/x.csv", "C:\\x.csv", "a\\..\\..\\x.csv"])
def test_zip_absolute_entries_refused(tmp_path: Path, entry: str) -> None:
    archive = _zip(tmp_path / "evil.zip", {entry: b"a,b\n1,2\n"})
    with pytest.raises(NotPermittedError, match=r"evil\.zip"):
        read_source(archive)


def test_zip_symlink_refused(tmp_path: Path) -> None:
    archive = tmp_path / "link.zip"
    info = zipfile.ZipInfo("x.csv")
    info.external_attr = 0o120777 << 16
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(info, "/etc/passwd")
    with pytest.raises(NotPermittedError, match=r"'x\.csv' 是符号链接.*is a symbolic link"):
        read_source(archive)


def test_zip_bomb_refused_before_extraction(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = _zip(tmp_path / "bomb.zip", {"a.csv": b"a,b\n" + b"1,2\n" * (1 << 20)})  # 4 MiB at a high ratio
    extracted: list[object] = []
    monkeypatch.setattr("layers.imports.read.extract", lambda *a, **k: extracted.append(a))
    with pytest.raises(SourceReadError, match=r"压缩包 bomb\.zip 'a\.csv' 声明解压后 4,194,308 字节.*nothing was extracted"):
        read_source(archive)
    assert extracted == []


def test_zip_over_the_total_limit_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("geo.archive.MAX_UNPACKED_BYTES", 100)
    archive = _zip(tmp_path / "big.zip", {"a.csv": os.urandom(80), "b.csv": os.urandom(80)})
    with pytest.raises(SourceReadError, match=r"压缩包 big\.zip 解压后超过 100 字节.*big\.zip: expands to more than 100 bytes"):
        read_source(archive)


def test_temp_folder_is_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    archive = _zip(tmp_path / "a.zip", {"x.csv": "名称\n甲\n".encode()})
    [t] = read_source(archive)
    assert t.file == "a.zip/x.csv"
    assert list((tmp_path / "tmp").iterdir()) == []


# --- files that cannot be read -------------------------------------------------------------------
@pytest.mark.parametrize("suffix", [".xlsx", ".zip", ".gpkg", ".kml", ".geojson", ".kmz"])
def test_corrupt_files_are_clear_errors(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"坏{suffix}"
    path.write_bytes(os.urandom(2000))
    with pytest.raises(SourceReadError) as info:
        read_source(path, name=f"上传{suffix}")
    message = str(info.value)
    assert message.startswith(f"文件 上传{suffix}") and f"file 上传{suffix}" in message
    assert str(tmp_path) not in message


def test_corrupt_shapefile(tmp_path: Path) -> None:
    shp = _write_shp(tmp_path / "s")
    shp.write_bytes(os.urandom(500))
    with pytest.raises(SourceReadError, match=r"文件 乡镇界\.shp 无法作为地理数据读取"):
        read_source(shp)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(b"")
    with pytest.raises(SourceReadError, match=r"文件 台账\.csv 是空的（0 字节）.*file 台账\.csv is empty"):
        read_source(path, name="台账.csv")


def test_blank_csv_holds_no_data(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("\n\n,,\n", encoding="utf-8")
    with pytest.raises(SourceReadError, match=r"文件 x\.csv 中没有数据"):
        read_source(path)


def test_unknown_suffix(tmp_path: Path) -> None:
    path = tmp_path / "x.docx"
    path.write_bytes(b"abc")
    with pytest.raises(SourceReadError, match=r"文件 x\.docx 的类型（\.docx）无法导入；可导入：\.xlsx"):
        read_source(path)


def test_file_over_the_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("layers.imports.read.MAX_FILE_BYTES", 10)
    path = tmp_path / "x.csv"
    path.write_text("名称\n甲乙丙\n", encoding="utf-8")
    with pytest.raises(SourceReadError, match=r"文件 x\.csv 有 \d+ 字节，超过 10 字节的上限"):
        read_source(path)
    assert MAX_FILE_BYTES == 200 * 1024 * 1024


def test_missing_file_names_only_the_name(tmp_path: Path) -> None:
    with pytest.raises(GeoError, match=r"^文件 a\.csv 不存在") as info:
        read_source(tmp_path / "a.csv")
    assert str(tmp_path) not in str(info.value)
