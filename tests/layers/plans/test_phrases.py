"""Plan patterns of things named by what they are (lists closed by 等 + category, river reaches) and the
counted and numbered forms added with them, on short texts written here (invented county and names)."""

from __future__ import annotations

import pandas as pd
import pytest

from layers.plans.extract import extract_plan

HEAD = "示例县人民政府\n示例府发〔2026〕4号\n关于印发示例县应急管理规划的通知\n"


def _rows(body: str) -> pd.DataFrame:
    return extract_plan(HEAD + body).rows


def _kinds(rows: pd.DataFrame) -> dict[str, tuple[str, str]]:
    return {r.name: (r.layer, r.kind) for r in rows.itertuples()}


@pytest.mark.parametrize(("sentence", "items", "layer", "kind"), [
    ("重点对青松谷、白鹭湾花海、云顶茶园等景区加强安全监管。", ["青松谷", "白鹭湾花海", "云顶茶园"], "forest_fire", "scenic_area"),
    ("强化甲河乙场镇、丙河丁居委、戊河己农业园区等县级防洪重点区域的巡查。", ["甲河乙场镇", "丙河丁居委", "戊河己农业园区"],
     "facilities", "flood_key_area"),
    ("重点对东镇石槽~西镇低山、南镇~北乡浅丘等中易发区加强监测。", ["东镇石槽~西镇低山", "南镇~北乡浅丘"],
     "geohazards", "susceptibility_zone"),
    ("在甲丰公司、乙盛实业公司等大型企业开展演练。", ["甲丰公司", "乙盛实业公司"], "facilities", "other"),
])
def test_the_items_of_a_list_closed_by_a_category_take_its_layer(sentence: str, items: list[str], layer: str,
                                                               kind: str) -> None:
    found = _kinds(_rows("一、风险防控\n" + sentence))
    assert all(found.get(i) == (layer, kind) for i in items), found


def test_a_list_closed_by_a_word_that_is_no_category_gives_no_items() -> None:
    found = _kinds(_rows("一、风险防控\n加强青松谷、白鹭湾花海等领域的安全监管。"))
    assert "青松谷" not in found and "白鹭湾花海" not in found


def test_river_reaches_of_a_works_sentence_are_projects() -> None:
    found = _kinds(_rows("一、防洪\n加强对甲河城南场重点河段、乙溪三元桥—西口段等中小河流治理。"))
    assert found.get("甲河城南场重点河段") == ("projects", "project")
    assert found.get("乙溪三元桥—西口段") == ("projects", "project")


@pytest.mark.parametrize(("sentence", "name", "layer", "kind", "count"), [
    ("建成地震监测基本站1个，一般站4个。", "一般站", "facilities", "warning_station", 4),  # elided noun: its kind, its words
    ("全县具备条件煤矿完成升级改造3家，严格监管保留9家。", "保留煤矿", "facilities", "mine", 9),  # firms in 家
    ("全县具备条件煤矿完成升级改造3家，严格监管保留9家。", "具备条件煤矿", "facilities", "mine", 3),
    ("完成2个水毁修复项目。", "水毁修复项目", "projects", "project", 2),
    ("新建、改建快速路及普通干线公路建设项目 12 个 201 公里。", "普通干线公路建设项目", "projects", "project", 12),
    ("完成边坡整治 25 次。", "边坡整治", "projects", "project", 25),  # 次 counts works
    ("完成危桥改造15座,边坡整治及地灾治理 25 次。", "边坡整治及地灾治理", "geohazards", "treatment_work", 25),  # one count of both
    ("建成各类应急救援队伍和保障队伍 18 支。", "应急救援队伍和保障队伍", "facilities", "fire_brigade", 18),
    ("关闭退出煤矿16家,退出产能144万吨。", "关闭退出煤矿", "facilities", "mine", 16),  # the state names the group
    ("开展地质灾害点工程治理和排危除险5处。", "地质灾害点工程治理和排危除险", "geohazards", "treatment_work", 5),
    ("建设卫星地面站1个，基地台3个。", "基地台", "facilities", "other", 3),
])
def test_counted_forms(sentence: str, name: str, layer: str, kind: str, count: int) -> None:
    rows = _rows("一、基础设施\n" + sentence)
    hit = rows[rows["name"] == name]
    assert len(hit) == 1, rows["name"].tolist()
    assert (hit.iloc[0]["layer"], hit.iloc[0]["kind"], hit.iloc[0]["count"]) == (layer, kind, count)


def test_a_count_in_次_of_anything_but_works_is_no_row() -> None:
    assert _rows("一、演练\n开展应急演练 50 次。")["count"].tolist() == []


@pytest.mark.parametrize(("sentence", "budget"), [
    ("实施青石水库除险加固,投资1.2亿元。", 12000.0),
    ("实施青石水库除险加固,投资500万元。", 500.0),
])
def test_budgets_in_亿元_and_万元_are_万元(sentence: str, budget: float) -> None:
    rows = _rows("一、水库\n" + sentence)
    assert rows.loc[rows["name"] == "青石水库", "budget_wan"].tolist() == [budget]


def test_traditional_characters_and_full_width_digits_are_read() -> None:
    rows = _rows("一、森林防火\n新建蓄水池２６口,實施青石水庫除險加固。")
    assert set(rows["name"]) >= {"蓄水池", "青石水库"}
    assert rows.loc[rows["name"] == "蓄水池", "count"].tolist() == [26]


def test_a_heading_tree_with_a_专栏_gives_the_paths() -> None:
    body = "一、重点工程\n(一)防洪工程\n专栏1 水库\n1. 实施青石水库除险加固。\n二、保障措施\n"
    rows = _rows(body)
    assert rows.loc[rows["name"] == "青石水库", "source_section"].tolist() == ["一、(一)1"]


def test_a_trade_heading_of_a_重点工程_section_is_no_project() -> None:
    body = "一、重点工程\n(一)安全生产提升工程\n1.非煤矿山。完成尾矿库治理。\n2.应急指挥平台建设。建成县级平台。\n"
    rows = _rows(body)
    projects = set(rows.loc[rows["layer"] == "projects", "name"])
    assert "非煤矿山" not in projects and "应急指挥平台建设" in projects


def test_a_verb_before_a_category_is_not_part_of_its_name() -> None:
    names = set(_rows("一、园区\n明确化工园区边界,积极申报国家综合减灾示范社区。")["name"])
    assert "明确化工园区" not in names and "积极申报国家综合减灾示范社区" not in names


def test_a_county_brigade_is_named_with_its_one_character_prefix() -> None:
    rows = _rows("一、救援力量\n县人武部、县消防救援大队配合。")
    assert rows.loc[rows["name"] == "县消防救援大队", "kind"].tolist() == ["fire_brigade"]


def test_the_evaluation_counts_hand_made_names_the_plan_never_writes() -> None:
    from layers.plans.evaluate import unwritten_names
    truth = pd.DataFrame({"name": ["青石水库", "青石水库（除险加固）", "水库群联合调度"]})
    assert unwritten_names("实施青石\n水库除险加固。", truth) == ["水库群联合调度"]


@pytest.mark.parametrize(
    ("sentence", "name", "kind"),
    [
        ("2026年全县公共充电桩基础设施覆盖率100%。", "公共充电桩基础设施", "other"),
        ("实现全县烟花批发企业安全生产检查覆盖率达100%。", "烟花批发企业", "other"),
        ("年度古建筑保护单位巡查率100%。", "古建筑保护单位", "other"),
        ("化工储运企业二级安全生产标准化率不低于90%。", "化工储运企业", "hazchem"),
    ],
)
def test_the_subject_of_a_rate_target_is_a_facility(sentence: str, name: str, kind: str) -> None:
    rows = _rows("一、目标\n" + sentence)
    hit = rows[rows["name"] == name]
    assert len(hit) == 1, rows["name"].tolist()
    assert (hit.iloc[0]["layer"], hit.iloc[0]["kind"], hit.iloc[0]["target"].endswith("%")) == ("facilities", kind, True)


@pytest.mark.parametrize("sentence", ["规模以上企业安全生产标准化率达100%。", "城市桥梁等结构设施完好率95%。",
                                      "建筑施工企业及其他各类施工企业安全生产条件合格率达100%。",
                                      "烟花爆竹流向管理信息系统企业覆盖率达到100%。"])
def test_a_rate_target_of_things_in_general_names_no_facility(sentence: str) -> None:
    assert _rows("一、目标\n" + sentence).empty


def test_counts_of_one_after_another_count_are_each_read() -> None:
    rows = _rows("一、通信\n建设卫星地面站1个,基地台3个,自组网移动基站1台。")
    assert dict(zip(rows["name"], rows["count"], strict=True)) == {"卫星地面站": 1, "基地台": 3, "自组网移动基站": 1}
    assert set(rows["layer"]) == {"facilities"}  # a base station of no forest is no forest-fire base station


@pytest.mark.parametrize(
    ("sentence", "layer"),
    [("在重点路口部署视频监控系统12套。", "facilities"), ("在重点林区部署视频监控系统12套。", "forest_fire")],
)
def test_a_camera_is_a_forest_fire_camera_only_in_a_forest_sentence(sentence: str, layer: str) -> None:
    assert _rows("一、监测\n" + sentence)["layer"].tolist() == [layer]


def test_things_counted_together_with_各_are_each_a_row() -> None:
    rows = _rows("一、指挥\n新建指挥大厅和值班室各2个。")
    assert dict(zip(rows["name"], rows["count"], strict=True)) == {"指挥大厅": 2, "值班室": 2}


def test_works_along_a_line_given_by_length_are_projects_with_their_length() -> None:
    rows = _rows("一、城市\n新建城北雨水管网3.7公里,更新改造老旧供水管道12公里,实施5km河道整治。")
    got = {(r.name, r.layer, r.target) for r in rows.itertuples()}
    assert got == {("城北雨水管网", "projects", "共3.7km"), ("老旧供水管道", "projects", "共12km"), ("河道整治", "projects", "共5km")}


def test_a_fire_road_by_length_is_no_project() -> None:
    rows = _rows("一、森林防火\n新建防火道路11千米。")
    assert rows["layer"].tolist() == ["forest_fire"]


@pytest.mark.parametrize("sentence", ["特别是矿山、化工等企业欠账多。", "在城市建设、交通运输等重点行业企业推行标准化。"])
def test_trades_listed_before_企业_are_no_firms(sentence: str) -> None:
    assert _rows("一、企业\n" + sentence).empty


def test_a_count_of_a_level_shares_the_noun_of_the_next_count() -> None:
    rows = _rows("一、物资\n8个省级、17个市级应急物资储备库建成投用。")
    assert dict(zip(rows["name"], rows["count"], strict=True)) == {"省级应急物资储备库": 8, "市级应急物资储备库": 17}


def test_ferry_crossings_are_counted_facilities() -> None:
    rows = _rows("一、交通\n完成7座渡口、5艘船舶监控设备安装。")
    assert ["渡口", 7, "facilities"] in rows[["name", "count", "layer"]].values.tolist()


def test_a_count_of_main_works_is_a_count_of_what_they_are_for() -> None:
    rows = _rows("一、水利\n完成2座病险水库主体工程建设。")
    assert rows[["layer", "name", "count"]].values.tolist() == [["reservoirs", "病险水库", 2]]


def test_a_reach_near_a_river_names_no_river() -> None:
    assert _rows("一、防洪\n城区和部分临河街镇河段防洪能力弱。").query("layer == 'projects'").empty


@pytest.mark.parametrize(("sentence", "items"), [
    ("统筹推进城市堤防、排水管渠、蓄水空间等设施建设。", ["城市堤防", "排水管渠", "蓄水空间"]),
    ("全面开展城市管网、地下管线、低洼道路等市政公用设施安全隐患整治。", ["城市管网", "地下管线", "低洼道路"]),
])
def test_the_items_of_a_list_of_facilities_a_works_verb_builds_or_treats_are_projects(sentence: str, items: list[str]) -> None:
    found = _kinds(_rows("一、城市安全\n" + sentence))
    assert all(found.get(i) == ("projects", "project") for i in items), found


def test_facilities_listed_for_a_use_and_not_for_works_are_no_projects() -> None:
    found = _kinds(_rows("一、城市安全\n加强人防设施、公园绿地、文体场馆等公共基础设施资源整合。"))
    assert not {"人防设施", "公园绿地", "文体场馆"} & set(found), found


def test_the_subject_of_a_works_rate_target_is_a_project() -> None:
    found = _kinds(_rows("一、减灾\n完成年度任务,春季强基基础设施建设完成率100%。"))
    assert found.get("春季强基基础设施") == ("projects", "project"), found


def test_the_items_of_a_list_of_safety_hazard_spots_are_each_what_they_are() -> None:
    rows = _rows("一、监测\n推进地质灾害隐患点、病险水库堤坝、老旧校舍和公共建设工程等重点安全隐患点的调查评估。\n")
    got = {r.name: r.layer for r in rows.itertuples()}
    assert got.get("病险水库堤坝") == "reservoirs"
    assert got.get("老旧校舍") == "facilities"
    assert not any(layer == "geohazards" and "地质" not in name for name, layer in got.items())


def test_the_items_of_a_list_of_public_places_are_facilities_and_an_unclosed_bracket_parts_two_items() -> None:
    rows = _rows("一、旅游\n加强对全县游乐园(敬老院、集贸市场等重要公共场所的安全检查。\n")
    got = set(rows.loc[rows["layer"] == "facilities", "name"])
    assert {"游乐园", "敬老院", "集贸市场"} <= got, got


def test_kinds_of_area_listed_as_flood_key_areas_are_no_flood_key_area() -> None:
    rows = _rows("一、防汛\n加强城镇内涝、山洪灾害易发区、涉水旅游景区、青石河白鹭场镇等防洪重点区域的监测。\n")
    got = set(rows.loc[rows["kind"] == "flood_key_area", "name"])
    assert got == {"青石河白鹭场镇"}, got
