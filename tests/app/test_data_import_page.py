"""AppTest of the page 数据导入: a hazard ledger made in code (merged title, 度分秒, 合计 row) inside
垫江县 around 107.35E 30.33N is reported, previewed and committed into a private copy of the built
workspace (the shared session workspaces are never written). AppTest cannot drive st.file_uploader:
the upload is put in ``session_state["import_upload"]`` as (name, bytes)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from layers.store.workspace import open_workspace
from tests.app._pages import run_page
from tests.ledgers import hazard_ledger_xlsx

ADCODE = "500231"
PAGE = str(Path(__file__).resolve().parents[2] / "ui" / "data_import.py")
HEADER = ["序号", "统一编号", "隐患点名称", "乡镇(街道)", "灾害类型", "威胁人数", "经度", "纬度"]
ROWS = [
    [1, "DJ-IMP-001", "黄家湾滑坡", "桂溪街道", "滑坡", 12, "107°21′15.3″", "30°19′48.0″"],
    [2, "DJ-IMP-002", "石板沟崩塌", "沙坪镇", "崩塌", 5, "107度25分0秒", "30度15分0秒"],
    [3, "DJ-IMP-003", "大堰塘不稳定斜坡", "新民镇", "不稳定斜坡", 3, 107.4, 30.4],
]


@pytest.fixture
def workspaces(private_workspaces: Path) -> Path:
    """A private copy of the built 垫江 workspace: a commit here disturbs no other test."""
    return private_workspaces


def _ledger(rows: list[list[object]]) -> bytes:
    return hazard_ledger_xlsx(rows, HEADER)


def _run(upload: tuple[str, bytes] | None, lang: str = "zh") -> AppTest:
    return run_page(PAGE, adcode=ADCODE, lang=lang, **({"import_upload": upload} if upload is not None else {}))


def _frame(at: AppTest, first: str):  # noqa: ANN202
    return next(d.value for d in at.dataframe if d.value.columns[0] == first)


@pytest.mark.usefixtures("workspaces")
def test_the_report_counts_rows_and_lists_the_bad_row_as_in_excel() -> None:
    bad = [4, "DJ-IMP-004", "<b>坏</b>度分秒", "桂溪街道", "滑坡", 1, "107°61′15″", "30°19′48.0″"]
    at = _run(("隐患点一览表.xlsx", _ledger([*ROWS, bad])))
    assert not at.exception
    rep = at.session_state["import_report"]
    assert (rep["rows_read"], rep["features"], rep["skipped"]) == (4, 3, [{"sheet": "隐患点", "row": 6}])
    assert (rep["crs"], rep["datum"], rep["crs_score"]) == ("EPSG:4490", "cgcs2000", 1.0)
    problems = _frame(at, "工作表")
    assert list(problems.columns) == ["工作表", "行", "列", "值", "问题"]
    assert problems.iloc[0, :4].tolist() == ["隐患点", "6", "经度", "107°61′15″"]
    roles = _frame(at, "列")
    assert dict(zip(roles["列"], roles["含义"], strict=True))["经度"] == "经度 (lon)" and roles["理由"].str.len().min() > 0
    assert at.button(key="imp_commit").disabled
    assert "有 1 个问题" in " ".join(c.value for c in at.caption)
    assert at.session_state["import_preview"] == {"layer": "geohazards", "features": 3, "moved": 0, "clipped": 0,
                                                     "candidates": ["GCJ-02", "BD-09"]}
    assert "红色:将写入的 3 个地质灾害要素(叠加在县界和当前图层上)" in " ".join(c.value for c in at.caption)
    at.checkbox(key="imp_skip").check().run()
    assert at.session_state["import_report"]["features"] == 3 and not at.exception


def test_commit_writes_one_changeset_that_the_map_data_shows(workspaces: Path) -> None:
    before = open_workspace(ADCODE)
    at = _run(("隐患点一览表.xlsx", _ledger(ROWS)))
    assert at.session_state["import_report"]["problems"] == []
    assert at.button(key="imp_commit").disabled  # who and why are required
    at.text_input(key="imp_user").input("规划局 张三")
    at.text_input(key="imp_reason").input("2025年一览表").run()
    at.button(key="imp_commit").click().run()
    assert not at.exception and not at.error
    after = open_workspace(ADCODE)
    assert after.revision == before.revision + 1
    assert f"版本 {after.revision}" in at.success[0].value and "变更集" in at.success[0].value
    layer = after.layer("geohazards")
    new = layer[layer["fid"].isin(["DJ-IMP-001", "DJ-IMP-002", "DJ-IMP-003"])]
    assert len(new) == 3 and set(new["geometry_quality"]) == {"authoritative"}
    assert "import_upload" not in at.session_state  # the wizard starts over


@pytest.mark.usefixtures("workspaces")
def test_a_bad_file_names_the_file_without_a_traceback() -> None:
    before = set(Path(tempfile.gettempdir()).glob("onemap-import-*"))
    at = _run(("坏表.xlsx", b"this is not a workbook"))
    assert not at.exception
    assert set(Path(tempfile.gettempdir()).glob("onemap-import-*")) == before  # the private copy is gone
    assert tempfile.gettempdir() not in at.error[0].value
    assert "坏表.xlsx" in at.error[0].value and "Traceback" not in at.error[0].value


@pytest.mark.usefixtures("workspaces")
def test_english_page_and_upsert_groups() -> None:
    at = _run(("ledger.xlsx", _ledger(ROWS)), lang="en")
    assert at.title[0].value.startswith("Data import")
    at.selectbox(key="imp_mode").set_value("upsert").run()
    assert not at.exception
    assert [m.label for m in at.metric] == ["Update", "Insert", "Ambiguous (not written)"]
    assert at.metric[1].value == "3"


@pytest.mark.usefixtures("workspaces")
def test_a_column_role_set_by_hand_is_used_and_listed() -> None:
    at = _run(("隐患点一览表.xlsx", _ledger(ROWS)))
    column = at.session_state["imp_columns"].index("威胁人数")
    at.selectbox(key=f"imp_role_{column}").set_value("extra").run()
    roles = _frame(at, "列")
    assert dict(zip(roles["列"], roles["含义"], strict=True))["威胁人数"] == "其他(保留在来源记录中) (extra)"
    assert at.text[0].value == "已改:威胁人数 → 其他(保留在来源记录中) (extra)"
    assert at.selectbox(key=f"imp_role_{column}").format_func("threatened_people") == "威胁人数 (threatened_people)"
    assert at.session_state["import_report"]["features"] == 3


@pytest.mark.usefixtures("workspaces")
def test_a_loose_shapefile_of_several_files_is_read_together(tmp_path: Path) -> None:
    import geopandas as gpd
    from shapely.geometry import Point

    gdf = gpd.GeoDataFrame({"name": ["甲滑坡", "乙崩塌"], "kind": ["滑坡", "崩塌"]},
                           geometry=[Point(107.36, 30.33), Point(107.40, 30.30)], crs=4490)
    gdf.to_file(tmp_path / "points.shp", encoding="utf-8")
    files = [(f.name, f.read_bytes()) for f in sorted(tmp_path.glob("points.*"))]
    at = _run(files)
    assert not at.exception and not at.error
    rep = at.session_state["import_report"]
    assert (rep["rows_read"], rep["features"], rep["crs"]) == (2, 2, "EPSG:4490")


@pytest.mark.usefixtures("workspaces")
def test_a_conflict_at_commit_is_an_error_message(monkeypatch: pytest.MonkeyPatch) -> None:
    from geo.errors import ConflictError
    from layers.imports import importer

    def refuse(plan, *, user, reason):  # noqa: ANN001, ANN202, ARG001
        raise ConflictError("500231: 规划局 李四 在 10:02 改了 geohazards；请重新导入 / changed meanwhile")

    monkeypatch.setattr(importer, "commit_import", refuse)
    at = _run(("隐患点一览表.xlsx", _ledger(ROWS)))
    at.text_input(key="imp_user").input("张三")
    at.text_input(key="imp_reason").input("更新").run()
    at.button(key="imp_commit").click().run()
    assert not at.exception and "李四" in at.error[0].value and "Traceback" not in at.error[0].value


@pytest.mark.usefixtures("workspaces")
def test_an_upsert_preview_draws_where_a_matched_feature_moves_from() -> None:
    ws = open_workspace(ADCODE)
    old = ws.layer("reservoirs").set_index("fid").loc["dj21-018"]
    assert old["name"] == "全胜水库"
    rows = [[1, "全胜水库", 107.30, 30.30], [2, "新建水库", 107.40, 30.40]]
    at = _run(("水库名录.xlsx", hazard_ledger_xlsx(rows, ["序号", "水库名称", "经度", "纬度"])))
    at.selectbox(key="imp_layer").set_value("reservoirs")
    at.selectbox(key="imp_mode").set_value("upsert").run()
    assert not at.exception and not at.error
    assert at.session_state["import_preview"]["moved"] == 1
    assert "橙色虚线:1 个已有要素从原位置(灰圈)移到文件中的位置" in " ".join(c.value for c in at.caption)


@pytest.mark.usefixtures("workspaces")
def test_a_gbk_shapefile_without_cpg_shows_its_rows_decoded_each_way(tmp_path: Path) -> None:
    import geopandas as gpd
    from shapely.geometry import Point

    gdf = gpd.GeoDataFrame({"名称": ["黄家湾滑坡"], "类型": ["滑坡"]}, geometry=[Point(107.36, 30.33)], crs=4490)
    gdf.to_file(tmp_path / "points.shp", encoding="gbk")
    (tmp_path / "points.cpg").unlink(missing_ok=True)
    files = [(f.name, f.read_bytes()) for f in sorted(tmp_path.glob("points.*"))]
    at = _run(files)
    assert not at.exception and not at.error
    assert at.expander[0].label == "编码核对(文件未声明编码)"
    shown = {t.value: d.value for t, d in zip([t for t in at.text if t.value.startswith("按 ")], at.dataframe, strict=False)}
    gbk = next(v for k, v in shown.items() if "GBK" in k.upper() or "GB18030" in k.upper())
    utf = next(v for k, v in shown.items() if "UTF" in k.upper())
    assert "黄家湾滑坡" in gbk.to_string() and "黄家湾滑坡" not in utf.to_string()
    assert at.session_state["import_report"]["encoding"].lower() in ("gbk", "gb18030")


@pytest.mark.usefixtures("workspaces")
def test_a_township_boundary_file_lists_the_names_both_ways(tmp_path: Path) -> None:
    from tests.layers.imports.test_townships import _three

    _three(tmp_path)
    files = [(f.name, f.read_bytes()) for f in sorted(tmp_path.glob("乡镇界.*"))]
    at = _run(files)
    at.selectbox(key="imp_layer").set_value("townships").run()
    assert at.selectbox(key="imp_mode").options == ["更新或新增", "替换"] and at.selectbox(key="imp_mode").value == "replace"
    assert not at.exception and not at.error
    assert "乡镇名称对照" in [h.value for h in at.subheader]
    in_file = _frame(at, "行")
    row = in_file[in_file["名称"] == "高安新镇"].iloc[0]
    assert row["代码"] == "500231999000" and "高安镇" in row["最接近的名称"]
    in_list = next(d.value for d in at.dataframe if list(d.value.columns) == ["名称", "处理"])
    assert len(in_list) == len(open_workspace(ADCODE).layer("townships")) - 2  # 桂溪街道 and 沙坪镇 got their boundary
    assert {"桂溪街道", "沙坪镇"}.isdisjoint(in_list["名称"])
    assert dict(zip(in_list["名称"], in_list["处理"], strict=True))["新民镇"] == "保留泰森多边形,扣除重叠"
    clipped = (in_list["处理"] == "保留泰森多边形,扣除重叠").sum()
    assert at.session_state["import_preview"]["clipped"] == clipped == 6  # the six cells the two squares overlap
    assert "灰色虚线:6 个乡镇的泰森多边形扣除重叠后的范围" in " ".join(c.value for c in at.caption)
