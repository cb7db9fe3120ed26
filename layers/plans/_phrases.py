"""Things a plan names by what they are rather than by a place-name ending: the items of a list closed
by 等 and a category (``A、B、C等景区`` -> three scenic areas; ``X河Y场镇、...等防洪重点区域``) and
river reaches (``X河Y段``) of a works sentence.

Like :mod:`layers.plans._patterns`, it works on one normalised sentence, knows no county's names and
returns short names of the plan's own words, never a sentence."""

from __future__ import annotations

import re

from layers.plans._patterns import HAN, Hit

_ITEM = rf"[{HAN}\d~～—\-()“”\"]"
# Categories a list closed by 等 may name (the words before the category qualify it: 县级防洪重点区域).
TAIL_KINDS = (
    ("防洪重点区域", "facilities", "flood_key_area"), ("防洪薄弱点", "facilities", "flood_key_area"),
    ("薄弱环节", "facilities", "flood_key_area"), ("易涝点", "facilities", "flood_key_area"),
    ("易发区", "geohazards", "susceptibility_zone"), ("隐患点", "geohazards", "hazard_site"),
    ("景区", "forest_fire", "scenic_area"), ("旅游区", "forest_fire", "scenic_area"), ("林场", "forest_fire", "forest_farm"),
    ("林区", "forest_fire", "forest_area"), ("河流", "rivers", "stream"), ("水库", "reservoirs", "reservoir"),
    ("企业", "facilities", "other"), ("公司", "facilities", "other"), ("园区", "facilities", "industrial_park"),
)
_TAIL = re.compile(rf"等\s*(?:\d+\s*[个座条处家所])?([{HAN}]{{0,6}}?)({'|'.join(w for w, _, _ in TAIL_KINDS)})")
_LEAD = re.compile("^(?:.*(?:以及|重点对|重点|对|在|将|把|强化|加强|推进|实施|开展|包括|如|其中))")
_GENERIC_ITEM = re.compile(r"^(?:[省市县区乡镇村]级|重点|大型|中型|小型|各类|其他|相关)?$")
_REACH = re.compile(rf"([{HAN}]{{1,4}}[河江溪])([{HAN}~—\-]{{1,8}}?)(?:重点)?(?:河)?段")


def listed_items(sentence: str) -> list[Hit]:
    """The items of ``A、B、C等<category>``: each item a row of the category's layer and kind."""
    out = []
    for m in _TAIL.finditer(sentence):
        layer, kind = next((lay, k) for w, lay, k in TAIL_KINDS if w == m.group(2))
        head = re.search(rf"((?:{_ITEM}+、)+{_ITEM}+)$", sentence[:m.start()])
        if head is None:
            continue
        at = head.start()
        for i, raw in enumerate(head.group(1).split("、")):
            item = (_LEAD.sub("", raw) if i == 0 else raw).strip("“”\"")
            if 2 <= len(item) <= 16 and not _GENERIC_ITEM.match(item) and re.search(f"[{HAN}]{{2}}", item):
                out.append(Hit(layer, kind, item, at=at + raw.find(item), note=f"{m.group(1)}{m.group(2)}"))
            at += len(raw) + 1
    return out


def river_reaches(sentence: str) -> list[Hit]:
    """Reaches of a named river a works sentence treats (``X河Y场镇段``, ``X河Y—Z段``): projects."""
    if not re.search("治理|整治|防洪|疏浚|清淤", sentence):
        return []
    out = []
    for m in _REACH.finditer(sentence):
        river = re.split("、|和|及|与|对|加强|推进|实施", m.group(1))[-1]
        if len(river) < 2 or m.group(2) in ("城区", "部分", "重点"):
            continue
        out.append(Hit("projects", "project", river + sentence[m.end(1):m.end()], at=m.end(1) - len(river), hints=[river]))
    return out
