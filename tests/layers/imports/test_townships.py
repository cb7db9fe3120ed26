"""Township boundaries (乡镇界) imported over 垫江县 (500231)'s township list: shapefiles made in code as the
规划和自然资源局 sends them (GBK attributes and no ``.cpg``, DBF field names cut to 10 bytes so 行政区划代码
arrives as 行政区划代, CGCS2000 3° Gauss-Krüger zone 36 without the zone prefix (EPSG:4545) with a
``.prj`` in ESRI WKT, an ArcGIS ``Id`` column of zeros), imported into a private copy of the workspace.

Hand-checked: 桂溪街道's polygon is the 10 km square centred on E 437000 / N 3357000 (EPSG:4545), 100.0 km²;
沙坪镇's the 10 km square centred on E 446000 / N 3373000 (the two are 6 km apart: N 3362000 to 3368000).
The point E 441500 / N 3361500 (107.391420°E, 30.371921°N) lay in 新民镇's Voronoi cell and lies in
桂溪街道's square. The 桂溪 square overlaps the cells of 新民镇, 太平镇, 黄沙镇 and 长龙镇, the 沙坪 square those
of 新民镇, 周嘉镇 and 曹回镇 (build of 500231): ``replace`` clips exactly these six."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import matplotlib.pyplot as plt
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point, box

from geo.errors import ValidationError
from layers.analysis import coverage as cv
from layers.analysis.risk import HAZARD_KINDS
from layers.analysis.riskstore import analysed_frames
from layers.analysis.screen import screen_point
from layers.catalog.quality import is_placeholder
from layers.exports.atlas import page_names, township_features, township_page
from layers.exports.service import shown_frames
from layers.exports.sheet import Sheet
from layers.imports.importer import commit_import, plan_import
from layers.store.workspace import open_workspace
from layers.views.riskview import click_fill

ADCODE = "500231"
REPO = Path(__file__).resolve().parents[3]
GK = 4545  # CGCS2000 3° GK, central meridian 108°E, no zone prefix
GUIXI = box(432_000, 3_352_000, 442_000, 3_362_000)
SHAPING = box(441_000, 3_368_000, 451_000, 3_378_000)
GAOAN_NEW = box(447_000, 3_351_000, 449_000, 3_353_000)
POINT_GK = (441_500, 3_361_500)
POINT_LL = (107.391420, 30.371921)
CLIPPED = {"新民镇", "太平镇", "黄沙镇", "长龙镇", "周嘉镇", "曹回镇"}


@pytest.fixture
def gpkg(private_workspaces: Path) -> Path:
    return private_workspaces / f"{ADCODE}.gpkg"


def _shapefile(path: Path, names: list[str], codes: list[str], geoms: list[shapely.Geometry]) -> Path:
    """A 乡镇界 shapefile as ArcGIS writes it for the bureau: GBK, no .cpg, EPSG:4545."""
    gdf = gpd.GeoDataFrame({"Id": [0] * len(names), "乡镇名称": names, "行政区划代码": codes}, geometry=geoms, crs=GK)
    with pytest.warns(RuntimeWarning, match="laundered"):  # GDAL cuts 行政区划代码 to 10 bytes: 行政区划代
        gdf.to_file(path, encoding="gbk", engine="pyogrio")
    path.with_suffix(".cpg").unlink(missing_ok=True)
    return path


def _three(tmp_path: Path) -> Path:
    """桂溪 (the workspace says 桂溪街道), 沙坪镇 with an ideographic space, and 高安新镇 (no such township)."""
    return _shapefile(tmp_path / "乡镇界.shp", ["桂溪", "沙坪\u3000镇", "高安新镇"], ["500231001000", "500231003000", "500231999000"],
                      [GUIXI, SHAPING, GAOAN_NEW])


def _area_diff_m2(a: shapely.Geometry, b: shapely.Geometry) -> float:
    return float(shapely.symmetric_difference(a, b).area)


def _gk(gdf: gpd.GeoDataFrame, name: str) -> shapely.Geometry:
    return gdf.to_crs(GK).set_index("name").geometry[name]


# --- the plan -------------------------------------------------------------------------------------------

def test_names_matched_codes_kept_and_unmatched_listed_both_ways(gpkg: Path, tmp_path: Path) -> None:
    ws = open_workspace(ADCODE)
    plan = plan_import(ws, _three(tmp_path), layer="townships", mode="replace")
    report = plan.report()
    assert [(g.column, g.role) for g in plan.roles[0][1]] == [("Id", "extra"), ("乡镇名称", "name"), ("行政区划代", "extra")]
    assert (report["encoding"], report["crs"], report["datum"], report["crs_score"]) == ("GBK", "EPSG:4545", "cgcs2000", 1.0)
    assert report["matches"]["update"] == [{"sheet": None, "row": 1, "name": "桂溪街道", "fids": ["500231001"]},
                                           {"sheet": None, "row": 2, "name": "沙坪镇", "fids": ["500231003"]}]
    assert report["problems"] == [{"sheet": None, "row": 3, "field": "乡镇名称", "value": "高安新镇", "message":
                                   "乡镇“高安新镇”不在本县的乡镇名单中；最接近的是“高安镇”，请改正 / township '高安新镇' is not one of the "
                                   "county's townships; the closest is '高安镇': write that"}]
    towns = report["townships"]
    assert towns["unmatched_in_file"] == [{"sheet": None, "row": 3, "name": "高安新镇", "official_code": "500231999000", "closest": ["高安镇"]}]
    missing = {m["name"]: m["kept"] for m in towns["missing_from_file"]}
    assert len(missing) == 24 and "桂溪街道" not in missing and "沙坪镇" not in missing
    assert {n for n, kept in missing.items() if kept == "clipped"} == CLIPPED
    assert {kept for n, kept in missing.items() if n not in CLIPPED} == {"kept"}
    assert len(report["warnings"]) == 24
    by_name = {w["value"]: w["message"] for w in report["warnings"]}
    assert by_name["高安镇"] == ("乡镇“高安镇”在文件中没有界线，保留现有图形；文件中最接近的名称是“高安新镇”，如是同一乡镇请改正文件中的名称 / "
                              "township '高安镇' has no boundary in the file; it keeps its current shape; the closest name in the file "
                              "is '高安新镇': if that is this township, correct it in the file")
    assert by_name["新民镇"] == ("乡镇“新民镇”在文件中没有界线，保留近似的泰森多边形，已扣除导入的乡镇界 / township '新民镇' has no boundary "
                              "in the file; it keeps its approximate Voronoi cell, clipped by the imported boundaries")
    assert not plan.committable  # the unknown name blocks until the row is fixed or skipped
    with pytest.raises(ValidationError, match="乡镇“高安新镇”不在本县的乡镇名单中.*--skip-invalid"):
        commit_import(plan, user="规划局")


def test_append_is_refused_for_townships(gpkg: Path, tmp_path: Path) -> None:
    plan = plan_import(open_workspace(ADCODE), _three(tmp_path), layer="townships", mode="append")
    assert plan.problems[0].as_dict() == {"sheet": None, "row": None, "field": None, "value": "append", "message":
                                          "乡镇界请用 --mode replace（推荐）或 --mode upsert 导入：append 会让同一乡镇出现两次 / township "
                                          "boundaries are imported with --mode replace (recommended) or --mode upsert: append would list "
                                          "a township twice"}
    skipping = plan_import(open_workspace(ADCODE), _three(tmp_path), layer="townships", mode="append", skip_invalid=True)
    with pytest.raises(ValidationError, match="append would list a township twice"):
        commit_import(skipping, user="a")


# --- replace ----------------------------------------------------------------------------------------

@pytest.fixture
def replaced(gpkg: Path, tmp_path: Path) -> tuple[gpd.GeoDataFrame, dict]:
    """The three-polygon file committed with --mode replace --skip-invalid; the townships before it."""
    ws = open_workspace(ADCODE)
    before = ws.layer("townships")
    done = commit_import(plan_import(ws, _three(tmp_path), layer="townships", mode="replace", skip_invalid=True),
                         user="规划局 李四", reason="2024年乡镇界")
    assert (done["revision"], done["skipped"]) == (ws.revision + 1, [{"sheet": None, "row": 3}])
    return before, done


def test_matched_polygons_take_the_townships_place_and_keep_their_keys(replaced: tuple[gpd.GeoDataFrame, dict]) -> None:
    before, _ = replaced
    ws = open_workspace(ADCODE)
    towns = ws.layer("townships").set_index("name")
    assert len(towns) == 26
    assert _area_diff_m2(_gk(ws.layer("townships"), "桂溪街道"), GUIXI) < 1.0
    assert _area_diff_m2(_gk(ws.layer("townships"), "沙坪镇"), SHAPING) < 1.0
    guixi = towns.loc["桂溪街道"]
    old = before.set_index("name").loc["桂溪街道"]
    assert (guixi["fid"], guixi["code"], guixi["area_km2"], guixi["geometry_quality"], guixi["name_status"]) == (
        "500231001", "500231001", 100.0, "authoritative", "confirmed")
    assert (guixi["seat_lon"], guixi["seat_lat"], guixi["n_villages"]) == (old["seat_lon"], old["seat_lat"], old["n_villages"])
    prov = ws.user_features("townships").set_index("fid")["provenance"].map(json.loads)
    assert {k: prov["500231001"][k] for k in ("official_code", "name_in_file", "file", "row", "crs", "user")} == {
        "official_code": "500231001000", "name_in_file": "桂溪", "file": "乡镇界.shp", "row": 1, "crs": "EPSG:4545", "user": "规划局 李四"}
    assert (prov["500231003"]["official_code"], prov["500231003"]["name_in_file"]) == ("500231003000", "沙坪\u3000镇")
    sup = ws.superseded("townships")
    assert set(sup["fid"]) == {"500231001", "500231003", *before.set_index("name").loc[sorted(CLIPPED), "fid"]}
    assert (sup.set_index("fid").loc["500231001", "superseded_by"], sup.set_index("fid").loc["500231001", "geometry_quality"]) == (
        "500231001", "approximate")


def test_replace_clips_the_other_cells_so_nothing_overlaps(replaced: tuple[gpd.GeoDataFrame, dict]) -> None:
    before, _ = replaced
    after = open_workspace(ADCODE).layer("townships")
    imported = GUIXI.union(SHAPING)
    others = after[~after["name"].isin(["桂溪街道", "沙坪镇"])].to_crs(GK)
    assert float(others.intersection(imported).area.max()) < 1.0
    xinmin = _gk(after, "新民镇")
    assert _area_diff_m2(xinmin, _gk(before, "新民镇").difference(imported)) < 1.0
    row = after.set_index("name").loc["新民镇"]
    assert row["area_km2"] == round(xinmin.area / 1e6, 1) and row["geometry_quality"] == "approximate"
    assert row["geometry_source"].endswith("；已扣除导入的乡镇界 / clipped by the imported township boundaries")
    untouched = sorted(set(before["name"]) - CLIPPED - {"桂溪街道", "沙坪镇"})
    assert all(_area_diff_m2(_gk(after, n), _gk(before, n)) == 0.0 for n in untouched)


def test_one_commit_stores_the_risk_computed_on_the_imported_polygons(replaced: tuple[gpd.GeoDataFrame, dict], gpkg: Path) -> None:
    _, done = replaced
    ws = open_workspace(ADCODE)
    cs = ws.changesets()[-1]
    assert (cs.id, cs.revision, cs.action, cs.layer) == (done["changeset"], done["revision"], "import", "risk_townships,townships")
    assert not ws.risk_stale
    risk = ws.layer("risk_townships")
    assert len(risk) == 26
    assert _area_diff_m2(_gk(risk, "桂溪街道"), GUIXI) < 1.0
    assert _area_diff_m2(_gk(risk, "新民镇"), _gk(ws.layer("townships"), "新民镇")) < 1.0
    row = risk.set_index("name").loc["桂溪街道"]
    assert (row["geometry_quality"], row["township_code"], row["scheme"]) == ("authoritative", "500231001", "fixed")
    assert risk["kde_mean"].notna().all()
    hz = ws.layer("geohazards")
    pts = hz[hz["kind"].isin(HAZARD_KINDS) & (hz.geometry.geom_type == "Point")].to_crs(GK)
    assert row["n_hazard_points"] == int(pts.within(GUIXI).sum())


def test_a_point_now_lies_in_the_imported_township(gpkg: Path, tmp_path: Path) -> None:
    ws = open_workspace(ADCODE)
    ll = gpd.GeoSeries([Point(POINT_GK)], crs=GK).to_crs(4490).iloc[0]
    assert (round(ll.x, 6), round(ll.y, 6)) == POINT_LL
    click = {"lng": POINT_LL[0], "lat": POINT_LL[1]}
    assert click_fill(click, analysed_frames(ws)["risk_townships"]).town == "新民镇"
    commit_import(plan_import(ws, _three(tmp_path), layer="townships", mode="replace", skip_invalid=True), user="a")
    ws = open_workspace(ADCODE)
    frames = analysed_frames(ws)
    assert click_fill(click, frames["risk_townships"]).town == "桂溪街道"
    check = next(c for c in screen_point(frames, ws.metric_crs, *POINT_LL) if c.item == "所在乡镇风险等级")
    assert check.result_en.startswith("桂溪街道")
    # coverage by township: a hazard point at the spot, no shelter within 1 m of it, is a gap of 桂溪街道
    hz = frames["geohazards"]
    spot = hz.iloc[[0]].assign(fid="spot", name="测试点", kind="hazard_point", geometry=[Point(POINT_LL)], geometry_quality="authoritative")
    with_spot = {**frames, "geohazards": gpd.GeoDataFrame(pd.concat([hz, spot], ignore_index=True), crs=hz.crs)}
    res = cv.analyse_kind(with_spot, ws.metric_crs, ADCODE, kind="shelter", demand="hazard_points", mode="radius", value=1.0)
    assert res.gaps.set_index("fid").loc["spot", "township"] == "桂溪街道"


def test_atlas_pages_list_what_lies_in_the_imported_polygons(replaced: tuple[gpd.GeoDataFrame, dict]) -> None:
    frames = shown_frames(ADCODE)
    assert sorted(page_names(frames)) == sorted(frames["townships"]["name"])
    listed = township_features(frames, "桂溪街道")["geohazards"]
    pts = frames["geohazards"][frames["geohazards"].geometry.geom_type == "Point"]
    pts = pts[~is_placeholder(pts)]  # an item the plan does not locate is on no township's page
    inside = pts[pts.to_crs(GK).representative_point().within(GUIXI)]
    assert sorted(listed["fid"]) == sorted(inside["fid"]) and len(listed)
    fig = township_page(frames, open_workspace(ADCODE).metric_crs, "桂溪街道", "垫江县", Sheet("垫江县", dpi=40))
    fig.canvas.draw()
    title = next(a for a in fig.findobj(lambda a: a.get_gid() == "tabletitle:geohazards")).get_text()
    plt.close(fig)
    assert f"{len(listed)}" in title


# --- upsert and the whole county ---------------------------------------------------------------------------

def test_upsert_leaves_the_other_cells_as_they_are(gpkg: Path, tmp_path: Path) -> None:
    ws = open_workspace(ADCODE)
    before = ws.layer("townships")
    plan = plan_import(ws, _three(tmp_path), layer="townships", mode="upsert", skip_invalid=True)
    xinmin = next(w for w in plan.warnings if w.value == "新民镇")
    assert xinmin.message == ("乡镇“新民镇”在文件中没有界线，保留原有近似的泰森多边形（可能与导入的乡镇界重叠；用 --mode replace 可扣除重叠部分） / "
                              "township '新民镇' has no boundary in the file; it keeps its approximate Voronoi cell (which may overlap "
                              "the imported boundaries; --mode replace clips it)")
    assert {m["kept"] for m in plan.townships["missing_from_file"]} == {"unchanged"} and plan.delete == ()
    commit_import(plan, user="a")
    after = open_workspace(ADCODE).layer("townships")
    assert _area_diff_m2(_gk(after, "新民镇"), _gk(before, "新民镇")) == 0.0
    assert _area_diff_m2(_gk(after, "桂溪街道"), GUIXI) < 1.0


def test_a_township_covered_by_its_neighbours_boundary_is_removed(gpkg: Path, tmp_path: Path) -> None:
    ws = open_workspace(ADCODE)
    cells = ws.layer("townships").to_crs(GK).set_index("name").geometry
    both = shapely.union_all([cells["桂溪街道"], cells["新民镇"]]).buffer(10)
    path = _shapefile(tmp_path / "乡镇界.shp", ["桂溪街道"], ["500231001000"], [both])
    plan = plan_import(ws, path, layer="townships", mode="replace")
    assert plan.delete == ("500231002",)
    gone = next(m for m in plan.townships["missing_from_file"] if m["name"] == "新民镇")
    assert gone == {"fid": "500231002", "name": "新民镇", "kept": "removed"}
    assert next(w.message for w in plan.warnings if w.value == "新民镇") == (
        "乡镇“新民镇”在文件中没有界线，其泰森多边形已全被导入的乡镇界覆盖，从图层中移除 / township '新民镇' has no boundary in the file; "
        "its Voronoi cell lies under the imported boundaries: it is removed from the layer")
    commit_import(plan, user="a")
    ws = open_workspace(ADCODE)
    assert "新民镇" not in set(ws.layer("townships")["name"]) and "新民镇" not in set(ws.layer("risk_townships")["name"])
    assert len(ws.layer("risk_townships")) == 25


def test_a_whole_county_file_replaces_every_cell(gpkg: Path, tmp_path: Path) -> None:
    ws = open_workspace(ADCODE)
    cells = ws.layer("townships").to_crs(GK)
    shifted = cells.geometry.translate(30, 0)  # a survey's lines 30 m east of the Voronoi lines
    names = [n.removesuffix("街道") for n in cells["name"]]
    path = _shapefile(tmp_path / "乡镇界.shp", names, [f"500231{i:03d}000" for i in range(1, 27)], list(shifted))
    plan = plan_import(ws, path, layer="townships", mode="replace")
    assert (plan.problems, plan.warnings, plan.townships) == ([], [], {"unmatched_in_file": [], "missing_from_file": []})
    commit_import(plan, user="a")
    ws = open_workspace(ADCODE)
    after, risk = ws.layer("townships"), ws.layer("risk_townships")
    assert set(after["geometry_quality"]) == {"authoritative"} and len(after) == len(risk) == 26
    for name, geom in zip(cells["name"], shifted, strict=True):
        assert _area_diff_m2(_gk(after, name), geom) < 1.0 and _area_diff_m2(_gk(risk, name), geom) < 1.0


def test_command_line_dry_run_reports_the_township_lists(gpkg: Path, tmp_path: Path) -> None:
    env = {**os.environ, "ONEMAP_WORKSPACES": str(gpkg.parent), "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-m", "layers", "import", ADCODE, str(_three(tmp_path)), "--layer", "townships",
                          "--mode", "replace", "--dry-run", "--json"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert out.returncode == 2  # the unknown name: nothing would be written without --skip-invalid
    report = json.loads(out.stdout)
    assert report["townships"]["unmatched_in_file"][0]["name"] == "高安新镇" and len(report["townships"]["missing_from_file"]) == 24
    assert "row 3, 乡镇名称: 乡镇“高安新镇”不在本县的乡镇名单中" in out.stderr


# --- names several townships share (the province workspace: 三汇镇 of 合川 and of 渠县) --------------------------

def test_a_shared_name_is_settled_by_the_seat_inside_the_polygon() -> None:
    from layers.imports._townships import ambiguous, match_names

    existing = gpd.GeoDataFrame({"fid": ["a", "b", "c"], "name": ["三汇镇", "三汇镇", "东溪镇"], "seat_lon": [0.5, 5.5, 9.5],
                                 "seat_lat": [0.5, 5.5, 9.5]}, geometry=[box(0, 0, 1, 1), box(5, 5, 6, 6), box(9, 9, 10, 10)], crs=4490)
    names = ["三汇镇", "三汇镇", "三汇", "东溪镇", "东溪"]
    geoms = [box(5, 5, 6, 6), box(0, 0, 1, 1), box(20, 20, 21, 21), box(9, 9, 10, 10), box(9, 9, 10, 10)]
    found = match_names(names, existing, geoms)
    assert [(m.group, m.fids) for m in found] == [("update", ("b",)), ("update", ("a",)), ("ambiguous", ("a", "b")),
                                                  ("ambiguous", ("c",)), ("ambiguous", ("c",))]
    assert [p.as_dict() for p in ambiguous(None, [1, 2, 3, 4, 5], names, found, "乡镇名称")] == [
        {"sheet": None, "row": 3, "field": "乡镇名称", "value": "三汇", "message":
         "乡镇“三汇”：本县有 2 个乡镇叫这个名字，界线内的驻地不能确定是哪一个；请检查界线（应含其驻地） / township '三汇': 2 townships of the "
         "county have this name and the seats inside the boundary do not tell which; check the boundary (it should hold its seat)"},
        {"sheet": None, "row": 4, "field": "乡镇名称", "value": "东溪镇", "message":
         "乡镇“东溪镇”与第5行是同一乡镇的界线；删去重复的一行，或改正名称 / township '东溪镇': row 5 is a boundary of the same township; "
         "delete one of them or correct the name"},
        {"sheet": None, "row": 5, "field": "乡镇名称", "value": "东溪", "message":
         "乡镇“东溪”与第4行是同一乡镇的界线；删去重复的一行，或改正名称 / township '东溪': row 4 is a boundary of the same township; "
         "delete one of them or correct the name"}]


def test_imported_boundaries_and_the_risk_on_them_survive_a_rebuild(replaced: tuple[gpd.GeoDataFrame, dict]) -> None:
    from layers.jobs.build import build_workspace

    build_workspace(ADCODE)
    ws = open_workspace(ADCODE)
    assert _area_diff_m2(_gk(ws.layer("townships"), "桂溪街道"), GUIXI) < 1.0
    assert _area_diff_m2(_gk(ws.layer("risk_townships"), "桂溪街道"), GUIXI) < 1.0
    others = ws.layer("townships")[~ws.layer("townships")["name"].isin(["桂溪街道", "沙坪镇"])].to_crs(GK)
    assert float(others.intersection(GUIXI.union(SHAPING)).area.max()) < 1.0


def test_an_empty_name_or_no_name_column_is_named(gpkg: Path, tmp_path: Path) -> None:
    ws = open_workspace(ADCODE)
    empty = _shapefile(tmp_path / "a.shp", ["桂溪", None], ["500231001000", "500231002000"], [GUIXI, GAOAN_NEW])
    plan = plan_import(ws, empty, layer="townships", mode="replace")
    assert [p.as_dict() for p in plan.problems] == [
        {"sheet": None, "row": 2, "field": "乡镇名称", "value": None, "message": "名称为空，请填写 / Name is empty; fill it in"}]
    gpd.GeoDataFrame({"面积": [100.0]}, geometry=[GUIXI], crs=GK).to_file(tmp_path / "b.shp", engine="pyogrio")
    nameless = plan_import(ws, tmp_path / "b.shp", layer="townships", mode="replace", skip_invalid=True)
    assert not nameless.committable
    with pytest.raises(ValidationError, match="找不到名称列；请用 --columns 指定"):
        commit_import(nameless, user="a")
