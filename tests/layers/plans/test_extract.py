"""Plan extraction on short plan texts written here (one per pattern), the readers (.txt in UTF-8 and
GB18030, a .docx made in code, bad files) and the evaluation helpers. The county in the texts is
invented; township matching uses 垫江县 (500231) only where a test says so."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from geo.errors import SourceReadError
from layers.plans import evaluate as ev
from layers.plans._normalize import name_key, normalize
from layers.plans.extract import ROW_COLUMNS, Extraction, extract_plan, read_plan

HEAD = "示例县人民政府\n示例府发〔2026〕4号\n关于印发示例县应急管理规划的通知\n"


def _rows(body: str, **kw: object) -> pd.DataFrame:
    return extract_plan(HEAD + body, **kw).rows  # type: ignore[arg-type]


def _one(rows: pd.DataFrame, name: str) -> dict:
    hit = rows[rows["name"] == name]
    assert len(hit) == 1, (name, rows["name"].tolist())
    return hit.iloc[0].to_dict()


def test_the_extraction_has_number_title_sections_and_rows_in_the_schema_columns() -> None:
    found = extract_plan(HEAD + "一、防汛\n(一)水库\n1. 对青石水库实施除险加固。\n")
    assert isinstance(found, Extraction)
    assert (found.doc_number, found.title) == ("示例府发〔2026〕4号", "示例县应急管理规划")
    assert list(found.rows.columns) == list(ROW_COLUMNS)
    assert _one(found.rows, "青石水库")["fid"] == "new-001"


@pytest.mark.parametrize(("sentence", "name", "kind", "count"), [
    ("新建蓄水池26口。", "蓄水池", "water_tank", 26),
    ("建成4个森林防火检查站。", "森林防火检查站", "checkpoint", 4),
    ("改造应急避难场所12座。", "应急避难场所", "shelter", 12),
    ("布设水文站7处。", "水文站", "warning_station", 7),
    ("组建3支森林扑火队。", "森林扑火队", "crew", 3),
    ("购置应急叫应设备40台。", "应急叫应设备", "other", 40),
    ("配备视频监控设备15套。", "视频监控设备", "camera", 15),
])
def test_counted_facilities_with_each_unit(sentence: str, name: str, kind: str, count: int) -> None:
    row = _one(_rows("一、森林防火\n" + sentence), name)
    assert (row["kind"], row["count"], row["source_section"]) == (kind, count, "一、")


def test_a_sentence_wrapped_over_lines_and_a_page_break_is_read_as_one() -> None:
    text = HEAD + "一、工地\n在施工方面先后建成 37\n\n个智慧工地,实现全覆盖。\n二、下一节\n"
    row = _one(extract_plan(text).rows, "智慧工地")
    assert (row["count"], row["source_section"]) == (37, "一、")
    assert text[row["span_start"]:row["span_end"]].startswith("在施工方面") and "二、" not in text[row["span_start"]:row["span_end"]]


def test_persons_and_money_are_not_counted_things() -> None:
    rows = _rows("一、队伍\n培训应急救援人员300人,投入资金20万元。\n")
    assert rows.empty


@pytest.mark.parametrize("joined", ["、", "和", "及"])
def test_lists_joined_by_dunhao_he_ji_give_one_row_each(joined: str) -> None:
    rows = _rows(f"一、水库\n实施青石水库{joined}白鹤水库除险加固。\n")
    assert set(rows["name"]) == {"青石水库", "白鹤水库"}


def test_a_list_sharing_one_ending_gives_one_row_per_name() -> None:
    rows = _rows("一、水库\n对青石、白鹤和大垭水库实施除险加固。\n")
    assert set(rows["name"]) == {"青石水库", "白鹤水库", "大垭水库"}


@pytest.mark.parametrize(("text", "year"), [
    ("2021-2025年", "2021-2025"), ("2021—2025年", "2021-2025"), ("2021年至2025年", "2021-2025"), ("2026年", "2026"),
])
def test_years_and_ranges(text: str, year: str) -> None:
    assert _one(_rows(f"一、水库\n{text}完成青石水库除险加固。\n"), "青石水库")["year"] == year


@pytest.mark.parametrize(("money", "wan"), [("1.2亿元", 12000.0), ("350万元", 350.0), ("0.5亿", 5000.0)])
def test_budgets_in_wan_yuan(money: str, wan: float) -> None:
    assert _one(_rows(f"一、水库\n青石水库除险加固,投资{money}。\n"), "青石水库")["budget_wan"] == wan


def test_traditional_characters_and_full_width_digits_are_normalised() -> None:
    rows = _rows("一、森林防火\n在白鶴鎮新建蓄水池１２口,實施青石水庫除險加固。\n")
    assert _one(rows, "青石水库")["kind"] == "reservoir"
    tank = _one(rows, "蓄水池")
    assert (tank["count"], tank["township"]) == (12, "白鹤镇")
    assert normalize("墊江縣（一）") == "垫江县(一)" and len(normalize("墊江縣（一）")) == 6


def test_a_heading_tree_with_a_box_gives_levels_and_paths() -> None:
    text = HEAD + "一、总体\n二、重点工程\n(一)救援能力\n专栏1 救援能力工程\n1.青石救援站建设工程。\n2.白鹤林场防火道路。\n(二)监测\n3. 加密布设。\n"
    found = extract_plan(text)
    tree = [(s.number, s.level, s.path) for s in found.sections]
    assert tree == [("一、", 1, "一、"), ("二、", 1, "二、"), ("(一)", 2, "二、(一)"), ("专栏1", 3, "二、(一)"),
                    ("1", 4, "二、(一)1"), ("2", 4, "二、(一)2"), ("(二)", 2, "二、(二)"), ("3", 3, "二、(二)3")]
    assert _one(found.rows, "白鹤林场")["source_section"] == "二、(一)2"
    assert "青石救援站建设工程" in set(found.rows["name"])


def test_the_distance_rule_is_a_no_build_zone_with_its_target() -> None:
    rows = _rows("一、尾矿库\n青江岸线1公里范围内禁止新建尾矿库。\n")
    rule = rows[rows["layer"] == "rules"].iloc[0]
    assert (rule["kind"], rule["target"]) == ("no_build_zone", "距离<=1km")
    assert "尾矿库" in rule["name"] and len(rule["name"]) <= 24


@pytest.mark.parametrize(("sentence", "names"), [
    ("禁止在青江岸线一公里范围内新建、扩建化工园区和化工项目。", {"青江岸线1公里范围(化工园区)"}),
    ("严禁在距离白河干流岸线3公里、重要支流岸线500米范围内新(改、扩)建尾矿库。",
     {"白河干流岸线3公里范围(尾矿库)", "重要支流岸线0.5公里范围(尾矿库)"}),
])
def test_distance_rules_written_the_other_way_round_and_several_in_one_clause(sentence: str, names: set[str]) -> None:
    rows = _rows("一、尾矿库\n" + sentence + "\n")
    assert set(rows.loc[rows["layer"] == "rules", "name"]) == names


def test_a_ban_without_a_distance_is_no_zone() -> None:
    assert _rows("一、尾矿库\n严禁新建头顶库。\n").query("layer == 'rules'").empty


def test_fire_roads_by_length_keep_their_words_and_their_forest_farm_as_place() -> None:
    rows = _rows("一、森林防火\n新建防火公路40千米,其中白鹤林场新建防火道路11千米及防火步道5千米。\n青松林场新建防火道路3千米。\n")
    got = {(r["name"], r["target"], r["location_hint"]) for r in rows.to_dict("records") if r["kind"] == "fire_road"}
    assert got == {("防火公路", "共40km", ""), ("防火道路", "共11km", "白鹤林场"), ("防火步道", "共5km", "白鹤林场"),
                   ("防火道路", "共3km", "青松林场")}


@pytest.mark.parametrize(("sentence", "names"), [
    ("关闭青石坝煤矿和白鹤河煤矿。", {"青石坝煤矿", "白鹤河煤矿"}),  # named after a place, not the river 白鹤河
    ("对挂牌督办煤矿实施关闭。", {"煤矿"}),  # a category after other words: the category alone
])
def test_mines_named_after_places_and_mines_as_a_category(sentence: str, names: set[str]) -> None:
    assert set(_rows("一、矿山\n" + sentence + "\n")["name"]) == names


def test_a_quantitative_target_goes_with_the_row() -> None:
    rows = _rows("一、森林防火\n黄岭山林区监控覆盖率达到95%。\n")
    assert _one(rows, "黄岭山林区")["target"] == "监控覆盖率>=95%"


def test_each_row_points_at_its_sentence_and_holds_no_sentence() -> None:
    body = "一、防汛\n这是开头的话。重点在白鹤镇实施青石水库除险加固,2026年完成。\n"
    text = HEAD + body
    row = _one(extract_plan(text).rows, "青石水库")
    assert text[row["span_start"]:row["span_end"]] == "重点在白鹤镇实施青石水库除险加固,2026年完成。"
    assert all(len(str(row[c])) <= 30 for c in ("name", "township", "location_hint", "action", "note", "target"))


def test_townships_are_matched_against_the_county_or_left_unmatched_with_the_reason() -> None:
    rows = _rows("一、防汛\n在桂溪街道新建蓄水池3口。在青石镇新建蓄水池4口。实施青石水库除险加固。\n", adcode="500231")
    got = {(r["count"], r["township"], bool(r["matched"])) for r in rows.to_dict("records") if r["kind"] == "water_tank"}
    assert got == {(3, "桂溪街道", True), (4, "", False)}  # 青石镇 is not a township of 500231
    res = _one(rows, "青石水库")
    assert not res["matched"] and "position unknown" in res["match_reason"]
    assert "no county given" in _rows("一、防汛\n实施青石水库除险加固。\n").iloc[0]["match_reason"]


def test_a_template_without_place_names_yields_no_places() -> None:
    plan = ("一、防汛\n(一)水库\n1. 实施白鹤镇青石水库、大垭水库除险加固。\n治理黄岭河、石板沟。\n"
            "对老鹰岩滑坡实施工程治理。\n二、森林防火\n完善黄岭山林区、白鹤林场防火体系,新建蓄水池12口。\n")
    names = ["白鹤", "青石", "大垭", "黄岭", "石板", "老鹰岩", "白鹤"]
    template = plan
    for n in names:
        template = template.replace(n, ev.PLACEHOLDER)
    assert len(ev.place_rows(_rows(plan))) >= 6
    rows = _rows(template)
    assert ev.place_rows(rows).empty
    assert list(rows["kind"]) == ["water_tank"]  # what a template keeps is the count


def test_names_are_compared_by_their_key() -> None:
    assert name_key("青石水庫") == name_key("青石") == "青石"
    assert ev.same_name("森林消防蓄水池", "消防蓄水池") and not ev.same_name("青石水库", "白鹤水库")


def test_a_score_counts_names_counted_items_and_sections() -> None:
    truth = pd.DataFrame({"layer": ["reservoirs"] * 2 + ["forest_fire"], "kind": ["reservoir"] * 2 + ["water_tank"],
                          "name": ["青石水库", "白鹤水库", "蓄水池"], "count": ["1", "1", "12"],
                          "source_section": ["一、(一)1", "一、(一)1", "二、"]})
    found = extract_plan(HEAD + "一、防汛\n(一)水库\n1. 青石水库除险加固。\n二、林\n新建蓄水池12口,加固大垭水库。\n").rows
    s = ev.score_document(found, truth)
    assert (s["reservoirs"].recall, s["reservoirs"].precision, s["reservoirs"].misses) == (0.5, 0.5, ["白鹤水库"])
    assert (s["forest_fire"].counted_recall, s["forest_fire"].section_agreement) == (1.0, 1.0)


# Readers ------------------------------------------------------------------------------------------

PLAN = "示例府发〔2026〕4号\n一、防汛\n实施青石水库除险加固。\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_txt_in_utf8_or_gb18030(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "规划.txt"
    path.write_bytes(PLAN.encode(encoding))
    assert read_plan(path) == PLAN


def _docx(paragraphs: list[str]) -> bytes:
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", f'<w:document xmlns:w="{w}"><w:body>{body}</w:body></w:document>')
    return buf.getvalue()


def test_docx_made_in_code(tmp_path: Path) -> None:
    path = tmp_path / "规划.docx"
    path.write_bytes(_docx(PLAN.strip().split("\n")))
    found = extract_plan(read_plan(path))
    assert found.doc_number == "示例府发〔2026〕4号" and "青石水库" in set(found.rows["name"])


@pytest.mark.parametrize(("name", "data", "match"), [
    ("规划.doc", b"x", "不支持的文件类型 .doc.*unsupported file type"),
    ("规划.txt", b"", "没有文字.*holds no text"),
    ("规划.txt", b"\x81\x30\x81", "既不是 UTF-8 也不是 GB18030.*neither UTF-8 nor GB18030"),
    ("规划.docx", b"not a zip", "不是有效的 Word.*not a valid Word"),
    ("规划.pdf", b"%PDF-1.4 broken", "PDF"),
])
def test_bad_files_are_refused_in_chinese_then_english_without_the_server_path(tmp_path: Path, name: str, data: bytes,
                                                                                match: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(SourceReadError, match=match) as err:
        read_plan(path)
    assert str(tmp_path) not in str(err.value) and str(err.value).startswith(name)


def test_a_missing_file_is_refused_by_its_name(tmp_path: Path) -> None:
    with pytest.raises(SourceReadError, match="无法读取.*cannot be read") as err:
        read_plan(tmp_path / "无此规划.txt")
    assert str(tmp_path) not in str(err.value)


def test_a_docx_without_its_body_is_refused(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
    path = tmp_path / "空.docx"
    path.write_bytes(buf.getvalue())
    with pytest.raises(SourceReadError, match="不是有效的 Word.*not a valid Word"):
        read_plan(path)


@pytest.mark.parametrize(
    ("sentence", "names"),
    [
        ("推动乡镇、煤矿、非煤矿山、尾矿库关闭退出。", {"煤矿", "非煤矿山", "尾矿库"}),  # categories, not A尾矿库
        ("关闭青石坝、白鹤湾煤矿。", {"青石坝煤矿", "白鹤湾煤矿"}),  # places sharing the ending
        ("加强县级库和乡镇储备点物资储备。", {"乡镇储备点"}),  # 县级库 names its own kind
    ],
)
def test_list_items_share_a_category_ending_only_when_they_are_places(sentence: str, names: set[str]) -> None:
    assert set(_rows("一、矿山\n" + sentence + "\n")["name"]) == names


def test_a_name_in_brackets_after_a_name_is_its_alias_not_a_second_thing() -> None:
    rows = _rows("一、队伍\n建成社区应急救援站(微型消防站)79个。\n")
    assert "微型消防站" not in set(rows["name"]) and "社区应急救援站" in set(rows["name"])


def test_a_date_before_a_category_is_no_part_of_its_name() -> None:
    assert set(_rows("一、尾矿库\n2020年起尾矿库数量只减不增。\n")["name"]) == {"尾矿库"}


def test_a_place_ending_like_a_facility_still_shares_the_list_ending() -> None:
    assert set(_rows("一、水库\n加快石桥、龙谷溪水库建设。\n")["name"]) == {"石桥水库", "龙谷溪水库"}


def test_places_a_plan_bans_building_in_are_no_build_zones_one_each() -> None:
    rows = _rows("一、农房\n推进农村危房改造,避免在地质条件差、泥石流易发区和山洪灾害危险区选址建房。\n")
    zones = rows[rows["layer"] == "rules"]
    assert set(zones["name"]) == {"地质条件差", "泥石流易发区", "山洪灾害危险区"}
    assert set(zones["kind"]) == {"no_build_zone"}
    assert not ({"泥石流易发区", "地质条件差易发区"} & set(rows.loc[rows["layer"] != "rules", "name"]))
