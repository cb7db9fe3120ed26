"""What is not a row (SCHEMA.md, "What a row is"): names inside a document's title, verbs and cut-off
words in front of a name, generic words of construction, on short texts written here (invented county
and names)."""

from __future__ import annotations

import pandas as pd
import pytest

from layers.plans.extract import extract_plan

HEAD = "示例县人民政府\n示例府发〔2026〕4号\n关于印发示例县应急管理规划的通知\n"


def _rows(body: str) -> pd.DataFrame:
    return extract_plan(HEAD + body).rows


def _names(body: str) -> set[str]:
    return set(_rows(body)["name"])


def test_a_thing_named_only_in_the_title_of_a_document_is_no_row() -> None:
    body = "一、消防\n制定《示例县政府专职消防队伍建设管理办法》,印发《青岭应急避难场所管理规定》。新建白鹭消防站。\n"
    assert _names(body) == {"白鹭消防站"}


@pytest.mark.parametrize(("sentence", "verb"), [
    ("推进乡镇消防队建设,建强政府专职消防队伍。", "建强"),
    ("县级领导挂包煤矿关闭退出。", "挂包"),
    ("落实领导包保尾矿库责任。", "包保"),
])
def test_a_verb_in_front_of_a_category_is_no_part_of_its_name(sentence: str, verb: str) -> None:
    names = _names("一、安全\n" + sentence + "\n")
    assert names and not any(verb in n for n in names), names


def test_the_reaches_a_river_work_treats_in_general_are_no_named_work() -> None:
    body = "一、防洪\n对县城青溪河、白沙河等3条河流5个河段进行整治,整治长度4公里。\n"
    names = _names(body)
    assert "白沙河" in names and not any("进行" in n for n in names), names


@pytest.mark.parametrize("sentence", [
    "积极申报国家及省级综合减灾示范社区建设;积极申报省级防灾减灾示范学校建设。",
    "培育安全生产清单制管理县级示范企业14家。",
    "工贸企业完成标准化创建达标79家。",
    "成功创建全国综合减灾示范社区2个、市级安全社区1个。",
    "8个省级、17个市级安全社区全部通过专家评定验收。",
])
def test_a_title_a_place_applies_for_or_is_awarded_is_no_row(sentence: str) -> None:
    assert _names("一、减灾\n" + sentence + "\n") == set()


def test_demonstration_sites_the_plan_counts_as_built_stay_a_row_and_a_park_is_a_facility() -> None:
    names = _names("一、宣传\n建设白鹭安全文化公园、安全文化示范社区,建成安全文化示范社区3个。\n")
    assert names == {"白鹭安全文化公园", "安全文化示范社区"}
    assert _rows("一、宣传\n建设白鹭安全文化公园。\n")["count"].tolist() == [1]


@pytest.mark.parametrize(("sentence", "name"), [
    ("支持政企共建或委托企业代建应急物资储备库。", "应急物资储备库"),
    ("重点支持甲丰公司、乙盛公司等大型企业共建物资储备中心。", "甲丰公司"),
    ("推广学校安全标准化建设。", ""),  # a school in general: no row
])
def test_verbs_of_support_and_commission_are_no_part_of_a_name(sentence: str, name: str) -> None:
    names = _names("一、物资\n" + sentence + "\n")
    assert (not name or name in names) and not any(n.startswith(("支持", "委托", "推广", "代建")) for n in names), names


def test_a_level_before_a_shared_ending_is_no_thing_of_its_own() -> None:
    names = _names("一、减灾\n新建国家及省级地震监测站。\n")
    assert "国家监测站" not in names and "国家地震监测站" not in names, names


def test_offices_counted_are_no_rows() -> None:
    assert _names("一、体系\n成立道路交通、矿山等10个专项安全办公室和4个专项指挥部。\n") == set()


def test_a_network_of_stations_is_no_station() -> None:
    assert _names("一、监测\n增加各类自然灾害监测预警站网密度。\n") == set()


def test_rescue_teams_are_fire_brigades_named_without_the_verbs_before_them() -> None:
    rows = _rows("一、救援\n调整充实县专业救援队伍,优化各类应急救援队伍布局,建立人员培训制度和应急救援队伍培训机制。\n")
    assert set(rows["name"]) == {"县专业救援队伍", "应急救援队伍"}
    assert set(rows["kind"]) == {"fire_brigade"}


def test_a_category_inside_a_counted_name_is_no_second_row() -> None:
    rows = _rows("一、防汛\n实施2处中心城区易涝点和10km河道整治。\n")
    assert "易涝点" not in set(rows["name"]) and "中心城区易涝点" in set(rows["name"]), rows["name"].tolist()


def test_a_town_area_before_a_category_is_its_place_word() -> None:
    assert "北片区易涝点" in _names("一、防汛\n加强北片区易涝点的巡查。\n")


def test_a_place_named_河口_is_no_river() -> None:
    rows = _rows("一、水上\n完善青石三河口、坪山桥水上应急储备点建设。\n")
    assert "rivers" not in set(rows["layer"]), rows[["layer", "name"]].values.tolist()


@pytest.mark.parametrize(("sentence", "name"), [
    ("完成城区危险化学品生产企业搬迁改造。", "城区危险化学品生产企业"),
    ("持续推动烟花爆竹生产企业整体退出。", "烟花爆竹生产企业"),
    ("推动危化企业搬迁入园。", "危化企业"),
])
def test_dangerous_goods_firms_are_hazchem_facilities(sentence: str, name: str) -> None:
    rows = _rows("一、危化\n" + sentence + "\n")
    assert ["facilities", "hazchem"] in rows.loc[rows["name"] == name, ["layer", "kind"]].values.tolist(), rows["name"].tolist()


@pytest.mark.parametrize(("sentence", "name", "kind"), [
    ("构成重大危险源的园区配套建设气防站。", "气防站", "fire_brigade"),
    ("工业园区、物流仓储园区配套建设专用停车场。", "物流仓储园区", "industrial_park"),
    ("加强病险水库和病险水闸除险加固。", "水闸", "other"),
    ("加强市政消火栓等公共消防设施建设。", "市政消火栓", "other"),
    ("完成人口聚集区域的预警终端布设。", "预警终端", "warning_station"),
    ("确保农村广播和大喇叭覆盖到每户。", "大喇叭", "warning_station"),
    ("健全乡镇应急救援站和应急救护站共建机制。", "应急救护站", "other"),
])
def test_facilities_named_by_their_kind(sentence: str, name: str, kind: str) -> None:
    rows = _rows("一、设施\n" + sentence + "\n")
    assert ["facilities", kind] in rows.loc[rows["name"] == name, ["layer", "kind"]].values.tolist(), rows["name"].tolist()


def test_a_level_with_its_bracketed_alternative_qualifies_the_name_after_it() -> None:
    rows = _rows("一、物资\n建设以县物资储备库为主体、乡镇(街道)物资储备点为基础、村(社区)储存室(间)为补充的体系。\n")
    assert {"乡镇(街道)物资储备点", "村(社区)储存室"} <= set(rows["name"]), rows["name"].tolist()
    assert "基础储存室" not in set(rows["name"])
    assert set(rows.loc[rows["name"] == "村(社区)储存室", "kind"]) == {"material_depot"}


def test_people_listed_before_a_team_share_no_team_ending_but_places_do() -> None:
    assert _names("一、宣传\n让社会团体、社会工作者、志愿者、民间救援队等发挥作用。\n") == {"民间救援队"}
    assert _names("一、消防\n新建白鹭镇、青石镇专职消防队。\n") == {"白鹭镇专职消防队", "青石镇专职消防队"}


def test_what_a_quoted_slogan_stands_for_is_no_row() -> None:
    assert _names("一、救援\n基本建成“专常群”(专业救援队伍、常备救援队伍、群众救援队伍)救援力量体系。\n") == set()


def test_a_unit_after_a_number_is_no_list_item_of_the_name_after_it() -> None:
    names = _names("一、森林防火\n白鹤林场新建防火步道5千米、青松林场新建防火道路25千米。\n")
    assert "千米林场" not in names and {"白鹤林场", "青松林场"} <= names, names


@pytest.mark.parametrize("sentence", [
    "禁止在主要河流岸线一公里范围内新建、改建、扩建尾矿库。",
    "严禁新建、扩建化工园区和化工项目。",
])
def test_a_kind_of_facility_a_ban_forbids_building_is_no_facility(sentence: str) -> None:
    rows = _rows("一、安全生产\n" + sentence + "\n")
    assert not set(rows.loc[rows["layer"] == "facilities", "name"])


def test_a_facility_named_after_a_ban_in_its_own_clause_stays_a_row() -> None:
    rows = _rows("一、安全生产\n严禁新建小型煤矿,建成白鹭应急物资储备库。\n")
    assert "白鹭应急物资储备库" in set(rows["name"])


def test_a_list_item_ending_in_设施_shares_no_ending_with_the_next_item() -> None:
    rows = _rows("一、保障\n推进航空救援基础设施、白鹭气象保障中心建设。\n")
    assert "航空救援基础设施保障中心" not in set(rows["name"])
