"""layers.imports.importer with the bureaus' file kinds, each made here as the office's software writes
it, imported into a private copy of the built 垫江县 (500231) workspace, every position compared with
the hand-checked truth within 1 m.

Hand-checked numbers (tests/geo/test_crs.py checks them against an independent Transverse Mercator
series and Baidu's/GCJ's published formulas): the seat 107.35E 30.33N is E 437 491.796 / N 3 356 874.677
in EPSG:4545 (CGCS2000 3-degree GK, 108E, no prefix) and E 36 437 491.796 in EPSG:4524 (the same zone
with the prefix 36); GCJ-02 107.3546027, 30.3275054; BD-09 107.3611492, 30.3332676. Web Mercator:
x = 6378137 * lon in radians = 6378137 * 1.873610952 = 11 950 147.34, y = 6378137 * ln(tan(45° + lat/2)) =
6378137 * ln(1.743627758) = 3 546 039.19 (PROJ agrees to the millimetre).
"""

from __future__ import annotations

import json
import math
import os
import signal
import sqlite3
import subprocess
import sys
import time
import warnings
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from pyproj import Geod, Transformer
from shapely.geometry import LineString, Point, Polygon

from geo.crs import from_wgs84
from geo.errors import OptionError
from layers.imports.importer import commit_import, plan_import
from layers.store.workspace import UserChange, open_workspace
from tests.layers.store._store_helpers import table_hashes
from tests.places import ESRI_CM108, SEAT, SEAT_3857, SEAT_4524, SEAT_4545, SEAT_BD, SEAT_GCJ

ADCODE = "500231"
REPO = Path(__file__).resolve().parents[3]
GEOD = Geod(ellps="GRS80")
# Points inside 垫江县 (at least 1 km from the boundary) with the township each lies in
POINTS = {"桂溪街道": (107.35, 30.33), "黄沙镇": (107.40, 30.25), "桂阳街道": (107.45, 30.20), "永安镇": (107.50, 30.35),
          "高峰镇": (107.42, 30.22)}


@pytest.fixture
def ws_path(private_workspaces: Path) -> Path:
    return private_workspaces / f"{ADCODE}.gpkg"


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(GEOD.inv(a[0], a[1], b[0], b[1])[2])


def _mercator(lon: float, lat: float) -> tuple[float, float]:
    """EPSG:3857 by its definition (spherical Mercator on the WGS84 semi-major axis)."""
    r = 6_378_137.0
    return r * math.radians(lon), r * math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def _gk(code: int, lon: float, lat: float) -> tuple[float, float]:
    return Transformer.from_crs("EPSG:4490", f"EPSG:{code}", always_xy=True).transform(lon, lat)


def _positions(layer: str, fids: list[str] | None = None) -> dict[str, tuple[float, float]]:
    frame = open_workspace(ADCODE).layer(layer).set_index("fid")
    return {str(f): (g.x, g.y) for f, g in frame.geometry.items() if g.geom_type == "Point" and (fids is None or f in fids)}


def test_hand_checked_numbers_agree() -> None:
    """The constants above, recomputed: PROJ for GK, the definition for Web Mercator, geo.crs for GCJ/BD."""
    assert _gk(4545, *SEAT) == pytest.approx(SEAT_4545, abs=1e-3)
    assert _gk(4524, *SEAT) == pytest.approx(SEAT_4524, abs=1e-3)
    assert _mercator(*SEAT) == pytest.approx(SEAT_3857, abs=0.01)
    assert tuple(float(v) for v in from_wgs84(*SEAT, datum="gcj02")) == pytest.approx(SEAT_GCJ, abs=1e-7)
    assert _metres(tuple(float(v) for v in from_wgs84(*SEAT, datum="bd09")), SEAT_BD) < 0.05


# --- vector files ---------------------------------------------------------------------------------

RIVER_ROWS = [("龙溪河", "河流", 2, [SEAT, POINTS["黄沙镇"]]), ("高滩溪", "溪河", 3, [POINTS["桂阳街道"], POINTS["高峰镇"]])]


def _rivers_4545() -> gpd.GeoDataFrame:
    """River lines in EPSG:4545; the first vertex of 龙溪河 is the hand-checked seat."""
    lines = [LineString([SEAT_4545 if p == SEAT else _gk(4545, *p) for p in pts]) for *_, pts in RIVER_ROWS]
    return gpd.GeoDataFrame({"名称": [r[0] for r in RIVER_ROWS], "类别": [r[1] for r in RIVER_ROWS], "等级": [r[2] for r in RIVER_ROWS]},
                            geometry=lines, crs=4545)


def _arcgis_shapefile(folder: Path) -> Path:
    """As ArcGIS writes it: GBK attributes, no .cpg, the .prj in ESRI WKT (GK 108E, no zone prefix)."""
    folder.mkdir()
    shp = folder / "水系.shp"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _rivers_4545().to_file(shp, encoding="GBK", engine="pyogrio")
    shp.with_suffix(".cpg").unlink(missing_ok=True)
    shp.with_suffix(".prj").write_text(ESRI_CM108, encoding="ascii")
    return shp


def _zipped(shp: Path) -> Path:
    archive = shp.parent.with_name("水系.zip")
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for part in sorted(shp.parent.iterdir()):
            zf.write(part, f"水系/{part.name}")
    return archive


def _check_rivers(report: dict[str, object], encoding: str | None) -> None:
    assert (report["rows_read"], report["features"], report["problems"], report["encoding"]) == (2, 2, [], encoding)
    rivers = open_workspace(ADCODE).user_features("rivers").set_index("name")
    assert rivers.loc["龙溪河", "kind"] == "river" and rivers.loc["高滩溪", "kind"] == "stream"
    assert rivers.loc["龙溪河", "order"] == 2
    first = rivers.loc["龙溪河"].geometry.coords
    assert _metres(first[0], SEAT) < 1.0 and _metres(first[-1], POINTS["黄沙镇"]) < 1.0
    assert _metres(rivers.loc["高滩溪"].geometry.coords[-1], POINTS["高峰镇"]) < 1.0


@pytest.mark.parametrize("zipped", [False, True], ids=["loose", "zipped"])
def test_arcgis_shapefile_in_gk_without_prefix(ws_path: Path, tmp_path: Path, zipped: bool) -> None:
    shp = _arcgis_shapefile(tmp_path / "水系")
    path = _zipped(shp) if zipped else shp
    plan = plan_import(open_workspace(ADCODE), path, layer="rivers")
    report = plan.report()
    assert (report["crs"], report["datum"], report["crs_score"]) == ("EPSG:4545", "cgcs2000", 1.0), report
    done = commit_import(plan, user="规划局")
    _check_rivers(done, "GBK")



def test_shapefile_without_prj_needs_the_crs_named(ws_path: Path, tmp_path: Path) -> None:
    shp = _arcgis_shapefile(tmp_path / "水系")
    shp.with_suffix(".prj").unlink()
    plan = plan_import(open_workspace(ADCODE), shp, layer="rivers")
    assert [(p.row, p.message) for p in plan.problems] == [(None, "文件没有声明坐标系（如缺少 .prj）；请用 --crs 指定，如 --crs EPSG:4545 / "
                                                            "the file declares no CRS (e.g. no .prj); name it with --crs, e.g. --crs EPSG:4545")]
    assert not plan.committable
    with pytest.raises(OptionError, match=r"坐标系“EPSG:99999”无效；请写 EPSG 代码，如 EPSG:4545 / unknown CRS 'EPSG:99999'"):
        plan_import(open_workspace(ADCODE), shp, layer="rivers", crs="EPSG:99999")
    _check_rivers(commit_import(plan_import(open_workspace(ADCODE), shp, layer="rivers", crs="EPSG:4545"), user="a"), "GBK")


def _placemark(name: str, lon: float, lat: float) -> str:
    return (f"<Placemark><name>{name}</name><description>巡护采集</description><styleUrl>#m</styleUrl>"
            f"<Point><coordinates>{lon:.7f},{lat:.7f},0</coordinates></Point></Placemark>")


def _ovi_kml() -> str:
    """As 奥维互动地图 exports a survey: a Document with a style, one folder per township, points named
    after what they are (no kind column), WGS84 lon/lat."""
    towns = {"桂溪街道": [("桂溪1号蓄水池", *SEAT), ("桂溪监控点", 107.36, 30.32)],
             "黄沙镇": [("黄沙检查站", *POINTS["黄沙镇"])]}
    folders = "".join(f"<Folder><name>{t}</name>{''.join(_placemark(*p) for p in pts)}</Folder>" for t, pts in towns.items())
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2" '
            'xmlns:gx="http://www.google.com/kml/ext/2.2"><Document><name>奥维互动地图</name>'
            '<Style id="m"><IconStyle><scale>1</scale></IconStyle></Style>'
            f"{folders}</Document></kml>")


@pytest.mark.parametrize("suffix", [".kml", ".kmz"])
def test_ovi_kml_and_kmz_every_folder(ws_path: Path, tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"巡护采集{suffix}"
    if suffix == ".kml":
        path.write_text(_ovi_kml(), encoding="utf-8")
    else:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("doc.kml", _ovi_kml().encode("utf-8"))
            zf.writestr("files/icon.png", b"\x89PNG")
    plan = plan_import(open_workspace(ADCODE), path, layer="forest_fire")
    report = plan.report()
    assert (report["rows_read"], report["features"], report["problems"], report["crs"], report["datum"]) == (3, 3, [], "EPSG:4326", "wgs84")
    assert [(m["sheet"], m["row"]) for m in report["matches"]["insert"]] == [("桂溪街道", 1), ("桂溪街道", 2), ("黄沙镇", 1)]
    commit_import(plan, user="林业局")
    got = open_workspace(ADCODE).user_features("forest_fire").set_index("name")
    assert got["kind"].to_dict() == {"桂溪1号蓄水池": "water_tank", "桂溪监控点": "camera", "黄沙检查站": "checkpoint"}
    assert _metres((got.loc["桂溪1号蓄水池"].geometry.x, got.loc["桂溪1号蓄水池"].geometry.y), SEAT) < 1.0
    assert _metres((got.loc["黄沙检查站"].geometry.x, got.loc["黄沙检查站"].geometry.y), POINTS["黄沙镇"]) < 1.0
    assert got.loc["黄沙检查站", "source_section"] == "黄沙镇 第1个要素"


def test_geojson_in_web_mercator_with_a_crs_member(ws_path: Path, tmp_path: Path) -> None:
    points = {"桂溪滑坡": SEAT, "黄沙崩塌": POINTS["黄沙镇"]}
    features = [{"type": "Feature", "properties": {"名称": n, "类型": "灾害点", "灾害类型": "滑坡"},
                 "geometry": {"type": "Point", "coordinates": list(SEAT_3857 if p == SEAT else _mercator(*p))}}
                for n, p in points.items()]
    path = tmp_path / "灾害点.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}},
                                "features": features}, ensure_ascii=False), encoding="utf-8")
    plan = plan_import(open_workspace(ADCODE), path, layer="geohazards")
    assert (plan.report()["crs"], plan.report()["datum"], plan.report()["problems"], plan.report()["features"]) == ("EPSG:3857", "wgs84", [], 2)
    commit_import(plan, user="a")
    got = open_workspace(ADCODE).user_features("geohazards").set_index("name")
    for name, where in points.items():
        assert _metres((got.loc[name].geometry.x, got.loc[name].geometry.y), where) < 1.0


def _zones(crs: int) -> gpd.GeoDataFrame:
    """Two small squares (about 400 m) around known points, in ``crs``."""
    out = []
    for lon, lat in (SEAT, POINTS["黄沙镇"]):
        x, y = _gk(crs, lon, lat) if crs != 4490 else (lon, lat)
        h = 200.0 if crs != 4490 else 0.002
        out.append(Polygon([(x - h, y - h), (x + h, y - h), (x + h, y + h), (x - h, y + h)]))
    return gpd.GeoDataFrame({"名称": ["桂溪滑坡易发区", "黄沙易发区"], "类型": ["易发区", "易发区"]}, geometry=out, crs=crs)


def test_geopackage_with_a_chinese_layer_name(ws_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "地灾.gpkg"
    _zones(4524).to_file(path, layer="地质灾害易发区", driver="GPKG", engine="pyogrio")
    plan = plan_import(open_workspace(ADCODE), path, layer="geohazards")
    report = plan.report()
    assert (report["crs"], report["problems"], report["features"]) == ("EPSG:4524", [], 2), report
    assert [m["sheet"] for m in report["matches"]["insert"]] == ["地质灾害易发区"] * 2
    commit_import(plan, user="a")
    got = open_workspace(ADCODE).user_features("geohazards").set_index("name")
    centre = got.loc["桂溪滑坡易发区"].geometry.centroid
    assert _metres((centre.x, centre.y), SEAT) < 1.0
    assert got.loc["桂溪滑坡易发区", "kind"] == "susceptibility_zone"



def test_geopackage_layer_chosen_by_sheet(ws_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "地灾.gpkg"
    _zones(4524).to_file(path, layer="地质灾害易发区", driver="GPKG", engine="pyogrio")
    gpd.GeoDataFrame({"名称": ["龙溪河"]}, geometry=[LineString([SEAT_4524, (SEAT_4524[0] + 500, SEAT_4524[1] + 800)])],
                     crs=4524).to_file(path, layer="水系", driver="GPKG", engine="pyogrio", mode="a")
    plan = plan_import(open_workspace(ADCODE), path, layer="geohazards", sheet="地质灾害易发区")
    assert (plan.report()["rows_read"], plan.report()["problems"]) == (2, [])


# --- a forest bureau's CSV: GBK, lon/lat picked on a phone map app (GCJ-02) -----------------------

FACILITIES = [("桂溪1号蓄水池", "蓄水池", "桂溪街道", SEAT), ("黄沙视频监控点", "视频监控", "黄沙镇", POINTS["黄沙镇"]),
              ("桂阳检查站", "检查站", "桂阳街道", POINTS["桂阳街道"]), ("永安2号蓄水池", "蓄水池", "永安镇", POINTS["永安镇"]),
              ("高峰视频监控点", "视频监控", "高峰镇", POINTS["高峰镇"])]
KINDS = {"蓄水池": "water_tank", "视频监控": "camera", "检查站": "checkpoint"}


def _shifted(datum: str, where: tuple[float, float]) -> tuple[float, float]:
    """``where`` as the phone app shows it; the seat from the hand-checked constants."""
    if where == SEAT:
        return SEAT_GCJ if datum == "gcj02" else SEAT_BD
    lon, lat = from_wgs84(*where, datum=datum)  # type: ignore[arg-type]
    return float(lon), float(lat)


def _forest_csv(path: Path, datum: str) -> Path:
    """As Excel saves it ("CSV (逗号分隔)"): GBK, CRLF, six decimals as the app copies them."""
    lines = ["序号,设施名称,设施类型,所在乡镇,经度,纬度"]
    for i, (name, kind, town, where) in enumerate(FACILITIES, start=1):
        lon, lat = _shifted(datum, where)
        lines.append(f"{i},{name},{kind},{town},{lon:.7f},{lat:.7f}")
    path.write_bytes("\r\n".join(lines).encode("gbk") + b"\r\n")
    return path


def _check_facilities(report: dict[str, object], label: str, datum: str) -> None:
    assert (report["encoding"], report["crs"], report["datum"], report["crs_score"], report["problems"]) == ("GBK", label, datum, 1.0, [])
    got = open_workspace(ADCODE).layer("forest_fire").set_index("name")
    for name, kind, town, where in FACILITIES:
        g = got.loc[name].geometry
        assert _metres((g.x, g.y), where) < 1.0, name
        assert (got.loc[name, "kind"], got.loc[name, "geometry_quality"]) == (KINDS[kind], "authoritative")
        assert got.loc[name, "township"] in (town, None)  # the WGS84 file below has no township column


def test_gcj02_given_explicitly(ws_path: Path, tmp_path: Path) -> None:
    plan = plan_import(open_workspace(ADCODE), _forest_csv(tmp_path / "林业设施台账.csv", "gcj02"), layer="forest_fire", datum="gcj02")
    assert plan.report()["features"] == 5
    _check_facilities(commit_import(plan, user="林业局"), "GCJ-02", "gcj02")


def test_gcj02_auto_without_reference_points_stays_wgs84_and_says_why(ws_path: Path, tmp_path: Path) -> None:
    plan = plan_import(open_workspace(ADCODE), _forest_csv(tmp_path / "林业设施台账.csv", "gcj02"), layer="forest_fire")
    assert (plan.report()["crs"], plan.report()["datum"]) == ("EPSG:4490", "cgcs2000")
    assert "cannot be told apart from WGS84/CGCS2000 without reference points" in plan.location.reason


def _surveyed(names: list[str], *, off_m: float = 3.0) -> gpd.GeoDataFrame:
    """The bureau's earlier surveyed points of the same facilities, a few metres off the truth
    (authoritative: known positions that can decide the datum)."""
    rows = [r for r in FACILITIES if r[0] in names]
    return gpd.GeoDataFrame({"fid": [f"survey-{i}" for i in range(len(rows))], "name": [r[0] for r in rows],
                             "kind": [KINDS[r[1]] for r in rows], "township": [r[2] for r in rows], "source_doc": "2024 实地核查",
                             "geometry_quality": "authoritative"},
                            geometry=[Point(r[3][0] + off_m / 96_000, r[3][1]) for r in rows], crs=4490)


def test_gcj02_auto_chosen_by_reference_points(ws_path: Path, tmp_path: Path) -> None:
    ws = open_workspace(ADCODE)
    ws.commit([UserChange("forest_fire", upsert=_surveyed([r[0] for r in FACILITIES[:3]]))], user="林业局", action="edit")
    plan = plan_import(open_workspace(ADCODE), _forest_csv(tmp_path / "林业设施台账.csv", "gcj02"), layer="forest_fire", mode="upsert")
    report = plan.report()
    assert [m["fids"] for m in report["matches"]["update"]] == [["survey-0"], ["survey-1"], ["survey-2"]]
    assert "closest to the reference points" in plan.location.reason, plan.location.reason
    _check_facilities(commit_import(plan, user="林业局"), "GCJ-02", "gcj02")


def test_wgs84_file_with_reference_points_stays_wgs84(ws_path: Path, tmp_path: Path) -> None:
    """The same reference points do not push a file that is really WGS84 into GCJ-02."""
    ws = open_workspace(ADCODE)
    ws.commit([UserChange("forest_fire", upsert=_surveyed([r[0] for r in FACILITIES]))], user="林业局", action="edit")
    path = tmp_path / "林业设施台账.csv"
    lines = ["设施名称,设施类型,经度,纬度"] + [f"{n},{k},{w[0]:.7f},{w[1]:.7f}" for n, k, _, w in FACILITIES]
    path.write_bytes("\r\n".join(lines).encode("gbk"))
    plan = plan_import(open_workspace(ADCODE), path, layer="forest_fire", mode="upsert")
    assert (plan.report()["crs"], plan.report()["datum"]) == ("EPSG:4490", "cgcs2000"), plan.location.reason
    _check_facilities(commit_import(plan, user="林业局"), "EPSG:4490", "cgcs2000")


def test_bd09_given_explicitly(ws_path: Path, tmp_path: Path) -> None:
    plan = plan_import(open_workspace(ADCODE), _forest_csv(tmp_path / "百度拾取.csv", "bd09"), layer="forest_fire", datum="bd09")
    _check_facilities(commit_import(plan, user="林业局"), "BD-09", "bd09")


# --- a water bureau's reservoir list in Gauss-Krüger X/Y ---------------------------------------------

RESERVOIRS = {"龙门水库": SEAT, "黄沙水库": POINTS["黄沙镇"], "高峰水库": POINTS["高峰镇"]}


def _reservoir_csv(path: Path, code: int, *, northing_first: bool) -> Path:
    """The surveyors' X (northing, 7 digits) before Y (easting), or 东坐标 before 北坐标."""
    header = "序号,水库名称,X,Y,备注" if northing_first else "序号,水库名称,东坐标,北坐标,备注"
    lines = [header]
    for i, (name, where) in enumerate(RESERVOIRS.items(), start=1):
        e, n = ({4545: SEAT_4545, 4524: SEAT_4524}[code]) if where == SEAT else _gk(code, *where)
        a, b = (n, e) if northing_first else (e, n)
        lines.append(f"{i},{name},{a:.3f},{b:.3f},小(2)型")
    path.write_bytes("\r\n".join(lines).encode("gbk"))
    return path


@pytest.mark.parametrize("code", [4545, 4524], ids=["no-prefix", "zone-prefix"])
@pytest.mark.parametrize("northing_first", [True, False], ids=["X-northing-first", "easting-first"])
@pytest.mark.parametrize("crs", ["auto", "given"])
def test_gauss_kruger_lists(ws_path: Path, tmp_path: Path, code: int, northing_first: bool, crs: str) -> None:
    """EPSG:4545 is the 3-degree zone 36 (central meridian 108E) without the prefix, EPSG:4524 the same
    zone with the prefix 36 (geo/crs.py; 6-degree zones are EPSG:4491-4512)."""
    path = _reservoir_csv(tmp_path / "水库名录.csv", code, northing_first=northing_first)
    plan = plan_import(open_workspace(ADCODE), path, layer="reservoirs", crs=f"EPSG:{code}" if crs == "given" else "auto")
    report = plan.report()
    assert (report["crs"], report["datum"], report["crs_score"], report["problems"]) == (f"EPSG:{code}", "cgcs2000", 1.0, []), plan.location.reason
    commit_import(plan, user="水利局")
    got = open_workspace(ADCODE).layer("reservoirs").set_index("name")
    for name, where in RESERVOIRS.items():
        g = got.loc[name].geometry
        assert _metres((g.x, g.y), where) < 1.0, name


def test_gauss_kruger_in_the_wrong_given_zone_is_outside(ws_path: Path, tmp_path: Path) -> None:
    """EPSG:4545 numbers read as the 6-degree zone 18 (EPSG:4506, 105E) land about 260 km west: every row a problem."""
    path = _reservoir_csv(tmp_path / "水库名录.csv", 4545, northing_first=True)
    plan = plan_import(open_workspace(ADCODE), path, layer="reservoirs", crs="EPSG:4506")
    assert plan.report()["crs"] == "EPSG:4506" and plan.report()["crs_score"] == 0.0
    assert [(p.row, p.field) for p in plan.problems] == [(2, "Y/X"), (3, "Y/X"), (4, "Y/X")]  # easting/northing
    assert all(p.message.startswith("位置在县界外 ") for p in plan.problems) and not plan.committable


# --- lon/lat written the other way round ------------------------------------------------------------

def test_a_row_with_lon_and_lat_swapped_is_named(ws_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "设施.csv"
    rows = ["序号,设施名称,设施类型,所在乡镇,经度,纬度", "1,一号池,蓄水池,桂溪街道,107.350000,30.330000",
            "2,二号池,蓄水池,黄沙镇,30.250000,107.400000", "3,三号池,蓄水池,黄沙镇,107.380000,30.280000"]
    path.write_bytes("\r\n".join(rows).encode("gbk"))
    plan = plan_import(open_workspace(ADCODE), path, layer="forest_fire")
    [(problem)] = plan.problems
    # line 3 of the text file, both columns named: the two cells are kept as written for the swap check
    assert (problem.row, problem.field, problem.value) == (3, "经度/纬度", "30.25, 107.4")
    assert problem.message == ("经度与纬度写反了（经度应约为 97–111，纬度约为 21–35）；请对调这两格 / longitude and latitude are "
                               "swapped in this row (longitude about 97-111, latitude about 21-35); swap the two cells")
    assert plan.report()["skipped"] == [{"sheet": None, "row": 3}] and plan.report()["features"] == 2


def test_swapped_check_names_both_columns() -> None:
    from layers.imports._validate import Rows, swapped

    rows = Rows("设施", [3, 4], [None, None], ("经度", "纬度"), (np.array([107.35, 30.25]), np.array([30.33, 107.4])))
    [problem] = swapped(rows)
    assert (problem.sheet, problem.row, problem.field, problem.value) == ("设施", 4, "经度/纬度", "30.25, 107.4")
    assert problem.message == ("经度与纬度写反了（经度应约为 97–111，纬度约为 21–35）；请对调这两格 / longitude and latitude are "
                               "swapped in this row (longitude about 97-111, latitude about 21-35); swap the two cells")


# --- kill -9 in the middle of an import's commit --------------------------------------------------------

KILLED_CHILD = """
import sys
import time
from pathlib import Path

from layers.imports.importer import commit_import, plan_import
from layers.store import gpkg
from layers.store.workspace import open_workspace

real = gpkg._apply_change


def paused(*args, **kwargs):
    # the import's rows are written inside the open transaction; wait there to be killed
    out = real(*args, **kwargs)
    print("mid-write", flush=True)
    time.sleep(120)
    return out


gpkg._apply_change = paused
plan = plan_import(open_workspace("500231"), Path(sys.argv[1]), layer="forest_fire", mode="replace", datum="gcj02")
commit_import(plan, user="林业局")
"""


def _table_hashes(path: Path) -> dict[str, str]:
    """sha256 of the rows of every ordinary table (the store tests' reading), after an integrity check."""
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()
    return table_hashes(path)


def _killed_mid_commit(folder: Path, csv: Path, log: Path) -> None:
    env = {**os.environ, "ONEMAP_WORKSPACES": str(folder), "PYTHONPATH": str(REPO)}
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-c", KILLED_CHILD, str(csv)], cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while "mid-write" not in log.read_text() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "mid-write" in log.read_text(), log.read_text()[-2000:]
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL


def test_kill_during_an_import_commit_leaves_the_previous_revision(ws_path: Path, tmp_path: Path) -> None:
    csv = _forest_csv(tmp_path / "林业设施台账.csv", "gcj02")
    before_ws = open_workspace(ADCODE)
    rev, layer = before_ws.revision, before_ws.layer("forest_fire")
    before = _table_hashes(ws_path)
    _killed_mid_commit(ws_path.parent, csv, tmp_path / "child.log")
    assert _table_hashes(ws_path) == before  # every table exactly as it was: nothing of the import is visible
    after = open_workspace(ADCODE)
    assert after.revision == rev and after.changesets()[-1].revision == rev
    assert after.layer("forest_fire").drop(columns="geometry").equals(layer.drop(columns="geometry"))
    plan = plan_import(after, csv, layer="forest_fire", mode="replace", datum="gcj02")  # the next import goes through
    done = commit_import(plan, user="林业局")
    assert done["revision"] == rev + 1
    _check_facilities(done, "GCJ-02", "gcj02")
    assert len(plan.delete) == 78 + 73 + 43 + 1  # the synthetic checkpoints, cameras, water tanks and the approximate tank
