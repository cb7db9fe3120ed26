"""Kinds of place and of mine a plan works on without naming one (病险水库, 中小河流, 林区, 露天矿山), on
short texts written here: a row of the kind's layer named by the plan's words, and no place."""

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
    ("sentence", "wanted"),
    [
        ("加强中小河流治理、病险水库和病险水闸除险加固、山洪灾害治理。",
         {("rivers", "stream", "中小河流"), ("reservoirs", "reservoir", "病险水库")}),
        ("加大旅游景区、农林结合部的火源管控力度。",
         {("forest_fire", "scenic_area", "旅游景区"), ("forest_fire", "forest_area", "农林结合部")}),
        ("加强林区、景区、农村定居点和城镇消防体系建设。",
         {("forest_fire", "forest_area", "林区"), ("forest_fire", "scenic_area", "景区")}),
        ("系统开展堤防达标、山洪沟治理。", {("rivers", "gully", "山洪沟")}),
        ("完成病险水库(水闸)除险加固。", {("reservoirs", "reservoir", "病险水库")}),
    ],
)
def test_a_kind_of_place_a_works_word_treats_is_a_row_of_its_layer(sentence: str, wanted: set) -> None:
    rows = _rows(sentence)
    assert wanted <= _got(sentence), rows["name"].tolist()
    kinds = rows[rows["name"].isin({w[2] for w in wanted})]
    assert ev.place_rows(kinds).empty  # a kind names no place: a template keeps it without yielding a place
    assert not kinds["matched"].any()


@pytest.mark.parametrize(
    "sentence",
    [
        "重点开展全县中小河流洪水风险普查。",  # a survey, not a work on rivers
        "强化联防联控联调、水库联合调度。",  # 水库 alone: no kind of its own
        "有序推进黄岭河白鹤镇段山洪沟防洪治理。",  # a reach of a named river: not the kind
        "在全县重点林区新建森林消防蓄水池26口。",  # where tanks go, not a work on forest areas
        "对全区旅游景区内高空设施开展安全性系统评估。",
    ],
)
def test_a_kind_of_place_without_a_work_on_it_is_no_row(sentence: str) -> None:
    kinds = {"中小河流", "水库", "山洪沟", "重点林区", "林区", "旅游景区"}
    assert not {n for _, _, n in _got(sentence)} & kinds


@pytest.mark.parametrize(
    ("sentence", "name"),
    [
        ("严厉打击非法违法行为,生产建设矿井基本实现远程监管。", "生产建设矿井"),
        ("加强井工开采矿山通风和顶板管理。", "井工开采矿山"),
        ("加强露天矿山台阶和终了边坡、防排水管理。", "露天矿山"),
        ("积极推进30万吨/年以下煤矿分类处置。", "30万吨/年以下煤矿"),
    ],
)
def test_a_kind_of_mine_keeps_the_qualifier_the_plan_writes(sentence: str, name: str) -> None:
    assert ("facilities", "mine", name) in _got(sentence), _rows(sentence)["name"].tolist()


def test_a_bare_矿山_or_矿井_names_no_mine() -> None:
    assert not any(k == "mine" for _, k, _ in _got("加强矿山安全监管,推进矿井智能化建设。"))


@pytest.mark.parametrize(
    ("sentence", "wanted"),
    [
        ("加强危险化学品重大危险源、重点监管危险化工工艺安全管理。", {("facilities", "hazchem", "危险化学品重大危险源")}),
        ("2021年底全面完成“头顶库”治理。", {("facilities", "tailings_pond", "头顶库")}),
        ("现有水闸老化,城区和部分临河街镇河段防洪能力弱。",
         {("facilities", "flood_key_area", "城区"), ("facilities", "flood_key_area", "部分临河街镇河段")}),
    ],
)
def test_kinds_of_site_a_plan_names_are_facilities(sentence: str, wanted: set) -> None:
    assert wanted <= _got(sentence), _rows(sentence)["name"].tolist()


def test_a_ban_on_building_a_kind_of_pond_is_no_pond() -> None:
    assert not any(k == "tailings_pond" for _, k, _ in _got("严禁新建“头顶库”、总坝高超过200米的尾矿库。"))


def test_fire_ponds_laid_out_for_forests_are_forest_water_tanks() -> None:
    sentence = "按照重点区域取水半径1—2公里的要求,合理布局森林消防水池(箱)、消防管网。"
    assert ("forest_fire", "water_tank", "森林消防水池") in _got(sentence), _rows(sentence)["name"].tolist()
