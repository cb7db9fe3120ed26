"""Projects of a 重点工程 section read from what its works sentences build (lists of systems,
platforms, databases and centres), on short texts written here (invented county and names)."""

from __future__ import annotations

import pandas as pd
import pytest

from layers.plans.extract import extract_plan

HEAD = "示例县人民政府\n示例府发〔2026〕4号\n关于印发示例县应急管理规划的通知\n"


def _projects(body: str) -> set[str]:
    rows: pd.DataFrame = extract_plan(HEAD + body).rows
    return set(rows.loc[rows["layer"] == "projects", "name"])


def test_the_objects_a_works_sentence_of_a_重点工程_section_builds_are_projects() -> None:
    body = (
        "一、主要任务\n推进甲乙预警系统建设。\n二、重点工程\n(一)监测预警工程\n"
        "推进山火智能识别系统、洪水预报平台和灾情数据库建设。\n持续推进青峰地震台站建设。\n"
    )
    found = _projects(body)
    assert {"山火智能识别系统", "洪水预报平台", "灾情数据库", "青峰地震台站"} <= found
    assert "甲乙预警系统" not in found  # a task of the 主要任务 section, not a listed project
    assert "监测预警工程" not in found  # the heading groups the projects under it


def test_a_facility_built_in_a_重点工程_section_is_also_a_project() -> None:
    body = "一、重点工程\n(一)救援能力工程\n建设白鹭应急气象保障中心,提升保障能力。\n"
    rows = extract_plan(HEAD + body).rows
    assert set(rows.loc[rows["name"] == "白鹭应急气象保障中心", "layer"]) == {"facilities", "projects"}


def test_the_objects_of_a_paragraph_led_by_a_project_name_are_its_parts() -> None:
    body = "一、重点工程\n(一)信息化工程\n指挥平台建设。建设灾情数据库和会商研判系统。\n"
    assert _projects(body) == {"指挥平台建设"}


def test_a_works_object_is_read_only_in_a_clause_that_builds_it() -> None:
    body = "一、重点工程\n(一)信息化工程\n建成甲乙指挥平台,实现与国家、省市信息平台互联互通,整合现有资源和基础设施条件。\n"
    assert _projects(body) == {"甲乙指挥平台"}


def test_a_project_named_by_a_lead_clause_is_one_row_not_also_its_tail() -> None:
    body = "一、重点工程\n(一)监测工程\n自然灾害风险调查和重点隐患排查工程。摸清风险底数。\n"
    assert _projects(body) == {"自然灾害风险调查和重点隐患排查工程"}


@pytest.mark.parametrize(
    "sentence",
    [
        "开展地质灾害点工程治理5处。",  # 工程 qualifies the works
        "登记在册可用应急救援工程机械118台。",
        "用好国债项目资金,严格进园入园项目准入。",  # what a project has or needs
        "加强属地建设工程的安全监管,有效整合新农村建设工程等政策。",  # construction works in general
        "严禁新建、扩建化工建设项目,严控改建化工建设项目。",
        "严禁新建、扩建危险化学品建设项目。",
    ],
)
def test_工程_and_项目_used_as_a_qualifier_or_a_category_name_no_project(sentence: str) -> None:
    assert _projects("一、主要任务\n" + sentence + "\n") == set()


def test_the_verbs_before_a_project_are_not_part_of_its_name() -> None:
    assert _projects("一、主要任务\n全面排查整治生命防护工程隐患。\n") == {"生命防护工程"}


@pytest.mark.parametrize(
    ("sentence", "name", "layer"),
    [
        ("稳步推进农村危旧校舍改造。", "农村危旧校舍改造", "projects"),
        ("开展城北片区易涝点专项整治行动。", "城北片区易涝点专项整治", "projects"),
        ("加快全县国道隐患治理。", "国道隐患治理", "projects"),
        ("实施白岩村地质灾害综合治理。", "白岩村地质灾害综合治理", "geohazards"),
        ("开展铁路沿线环境安全专项整治。", "铁路沿线环境安全专项整治", "projects"),  # a campaign along a line
        ("开展输电线路走廊安全专项整治。", "输电线路走廊安全专项整治", "projects"),
        ("推进地下综合管廊建设和老旧管线改造升级。", "地下综合管廊建设", "projects"),  # one row per work
        ("推进地下综合管廊建设和老旧管线改造升级。", "老旧管线改造", "projects"),
        ("集中开展河道行洪隐患和病险塘库整治。", "河道行洪隐患", "projects"),
        ("实施交通设施安全加固。", "交通设施安全加固", "projects"),
        ("推动现有应急避难场所提级扩能。", "应急避难场所提级扩能", "projects"),
    ],
)
def test_the_thing_a_works_verb_treats_is_a_project(sentence: str, name: str, layer: str) -> None:
    rows = extract_plan(HEAD + "一、主要任务\n" + sentence + "\n").rows
    assert rows.loc[rows["name"] == name, "layer"].tolist() == [layer], rows["name"].tolist()


@pytest.mark.parametrize(
    "sentence",
    [
        "开展安全生产专项整治。",
        "开展化工行业和危化领域专项整治。",
        "推进隐患排查整治。",
        "开展交通突出违法行为集中整治。",
        "开展旅游安全综合治理。",  # a trade
        "每年开展2次森林火灾风险隐患排查整治。",  # a kind of risk
        "推动企业构建风险分级管控和隐患排查治理机制。",  # a way of working
        "开展高层建筑消防安全综合治理。",  # the safety of a trade, at no place
        "深入开展起重机械安全专项整治行动。",
        "开展高空坠物专项排查整治。",
        "推进“全链条”整治。",
        "开展地下矿山隐蔽致灾因素普查治理。",  # a survey
        "持续开展危险化学品项目综合治理专项行动。",  # a campaign (行动)
        "开展网约车违规运营和责任主体失管问题治理。",  # behaviours
        "开展县级地灾隐患排查和工程治理。",  # an inspection, and works in general
        "持续推进住宅老旧电梯改造。",  # equipment, not on the map
    ],
)
def test_a_works_verb_over_a_trade_or_a_campaign_names_no_project(sentence: str) -> None:
    assert _projects("一、主要任务\n" + sentence + "\n") == set()


def test_a_system_built_by_a_stated_year_outside_a_重点工程_section_is_no_project() -> None:
    body = "一、主要任务\n2026年底前建成县级山洪监测系统,2027年底前完成市、县互联互通的城市应急数据库。\n"
    assert _projects(body) == set()  # information systems are rows only where a 重点工程 section names them
    assert _projects("一、重点工程\n(一)信息化工程\n2026年底前建成县级山洪监测系统。\n") == {"县级山洪监测系统"}


@pytest.mark.parametrize(
    ("sentence", "name", "layer", "kind"),
    [
        ("实施地质灾害搬迁避让民生工程。", "地质灾害搬迁避让民生工程", "geohazards", "relocation"),
        ("推进地灾隐患排危治理。", "地灾隐患排危治理", "geohazards", "treatment_work"),
        ("推进青石村危岩治理工程。", "青石村危岩治理工程", "geohazards", "treatment_work"),  # SCHEMA rule 4
    ],
)
def test_geohazard_works_are_geohazard_rows(sentence: str, name: str, layer: str, kind: str) -> None:
    rows = extract_plan(HEAD + "一、地灾\n" + sentence + "\n").rows
    assert rows.loc[rows["name"] == name, ["layer", "kind"]].values.tolist() == [[layer, kind]], rows["name"].tolist()


@pytest.mark.parametrize(
    "sentence",
    [
        "加强深基坑、高支模等部分项目工程的安全管理。",  # some of the works of a site
        "防范危险性较大的分部分项工程事故。",  # a term of construction safety
        "全县试点项目自有工人人数达到20%。",  # 项目 qualifying the word after it
        "推动小场所小项目智慧监管场景应用。",
        "建立应急管理重大项目研究储备机制。",
        "严格涉及动火作业小型工程的备案管理。",  # small works of any kind
    ],
)
def test_generic_words_of_construction_name_no_project(sentence: str) -> None:
    assert _projects("一、主要任务\n" + sentence + "\n") == set()


def test_a_project_named_with_工程项目_is_named_by_its_工程_and_keeps_a_joined_short_word() -> None:
    body = "一、主要任务\n配合完成山火识别与预警工程项目建设。\n"
    assert _projects(body) == {"山火识别与预警工程"}
    assert _projects("一、主要任务\n严格化工园区和化工项目准入门槛。\n") == set()  # two things joined


def test_a_lead_clause_with_a_plus_or_digits_names_the_project_and_its_platforms_are_its_parts() -> None:
    body = ("一、重点工程\n(一)科技支撑工程\n专栏1 科技支撑工程\n\t1.“互联网+监管”信息化建设工程。建成交通、防汛专项指挥平台以及"
            "县级应急指挥综合信息平台,实现互联互通。\n\t2.“1+3”地震防灾韧性提升工程。建设地震灾情数据库。\n")
    assert _projects(body) == {"“互联网+监管”信息化建设工程", "“1+3”地震防灾韧性提升工程"}


def test_a_project_named_after_a_river_is_a_project_and_the_river_a_river() -> None:
    rows = extract_plan(HEAD + "一、防洪\n实施青溪河城区河段综合治理工程,整治河道4公里。\n").rows
    assert {("projects", "青溪河城区河段综合治理工程"), ("rivers", "青溪河")} <= set(zip(rows["layer"], rows["name"], strict=True))


@pytest.mark.parametrize(("sentence", "name"), [
    ("实施消防“生命通道”工程,清除通道障碍物。", "消防“生命通道”工程"),
    ("实施消防“生命通道”打通工程。", "消防“生命通道”打通工程"),
    ("构筑社会消防“防火墙”工程。", "社会消防“防火墙”工程"),  # 构筑: a verb of building
    ("强化农村道路“生命工程”建设。", "农村道路“生命工程”"),  # the ending inside the quotes
])
def test_a_quoted_word_inside_a_project_name_is_part_of_it(sentence: str, name: str) -> None:
    assert _projects("一、消防\n" + sentence + "\n") == {name}


def test_a_quoted_word_alone_before_工程_names_no_project() -> None:
    assert _projects("一、矿山\n“三个一”工程完成100%。\n") == set()


@pytest.mark.parametrize("sentence", [
    "精简行政审批流程,实施网上审批工程。",
    "实施应急干部素质提升工程,开展执法轮训。",
    "推进自然灾害监测预警信息化工程。",
])
def test_a_works_word_over_paper_people_or_information_outside_a_重点工程_section_names_no_project(sentence: str) -> None:
    assert _projects("一、主要任务\n" + sentence + "\n") == set()
    assert _projects("一、重点工程\n(一)能力工程\n1." + sentence + "\n")  # a 重点工程 section names it as a project


def test_a_name_joined_after_a_works_noun_is_two_things() -> None:
    assert _projects("一、主要任务\n加强城乡规划建设和管线工程的安全管理。\n") == set()


def test_works_counted_as_geohazard_treatments_are_not_also_a_project() -> None:
    rows = extract_plan(HEAD + "一、地灾\n开展隐患排危治理143个。\n").rows
    assert rows[["layer", "name", "count"]].values.tolist() == [["geohazards", "隐患排危治理", 143]]


def test_the_systems_of_a_paragraph_led_by_a_trade_are_its_tasks_not_projects() -> None:
    body = ("一、重点工程\n(一)风险防控工程\n专栏1 风险防控工程\n\t1.煤矿。建立煤矿安全风险防控一张图,开展立体煤矿示范项目。\n"
            "2.非煤矿山。建设尾矿库安全风险监测预警信息平台。\n")
    assert _projects(body) == {"立体煤矿示范项目"}


def test_the_intro_of_a_重点工程_section_with_a_专栏_summarises_it_and_names_no_projects() -> None:
    body = ("一、重点工程\n(一)科技支撑工程\n建设区域性应急指挥、信息报送平台,采购一批装备。\n专栏1 科技支撑工程\n"
            "\t1.灾情数据库建设工程。建设灾情数据库。\n(二)预警工程\n推进山洪预警平台建设。\n")
    assert _projects(body) == {"灾情数据库建设工程", "山洪预警平台"}
    intro = "一、重点工程\n(一)风控工程\n实施重点行业风险分级管控工程。\n专栏1 风控工程\n\t1.甲乙危岩治理工程。\n"
    assert _projects(intro) == {"甲乙危岩治理工程"}


def test_the_facilities_a_paragraph_led_by_a_project_builds_are_projects_too_but_not_its_systems() -> None:
    body = ("一、重点工程\n(一)救援工程\n甲乙指挥中心标准化建设。推进航空应急救援基础设施、应急气象保障中心建设,"
            "建设应急管理云数据中心和会商研判系统,完善我县地震台站建设。\n")
    assert _projects(body) == {"甲乙指挥中心标准化建设", "航空应急救援基础设施", "应急气象保障中心", "地震台站"}


@pytest.mark.parametrize(
    ("sentence", "names"),
    [
        ("推进成品油长输管道占压、交叉穿越等隐患整治。", {"成品油长输管道"}),  # its defects between line and verb
        ("实现天然气支线管道占压安全隐患清零。", {"天然气支线管道"}),
        ("持续推动采气井控、凝析油泄漏、站外集输管网“三大专项整治”。", {"站外集输管网"}),  # an item of the list
        ("加强乡镇燃气管道动态评估改造。", {"乡镇燃气管道"}),
        ("按取水半径要求合理布局蓄水池、林区消防管网。", {"林区消防管网"}),  # laid out: built
    ],
)
def test_a_pipeline_named_in_passing_under_a_works_verb_is_a_project(sentence: str, names: set[str]) -> None:
    assert names <= _projects("一、主要任务\n" + sentence + "\n")


@pytest.mark.parametrize(
    "sentence",
    [
        "严厉打击燃气管道第三方破坏行为。",  # no works
        "严格落实输油管道和乡镇燃气管道法定检验制度。",
        "推进油气管道地理信息系统建设和隐患整治。",  # a system of the pipeline, not the pipeline
    ],
)
def test_a_pipeline_named_without_works_on_it_is_no_project(sentence: str) -> None:
    assert not any(n.endswith(("管道", "管网")) for n in _projects("一、主要任务\n" + sentence + "\n"))


@pytest.mark.parametrize(
    ("sentence", "names"),
    [
        ("加强小型河流治理、病险塘坝除险加固、山洪灾害治理。", {"小型河流治理", "山洪灾害治理"}),
        ("推进乡村公路安保工程、危旧桥梁改造、船型标准化。", {"危旧桥梁改造"}),  # items of no works: no row
    ],
)
def test_each_work_of_a_list_under_one_verb_is_a_project(sentence: str, names: set[str]) -> None:
    found = _projects("一、主要任务\n" + sentence + "\n")
    assert names <= found
    assert not found & {"船型标准化", "病险塘坝除险加固"}


@pytest.mark.parametrize(
    ("sentence", "names"),
    [
        ("推动分级建设防灾科普体验场所和青少年实践基地建设。", {"防灾科普体验场所", "青少年实践基地"}),
        ("推进电动汽车充电设施、以旧换新体系建设。", {"电动汽车充电设施"}),
        ("产废单位应设置符合要求的医疗废物贮存设施。", {"医疗废物贮存设施"}),
        ("加强学校、大型商业综合体、地下车库等重点场所火灾隐患排查整治。", {"大型商业综合体"}),  # an item of a list
        ("将老旧院落、山间古寨消防安全治理列入民生实事。", {"山间古寨"}),  # the campaign's words after it
        ("持续推动采气井控、废弃气井“两大专项整治”。", {"废弃气井"}),
        ("推动实施民爆物品智慧仓储建设,深化零售店规范化建设。", {"民爆物品智慧仓储"}),
        ("在化工企业周边布设有毒气体监测装置。", {"有毒气体监测装置"}),
    ],
)
def test_a_kind_of_facility_a_works_verb_builds_or_treats_is_a_facility(sentence: str, names: set[str]) -> None:
    rows = extract_plan(HEAD + "一、主要任务\n" + sentence + "\n").rows
    assert names <= set(rows.loc[rows["layer"] == "facilities", "name"]), rows["name"].tolist()


@pytest.mark.parametrize(
    "sentence",
    [
        "全面推进新建项目的安全设施与主体工程同时设计。",  # generic
        "依法打击违法建设、损坏公共设施等行为。",  # no works on it
        "规划建设专用停车场、紧急卸载点等基础设施。",
        "提高人员聚集场所、重大建设工程的抗震性能。",  # 建设工程 is a noun, not works on the place
        "开展城市桥隧、低洼道路等市政公用设施安全隐患整治。",  # a broad category
        "将老旧场所消防风险治理列入实事工程。",
    ],
)
def test_generic_or_unbuilt_facility_words_are_no_facility(sentence: str) -> None:
    rows = extract_plan(HEAD + "一、主要任务\n" + sentence + "\n").rows
    assert not any(n.endswith(("设施", "场所")) for n in rows.loc[rows["layer"] == "facilities", "name"])


def test_a_facility_kind_that_titles_a_paragraph_is_no_facility_row() -> None:
    rows = extract_plan(HEAD + "一、重点工程\n(一)宣教工程\n防灾应急体验设施建设。依托企业增加教育功能。\n").rows
    assert "防灾应急体验设施" not in set(rows.loc[rows["layer"] == "facilities", "name"])


@pytest.mark.parametrize(
    ("sentence", "name"),
    [
        ("推动全县乡村道路波形护栏应设尽设。", "乡村道路波形护栏"),
        ("实现重点场镇应急广播应装尽装。", "重点场镇应急广播"),
    ],
)
def test_what_a_plan_builds_wherever_needed_is_a_project(sentence: str, name: str) -> None:
    assert name in _projects("一、主要任务\n" + sentence + "\n")


def test_geohazard_monitoring_outside_a_重点工程_section_is_a_geohazard_row_and_inside_it_a_project() -> None:
    sentence = "实施地质灾害智能化监测预警项目建设。\n"
    rows = extract_plan(HEAD + "一、主要任务\n" + sentence).rows
    assert rows.loc[rows["name"] == "地质灾害智能化监测预警项目", ["layer", "kind"]].values.tolist() == [["geohazards", "monitoring"]]
    assert "地质灾害智能化监测预警项目" in _projects("一、重点工程\n(一)监测工程\n" + sentence)


@pytest.mark.parametrize(
    ("sentence", "name"),
    [
        ("强化出租经营性自建房隐患整治。", "出租经营性自建房"),
        ("全县基本实现存在结构隐患的自建房整治全覆盖。", "存在结构隐患的自建房"),
    ],
)
def test_a_kind_of_house_under_works_is_a_project(sentence: str, name: str) -> None:
    assert name in _projects("一、主要任务\n" + sentence + "\n")


def test_the_category_closing_a_list_under_a_works_verb_is_the_project_not_its_items() -> None:
    found = _projects("一、主要任务\n加快临水陡坡、急弯路口等危险路段和危旧涵洞改造整治。\n")
    assert {"危险路段", "危旧涵洞改造整治"} <= found
    assert not found & {"临水陡坡", "急弯路口"}


@pytest.mark.parametrize(
    ("sentence", "name"),
    [
        ("开展城区外零散企业“搬、改、关”专项治理。", "城区外零散企业"),
        ("推动不符合规划的沿河小微企业搬迁、关闭。", "沿河小微企业"),
    ],
)
def test_firms_a_plan_moves_or_closes_are_facilities(sentence: str, name: str) -> None:
    rows = extract_plan(HEAD + "一、安全生产\n" + sentence + "\n").rows
    assert name in set(rows.loc[rows["layer"] == "facilities", "name"]), rows["name"].tolist()


def test_a_project_named_right_after_等_is_the_category_of_the_list_before_it() -> None:
    found = _projects("一、主要任务\n强力推进防汛抗旱、森林防火等防灾减灾骨干工程建设。\n实施青峰水库除险加固工程。\n")
    assert "防灾减灾骨干工程" not in found
    assert "青峰水库除险加固工程" in found


@pytest.mark.parametrize(
    ("sentence", "name"),
    [
        ("完成86人受地灾威胁群众避险搬迁。", "受地灾威胁群众避险搬迁"),
        ("开展危岩排危除险3处,完成避险搬迁120人。", "避险搬迁"),
    ],
)
def test_people_moved_out_of_harm_are_a_geohazard_relocation(sentence: str, name: str) -> None:
    rows = extract_plan(HEAD + "一、地灾\n" + sentence + "\n").rows
    assert rows.loc[rows["name"] == name, ["layer", "kind"]].values.tolist() == [["geohazards", "relocation"]], rows["name"].tolist()


def test_relocation_as_a_policy_is_no_row() -> None:
    rows = extract_plan(HEAD + "一、恢复重建\n有效整合灾后重建、地灾避险搬迁等政策。\n").rows
    assert "地灾避险搬迁" not in set(rows["name"])
