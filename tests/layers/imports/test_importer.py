"""layers.imports.importer and ``python -m layers import``: ledgers made in code, imported into a copy of
the built 垫江县 (500231) workspace. Hand-checked positions: 107°21′15.3″ = 107.354250°, 30°19′48″ =
30.33°; the seat (107.35E, 30.33N) is X 3356874.677 / Y 36437491.796 in EPSG:4524 (northing first;
checked by a second TM series in tests/geo/test_crs.py)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import openpyxl
import pytest
from pyproj import Geod, Transformer
from shapely.geometry import Point

from geo.errors import ValidationError
from layers.imports.importer import commit_import, plan_import, problems_xlsx
from layers.store.workspace import UserChange, open_workspace

ADCODE = "500231"
REPO = Path(__file__).resolve().parents[3]
GEOD = Geod(ellps="GRS80")
KEYS = ["layer", "mode", "rows_read", "features", "skipped", "problems", "encoding", "crs", "datum", "crs_score", "matches",
        "changeset", "revision", "warnings", "townships"]
HEADER = ["序号", "统一编号", "隐患点名称", "乡镇(街道)", "灾害类型", "威胁人数", "经度", "纬度"]
SEAT_4524 = (3_356_874.677, 36_437_491.796)  # X (northing), Y (easting with zone prefix 36)


@pytest.fixture
def gpkg(private_workspaces: Path) -> Path:
    return private_workspaces / f"{ADCODE}.gpkg"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(GEOD.inv(a[0], a[1], b[0], b[1])[2])


def _xlsx(path: Path, header: list[str], rows: list[list[object]], *, sheet: str = "隐患点", total: bool = True) -> Path:
    """A ledger as offices make it: a merged title row, the header, the data, a 合计 row."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(["垫江县2025年地质灾害隐患点一览表"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    ws.append(header)
    for r in rows:
        ws.append(r)
    if total:
        ws.append(["合计"] + [None] * (len(header) - 1))
    wb.save(path)
    return path


def _ledger(tmp_path: Path) -> Path:
    return _xlsx(tmp_path / "隐患点一览表.xlsx", HEADER, [
        [1, "500231010001", "黄家湾滑坡", "桂溪街道", "滑坡", 12, "107°21′15.3″", "30°19′48.0″"],
        [2, "500231010002", "石板沟崩塌", "沙坪镇", "崩塌", 5, "107度25分0秒", "30度15分0秒"],
        [3, None, "大堰塘不稳定斜坡", "新民镇", "不稳定斜坡", 3, 107.4, 30.4],
    ])


# --- append ---------------------------------------------------------------------------------------

def test_hazard_ledger_appended_where_hand_computed(gpkg: Path, tmp_path: Path) -> None:
    path = _ledger(tmp_path)
    ws = open_workspace(ADCODE)
    plan = plan_import(ws, path, layer="geohazards")
    report = plan.report()
    assert list(report) == KEYS
    assert (report["rows_read"], report["features"], report["skipped"], report["problems"]) == (3, 3, [], [])
    assert (report["crs"], report["datum"], report["crs_score"], report["changeset"]) == ("EPSG:4490", "cgcs2000", 1.0, None)
    assert [m["row"] for m in report["matches"]["insert"]] == [3, 4, 5]  # Excel rows: title 1, header 2
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    done = commit_import(plan, user="规划局 张三", reason="2025年一览表")
    assert (done["changeset"], done["revision"]) == (2, ws.revision + 1)
    layer = open_workspace(ADCODE).layer("geohazards").set_index("fid")
    expected = {"500231010001": (107.35425, 30.33), "500231010002": (107 + 25 / 60, 30.25), f"imp-{sha[:8]}-5": (107.4, 30.4)}
    for fid, where in expected.items():
        g = layer.loc[fid].geometry
        assert _metres((g.x, g.y), where) < 1.0
    row = layer.loc["500231010001"]
    assert (row["kind"], row["hazard_type"], row["threatened_people"], row["geometry_quality"]) == ("hazard_site", "滑坡", 12, "authoritative")
    assert (row["source_doc"], row["source_section"]) == ("隐患点一览表.xlsx", "隐患点 第3行")
    assert row["geometry_source"] == "导入自 隐患点一览表.xlsx 隐患点 第3行（EPSG:4490，cgcs2000）"
    prov = json.loads(open_workspace(ADCODE).user_features("geohazards").set_index("fid").loc["500231010001", "provenance"])
    assert {k: prov[k] for k in ("file", "sha256", "sheet", "row", "crs", "datum", "user")} == {
        "file": "隐患点一览表.xlsx", "sha256": sha, "sheet": "隐患点", "row": 3, "crs": "EPSG:4490", "datum": "cgcs2000", "user": "规划局 张三"}
    assert prov["attributes"] == {"序号": "1"} and prov["time"]
    cs = open_workspace(ADCODE).changesets()[-1]
    assert (cs.action, cs.source_name, cs.source_sha256, cs.user) == ("import", "隐患点一览表.xlsx", sha, "规划局 张三")


def test_append_of_a_fid_already_there_is_a_problem(gpkg: Path, tmp_path: Path) -> None:
    path = _ledger(tmp_path)
    commit_import(plan_import(open_workspace(ADCODE), path, layer="geohazards"), user="a")
    again = plan_import(open_workspace(ADCODE), path, layer="geohazards")
    assert not again.committable
    assert [(p.row, p.field, p.value) for p in again.problems] == [(3, "统一编号", "500231010001"), (4, "统一编号", "500231010002")]
    assert again.problems[0].message == ("编号“500231010001”已在图层中；要更新它请用 --mode upsert，否则请改编号 / ID '500231010001' is "
                                         "already in the layer; use --mode upsert to update it, or change the ID")


# --- upsert ---------------------------------------------------------------------------------------

def _gk(lon: float, lat: float) -> tuple[float, float]:
    e, n = Transformer.from_crs("EPSG:4490", "EPSG:4524", always_xy=True).transform(lon, lat)
    return round(n, 3), round(e, 3)


def _reservoirs(tmp_path: Path) -> Path:
    return _xlsx(tmp_path / "水库名录.xlsx", ["序号", "水库名称", "X", "Y", "备注"], [
        [1, "全胜水库", *SEAT_4524, "小(1)型"],
        [2, "双 石 水 库", *_gk(107.40, 30.25), None],
        [3, "新建水库", *_gk(107.45, 30.20), None],
    ], sheet="水库", total=False)


def test_upsert_of_a_gk_list_supersedes_the_plan_item(gpkg: Path, tmp_path: Path) -> None:
    ws = open_workspace(ADCODE)
    # a user feature with the same name as the plan's 双石水库 makes that name ambiguous
    before = ws.layer("reservoirs")
    twin = before[before["fid"] == "dj21-019"].assign(fid="user-双石", source_doc="巡查记录")
    ws.commit([UserChange("reservoirs", upsert=twin)], user="a", action="edit")
    ws = open_workspace(ADCODE)
    path = _reservoirs(tmp_path)
    plan = plan_import(ws, path, layer="reservoirs", mode="upsert")
    report = plan.report()
    assert (report["crs"], report["datum"], report["problems"]) == ("EPSG:4524", "cgcs2000", [])
    assert report["matches"]["update"] == [{"sheet": "水库", "row": 3, "name": "全胜水库", "fids": ["dj21-018"]}]
    assert report["matches"]["ambiguous"] == [{"sheet": "水库", "row": 4, "name": "双 石 水 库", "fids": ["dj21-019", "user-双石"]}]
    assert [m["row"] for m in report["matches"]["insert"]] == [5]
    assert report["skipped"] == [{"sheet": "水库", "row": 4}] and report["features"] == 2
    done = commit_import(plan, user="水利局", reason="水库名录")
    assert done["revision"] == ws.revision + 1
    after = open_workspace(ADCODE)
    layer = after.layer("reservoirs").set_index("fid")
    g = layer.loc["dj21-018"].geometry
    assert _metres((g.x, g.y), (107.35, 30.33)) < 1.0
    assert layer.loc["dj21-018", "geometry_quality"] == "authoritative"
    assert layer.loc["dj21-018", "name"] == "全胜水库"
    sup = after.superseded("reservoirs").set_index("fid")
    assert sup.loc["dj21-018", "superseded_by"] == "dj21-018"
    assert (sup.loc["dj21-018", "source_doc"], sup.loc["dj21-018", "source_section"]) == ("垫江府发〔2022〕9号", "四、(二)10")
    assert "dj21-019" in layer.index and layer.loc["dj21-019", "geometry_quality"] == "approximate"  # ambiguous: not written
    assert "新建水库" in set(layer["name"])
    cs = after.changesets()
    assert len(cs) == 3 and cs[-1].source_sha256 == _sha(path) and sorted(cs[-1].fids or []) == sorted(plan.features["fid"])


NO_KIND = ("找不到类型列，也没有名称可判断类型；请加一列“类型”，或用 --columns 列名=kind 指定 / no kind column and no name to tell the "
           "kind from; add a 类型 column or name one with --columns SRC=kind")
NO_NAME = "找不到名称列；请用 --columns 指定，如 隐患点名称=name / no name column; name one with --columns, e.g. 隐患点名称=name"
NAME_REQUIRED = ("必填字段“名称”(name)在文件中没有对应的列；请加一列“名称”，或用 --columns 列名=name 指定 / the required field name "
                 "(Name) has no column; add a “名称” column or name one with --columns SRC=name")


def _positions(tmp_path: Path) -> Path:
    """A bureau's position update: 编号 and lon/lat only; two IDs of the built layer (a treatment work
    and a monitoring site), one unknown."""
    path = tmp_path / "位置更新.csv"
    path.write_text("编号,经度,纬度\ndj21-030,107.40,30.30\ndj21-036,107.41,30.31\ndj99-001,107.42,30.32\n", encoding="utf-8")
    return path


def test_upsert_by_id_takes_the_kind_and_name_the_file_lacks_from_the_matched_feature(gpkg: Path, tmp_path: Path) -> None:
    ws = open_workspace(ADCODE)
    old = ws.layer("geohazards").set_index("fid").loc[["dj21-030", "dj21-036"]]
    assert old["kind"].tolist() == ["treatment_work", "monitoring"]
    plan = plan_import(ws, _positions(tmp_path), layer="geohazards", mode="upsert")
    report = plan.report()
    assert report["matches"] == {"update": [{"sheet": None, "row": 2, "name": None, "fids": ["dj21-030"]},
                                            {"sheet": None, "row": 3, "name": None, "fids": ["dj21-036"]}],
                                 "insert": [{"sheet": None, "row": 4, "name": None, "fids": []}], "ambiguous": []}
    # only the row to insert needs what the file has no column for, with today's messages on its row
    assert [(p.sheet, p.row, p.field, p.value, p.message) for p in plan.problems] == [
        (None, 4, "name", None, NAME_REQUIRED), (None, 4, "类型", None, NO_KIND), (None, 4, "名称", None, NO_NAME)]
    assert report["features"] == 2 and report["skipped"] == [{"sheet": None, "row": 4}]
    preview = plan.features.set_index("fid")
    assert preview["kind"].to_dict() == {"dj21-030": "treatment_work", "dj21-036": "monitoring"}
    assert preview["name"].to_dict() == old["name"].to_dict()
    assert not plan.committable  # the unknown row blocks, as any row's problem does
    done = commit_import(plan_import(ws, _positions(tmp_path), layer="geohazards", mode="upsert", skip_invalid=True), user="测绘", reason="位置更新")
    assert done["features"] == 2 and done["skipped"] == [{"sheet": None, "row": 4}]
    after = open_workspace(ADCODE).layer("geohazards").set_index("fid")
    assert "dj99-001" not in after.index
    for fid, where in {"dj21-030": (107.40, 30.30), "dj21-036": (107.41, 30.31)}.items():
        g = after.loc[fid].geometry
        assert _metres((g.x, g.y), where) < 1.0
        assert (after.loc[fid, "kind"], after.loc[fid, "name"]) == (old.loc[fid, "kind"], old.loc[fid, "name"])
        assert after.loc[fid, "geometry_quality"] == "authoritative"


def test_upsert_matching_no_row_keeps_the_problems_of_the_whole_file(gpkg: Path, tmp_path: Path) -> None:
    path = tmp_path / "新点.csv"
    path.write_text("编号,经度,纬度\ndj99-001,107.42,30.32\ndj99-002,107.43,30.31\n", encoding="utf-8")
    plan = plan_import(open_workspace(ADCODE), path, layer="geohazards", mode="upsert")
    assert [(p.row, p.field, p.message) for p in plan.problems] == [(None, "name", NAME_REQUIRED), (None, None, NO_KIND), (None, None, NO_NAME)]


@pytest.mark.parametrize("mode", ["append", "replace"])
def test_append_and_replace_still_need_the_kind_column(gpkg: Path, tmp_path: Path, mode: str) -> None:
    plan = plan_import(open_workspace(ADCODE), _positions(tmp_path), layer="geohazards", mode=mode)
    whole = [(p.row, p.field, p.message) for p in plan.problems if p.row is None]
    assert whole == [(None, "name", NAME_REQUIRED), (None, None, NO_KIND), (None, None, NO_NAME)]
    assert not plan.committable


def test_upsert_by_id_with_names_that_tell_no_kind(gpkg: Path, tmp_path: Path) -> None:
    """With a 名称 column whose names tell no kind, a matched row keeps its feature's kind; the row to
    insert is asked for a kind on its name cell, as today."""
    path = tmp_path / "位置更新.csv"
    path.write_text("编号,名称,经度,纬度\ndj21-030,新村一号,107.40,30.30\ndj99-001,某某,107.42,30.32\n", encoding="utf-8")
    plan = plan_import(open_workspace(ADCODE), path, layer="geohazards", mode="upsert")
    assert [(p.row, p.field, p.value) for p in plan.problems] == [(3, "名称", "某某")]
    assert plan.problems[0].message.startswith("没有类型列，名称“某某”也看不出类别；请加一列“类型”")
    preview = plan.features.set_index("fid")
    assert (preview.loc["dj21-030", "kind"], preview.loc["dj21-030", "name"]) == ("treatment_work", "新村一号")


@pytest.mark.parametrize(("header", "cells"), [
    ("编号,名称,经度,纬度", ["", ""]),  # the kind guessed from the names
    ("编号,名称,灾种,经度,纬度", ["危岩,", "滑坡,"]),  # a hazard ledger: every row a hazard_site
], ids=["names", "hazard-ledger"])
def test_upsert_by_id_keeps_the_stored_kind_a_guess_would_change(gpkg: Path, tmp_path: Path, header: str, cells: list[str]) -> None:
    """Without a kind column, the kind guessed for a matched row never replaces its feature's; the row
    to insert takes the guess, as today."""
    path = tmp_path / "更名.csv"
    path.write_text(f"{header}\ndj21-030,黄家湾危岩,{cells[0]}107.40,30.30\ndj21-036,石板沟滑坡,{cells[1]}107.41,30.31\n"
                    f"dj99-001,大堰塘滑坡,{cells[1]}107.42,30.32\n", encoding="utf-8")
    ws = open_workspace(ADCODE)
    plan = plan_import(ws, path, layer="geohazards", mode="upsert")
    assert plan.problems == [] and plan.committable
    preview = plan.features.set_index("fid")
    assert preview["kind"].to_dict() == {"dj21-030": "treatment_work", "dj21-036": "monitoring", "dj99-001": "hazard_site"}
    assert preview.loc["dj21-030", "name"] == "黄家湾危岩"
    commit_import(plan, user="测绘", reason="更名")
    after = open_workspace(ADCODE).layer("geohazards").set_index("fid")
    assert after.loc[["dj21-030", "dj21-036", "dj99-001"], "kind"].tolist() == ["treatment_work", "monitoring", "hazard_site"]
    assert after.loc["dj21-036", "name"] == "石板沟滑坡"


@pytest.mark.parametrize("columns", [None, "分类=kind"])
def test_upsert_by_id_takes_the_kind_a_column_gives(gpkg: Path, tmp_path: Path, columns: str | None) -> None:
    """A kind from a 类型 column (or one named with --columns) does replace the feature's."""
    head = "类型" if columns is None else "分类"
    path = tmp_path / "改类型.csv"
    path.write_text(f"编号,名称,{head},经度,纬度\ndj21-036,石板沟滑坡,隐患点,107.41,30.31\n", encoding="utf-8")
    plan = plan_import(open_workspace(ADCODE), path, layer="geohazards", mode="upsert", columns=columns)
    assert plan.problems == []
    assert plan.features.set_index("fid").loc["dj21-036", "kind"] == "hazard_site"
    commit_import(plan, user="测绘", reason="改类型")
    assert open_workspace(ADCODE).layer("geohazards").set_index("fid").loc["dj21-036", "kind"] == "hazard_site"


# --- replace --------------------------------------------------------------------------------------

def test_replace_hides_the_demo_points_of_the_kinds_in_the_file(gpkg: Path, tmp_path: Path) -> None:
    ws = open_workspace(ADCODE)
    before = ws.layer("geohazards")
    plan = plan_import(ws, _ledger(tmp_path), layer="geohazards", mode="replace")
    demo = set(before.loc[before["kind"] == "hazard_point", "fid"])
    assert len(demo) == 120 and set(plan.delete) == demo
    commit_import(plan, user="a")
    after = open_workspace(ADCODE).layer("geohazards")
    assert (after["kind"] == "hazard_point").sum() == 0
    assert (after["kind"] == "hazard_site").sum() == 3
    assert (after["kind"] == "treatment_work").sum() == (before["kind"] == "treatment_work").sum()  # other kinds stay


# --- problems -------------------------------------------------------------------------------------

def test_problems_pinned_with_rows_as_in_excel(gpkg: Path, tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "bad.xlsx", HEADER, [
        [1, "A1", "好滑坡", "桂溪街道", "滑坡", 1, "107°21′15.3″", "30°19′48.0″"],
        [2, "A2", "坏度分秒", "桂溪街道", "滑坡", 1, "107°61′15″", "30°19′48.0″"],
        [3, "A3", "县外滑坡", "桂溪街道", "滑坡", 1, 107.1, 30.33],
        [4, "A4", "错乡镇", "桂西街道", "滑坡", 1, 107.4, 30.3],
    ])
    plan = plan_import(open_workspace(ADCODE), path, layer="geohazards")
    got = [(p.sheet, p.row, p.field, p.value) for p in plan.problems]
    assert got == [("隐患点", 4, "经度", "107°61′15″"), ("隐患点", 5, "经度/纬度", "107.100000, 30.330000"),
                   ("隐患点", 6, "乡镇(街道)", "桂西街道")]
    messages = [p.message for p in plan.problems]
    assert messages[0] == "“107°61′15″”的分或秒不小于60，请改正 / Minutes and seconds in '107°61′15′′' must be below 60."
    assert messages[1].startswith("位置在县界外 ") and messages[1].endswith(
        "outside the county boundary; check the coordinates (degrees-minutes-seconds, lon/lat order, CRS)")
    assert messages[2] == ("乡镇“桂西街道”不在本县的乡镇名单中；最接近的是“桂溪街道”或“桂阳街道”，请改正 / township '桂西街道' is "
                           "not one of the county's townships; the closest is '桂溪街道' or '桂阳街道': write that")
    assert not plan.committable and plan.report()["features"] == 1
    skipping = plan_import(open_workspace(ADCODE), path, layer="geohazards", skip_invalid=True)
    assert skipping.committable and skipping.report()["skipped"] == [{"sheet": "隐患点", "row": r} for r in (4, 5, 6)]
    assert problems_xlsx(plan)[:2] == b"PK"


def test_outside_distance_in_metres_of_the_metric_crs(gpkg: Path, tmp_path: Path) -> None:
    ws = open_workspace(ADCODE)
    path = _xlsx(tmp_path / "out.xlsx", HEADER, [[1, "A1", "县外", "桂溪街道", "滑坡", 1, 107.1, 30.33]])
    county = ws.layer("county").to_crs(ws.metric_crs).geometry.iloc[0]
    d = gpd.GeoSeries([Point(107.1, 30.33)], crs=4490).to_crs(ws.metric_crs).distance(county).iloc[0]
    (problem,) = plan_import(ws, path, layer="geohazards").problems
    assert problem.message.startswith(f"位置在县界外 {d:.0f} 米；") and 5_000 < d < 20_000


def test_unknown_kind_is_named_with_the_layers_kinds(gpkg: Path, tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "林业.xlsx", ["名称", "类型", "经度", "纬度"], [
        ["一号池", "蓄水池", 107.40, 30.30], ["无人机1", "无人机", 107.41, 30.31]], sheet="设施", total=False)
    (problem,) = plan_import(open_workspace(ADCODE), path, layer="forest_fire").problems
    assert (problem.sheet, problem.row, problem.field, problem.value) == ("设施", 4, "类型", "无人机")
    assert problem.message.startswith("“无人机”不是“森林防火”图层的类别；可用：")


def test_a_refused_import_leaves_the_workspace_byte_identical(gpkg: Path, tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "bad.xlsx", HEADER, [[1, "A1", "错乡镇", "桂西街道", "滑坡", 1, 107.4, 30.3]])
    before = _sha(gpkg)
    plan = plan_import(open_workspace(ADCODE), path, layer="geohazards")
    with pytest.raises(ValidationError, match="桂西街道"):
        commit_import(plan, user="a")
    assert _sha(gpkg) == before


def test_a_commit_stores_the_risk_counted_with_the_imported_points(gpkg: Path, tmp_path: Path) -> None:
    ws = open_workspace(ADCODE)
    before = ws.layer("risk_townships").set_index("name")["n_hazard_points"]
    density = gpkg.with_name(f"{ADCODE}_kde_geohazard.tif")
    assert not density.exists()  # the private copy has the workspace file only
    done = commit_import(plan_import(ws, _ledger(tmp_path), layer="geohazards"), user="a")
    ws = open_workspace(ADCODE)
    cs = ws.changesets()[-1]
    assert (cs.revision, cs.action, cs.layer, ws.risk_stale) == (done["revision"], "import", "geohazards,risk_townships", False)
    after = ws.layer("risk_townships").set_index("name")["n_hazard_points"]
    assert int((after - before).sum()) == 3  # the three ledger rows, all inside the county
    assert after["桂溪街道"] - before["桂溪街道"] == 1  # 黄家湾滑坡 at 107.35425E 30.33N, by the seat of 桂溪街道
    assert density.exists() and ws.layer("risk_townships")["kde_mean"].notna().all()


def test_the_risk_an_import_stores_keeps_the_stored_scheme(gpkg: Path, tmp_path: Path) -> None:
    from layers.analysis.riskstore import recompute_risk

    recompute_risk(ADCODE, scheme="quantiles")
    commit_import(plan_import(open_workspace(ADCODE), _ledger(tmp_path), layer="geohazards"), user="a")
    ws = open_workspace(ADCODE)
    assert set(ws.layer("risk_townships")["scheme"]) == {"quantiles"} and not ws.risk_stale


def test_imported_features_survive_a_rebuild(gpkg: Path, tmp_path: Path) -> None:
    from layers.jobs.build import build_workspace

    commit_import(plan_import(open_workspace(ADCODE), _ledger(tmp_path), layer="geohazards"), user="a")
    before = open_workspace(ADCODE).user_features("geohazards")
    build_workspace(ADCODE)
    after = open_workspace(ADCODE)
    assert after.user_features("geohazards").drop(columns="geometry").equals(before.drop(columns="geometry"))
    assert list(after.user_features("geohazards").geometry.to_wkb()) == list(before.geometry.to_wkb())
    assert {"500231010001", "500231010002"} <= set(after.layer("geohazards")["fid"])


# --- CLI ------------------------------------------------------------------------------------------

def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "layers", "import", *args], capture_output=True, text=True, cwd=REPO, env=env, check=False)


def test_cli_dry_run_json_prints_the_report_and_writes_nothing(gpkg: Path, tmp_path: Path) -> None:
    path, before = _ledger(tmp_path), _sha(gpkg)
    out = _cli(ADCODE, str(path), "--layer", "geohazards", "--dry-run", "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert list(report) == KEYS and report["features"] == 3 and report["changeset"] is None
    assert _sha(gpkg) == before


def test_cli_commits_and_refuses_with_exit_2(gpkg: Path, tmp_path: Path) -> None:
    path = _ledger(tmp_path)
    out = _cli(ADCODE, str(path), "--layer", "geohazards", "--json", "--user", "测试")
    assert out.returncode == 0, out.stderr
    assert (json.loads(out.stdout)["changeset"], json.loads(out.stdout)["revision"]) == (2, 2)
    before = _sha(gpkg)
    again = _cli(ADCODE, str(path), "--layer", "geohazards")
    assert again.returncode == 2 and "隐患点, row 3, 统一编号: 编号“500231010001”已在图层中" in again.stderr
    assert _sha(gpkg) == before


def test_cli_prints_the_notes_that_do_not_block(gpkg: Path, tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "twins.xlsx", HEADER, [
        [1, "A1", "甲滑坡", "桂溪街道", "滑坡", 1, 107.35, 30.33],
        [2, "A2", "甲滑坡", "桂溪街道", "滑坡", 1, 107.36, 30.32],
    ])
    out = _cli(ADCODE, str(path), "--layer", "geohazards", "--dry-run")
    assert out.returncode == 0, out.stderr
    assert "note / 提示: 隐患点, row 4, 隐患点名称: “甲滑坡”与第3行重名（同一乡镇），编号不同，按两个要素导入" in out.stderr


def test_swapped_row_and_duplicate_are_named(gpkg: Path, tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "dup.xlsx", HEADER, [
        [1, "A1", "甲滑坡", "桂溪街道", "滑坡", 1, 107.35, 30.33],
        [2, "A2", "乙滑坡", "桂溪街道", "滑坡", 1, 30.31, 107.36],
        [3, "A1", "丙滑坡", "桂溪街道", "滑坡", 1, 107.37, 30.32],
        [4, "A4", "甲滑坡", "桂溪", "滑坡", 1, 107.38, 30.31],
    ])
    plan = plan_import(open_workspace(ADCODE), path, layer="geohazards")
    assert [(p.row, p.field, p.value) for p in plan.problems][1:] == [(5, "统一编号", "A1")]
    # 甲滑坡 again in 桂溪 but with its own 编号: two features, a note that does not block
    assert [(w.row, w.field, w.value) for w in plan.warnings] == [(6, "隐患点名称", "甲滑坡")]
    assert plan.warnings[0].message == ("“甲滑坡”与第3行重名（同一乡镇），编号不同，按两个要素导入；若是同一处，请删去一行 / '甲滑坡' has the name "
                                        "of row 3 in the same township but its own ID: imported as two features; if they are one place, delete one row")
    assert (plan.problems[0].row, plan.problems[0].field, plan.problems[0].value) == (4, "经度/纬度", "30.31, 107.36")
    assert plan.problems[0].message == ("经度与纬度写反了（经度应约为 97–111，纬度约为 21–35）；请对调这两格 / longitude and latitude are "
                                        "swapped in this row (longitude about 97-111, latitude about 21-35); swap the two cells")
    assert plan.problems[1].message == "编号“A1”与第3行重复；每个编号只能出现一次 / ID 'A1' repeats row 3; give each feature its own ID"


def test_a_repeated_name_without_an_id_is_a_problem(gpkg: Path, tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "dup.xlsx", HEADER, [
        [1, None, "甲滑坡", "桂溪街道", "滑坡", 1, 107.35, 30.33],
        [2, None, "甲滑坡", "桂溪", "滑坡", 1, 107.36, 30.32],
    ])
    plan = plan_import(open_workspace(ADCODE), path, layer="geohazards")
    assert [(p.row, p.field, p.value, p.message) for p in plan.problems] == [
        (4, "隐患点名称", "甲滑坡", "“甲滑坡”与第3行重名（同一乡镇）；删去重复行或改名 / '甲滑坡' repeats row 3 in the same township; "
                                   "delete the repeated row or rename it")]
    assert plan.warnings == []


def test_a_feature_the_file_leaves_in_place_keeps_its_position_class(gpkg: Path, tmp_path: Path) -> None:
    """A download imported back (upsert by 编号) must not turn a synthetic point into a surveyed one;
    the row that moves its feature makes it authoritative."""
    layer = open_workspace(ADCODE).layer("geohazards")
    synthetic = layer[layer["geometry_quality"] == "synthetic"].iloc[:2]
    assert len(synthetic) == 2
    (a, b) = synthetic.itertuples()
    rows = [[1, a.fid, a.name, None, None, 9, a.geometry.x, a.geometry.y],  # same place to the digit
            [2, b.fid, b.name, None, None, 9, b.geometry.x + 0.001, b.geometry.y]]  # moved about 96 m
    path = _xlsx(tmp_path / "back.xlsx", HEADER, rows)
    plan = plan_import(open_workspace(ADCODE), path, layer="geohazards", mode="upsert")
    assert plan.problems == [] and len(plan.report()["matches"]["update"]) == 2
    commit_import(plan, user="测试", reason="回导")
    after = open_workspace(ADCODE).layer("geohazards").set_index("fid")
    assert after.loc[a.fid, "geometry_quality"] == "synthetic" and after.loc[a.fid, "geometry_source"] == a.geometry_source
    assert after.loc[a.fid, "threatened_people"] == 9  # the file's attributes are taken all the same
    assert after.loc[b.fid, "geometry_quality"] == "authoritative" and after.loc[b.fid, "geometry_source"].startswith("导入自 back.xlsx")


def test_a_change_after_the_plan_is_a_conflict(gpkg: Path, tmp_path: Path) -> None:
    from geo.errors import ConflictError

    path = _ledger(tmp_path)
    plan = plan_import(open_workspace(ADCODE), path, layer="geohazards", mode="replace")
    other = open_workspace(ADCODE)
    demo = other.layer("geohazards")
    other.commit([UserChange("geohazards", delete=(str(demo.loc[demo["kind"] == "hazard_point", "fid"].iloc[0]),))], user="b", action="edit")
    before = _sha(gpkg)
    with pytest.raises(ConflictError):
        commit_import(plan, user="a")
    assert _sha(gpkg) == before
