"""Every download the project offers (GeoPackage, GeoJSON, zipped shapefile with its field-name map, CSV,
XLSX, and ``python -m layers dump``) imports back into the same layer unchanged: exported from a private
copy of the built 垫江县 (500231) workspace, planned as an ``upsert`` (every row an update, no problem),
committed, and compared feature by feature.

What "unchanged" means: the same fids, the same value in every field of the layer's spec, and the same
geometry (WKB-equal: every format here carries full precision; the dump, written by GDAL with 15
significant digits, within 1e-7 degrees). The import itself writes the four provenance fields
(``source_doc``, ``source_section``, ``geometry_quality``, ``geometry_source``: the file, the row, and
``authoritative``), so they are not compared; nor are a township's ``name_status`` and ``area_km2``, which a boundary
file confirms and measures.

Tables (CSV, XLSX) carry ``lon``/``lat`` (6 decimals) and ``geometry_wkt`` (EPSG:4326, full precision);
the WKT is the geometry read back, so lines and polygons keep their shape and points their last digit.
A point moved in the sheet (lon/lat edited) is refused until its WKT cell is cleared, then read from
lon/lat: an edit is never silently undone."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
import shapely

from geo.errors import SourceReadError
from layers.catalog.quality import QualityOptions
from layers.catalog.specs import get_spec
from layers.exports.data import export_data
from layers.exports.dump import dump_workspace
from layers.exports.service import export
from layers.imports.columns import SET_BY_IMPORT
from layers.imports.importer import ImportPlan, commit_import, plan_import
from layers.imports.read import read_source
from layers.store.workspace import open_workspace

ADCODE = "500231"
SUFFIX = {"gpkg": "gpkg", "geojson": "geojson", "shp": "zip", "csv": "csv", "xlsx": "xlsx"}
LAYERS = {
    "geohazards": ("Point", "Polygon"),  # hazard points and susceptibility zones in one layer
    "reservoirs": ("Point",),
    "rivers": ("LineString", "Polygon"),  # rivers and a lake
    "townships": ("Polygon",),
}


SET_BY_LAYER_IMPORT = {"townships": ("name_status", "area_km2")}
"""Fields an import of that layer sets by design (``layers.imports._townships``): a township named in a
boundary file counts as confirmed, and its area is measured from the polygon (the build wrote it to 0.1
km², the import to 0.01)."""


def _fields(layer: str) -> list[str]:
    return [f.name for f in get_spec(layer).fields if f.name not in (*SET_BY_IMPORT, "fid", *SET_BY_LAYER_IMPORT.get(layer, {}))]


def _assert_clean_plan(plan: ImportPlan, before: gpd.GeoDataFrame) -> None:
    """A dry run with no problem, every row read and matched to its own feature (update), none skipped."""
    assert [p.as_dict() for p in plan.problems] == []
    assert plan.rows_read == len(before) and plan.skipped == []
    assert plan.matches["insert"] == [] and plan.matches["ambiguous"] == []
    assert sorted(f for m in plan.matches["update"] for f in m["fids"]) == sorted(before["fid"])
    assert plan.committable


def _assert_unchanged(before: gpd.GeoDataFrame, after: gpd.GeoDataFrame, layer: str, *, tolerance: float | None = None,
                      kinds: tuple[str, ...] | None = None) -> None:
    assert sorted(after["fid"]) == sorted(before["fid"])
    b, a = before.set_index("fid"), after.set_index("fid").loc[before["fid"]]
    for name in _fields(layer):
        same = [(pd.isna(x) and pd.isna(y)) or x == y for x, y in zip(b[name], a[name], strict=True)]
        assert all(same), f"{name}: {[(fid, x, y) for fid, x, y, s in zip(b.index, b[name], a[name], same, strict=True) if not s][:3]}"
    if layer == "townships":
        assert set(a["name_status"]) == {"confirmed"}
        assert (a["area_km2"] - b["area_km2"]).abs().max() <= 0.05 + 1e-9
    if tolerance is None:
        assert shapely.to_wkb(a.geometry.values).tolist() == shapely.to_wkb(b.geometry.values).tolist()
    else:
        assert shapely.equals_exact(a.geometry.values, b.geometry.values, tolerance=tolerance).all()
    assert set(a.geom_type.str.replace("Multi", "")) == set(kinds or LAYERS[layer])


def _round_trip(path: Path, layer: str, before: gpd.GeoDataFrame, *, tolerance: float | None = None,
                kinds: tuple[str, ...] | None = None) -> None:
    plan = plan_import(open_workspace(ADCODE), path, layer=layer, mode="upsert")
    _assert_clean_plan(plan, before)
    report = commit_import(plan, user="round trip")
    assert report["features"] == len(before) and report["revision"] is not None
    _assert_unchanged(before, open_workspace(ADCODE).layer(layer), layer, tolerance=tolerance, kinds=kinds)


@pytest.mark.parametrize("layer", list(LAYERS))
@pytest.mark.parametrize("fmt", list(SUFFIX))
def test_download_imports_back_unchanged(private_workspaces: Path, tmp_path: Path, fmt: str, layer: str) -> None:
    before = open_workspace(ADCODE).layer(layer).copy()
    out = export_data({layer: before}, fmt, tmp_path / f"{layer}.{SUFFIX[fmt]}")
    _round_trip(out, layer, before)


def test_dump_imports_back_unchanged(private_workspaces: Path, tmp_path: Path) -> None:
    ws = open_workspace(ADCODE)
    before = {k: ws.layer(k).copy() for k in ("geohazards", "rivers")}
    paths = {p.stem: p for p in dump_workspace(ADCODE, tmp_path / "dump")}
    for layer, frame in before.items():
        _round_trip(paths[layer], layer, frame, tolerance=1e-7)


@pytest.mark.parametrize("fmt", ["shp", "xlsx"])
def test_page_download_imports_back_unchanged(private_workspaces: Path, tmp_path: Path, fmt: str) -> None:
    """The export panel's button (``layers.exports.service.export``), demo points shown."""
    before = open_workspace(ADCODE).layer("geohazards").copy()
    out = export(ADCODE, fmt, tmp_path / f"hazards.{SUFFIX[fmt]}", layers=["geohazards"], quality=QualityOptions(show_demo=True))
    _round_trip(out, "geohazards", before)


def test_facilities_with_two_features_of_one_name(private_workspaces: Path, tmp_path: Path) -> None:
    before = open_workspace(ADCODE).layer("facilities").copy()
    _round_trip(export_data({"facilities": before}, "gpkg", tmp_path / "f.gpkg"), "facilities", before, kinds=("Point",))


# --- the zipped shapefile's field-name map ------------------------------------------------------
def test_shapefile_field_map_restores_the_long_names(private_workspaces: Path, tmp_path: Path) -> None:
    before = open_workspace(ADCODE).layer("geohazards")
    out = export_data({"geohazards": before}, "shp", tmp_path / "g.zip")
    members = zipfile.ZipFile(out).namelist()
    assert {"geohazards_point.shp", "geohazards_polygon.shp", "geohazards_fields.csv"} <= set(members)
    tables = read_source(out)
    assert [t.sheet for t in tables] == ["geohazards_point.shp", "geohazards_polygon.shp"]  # the map is no table
    assert {t.file for t in tables} == {"g.zip/geohazards_point.shp", "g.zip/geohazards_polygon.shp"}
    for t in tables:
        assert list(t.frame.columns) == [c for c in before.columns if c != "geometry"]
    assert sum(len(t.rows) for t in tables) == len(before)


def test_shapefile_without_its_field_map_keeps_the_dbf_names(private_workspaces: Path, tmp_path: Path) -> None:
    out = export_data({"reservoirs": open_workspace(ADCODE).layer("reservoirs")}, "shp", tmp_path / "r.zip")
    bare = tmp_path / "bare.zip"
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(bare, "w") as dst:
        for name in src.namelist():
            if not name.endswith("_fields.csv"):
                dst.writestr(name, src.read(name))
    [t] = read_source(bare)
    assert "geometry_q" in t.frame.columns and "geometry_quality" not in t.frame.columns


def test_a_user_csv_called_fields_is_read_as_data(tmp_path: Path) -> None:
    """Only a ``field,column`` table next to a shapefile is a field-name map; any other CSV is data."""
    gdf = gpd.GeoDataFrame({"name": ["a"]}, geometry=[shapely.Point(107.35, 30.33)], crs=4490)
    out = export_data({"x": gdf}, "shp", tmp_path / "x.zip")
    with zipfile.ZipFile(out, "a") as zf:
        zf.writestr("survey_fields.csv", "名称,经度,纬度\n甲,107.3,30.3\n")
    tables = read_source(out)
    assert [t.file for t in tables] == ["x.zip/x.shp", "x.zip/survey_fields.csv"]


# --- tables: coordinates and the WKT column -------------------------------------------------------
def _csv_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def _write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_table_downloads_carry_coordinates_and_full_geometry(private_workspaces: Path, tmp_path: Path) -> None:
    before = open_workspace(ADCODE).layer("townships")
    out = export_data({"townships": before}, "xlsx", tmp_path / "t.xlsx")
    ws = openpyxl.load_workbook(out).active
    header = [c.value for c in ws[1]]
    assert header[-3:] == ["lon", "lat", "geometry_wkt"]
    first = dict(zip(header, [c.value for c in ws[2]], strict=True))
    assert shapely.from_wkt(first["geometry_wkt"]).equals_exact(before.geometry.iloc[0], 0)
    [t] = read_source(out)
    assert "geometry_wkt" not in t.frame.columns and t.crs is not None and t.crs.to_epsg() == 4326
    assert t.geometry is not None and t.geometry.iloc[0].geom_type == "Polygon"


def test_a_point_moved_in_the_sheet_without_clearing_its_wkt_is_refused(private_workspaces: Path, tmp_path: Path) -> None:
    out = export_data({"reservoirs": open_workspace(ADCODE).layer("reservoirs")}, "csv", tmp_path / "r.csv")
    rows = _csv_rows(out)
    rows[1]["lon"] = "107.5"
    _write_csv(out, rows)
    with pytest.raises(SourceReadError, match=r"^文件 r\.csv 第 3 行的 lon、lat（107\.5, [\d.]+）与列 geometry_wkt 的点不一致；"
                       r"要移动这个点，请清空该行的 geometry_wkt / r\.csv, row 3: lon/lat \(107\.5, [\d.]+\) differ from the point "
                       r"in column geometry_wkt; to move the point, clear its geometry_wkt cell\.$"):
        read_source(out)


def test_a_point_moved_with_its_wkt_cleared_takes_the_new_position(private_workspaces: Path, tmp_path: Path) -> None:
    ws = open_workspace(ADCODE)
    out = export_data({"reservoirs": ws.layer("reservoirs")}, "csv", tmp_path / "r.csv")
    rows = _csv_rows(out)
    rows[1].update(lon="107°21′15.3″", lat="30.33", geometry_wkt="")
    _write_csv(out, rows)
    plan = plan_import(ws, out, layer="reservoirs", mode="upsert")
    assert plan.problems == [] and len(plan.matches["update"]) == len(rows)
    moved = plan.features.set_index("fid").loc[rows[1]["fid"], "geometry"]
    assert (moved.x, moved.y) == pytest.approx((107.35425, 30.33), abs=1e-9)


def test_a_broken_wkt_cell_names_the_row_and_the_fix(private_workspaces: Path, tmp_path: Path) -> None:
    out = export_data({"rivers": open_workspace(ADCODE).layer("rivers")}, "xlsx", tmp_path / "rivers.xlsx")
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    col = [c.value for c in ws[1]].index("geometry_wkt") + 1
    ws.cell(4, col).value = ws.cell(4, col).value[:30]  # cut, as a spreadsheet cuts a cell over 32,767 characters
    wb.save(out)
    with pytest.raises(SourceReadError, match=r"^文件 rivers\.xlsx 工作表 rivers 第 4 行，列 geometry_wkt 不是有效的 WKT 几何.*"
                       r"rivers\.xlsx, sheet rivers, row 4, column geometry_wkt: not a WKT geometry .*clear it and fill in lon and lat\.$"):
        read_source(out)
