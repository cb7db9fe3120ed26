"""geo.io: reading GeoJSON, GeoPackage, shapefiles (plain, zipped, GBK) and lon/lat tables."""

from __future__ import annotations

import re
import warnings
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from pyproj import Geod
from shapely.geometry import LineString, Point

from geo.crs import gcj02_to_wgs84, wgs84_to_gcj02
from geo.errors import CRSError, NotPermittedError, SourceReadError, ValidationError
from geo.io import read_vector, shapefile_encoding

GEOD = Geod(ellps="WGS84")
DIANJIANG = (107.33, 30.33)  # near the seat of 垫江县, Chongqing


def _points(crs: str | int | None = "EPSG:4490") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": ["垫江县", "綦江区"], "pop": [1, 2]},
        geometry=[Point(*DIANJIANG), Point(106.65, 29.03)],
        crs=crs,
    )


def _write_no_crs(gdf: gpd.GeoDataFrame, path: Path, **kwargs: object) -> None:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="'crs' was not provided")
        gdf.to_file(path, **kwargs)


def _zip(zip_path: Path, files: list[Path], arc_prefix: str = "") -> Path:
    with zipfile.ZipFile(zip_path, "w") as zf:
        for f in files:
            zf.write(f, arc_prefix + f.name)
    return zip_path


def _shapefile_parts(shp: Path) -> list[Path]:
    return sorted(p for p in shp.parent.iterdir() if p.stem == shp.stem)


# --- vector files ---------------------------------------------------------------------------------
def test_geojson_written_by_geopandas(tmp_path: Path) -> None:
    path = tmp_path / "seats.geojson"
    _points("EPSG:4326").to_file(path, driver="GeoJSON")
    gdf = read_vector(path)
    assert gdf.crs.to_epsg() == 4326
    assert gdf["name"].tolist() == ["垫江县", "綦江区"]
    assert gdf.geometry.iloc[0].equals(Point(*DIANJIANG))


def test_geopackage_layer_by_name(tmp_path: Path) -> None:
    path = tmp_path / "store.gpkg"
    _points().to_file(path, layer="seats", driver="GPKG")
    roads = gpd.GeoDataFrame({"name": ["G50"]}, geometry=[LineString([(107.0, 30.0), (107.5, 30.5)])], crs=4545)
    roads.to_file(path, layer="roads", driver="GPKG", mode="a")
    gdf = read_vector(path, layer="roads")
    assert gdf.crs.to_epsg() == 4545
    assert gdf["name"].tolist() == ["G50"]
    assert read_vector(path, layer="seats")["name"].tolist() == ["垫江县", "綦江区"]


def test_geopackage_unknown_layer_raises(tmp_path: Path) -> None:
    path = tmp_path / "store.gpkg"
    _points().to_file(path, layer="seats", driver="GPKG")
    with pytest.raises(SourceReadError, match=r"store\.gpkg: cannot read as a vector file"):
        read_vector(path, layer="rivers")


def test_geopackage_without_crs_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "nocrs.gpkg"
    _write_no_crs(_points(None), path, driver="GPKG")
    with pytest.raises(CRSError, match=r"nocrs\.gpkg: the file declares no CRS and none was given; pass crs="):
        read_vector(path)
    assert read_vector(path, crs="EPSG:4490").crs.to_epsg() == 4490


def test_shapefile_without_crs_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "noprj.shp"
    _write_no_crs(_points(None), path)
    assert not path.with_suffix(".prj").exists()
    with pytest.raises(CRSError, match=r"noprj\.shp: the file declares no CRS"):
        read_vector(path)
    assert read_vector(path, crs=4490).crs.to_epsg() == 4490


def test_shapefile_gbk_without_cpg(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "gbk.shp"
    _points().to_file(path, encoding="GBK")
    path.with_suffix(".cpg").unlink()
    assert shapefile_encoding(path) == "GBK"
    gdf = read_vector(path)
    assert gdf.loc[0, "name"] == "垫江县"
    assert gdf.loc[1, "name"] == "綦江区"
    assert "reading them as GBK" in caplog.text


@pytest.mark.parametrize(("cpg_text", "expected"), [("936", "GBK"), ("CP936", "GBK"), ("UTF-8", "UTF-8"), ("", "UTF-8")])
def test_shapefile_encoding_from_cpg(tmp_path: Path, cpg_text: str, expected: str) -> None:
    path = tmp_path / "a.shp"
    _points().to_file(path, encoding="UTF-8")
    path.with_suffix(".cpg").write_text(cpg_text)
    assert shapefile_encoding(path) == expected


def test_shapefile_missing_dbf_raises(tmp_path: Path) -> None:
    path = tmp_path / "a.shp"
    _points().to_file(path, encoding="UTF-8")
    path.with_suffix(".cpg").unlink()
    path.with_suffix(".dbf").unlink()
    with pytest.raises(SourceReadError, match=r"a\.shp: the \.dbf file is missing"):
        read_vector(path)


def test_shapefile_utf8_without_cpg_many_records(tmp_path: Path) -> None:
    # 130 records -> DBF header byte 4 (record count) is 0x82, never valid UTF-8 on its own
    n = 130
    gdf = gpd.GeoDataFrame({"name": ["垫江县"] * n}, geometry=[Point(*DIANJIANG)] * n, crs=4490)
    path = tmp_path / "utf8.shp"
    gdf.to_file(path, encoding="UTF-8")
    path.with_suffix(".cpg").unlink()
    assert read_vector(path).loc[0, "name"] == "垫江县"


def test_zipped_shapefile(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    _points().to_file(src / "seats.shp", encoding="UTF-8")
    archive = _zip(tmp_path / "seats.zip", _shapefile_parts(src / "seats.shp"), arc_prefix="seats/")
    gdf = read_vector(archive)
    assert gdf.crs.to_epsg() == 4490
    assert gdf["name"].tolist() == ["垫江县", "綦江区"]


def test_zip_with_two_shapefiles_raises(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    _points().to_file(src / "a.shp")
    _points().to_file(src / "b.shp")
    archive = _zip(tmp_path / "two.zip", sorted(src.iterdir()))
    with pytest.raises(SourceReadError, match=r"two\.zip: expected exactly one \.shp inside the zip, found 2"):
        read_vector(archive)


def test_zip_without_shapefile_raises(tmp_path: Path) -> None:
    (tmp_path / "readme.txt").write_text("no data")
    archive = _zip(tmp_path / "empty.zip", [tmp_path / "readme.txt"])
    with pytest.raises(SourceReadError, match=r"found 0"):
        read_vector(archive)


def test_zipped_shapefile_without_crs_names_the_zip(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    _write_no_crs(_points(None), src / "inner.shp")
    archive = _zip(tmp_path / "upload.zip", _shapefile_parts(src / "inner.shp"))
    with pytest.raises(CRSError, match=r"upload\.zip: the file declares no CRS"):  # the user's file, not the temp .shp
        read_vector(archive)
    assert read_vector(archive, crs=4490).crs.to_epsg() == 4490


def test_missing_file_raises(tmp_path: Path) -> None:
    with pytest.raises(SourceReadError, match=r"nowhere\.gpkg: file not found; check the path"):
        read_vector(tmp_path / "nowhere.gpkg")


def test_source_read_error_is_os_error(tmp_path: Path) -> None:
    with pytest.raises(OSError, match="file not found"):
        read_vector(tmp_path / "nowhere.csv")


# --- tables with lon/lat columns --------------------------------------------------------------------
def test_csv_decimal_columns(tmp_path: Path) -> None:
    path = tmp_path / "seats.csv"
    path.write_text("名称,经度,纬度\n垫江县,107.33,30.33\n綦江区,106.65,29.03\n", encoding="utf-8")
    gdf = read_vector(path)
    assert gdf.crs.to_epsg() == 4326
    assert list(gdf.columns) == ["名称", "geometry"]
    assert gdf.geometry.iloc[0].equals(Point(107.33, 30.33))
    assert gdf.geometry.iloc[1].equals(Point(106.65, 29.03))


def test_csv_dms_columns(tmp_path: Path) -> None:
    path = tmp_path / "seats.csv"
    path.write_text(
        "名称,经度,纬度\n垫江县,\"107°19'48\"\"E\",30度19分48秒\n綦江区,106°39′00″,北纬29度01分48秒\n", encoding="utf-8"
    )
    gdf = read_vector(path)
    # 107 + 19/60 + 48/3600 = 107 + 0.31667 + 0.01333 = 107.33; 30 + 19/60 + 48/3600 = 30.33
    # 106 + 39/60 = 106.65;  29 + 1/60 + 48/3600 = 29 + 0.016667 + 0.013333 = 29.03
    assert gdf.geometry.x.tolist() == pytest.approx([107.33, 106.65], abs=1e-9)
    assert gdf.geometry.y.tolist() == pytest.approx([30.33, 29.03], abs=1e-9)


def test_csv_saved_as_gbk(tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes("名称,经度,纬度\n垫江县,107.33,30.33\n".encode("gbk"))
    gdf = read_vector(path)
    assert gdf.loc[0, "名称"] == "垫江县"
    assert gdf.geometry.iloc[0].equals(Point(107.33, 30.33))


def test_csv_with_utf8_bom_and_english_names(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_text("name,Longitude,Latitude\n垫江县,107.33,30.33\n", encoding="utf-8-sig")
    gdf = read_vector(path)
    assert list(gdf.columns) == ["name", "geometry"]
    assert gdf.geometry.iloc[0].equals(Point(107.33, 30.33))


def test_xlsx_table(tmp_path: Path) -> None:
    path = tmp_path / "seats.xlsx"
    pd.DataFrame({"名称": ["垫江县", "綦江区"], "经度": [107.33, "106°39′00″"], "纬度": [30.33, "29°01'48\""]}).to_excel(
        path, index=False
    )
    gdf = read_vector(path)
    assert gdf["名称"].tolist() == ["垫江县", "綦江区"]
    # 106 + 39/60 = 106.65; 29 + 1/60 + 48/3600 = 29.03
    assert gdf.geometry.x.tolist() == pytest.approx([107.33, 106.65], abs=1e-9)
    assert gdf.geometry.y.tolist() == pytest.approx([30.33, 29.03], abs=1e-9)


def test_explicit_coordinate_columns(tmp_path: Path) -> None:
    path = tmp_path / "seats.csv"
    path.write_text("名称,E,N\n垫江县,107.33,30.33\n", encoding="utf-8")
    gdf = read_vector(path, lon_col="E", lat_col="N")
    assert gdf.geometry.iloc[0].equals(Point(107.33, 30.33))


def test_gcj02_table_is_shifted_back(tmp_path: Path) -> None:
    glon, glat = (float(v) for v in wgs84_to_gcj02(*DIANJIANG))
    path = tmp_path / "amap.csv"
    path.write_text(f"名称,经度,纬度\n垫江县,{glon!r},{glat!r}\n", encoding="utf-8")
    gdf = read_vector(path, datum="gcj02")
    got = gdf.geometry.iloc[0]
    want_lon, want_lat = gcj02_to_wgs84(glon, glat)
    assert (got.x, got.y) == pytest.approx((float(want_lon), float(want_lat)), abs=1e-12)
    # the converted point is back on the original WGS84 location (well under a centimetre) ...
    assert GEOD.inv(got.x, got.y, *DIANJIANG)[2] < 0.01
    # ... and has moved by the GCJ-02 offset, a few hundred metres in Chongqing
    assert 100 < GEOD.inv(got.x, got.y, glon, glat)[2] < 700
    # reading the same file as wgs84 keeps the raw (shifted) numbers
    raw = read_vector(path).geometry.iloc[0]
    assert (raw.x, raw.y) == (glon, glat)


def test_bad_coordinate_rows_are_all_reported(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "名称,经度,纬度\n"  # line 1: header
        "a,107.33,30.33\n"  # line 2: fine
        "b,abc,30.30\n"  # line 3: lon unreadable
        "c,107.30,95\n"  # line 4: lat out of range
        "d,107.30,30.20\n"  # line 5: fine
        "e,107°75',30.1\n",  # line 6: 75 minutes
        encoding="utf-8",
    )
    with pytest.raises(ValidationError, match=r"3 problem\(s\) in .*bad\.csv") as info:
        read_vector(path)
    err = info.value
    assert [(p.row, p.field) for p in err.problems] == [(3, "经度"), (4, "纬度"), (6, "经度")]
    assert "row 3, field '经度': Cannot read 'abc' as an angle" in str(err)
    assert "row 4, field '纬度': lat value '95' is outside -90..90 degrees" in str(err)
    assert "row 6, field '经度': Minutes and seconds" in str(err)


def test_missing_coordinate_columns_lists_columns(tmp_path: Path) -> None:
    path = tmp_path / "nocoords.csv"
    path.write_text("名称,地址\n垫江县,桂溪街道\n", encoding="utf-8")
    with pytest.raises(SourceReadError, match=r"no column named like .* columns are \['名称', '地址'\]"):
        read_vector(path)


def test_named_coordinate_column_missing(tmp_path: Path) -> None:
    path = tmp_path / "seats.csv"
    path.write_text("名称,经度,纬度\n垫江县,107.33,30.33\n", encoding="utf-8")
    with pytest.raises(SourceReadError, match=r"column 'lng' not found; columns are \['名称', '经度', '纬度'\]"):
        read_vector(path, lon_col="lng")


def test_csv_neither_utf8_nor_gbk(tmp_path: Path) -> None:
    path = tmp_path / "utf16.csv"
    path.write_bytes("名称,经度,纬度\n垫江县,107.33,30.33\n".encode("utf-16"))
    with pytest.raises(SourceReadError, match="neither UTF-8 nor GBK"):
        read_vector(path)


def test_bad_row_number_counts_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    # line 1 header, line 2 fine, line 3 blank, line 4 bad lon
    path.write_text("名称,经度,纬度\na,107.33,30.33\n\nb,abc,30.30\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="Cannot read 'abc'") as info:
        read_vector(path)
    assert info.value.problems[0].row == 4


def test_empty_coordinate_cell_message(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("名称,经度,纬度\na,,30.33\n", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"row 2, field '经度'") as info:
        read_vector(path)
    assert "outside" not in str(info.value)


# --- reader errors translated at the edge ---------------------------------------------------------
def test_an_unusable_crs_argument_is_a_crs_error_naming_the_value(tmp_path: Path) -> None:
    path = tmp_path / "nocrs.gpkg"
    _write_no_crs(_points(None), path, driver="GPKG")
    with pytest.raises(CRSError, match=r"nocrs\.gpkg: crs='EPSG:4490x' is not a CRS that can be used \(.*\); pass an EPSG code"):
        read_vector(path, crs="EPSG:4490x")


def test_a_broken_zip_is_a_source_read_error(tmp_path: Path) -> None:
    path = tmp_path / "upload.zip"
    path.write_bytes(b"not a zip")
    with pytest.raises(SourceReadError, match=r"upload\.zip: not a zip archive that can be read \(.*\); zip the shapefile again"):
        read_vector(path)


@pytest.mark.parametrize(("name", "content", "why"), [
    ("empty.csv", b"", "No columns to parse"),
    ("quote.csv", b'lon,lat\n107.3,"30.3\n', "EOF inside string"),
    ("fake.xlsx", b"plain text saved as .xlsx", "Excel file format cannot be determined"),
])
def test_a_table_that_cannot_be_parsed_is_a_source_read_error(tmp_path: Path, name: str, content: bytes, why: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(SourceReadError, match=rf"{re.escape(name)}: cannot read as a table \(.*{why}.*\); save it again as CSV"):
        read_vector(path)


def test_an_xls_without_its_reader_names_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_xlrd(*_args: object, **_kwargs: object) -> None:
        raise ImportError("Missing optional dependency 'xlrd'.", name="xlrd")

    monkeypatch.setattr(pd, "read_excel", no_xlrd)
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(SourceReadError, match=r"old\.xls: reading \.xls files needs xlrd, which is not installed; save the sheet as \.xlsx or CSV"):
        read_vector(path)


# --- archives: nothing outside the zip, nothing past the limits ----------------------------------
def test_zip_entry_with_dotdot_is_refused_before_extracting(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    _points().to_file(src / "seats.shp", encoding="UTF-8")
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in _shapefile_parts(src / "seats.shp"):
            zf.write(part, "../" + part.name)
    with pytest.raises(NotPermittedError, match=r"evil\.zip.*'\.\./seats\.(shp|shx|dbf|prj|cpg)'.*outside the archive"):
        read_vector(archive)
    assert not (tmp_path.parent / "seats.shp").exists()


def test_zip_symlink_entry_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "link.zip"
    info = zipfile.ZipInfo("seats.shp")
    info.external_attr = (0o120777 << 16)
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(info, "/etc/passwd")
    with pytest.raises(NotPermittedError, match=r"link\.zip.*'seats\.shp' is a symbolic link"):
        read_vector(archive)


def test_zip_bomb_is_refused_before_extracting(tmp_path: Path) -> None:
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.shp", b"\0" * (20 << 20))
    with pytest.raises(SourceReadError, match=r"bomb\.zip: entry 'a\.shp' claims 20,971,520 bytes \(ratio \d+:1, limit 200:1\)"):
        read_vector(archive)
