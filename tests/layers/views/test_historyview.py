"""The page 变更记录's model without Streamlit: log rows, features of a changeset, the fields that
changed in words, the small before/after map (distance checked by hand), the halves of a bilingual
message, and text that is never markup."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import LineString, Point, Polygon

from layers.edits.history import Entry, FeatureChange
from layers.store.gpkg import Changeset
from layers.views import historyview as hv


def _cs(id_: int, *, action: str = "edit", layer: str | None = "reservoirs", fids: list[str] | None = None, user: str = "张三",
        reason: str | None = "现场核实", source: str | None = None) -> Changeset:
    return Changeset(id_, id_, id_ - 1, f"2026-03-0{id_}T09:15:00+08:00", user, action, layer, fids, {}, reason, source, None)


def _frame(geom, **values: object) -> gpd.GeoDataFrame:  # noqa: ANN001
    return gpd.GeoDataFrame({"fid": ["r1"], "name": ["全胜水库"], "status": ["planned"], "geometry_quality": ["approximate"],
                             "budget_wan": [float("nan")], **{k: [v] for k, v in values.items()}}, geometry=[geom], crs=4490)


def _moved() -> FeatureChange:
    before = _frame(Point(107.40, 30.30))
    after = _frame(Point(107.41, 30.30), geometry_quality="surveyed", status="completed")
    return FeatureChange("reservoirs", "r1", "全胜水库", "桂阳街道", before, after, ["status", "geometry", "geometry_quality"])


def test_log_rows_are_text_in_the_page_language() -> None:
    entries = [Entry(_cs(2, action="import", layer="geohazards,reservoirs", fids=["a", "b", "c", "d"], source="一览表.xlsx"),
                     [FeatureChange("geohazards", f, f"点{f}", None, None, _frame(Point(107, 30)), ["geometry"]) for f in "abcd"]),
               Entry(_cs(1, reason="<b>核实</b>"), [_moved()])]
    zh = hv.log_table(entries, "zh")
    assert list(zh.columns) == ["变更集", "版本", "时间", "用户", "操作", "原因", "图层", "要素", "来源文件"]
    assert zh.iloc[0].tolist() == ["2", "2", "2026-03-02 09:15:00", "张三", "导入", "现场核实", "地质灾害、水库", "点a、点b、点c 等 4 个", "一览表.xlsx"]
    assert zh.iloc[1]["原因"] == "<b>核实</b>"  # shown as text by st.dataframe, never as markup
    en = hv.log_table(entries, "en")
    assert en.iloc[0][["Action", "Layer", "Features"]].tolist() == ["Import", "Geohazards, Reservoirs", "点a, 点b, 点c and 1 more"]


def test_the_fields_that_changed_position_first_with_labels() -> None:
    table = hv.change_table(_moved(), "zh")
    assert table.values.tolist() == [["位置", "107.400000, 30.300000", "107.410000, 30.300000"],
                                     ["状态", "规划", "已完成"], ["位置质量", "近似位置", "人工核定"]]
    assert hv.change_table(_moved(), "en").iloc[1].tolist() == ["Status", "Planned", "Completed"]
    placed = FeatureChange("reservoirs", "r1", None, None, _frame(Point(107, 30), geometry_source="county centre"),
                           _frame(Point(107, 30), geometry_source="人工核定：张三 / placed by 张三"), ["geometry_source"])
    assert hv.change_table(placed, "en").values.tolist() == [["Geometry source", "county centre", "placed by 张三"]]


def test_features_of_a_changeset_added_deleted_changed() -> None:
    added = FeatureChange("reservoirs", "r2", "新水库", None, None, _frame(Point(107, 30)), ["geometry"])
    gone = FeatureChange("reservoirs", "r3", None, None, _frame(Point(107, 30), deleted=0), None, ["deleted"])
    table = hv.features_table(Entry(_cs(1), [_moved(), added, gone]), "zh")
    assert table.values.tolist() == [["水库", "r1", "全胜水库", "桂阳街道", "修改", "位置、状态、位置质量"],
                                     ["水库", "r2", "新水库", "", "新增", "位置"], ["水库", "r3", "", "", "删除", "已删除"]]
    assert hv.focus(Entry(_cs(1), [_moved(), added]), "reservoirs", "r2") == [added]
    assert hv.change_table(gone, "zh").values.tolist() == [["已删除", "否", "是"]]


def test_a_move_is_grey_to_red_with_a_line_and_the_distance_by_hand() -> None:
    mm = hv.mini_map(_moved())
    assert [s.colour for s in mm.shapes] == [hv.BEFORE_COLOUR, hv.AFTER_COLOUR] and all(s.point for s in mm.shapes)
    assert mm.line == ((30.30, 107.40), (30.30, 107.41))
    # 0.01 degree of longitude at 30.3 N: 111,320 m * cos(30.3 deg) * 0.01 = 961 m (GRS80 gives 962)
    assert mm.moved_m == pytest.approx(962, abs=2)
    assert hv.moved_text(mm.moved_m, "zh") == "移动 962 m"
    minx, miny, maxx, maxy = mm.bounds
    assert minx < 107.40 and maxx > 107.41 and maxy - miny == pytest.approx(hv.MIN_SPAN_DEG)


def test_small_maps_of_attribute_edits_additions_and_outlines() -> None:
    same = FeatureChange("reservoirs", "r1", "全胜水库", None, _frame(Point(107.4, 30.3)), _frame(Point(107.4, 30.3)), ["status"])
    mm = hv.mini_map(same)
    assert [s.colour for s in mm.shapes] == [hv.AFTER_COLOUR] and mm.line is None and mm.moved_m is None
    river = LineString([(107.3, 30.2), (107.4, 30.3)])
    gone = hv.mini_map(FeatureChange("rivers", "v1", "河", None, _frame(river), None, ["deleted"]))
    assert [(s.colour, s.point, s.geojson["type"]) for s in gone.shapes] == [(hv.BEFORE_COLOUR, False, "LineString")]
    assert hv.mini_map(FeatureChange("reservoirs", "r9", None, None, None, None, [])) is None
    square = Polygon([(107, 30), (107.1, 30), (107.1, 30.1), (107, 30)])
    assert hv.geometry_text(square, "zh") == "面,4 个顶点" and hv.geometry_text(river, "en") == "line, 2 vertices"


@pytest.mark.parametrize(("lang", "expected"), [("zh", "工作区在版本 3 之后被改过：变更 #4（1 个要素 / 1 feature(s)）。"),
                                                ("en", "Workspace changed after revision 3: change #4 (1 个要素 / 1 feature(s)).")])
def test_a_message_is_cut_after_its_chinese_sentence(lang: str, expected: str) -> None:
    message = ("工作区在版本 3 之后被改过：变更 #4（1 个要素 / 1 feature(s)）。 / "
               "Workspace changed after revision 3: change #4 (1 个要素 / 1 feature(s)).")
    assert hv.half(message, lang) == expected
    assert hv.half("没有图层 x / no layer x", lang) == ("没有图层 x" if lang == "zh" else "no layer x")


def test_markdown_escape_keeps_names_literal() -> None:
    assert hv.md_escape("[点我](javascript:x) *张三*") == "\\[点我\\]\\(javascript\\:x\\) \\*张三\\*"


def test_choices_and_revisions() -> None:
    log = [_cs(1, action="build", layer="county,reservoirs", user="build"), _cs(2, fids=["r1"]),
           _cs(3, layer="geohazards", fids=["h1"], user="李四")]
    assert hv.users(log) == ["build", "张三", "李四"]
    assert hv.layers(log) == ["geohazards", "reservoirs"]
    assert hv.revisions(log) == [2, 1]
    assert hv.log_table([Entry(_cs(1, action="build", layer="county,townships,rivers,reservoirs"), [])], "zh").iloc[0]["图层"] == \
        "县界、乡镇(街道)、河流水系 等 4 个"
    assert hv.revision_label(log[0], "en") == "revision 1 · 2026-03-01 09:15:00 · build · Build"
    assert not hv.undoable(Entry(log[0], [])) and hv.undoable(Entry(log[1], [_moved()]))
