"""Things a plan names by what they are rather than by a place-name ending: the items of a list closed
by 等 and a category (``A、B、C等景区`` -> three scenic areas; ``X河Y场镇、...等防洪重点区域``),
river reaches (``X河Y段``) of a works sentence and the kind of facility a rate target is about
(``民爆企业标准化率100%``).

Like :mod:`layers.plans._patterns`, it works on one normalised sentence, knows no county's names and
returns short names of the plan's own words, never a sentence."""

from __future__ import annotations

import re

from layers.plans._counted import COUNTED_KINDS
from layers.plans._patterns import HAN, PROJECT_STOPS, Hit
from layers.plans._works import GEO_WORDS

_ITEM = rf"[{HAN}\d~～—\-()“”\"]"
# Categories a list closed by 等 may name (the words before the category qualify it: 县级防洪重点区域).
TAIL_KINDS = (
    ("防洪重点区域", "facilities", "flood_key_area"), ("防洪薄弱点", "facilities", "flood_key_area"),
    ("薄弱环节", "facilities", "flood_key_area"), ("易涝点", "facilities", "flood_key_area"),
    ("易发区", "geohazards", "susceptibility_zone"), ("隐患点", "geohazards", "hazard_site"),
    ("景区", "forest_fire", "scenic_area"), ("旅游区", "forest_fire", "scenic_area"), ("林场", "forest_fire", "forest_farm"),
    ("林区", "forest_fire", "forest_area"), ("河流", "rivers", "stream"), ("水库", "reservoirs", "reservoir"),
    ("企业", "facilities", "other"), ("公司", "facilities", "other"), ("园区", "facilities", "industrial_park"),
    ("公共场所", "facilities", "other"),
)
_TAIL = re.compile(rf"等\s*(?:\d+\s*[个座条处家所])?([{HAN}]{{0,6}}?)({'|'.join(w for w, _, _ in TAIL_KINDS)})")
_LEAD = re.compile("^(?:.*(?:以及|重点对|重点|对|在|将|把|强化|加强|推进|实施|开展|包括|如|其中|支持))")
_GENERIC_ITEM = re.compile(r"^(?:[省市县区乡镇村]级|重点|大型|中型|小型|各类|其他|相关)?$")
_FIRMS = ("企业", "公司")
_CATEGORY = re.compile("煤矿|矿山|尾矿库|化学品|危化|化工|园区")
_KIND_OF_AREA = re.compile("(?:易发区|内涝|景区|旅游区|区域)$")
_REACH = re.compile(rf"([{HAN}]{{1,4}}[河江溪])([{HAN}~—\-]{{1,8}}?)(?:重点)?(?:河)?段")


def listed_items(sentence: str) -> list[Hit]:
    """The items of ``A、B、C等<category>``: each item a row of the category's layer and kind."""
    out = []
    for m in _TAIL.finditer(sentence):
        layer, kind = next((lay, k) for w, lay, k in TAIL_KINDS if w == m.group(2))
        if m.group(2) in _FIRMS and re.search("行业|领域|类", m.group(1)):
            continue  # 等重点行业企业: the items are trades
        mixed = m.group(2) == "隐患点" and re.search("安全|重点", m.group(1)) and not GEO_WORDS.search(m.group(1))
        for item, at in _items_before(sentence, m.start()):
            if mixed:  # 等重点安全隐患点: spots of every kind, each what it is
                out += _spots(item, at, f"{m.group(1)}{m.group(2)}")
            elif kind == "flood_key_area" and _KIND_OF_AREA.search(item):
                continue  # 城镇内涝、X易发区等防洪重点区域: kinds of area, not places
            elif not (m.group(2) in _FIRMS and (len(item) <= 2 or _CATEGORY.search(item))):  # 矿山、化工等企业: trades
                out.append(Hit(layer, kind, item, at=at, note=f"{m.group(1)}{m.group(2)}"))
    return out



def _spots(item: str, at: int, note: str) -> list[Hit]:
    """The hazard spots of one item of a list of safety hazard spots (``A水库堤坝``, ``B房屋和C工程``):
    a geohazard, a reservoir or a facility by its words; works (工程) name no spot."""
    out = []
    for part in re.finditer("[^和及与]+", item):
        word = part.group()
        if len(word) < 2 or word.endswith(("工程", "项目")):
            continue
        layer, kind = ("geohazards", "hazard_site") if GEO_WORDS.search(word) else (
            ("reservoirs", "reservoir") if "水库" in word else ("facilities", "other"))
        out.append(Hit(layer, kind, word, at=at + part.start(), note=note))
    return out


# 等<X>设施 + a works verb: the items are facilities built or treated (等设施建设, 等市政公用设施安全隐患整治).
_WORKS_TAIL = re.compile(rf"等\s*([{HAN}]{{0,8}}?设施)[{HAN}]{{0,6}}?(?:建设|改造|整治|治理|加固)")


def listed_works(sentence: str) -> list[Hit]:
    """The items of ``A、B、C等设施建设`` (a list of facilities a works verb builds or treats): projects."""
    return [Hit("projects", "project", item, at=at, note=m.group(1))
            for m in _WORKS_TAIL.finditer(sentence) for item, at in _items_before(sentence, m.start())]


def _items_before(sentence: str, end: int) -> list[tuple[str, int]]:
    """(item, position) of the list ``A、B、C`` that ends at ``end``, the words before the first item that
    are no part of it left out (重点对, 推进), generic items (重点, 其他) skipped."""
    head = re.search(rf"((?:{_ITEM}+、)+{_ITEM}+)$", sentence[:end])
    if head is None:
        return []
    out, at = [], head.start()
    for i, raw in enumerate(head.group(1).split("、")):
        item = (re.sub("^全[县区市]", "", _LEAD.sub("", raw)) if i == 0 else raw).strip("“”\"")  # 全县: a scope
        if i == 0 and item.count("(") > item.count(")"):  # A(B、C: a bracket never closed parts two items
            first, item = item.rsplit("(", 1)
            if 2 <= len(first) <= 16:
                out.append((first, at + raw.find(first)))
        if 2 <= len(item) <= 16 and not _GENERIC_ITEM.match(item) and re.search(f"[{HAN}]{{2}}", item):
            out.append((item, at + raw.find(item)))
        at += len(raw) + 1
    return out


def river_reaches(sentence: str) -> list[Hit]:
    """Reaches of a named river a works sentence treats (``X河Y场镇段``, ``X河Y—Z段``): projects."""
    if not re.search("治理|整治|防洪|疏浚|清淤", sentence):
        return []
    out = []
    for m in _REACH.finditer(sentence):
        river = re.split("、|和|及|与|对|加强|推进|实施", m.group(1))[-1]
        if len(river) < 2 or m.group(2) in ("城区", "部分", "重点") or re.search("部分|[临沿]河", river):  # 临河: near a river
            continue
        out.append(Hit("projects", "project", river + sentence[m.end(1):m.end()], at=m.end(1) - len(river), hints=[river]))
    return out


_FACILITY_HEAD = "企业|基础设施|单位|医院|消火栓|综合体|场所"
_RATE = re.compile(rf"([{HAN}]{{2,16}}?(?:{_FACILITY_HEAD}))[{HAN}()]{{0,16}}?率[^。;,，]{{0,8}}?(\d+(?:\.\d+)?)\s*%")
_LEAD_WORDS = re.compile("^(?:年度|年|全[县区市]|范围|实现)+")
_GENERIC_SUBJECT = re.compile("^(?:规模以上|各类|相关|其他|重点|生产经营|市政|结构|社会)?$")
# Some of a kind (其他各类X企业) or the firms a system covers (X信息系统企业覆盖率): no facility.
_NO_SUBJECT = re.compile("^(?:其他|其它|各类|相关|所有)|系统|平台|信息")


def target_subjects(sentence: str) -> list[Hit]:
    """The facilities a rate target is about: ``X企业标准化率100%`` -> X企业 (its name from the last list
    mark, 等 or verb before it), a facility of the kind its words say, with the target."""
    out = []
    for m in _RATE.finditer(sentence):
        raw = re.split("[的等和及与、]", m.group(1))[-1]
        name = _LEAD_WORDS.sub("", raw[max((v.end() for v in PROJECT_STOPS.finditer(raw)), default=0) :])
        head = re.search(f"(?:{_FACILITY_HEAD})$", name)
        if head is None or len(name) < 4 or _GENERIC_SUBJECT.match(name[: head.start()]) or _NO_SUBJECT.search(name):
            continue
        layer, kind = next(((lay, k) for w, lay, k in COUNTED_KINDS if w in name and lay == "facilities"), ("facilities", "other"))
        if re.match("建设|改造|治理|整治", sentence[m.end(1):]):
            layer, kind = "projects", "project"  # X基础设施建设完成率: the works are the thing
        out.append(Hit(layer, kind, name, at=m.end(1) - len(name), target=f"{name[head.start():]}目标{m.group(2)}%"))
    return out
