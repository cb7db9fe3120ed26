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
