"""Place names compared by their key (繁->简, full/half width, long forms and endings) and matched against
a county's names; a gazetteer made here with invented names."""

from __future__ import annotations

import pytest

from layers.plans._match import Gazetteer
from layers.plans._normalize import name_key, normalize

GAZ = Gazetteer("999999", ("青石镇", "桂花街道", "白岩乡"), ("云雾山",), ("清水河",))


@pytest.mark.parametrize(("a", "b"), [
    ("雙河水庫", "双河水库"),  # traditional characters
    ("ＳＷ２０６公路", "SW206公路"),  # full-width letters and digits
    ("桂花街道辦事處", "桂花街道"),  # the office of a 街道 is the 街道
    ("青石镇人民政府", "青石镇"),
    ("青石镇", "青石"),  # a township's ending
    ("清水河流域", "清水河"),
    ("高峰村村委会", "高峰村"),
])
def test_names_of_one_place_have_one_key(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)


def test_a_key_keeps_letters_digits_and_two_characters() -> None:
    assert name_key("S206公路") != name_key("S207公路")
    assert name_key("长江") == "长江" and name_key("小河") == "小河"


def test_normalize_keeps_the_length_so_spans_stay_valid() -> None:
    text = "新建雙河水庫（一期）：蓄水池２６口。"
    assert len(normalize(text)) == len(text) and "双河水库" in normalize(text) and "26口" in normalize(text)


@pytest.mark.parametrize(("sentence", "towns"), [
    ("加强青石镇和白岩乡的巡查。", ["青石镇", "白岩乡"]),
    ("桂花街道辦事處牵头。", ["桂花街道"]),  # after normalize: 办事处
    ("青石场镇防洪。", ["青石镇"]),  # the short name before 场镇
])
def test_townships_are_found_by_full_or_short_name(sentence: str, towns: list[str]) -> None:
    assert GAZ.townships_in(normalize(sentence)) == towns


@pytest.mark.parametrize(("name", "township", "hints", "matched", "why"), [
    ("某水库", "青石镇人民政府", "", True, "乡镇"),
    ("某水库", "金沙镇", "", False, "不在本辖区乡镇名单中"),
    ("雲霧山林区", "", "", True, "地名库"),
    ("某堤防", "", "清水河", True, "本县河流"),
    ("某堤防", "", "", False, "未找到地名"),
])
def test_a_row_is_matched_or_left_unmapped_with_the_reason(name: str, township: str, hints: str, matched: bool, why: str) -> None:
    ok, reason = GAZ.match(name, township, hints)
    assert ok is matched and why in reason and " / " in reason
