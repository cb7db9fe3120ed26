"""Kinds of place and of mine a plan works on without naming one (病险水库, 中小河流, 30万吨/年以下煤矿), on
short texts written here. SCHEMA rules 1 and 4: a kind of reservoir under a work is a group of
reservoirs, other kinds of place under a work are the work's project, and a kind under management or
rules (火源管控, 消防体系建设, 安全管理, 边坡管理) is no row."""

from __future__ import annotations

import pandas as pd
import pytest

from layers.plans import evaluate as ev
from layers.plans.extract import extract_plan

HEAD = "示例县人民政府\n示例府发〔2026〕4号\n关于印发示例县应急管理规划的通知\n"


def _rows(body: str) -> pd.DataFrame:
    return extract_plan(HEAD + "一、主要任务\n" + body + "\n").rows


def _got(body: str) -> set[tuple[str, str, str]]:
    return {(r.layer, r.kind, r.name) for r in _rows(body).itertuples()}


@pytest.mark.parametrize(
    "sentence",
    ["加强中小河流治理、病险水库和病险水闸除险加固、山洪灾害治理。", "完成病险水库(水闸)除险加固。"],
)
def test_a_kind_of_reservoir_under_a_work_is_a_group_of_reservoirs_and_no_place(sentence: str) -> None:
    rows = _rows(sentence)
    assert ("reservoirs", "reservoir", "病险水库") in _got(sentence), rows["name"].tolist()
    kind = rows[rows["name"] == "病险水库"]
    assert ev.place_rows(kind).empty  # a kind names no place: a template keeps it without yielding a place
    assert not kind["matched"].any()


@pytest.mark.parametrize(
    ("sentence", "project"),
    [("加强中小河流治理、山洪灾害治理。", "中小河流治理"), ("系统开展堤防达标、山洪沟治理。", "山洪沟治理")],
)
def test_another_kind_of_place_under_a_work_is_the_work_s_project_only(sentence: str, project: str) -> None:
    got = _got(sentence)
    assert ("projects", "project", project) in got, got
    assert not {layer for layer, _, _ in got} & {"rivers", "forest_fire"}


@pytest.mark.parametrize(
    "sentence",
    [
        "加大旅游景区、农林结合部的火源管控力度。",  # management of kinds of place
        "加强林区、景区、农村定居点和城镇消防体系建设。",
        "重点开展全县中小河流洪水风险普查。",  # a survey
        "强化联防联控联调、水库联合调度。",
        "有序推进黄岭河白鹤镇段山洪沟防洪治理。",  # a reach of a named river, not the kind
        "在全县重点林区新建森林消防蓄水池26口。",  # where tanks go
        "对白鹤镇病险水库开展除险加固。",  # one place's reservoir: not the kind
    ],
)
def test_a_kind_of_place_without_a_work_on_it_is_no_row(sentence: str) -> None:
    kinds = {"中小河流", "水库", "山洪沟", "重点林区", "林区", "景区", "旅游景区", "农林结合部", "病险水库"}
    assert not {n for _, _, n in _got(sentence)} & kinds


def test_a_kind_of_mine_a_plan_disposes_of_keeps_the_qualifier_the_plan_writes() -> None:
    sentence = "积极推进30万吨/年以下煤矿分类处置,依法关闭违法违规的矿井。"
    assert ("facilities", "mine", "30万吨/年以下煤矿") in _got(sentence), _rows(sentence)["name"].tolist()


@pytest.mark.parametrize(
    "sentence",
    [
        "严厉打击非法违法行为,生产建设矿井基本实现远程监管。",  # how a trade is watched
        "加强井工开采矿山通风和顶板管理,加强露天矿山台阶和终了边坡、防排水管理。",  # how a kind is worked
        "加强矿山安全监管,推进矿井智能化建设。",  # a bare 矿山 or 矿井
    ],
)
def test_rules_for_how_a_kind_of_mine_is_worked_or_watched_name_no_mine(sentence: str) -> None:
    assert not any(k == "mine" for _, k, _ in _got(sentence)), _rows(sentence)["name"].tolist()


def test_fire_ponds_laid_out_for_forests_are_forest_water_tanks() -> None:
    sentence = "按照重点区域取水半径1—2公里的要求,合理布局森林消防水池(箱)、消防管网。"
    assert ("forest_fire", "water_tank", "森林消防水池") in _got(sentence), _rows(sentence)["name"].tolist()


def test_a_second_inventory_scores_the_extractor_and_the_first_inventory(tmp_path) -> None:  # noqa: ANN001
    seeds, plans = tmp_path / "seeds", tmp_path / "plans"
    (plans / "second").mkdir(parents=True)
    seeds.mkdir()
    (seeds / "t.txt").write_text(HEAD + "一、主要任务\n实施青石水库、大垭水库除险加固。\n", encoding="utf-8")
    (plans / "documents.csv").write_text("key,adcode,doc_number,title,date,seed_file\nt,,,示例县规划,,t.txt\n", encoding="utf-8")
    head = "layer,kind,name,count,source_section\n"
    (plans / "t.csv").write_text("layer,kind,name,count,township,location_hint,source_section\n"
                                 "reservoirs,reservoir,青石水库,1,,,一、\n", encoding="utf-8")
    (plans / "second" / "t.csv").write_text(head + "reservoirs,reservoir,青石水库,1,一、\nreservoirs,reservoir,黄岭水库,1,一、\n",
                                            encoding="utf-8")
    towns = pd.DataFrame({"adcode": [], "name": []})
    (o,) = ev.second_opinions(ev.evaluate_seeds(seeds, plans, towns), plans)
    assert (o.key, o.rows) == ("t", 2)
    assert (o.extractor.recall, o.extractor.precision) == (0.5, 0.5)  # 青石 of 青石/黄岭; 青石 of 青石/大垭
    assert (o.first.recall, o.first.precision) == (0.5, 1.0)
    assert "t              2" in ev.second_table([o])


def test_fire_ponds_whose_building_lags_are_a_description_not_a_build() -> None:
    sentence = "森林火灾风险防控基础设施不足,林火阻隔网络覆盖面小,消防水池、智能监测系统建设滞后。"
    assert not any(k == "water_tank" for _, k, _ in _got(sentence)), _rows(sentence)["name"].tolist()


@pytest.mark.parametrize(
    ("sentence", "kept"),
    [
        ("加强化工企业、民爆企业安全管理和从业人员培训。", set()),  # management of kinds: no row (rule 5)
        ("严格非煤矿山安全监管执法。", set()),
        ("推进化工园区及化工集中区全面实施整体风险评估,“一园一策”整改。", {"化工园区", "化工集中区"}),  # the work follows
        ("依法关闭不具备安全生产条件的煤矿。", {"煤矿"}),
    ],
)
def test_a_bare_kind_of_facility_is_a_row_only_under_a_work_that_changes_it(sentence: str, kept: set[str]) -> None:
    kinds = {"化工企业", "民爆企业", "非煤矿山", "化工园区", "化工集中区", "煤矿"}
    assert {n for layer, _, n in _got(sentence) if layer == "facilities"} & kinds == kept, _rows(sentence)["name"].tolist()
