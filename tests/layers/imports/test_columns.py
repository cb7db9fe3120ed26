"""imports.columns: roles guessed from header words and values, overrides, kind words, typed values."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.errors import OptionError, Problem
from layers.imports.columns import EXTRA, RoleGuess, apply_overrides, guess_roles, map_kinds, match_kind, roles_for, table_values
from layers.imports.table import RawTable


def _table(columns: dict[str, list[str | None]], first_row: int = 4) -> RawTable:
    n = len(next(iter(columns.values())))
    return RawTable("台账.xlsx", "Sheet1", pd.DataFrame(columns), list(range(first_row, first_row + n)))


def _roles(table: RawTable, layer: str) -> dict[str, str]:
    return {g.column: g.role for g in guess_roles(table, layer)}


LEDGER = {
    "序号": ["1", "2"], "统一编号": ["500231010001", "500231010002"], "隐患点名称": ["黄家湾滑坡", "李家沟泥石流"],
    "乡镇(街道)": ["桂溪街道", "澄溪镇"], "村(社区)": ["一村", "二村"], "灾害类型": ["滑坡", "泥石流"], "规模等级": ["小型", "中型"],
    "威胁户数": ["12户", "3"], "威胁人数": ["45", "10"], "威胁财产(万元)": ["120", "35.5"],
    "经度": ["107°21′15.3″", "107.412345"], "纬度": ["30°12′10″", "30.21234"], "监测责任人": ["张三", "李四"], "联系电话": ["13800000000", "13900000000"],
}


def test_header_words_of_a_hazard_ledger() -> None:
    assert _roles(_table(LEDGER), "geohazards") == {
        "序号": EXTRA, "统一编号": "fid", "隐患点名称": "name", "乡镇(街道)": "township", "村(社区)": "village", "灾害类型": "hazard_type",
        "规模等级": "risk_level", "威胁户数": EXTRA, "威胁人数": "threatened_people", "威胁财产(万元)": "threatened_property_wan",
        "经度": "lon", "纬度": "lat", "监测责任人": EXTRA, "联系电话": EXTRA}


def test_reasons_name_the_header_and_the_values() -> None:
    reasons = {g.column: g.reason for g in guess_roles(_table(LEDGER), "geohazards")}
    # 107°21′15.3″ = 107.35425; 30°12′10″ = 30.2027778
    assert reasons["经度"] == ("表头“经度”是经度的常见写法；度分秒写法，数值都在 107.354–107.412 之间，是本地区的经度 / header “经度” is a usual "
                             "name for lon; degrees-minutes-seconds; values lie within 107.354–107.412, longitudes of the region")
    assert reasons["序号"] == "“序号”是表内序号，不作编号，作为附加属性保留 / “序号” numbers the rows of the table; kept as an extra attribute"
    assert reasons["威胁户数"] == "表头“威胁户数”未识别，作为附加属性保留 / header “威胁户数” not recognised; kept as an extra attribute"
    assert reasons["威胁人数"] == "表头“威胁人数”即字段“威胁人数” / header “威胁人数” is the field threatened_people (People threatened)"


@pytest.mark.parametrize(("lon", "lat"), [("东经", "北纬"), ("lng", "lat"), ("Longitude", "Latitude"), ("经度(°)", "纬度(°)"), ("经度(度)", "纬度(度)")])
def test_lon_lat_header_spellings(lon: str, lat: str) -> None:
    t = _table({"设施名称": ["a"], lon: ["107.35"], lat: ["30.2"]})
    assert _roles(t, "forest_fire") == {"设施名称": "name", lon: "lon", lat: "lat"}


def test_gk_northing_first_is_detected_by_magnitude() -> None:
    t = _table({"水库名称": ["全胜水库", "红星水库"], "X": ["3341234.5", "3345678.1"], "Y": ["36512345.2", "36523456.7"]})
    guesses = guess_roles(t, "reservoirs")
    assert [g.role for g in guesses] == ["name", "y", "x"]
    assert guesses[1].reason == ("表头“X”是坐标的常见写法；数值为7位数（3341234–3345678），是高斯-克吕格北坐标；按测绘习惯X为北坐标（先北后东） / "
                                 "header “X” is a usual name for a coordinate; 7-digit values (3341234–3345678) are Gauss-Krüger northings; "
                                 "surveyors' convention: X is the northing (northing first)")
    assert "前两位36是带号" in guesses[2].reason and "zone number 36 in front" in guesses[2].reason


def test_easting_without_zone_and_northing_under_plain_headers() -> None:
    t = _table({"名称": ["a", "b"], "东坐标": ["512345.2", "523456.7"], "北坐标": ["3341234.5", "3345678.1"]})
    guesses = guess_roles(t, "reservoirs")
    assert [g.role for g in guesses] == ["name", "x", "y"]
    assert "数值为6位数（512345–523457），是不带带号的高斯-克吕格东坐标" in guesses[1].reason


def test_unnamed_columns_are_read_by_their_values_only_when_unmistakable() -> None:
    t = _table({"名称": ["a", "b"], "A": ["3341234.5", "3345678.1"], "B": ["36512345.2", "36523456.7"], "C": ["25", "30"]})
    assert _roles(t, "reservoirs") == {"名称": "name", "A": "y", "B": "x", "C": EXTRA}  # 25..30 could be a count


def test_swapped_lon_lat_columns_follow_the_values_and_say_so() -> None:
    t = _table({"名称": ["a"], "经度": ["30.21234"], "纬度": ["107.41234"]})
    guesses = guess_roles(t, "reservoirs")
    assert [g.role for g in guesses] == ["name", "lat", "lon"]
    assert guesses[1].reason.endswith("the header says lon but the values say lat: columns swapped?")
    assert "表头与数值不符，两列可能写反" in guesses[1].reason


def test_values_outside_the_region_keep_the_header_role() -> None:
    t = _table({"名称": ["a"], "经度": ["116.4"], "纬度": ["39.9"]})
    guesses = guess_roles(t, "reservoirs")
    assert [g.role for g in guesses] == ["name", "lon", "lat"]
    assert "数值不全在本地区的经纬度范围内，按表头" in guesses[1].reason


@pytest.mark.parametrize("headers", [("经度", "经度_2", "经度_3"), ("经度", "分", "秒"), ("经度度", "经度分", "经度秒"), ("经度(度)", "经度(分)", "经度(秒)")])
def test_dms_in_three_columns(headers: tuple[str, str, str]) -> None:
    d, m, s = headers
    t = _table({"名称": ["a", "b"], d: ["107", "107"], m: ["21", "22"], s: ["15.3", "0"], "纬度": ["30.2", "30.3"]})
    assert _roles(t, "reservoirs") == {"名称": "name", d: "lon_d", m: "lon_m", s: "lon_s", "纬度": "lat"}
    _, coords, problems = table_values(t, guess_roles(t, "reservoirs"), "reservoirs")
    assert problems == []
    # 107 + 21/60 + 15.3/3600 = 107.35425; 107 + 22/60 = 107.3666667
    assert coords["lon"].tolist() == pytest.approx([107.35425, 107.3666666667])


def test_a_role_goes_to_one_column() -> None:
    t = _table({"名称": ["a"], "水库名称": ["b"]})
    guesses = guess_roles(t, "reservoirs")
    assert [g.role for g in guesses] == ["name", EXTRA]
    assert guesses[1].reason == "“名称”列已作为 name，本列作为附加属性保留 / column “名称” already holds name; kept as an extra attribute"


# --- overrides ------------------------------------------------------------------------------------

def test_overrides_set_roles_and_free_the_old_holder() -> None:
    t = _table({"名称": ["a"], "水库全称": ["b"], "经度": ["107.3"], "纬度": ["30.2"]})
    out = apply_overrides(guess_roles(t, "reservoirs"), "水库全称=name，名称=note", layer="reservoirs")
    assert [(g.column, g.role) for g in out] == [("名称", "note"), ("水库全称", "name"), ("经度", "lon"), ("纬度", "lat")]
    assert out[1].reason == "按 --columns 指定为 name / set to name by --columns"


def test_override_to_extra_and_with_full_width_signs() -> None:
    guesses = [RoleGuess("备注", "note", ""), RoleGuess("经度", "lon", "")]
    assert [g.role for g in apply_overrides(guesses, "备注＝extra")] == [EXTRA, "lon"]


def test_override_of_an_unknown_column_lists_the_columns() -> None:
    guesses = [RoleGuess("名称", "name", ""), RoleGuess("经度", "lon", "")]
    with pytest.raises(OptionError, match=r"^--columns：表中没有列“名字”；表中的列：名称、经度 / --columns: the table has no column '名字'; "
                                          r"its columns are \['名称', '经度'\]\.$"):
        apply_overrides(guesses, "名字=name")


def test_override_to_an_unknown_field_lists_the_roles() -> None:
    with pytest.raises(OptionError, match=r"^--columns：“people”不是可用的字段；可用：fid, name, kind, .* / --columns: 'people' is not a role "
                                          r"of layer 'reservoirs'; use one of \['fid', 'name'"):
        apply_overrides([RoleGuess("威胁人数", EXTRA, "")], "威胁人数=people", layer="reservoirs")
    assert "threatened_people" not in roles_for("reservoirs") and "threatened_people" in roles_for("geohazards")


def test_override_without_equals_sign() -> None:
    with pytest.raises(OptionError, match=r"^--columns：“名称”应写成 列名=字段，如 隐患点名称=name / --columns: '名称' must be SRC=FIELD"):
        apply_overrides([RoleGuess("名称", "name", "")], "名称")


# --- kinds ----------------------------------------------------------------------------------------

def test_forest_bureau_words_map_onto_the_layer_kinds() -> None:
    assert map_kinds(["蓄水池", "检查站", "视频监控", "监控", "瞭望塔", "专业扑火队", "扑火队", "XX村消防蓄水池", "蓄水池", " camera "],
                     "forest_fire") == {
        "蓄水池": "water_tank", "检查站": "checkpoint", "视频监控": "camera", "监控": "camera", "瞭望塔": "lookout",
        "专业扑火队": "crew", "扑火队": "crew", "XX村消防蓄水池": "water_tank", "camera": "camera"}


def test_geohazard_words_map_onto_hazard_sites() -> None:
    assert map_kinds(["滑坡", "崩塌", "泥石流", "地面塌陷", "不稳定斜坡", "隐患点", "治理工程"], "geohazards") == {
        "滑坡": "hazard_site", "崩塌": "hazard_site", "泥石流": "hazard_site", "地面塌陷": "hazard_site",
        "不稳定斜坡": "hazard_site", "隐患点": "hazard_site", "治理工程": "treatment_work"}


def test_kind_reasons() -> None:
    assert match_kind("专业扑火队", "forest_fire") == ("crew", "“专业扑火队”即“扑火队伍” / “专业扑火队” is crew (Fire crew)")
    assert match_kind("XX村消防蓄水池", "forest_fire") == (
        "water_tank", "“XX村消防蓄水池”含“消防蓄水池”，归为“消防蓄水池” / “XX村消防蓄水池” contains “消防蓄水池”: water_tank (Water tank)")
    assert match_kind("监控检查站", "forest_fire") == (
        None, "“监控检查站”同时含有camera、checkpoint的词，无法确定 / “监控检查站” has words of ['camera', 'checkpoint']; cannot tell which")


def test_a_word_of_another_layer_is_none_and_says_where_it_belongs() -> None:
    kind, why = match_kind("物资储备库", "forest_fire")
    assert kind is None
    assert why.startswith("“物资储备库”不是“森林防火”图层的类别；它是“应急设施”图层(facilities)的类别；可用：重点林区/山体(forest_area)、")
    assert why.endswith("/ “物资储备库” is not a kind of layer forest_fire; it is a kind of layer facilities; kinds: ['forest_area', "
                        "'forest_farm', 'scenic_area', 'checkpoint', 'water_tank', 'fire_road', 'isolation_belt', 'camera', 'base_station', "
                        "'lookout', 'crew']")
    assert map_kinds(["物资储备库", "物资库"], "facilities") == {"物资储备库": "material_depot", "物资库": "material_depot"}
    assert map_kinds(["abc"], "forest_fire") == {"abc": None}


# --- values ---------------------------------------------------------------------------------------

def test_table_values_of_a_hazard_ledger() -> None:
    t = _table({**{k: v + [v[0]] for k, v in LEDGER.items()},
                "威胁人数": ["45", "10人", "十"], "威胁财产(万元)": ["120", "35,5", "1,234"], "隐患点名称": ["黄家湾滑坡", "李家沟泥石流", None],
                "经度": ["107°21′15.3″", "107.412345", "１０７．３５"], "纬度": ["30°12′10″", "30.21234", ""]})
    attrs, coords, problems = table_values(t, guess_roles(t, "geohazards"), "geohazards")
    assert attrs["threatened_people"].tolist() == [45, 10, pd.NA]
    assert attrs["threatened_property_wan"].tolist() == [120.0, 35.5, 1234.0]
    assert attrs["kind"].tolist() == ["hazard_site"] * 3  # ledger rows are sites; 灾种 in hazard_type
    assert attrs["hazard_type"].tolist() == ["滑坡", "泥石流", "滑坡"]
    assert attrs["威胁户数"].tolist() == ["12户", "3", "12户"] and attrs["village"].tolist() == ["一村", "二村", "一村"]
    # 107°21′15.3″ = 107.35425, 30°12′10″ = 30 + 12/60 + 10/3600 = 30.2027778
    assert coords["lon"].tolist() == pytest.approx([107.35425, 107.412345, 107.35])
    assert coords["lat"].tolist()[:2] == pytest.approx([30.2027777778, 30.21234]) and pd.isna(coords["lat"].iloc[2])
    assert problems == [
        Problem(6, "隐患点名称", "名称为空，请填写 / Name is empty; fill it in"),
        Problem(6, "威胁人数", "“十”不是数字，请改成数字（如 12 或 107.35） / '十' is not a number; write a number such as 12 or 107.35."),
        Problem(6, "纬度", "lat为空，请填写坐标 / lat is empty; fill in the coordinates"),
    ]


def test_unreadable_coordinates_keep_their_row() -> None:
    t = _table({"名称": list("abcde"), "X": ["3341234.5", "33412３4,5", "abc", "3341234", "3341234"], "Y": ["36512345.2"] * 5}, first_row=2)
    attrs, coords, problems = table_values(t, guess_roles(t, "reservoirs"), "reservoirs")
    assert len(attrs) == len(coords) == 5 and attrs["kind"].tolist() == ["reservoir"] * 5
    assert coords["y"].tolist()[:2] == pytest.approx([3341234.5, 3341234.5]) and pd.isna(coords["y"].iloc[2])
    assert problems == [Problem(4, "X", "“abc”不是数字，请改成数字（如 12 或 107.35） / 'abc' is not a number; write a number such as 12 or 107.35.")]


def test_bad_dms_part_names_the_three_columns() -> None:
    t = _table({"名称": ["a"], "经度": ["107"], "分": ["75"], "秒": ["0"], "纬度": ["30.2"]})
    roles = [RoleGuess("名称", "name", ""), RoleGuess("经度", "lon_d", ""), RoleGuess("分", "lon_m", ""), RoleGuess("秒", "lon_s", ""),
             RoleGuess("纬度", "lat", "")]
    _, coords, problems = table_values(t, roles, "reservoirs")
    assert pd.isna(coords["lon"].iloc[0])
    assert problems == [Problem(4, "经度/分/秒", "分“75”须在0～60之间（不含60） / minutes '75' must be at least 0 and below 60.")]


def test_kinds_from_the_kind_column_and_from_names() -> None:
    t = _table({"名称": ["一号池", "二号", "三号"], "类型": ["蓄水池", "物资库", ""], "经度": ["107.3"] * 3, "纬度": ["30.2"] * 3})
    attrs, _, problems = table_values(t, guess_roles(t, "forest_fire"), "forest_fire")
    assert attrs["kind"].tolist() == ["water_tank", None, None]
    assert [(p.row, p.field) for p in problems] == [(5, "类型"), (6, "类型")]
    assert problems[1].message == "类型为空 / the kind is empty"
    by_name = _table({"名称": ["桂溪镇消防蓄水池", "一号"], "经度": ["107.3"] * 2, "纬度": ["30.2"] * 2})
    attrs, _, problems = table_values(by_name, guess_roles(by_name, "forest_fire"), "forest_fire")
    assert attrs["kind"].tolist() == ["water_tank", None]
    assert problems == [Problem(5, "名称", "没有类型列，名称“一号”也看不出类别；请加一列“类型”，或用 --columns 列名=kind 指定 / no kind column, "
                                           "and the name '一号' does not tell the kind; add a 类型 column or name one with --columns SRC=kind")]


def test_missing_name_and_coordinates_are_problems_without_a_row() -> None:
    t = _table({"备注": ["x"]})
    _, coords, problems = table_values(t, guess_roles(t, "reservoirs"), "reservoirs")
    assert coords.empty
    assert problems == [
        Problem(None, None, "找不到名称列；请用 --columns 指定，如 隐患点名称=name / no name column; name one with --columns, e.g. 隐患点名称=name"),
        Problem(None, None, "找不到坐标列；请用 --columns 指定，如 经度=lon,纬度=lat 或 X=y,Y=x / no coordinate columns; name them with "
                            "--columns, e.g. 经度=lon,纬度=lat or X=y,Y=x"),
    ]


def test_values_outside_a_fields_choices() -> None:
    t = _table({"名称": ["a"], "状态": ["在建"], "经度": ["107.3"], "纬度": ["30.2"]})
    attrs, _, problems = table_values(t, apply_overrides(guess_roles(t, "reservoirs"), "状态=status"), "reservoirs")
    assert problems == [Problem(4, "状态", "“在建”不是状态的可选值；可选：planned、under_construction、completed、ongoing、unknown / '在建' is "
                                           "not a value of status; use one of ['planned', 'under_construction', 'completed', 'ongoing', 'unknown']")]


def test_a_row_with_lon_and_lat_swapped_keeps_both_cells_for_the_swap_check() -> None:
    t = _table({"名称": ["一号池", "二号池", "三号池"], "类型": ["蓄水池"] * 3, "经度": ["107.35", "30.25", "107.38"],
                "纬度": ["30.33", "107°24′", "95"]})
    roles = guess_roles(t, "forest_fire")
    _, coords, problems = table_values(t, roles, "forest_fire")
    assert coords.iloc[1].tolist() == [30.25, 107.4]  # as written: the import names both columns and says to swap them
    # a latitude of 95 beside a longitude of the region is not a swap: still out of range
    assert [(p.row, p.field) for p in problems] == [(6, "纬度")]
    assert "超出纬度范围" in problems[0].message and pd.isna(coords.iloc[2]["lat"])


def test_a_long_column_is_guessed_from_a_sample_and_every_row_is_read() -> None:
    lon = [f"{107.3 + k * 1e-5:.5f}" for k in range(3000)]
    lon[1] = "东经107.3x"  # not among the 1,000 cells the guess looks at (every third row or so): still named
    t = _table({"名称": [f"{k}号滑坡" for k in range(3000)], "经度": lon, "纬度": ["30.2"] * 3000}, first_row=2)
    guesses = guess_roles(t, "geohazards")
    assert [g.role for g in guesses] == ["name", "lon", "lat"]
    assert guesses[1].reason.endswith("longitudes of the region (1,000 of 3,000 cells checked)")
    assert "（抽查 1,000 格，共 3,000 格）" in guesses[1].reason
    _, coords, problems = table_values(t, guesses, "geohazards")
    assert [(p.row, p.field) for p in problems] == [(3, "经度")]
    assert coords["lon"].notna().sum() == 2999
