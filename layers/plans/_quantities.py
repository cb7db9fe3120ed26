"""The numbers of a plan sentence: distance rules (禁止...X公里范围内), fire roads by length, targets
(覆盖率>=95%), years and ranges, budgets in 万元, lead departments, status and action. Like
:mod:`layers.plans._patterns`, it returns short labels and numbers of our own, never a sentence."""

from __future__ import annotations

import re

from layers.plans._patterns import HAN, Hit, cut_left, run_before

_NUM = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_DIST = re.compile(rf"([{HAN}]{{2,14}}?)(\d+(?:\.\d+)?|[一二两三四五六七八九十])\s*(公里|千米|km|米)", re.IGNORECASE)
_BAN = re.compile("禁止|严禁|不得")
_BUILD_VERBS = re.compile(r"^(?:禁止|严禁|不得|新建|改建|扩建|新|改|扩|建|在|[、()])+")
_TARGET = re.compile(rf"([{HAN}]{{1,10}}(?:率|覆盖|比例|占比))[^0-9。;,，]{{0,6}}?(\d+(?:\.\d+)?)\s*%")
_RANGE = re.compile(r"(20\d{2})\s*年?\s*[-—–~至到]+\s*(20\d{2})\s*年")
_YEAR = re.compile(r"(20\d{2})\s*年")
_MONEY = re.compile(r"(\d+(?:\.\d+)?)\s*(亿元|万元|亿|万)(?![人吨])")
_LEAD = re.compile(rf"牵头(?:单位|部门)?\s*[:：]\s*([{HAN}、()（）]{{2,40}})")
_DEPT = re.compile(rf"(?:(?<=[、;,，(])|^|(?<=牵头))((?:县|区|市)[{HAN}]{{1,10}}?(?:局|委员会|委|办公室|办|支队|大队|中心))")
_STATUS = (("completed", ("已建成", "建成", "完成", "已完成")), ("under_construction", ("在建", "续建")))
ACTIONS = ("除险加固", "新建", "改建", "扩建", "建设", "治理", "搬迁", "改造", "提升", "监测", "整治", "配备", "创建", "完善")


def distance_rules(sentence: str) -> list[Hit]:
    """``禁止在X岸线一公里范围内新建Y`` or ``X 1公里范围内禁止新建Y`` -> a no-build zone of that distance
    around X, one per distance the clause names."""
    out = []
    for clause in re.split(r"[,，]", sentence):
        inside = re.search(r"(?:范围)?(?:以内|内)", clause)
        if not _BAN.search(clause) or inside is None:
            continue
        rest = re.match(rf"[{HAN}]*", re.split(r"[、和及与]", _BUILD_VERBS.sub("", clause[inside.end():]))[0])
        what = rest.group()[:8] if rest else ""
        for m in _DIST.finditer(clause[:inside.start() + 1]):
            value = float(_NUM.get(m.group(2), 0) or m.group(2))
            km = value / 1000.0 if m.group(3) == "米" else value
            around = re.split(r"禁止|严禁|不得|在|距离|距|离|、", m.group(1))[-1]
            if len(around) < 2 or len(what) < 2:
                continue
            out.append(Hit("rules", "no_build_zone", f"{around}{km:g}公里范围({what})"[:24], at=m.start(),
                           target=f"距离<={km:g}km", hints=[around]))
    return out


# 避免在A、B和C选址建房: the places named are zones where building is banned (no distance given).
_BANNED_IN = re.compile(rf"(?:避免|禁止|严禁|不得|不准)在([{HAN}、和及与]{{2,40}}?)(?:范围|区域)?(?:选址|新建|建设|建房|修建|兴建)")


def banned_zones(sentence: str) -> list[Hit]:
    """``避免在A、B和C选址建房`` -> a no-build zone for each place named (a ban with a distance is
    :func:`distance_rules`)."""
    out = []
    for m in _BANNED_IN.finditer(sentence):
        if re.search("公里|千米|米|内$", m.group(1)):
            continue  # a distance: distance_rules reads it
        at = m.start(1)
        for item in re.split("[、和及与]", m.group(1)):
            if len(item) >= 2:
                out.append(Hit("rules", "no_build_zone", item, at=at))
            at += len(item) + 1
    return out


_LENGTH = re.compile(r"(\d+(?:\.\d+)?)\s*(?:千米|公里|km)", re.IGNORECASE)
_LINE_ENDINGS = (("隔离带", "isolation_belt"), ("公路", "fire_road"), ("步道", "fire_road"), ("道路", "fire_road"),
                 ("通道", "fire_road"), ("林道", "fire_road"))
_FOREST_PLACES = ("林场", "林区", "山")


def length_hits(sentence: str) -> list[Hit]:
    """Fire roads and belts given by length (``防火公路140千米``), with the forest farm the sentence puts
    them in as their place word (``X林场新建防火道路11千米`` -> 防火道路 in X林场: the name is the plan's
    own run of words, SCHEMA rule 2)."""
    if not any(w in sentence for w in ("防火", "森林", "林场")):
        return []
    out: list[Hit] = []
    last, last_end = "", 0
    for m in _LENGTH.finditer(sentence):
        run = run_before(sentence, m.start())
        noun = cut_left(run)
        kind = next((k for end, k in _LINE_ENDINGS if noun.endswith(end)), None)
        if kind is None or len(noun) < 3:
            continue
        place = cut_left(re.sub(r"(新建|建设|建成|改造|修建)$", "", run[:len(run) - len(noun)]))
        place = place if place.endswith(_FOREST_PLACES) and len(place) >= 3 else ""
        if not place and not re.search("[,，;]", sentence[last_end:m.start()]):
            place = last  # "X林场新建防火道路11千米及防火步道5千米": both in X
        last, last_end = place, m.end()
        out.append(Hit("forest_fire", kind, noun, at=m.start() - len(run), target=f"共{m.group(1)}km",
                       hints=[place] if place else []))
    return out


_LINE = "管网|管道|管线|公路|道路|河道|堤防|护栏|农村路|防护工程"
_LINE_FIRST = re.compile(rf"([{HAN}“”]{{2,16}}?(?:{_LINE}|整治|治理|改造|建设))[”\"]?\s*(\d+(?:\.\d+)?)\s*(?:公里|千米|km)", re.IGNORECASE)
_LENGTH_FIRST = re.compile(rf"(\d+(?:\.\d+)?)\s*(?:公里|千米|km)\s*的?([{HAN}]{{2,8}}?(?:整治|治理|改造))", re.IGNORECASE)
_LINE_VERBS = re.compile("先后|完成|新建|改建|扩建|更新改造|实施|推进|加快|新开工")


def line_works(sentence: str) -> list[Hit]:
    """Works along a line given by its length, in a clause about no forest (fire roads are
    :func:`length_hits`): ``新建X管网3.7公里``, ``更新改造X管道32公里``, ``实施10km河道整治`` -> projects."""
    out = []
    for clause in re.finditer(r"[^,，;、]+", sentence):
        if any(w in clause.group() for w in ("防火", "森林", "林场")):
            continue
        out += [(m.group(1), m.group(2), clause.start() + m.start(1)) for m in _LINE_FIRST.finditer(clause.group())]
        out += [(m.group(2), m.group(1), clause.start() + m.start(2)) for m in _LENGTH_FIRST.finditer(clause.group())]
    hits = []
    for words, km, at in out:
        name = words[max((v.end() for v in _LINE_VERBS.finditer(words)), default=0) :].replace("“", "").replace("”", "")
        if len(name) >= 4:
            hits.append(Hit("projects", "project", name, at=at, target=f"共{km}km"))
    return hits


def targets(sentence: str) -> str:
    """Quantitative targets of the sentence as ``覆盖率>=95%`` (';'-separated)."""
    found = [f"{re.split(r'[区站库场池镇乡县山河]', cut_left(m.group(1)))[-1][-6:]}>={m.group(2)}%"
             for m in _TARGET.finditer(sentence)]
    return ";".join(dict.fromkeys(t for t in found if not t.startswith(">")))


def year_of(sentence: str) -> str:
    if m := _RANGE.search(sentence):
        return f"{m.group(1)}-{m.group(2)}"
    years = _YEAR.findall(sentence)
    return years[-1] if years else ""


def budget_wan(sentence: str) -> float | None:
    """The first amount of money in the sentence in 万元 (亿元 x 10000)."""
    m = _MONEY.search(sentence)
    if not m:
        return None
    value = float(m.group(1)) * (10000.0 if m.group(2).startswith("亿") else 1.0)
    return round(value, 2)


def departments(sentence: str) -> str:
    """Lead departments: after 牵头单位: when stated, else 县/区/市 ...局/委/办 words."""
    if m := _LEAD.search(sentence):
        return ";".join(d for d in re.split(r"[、()（）]", m.group(1)) if len(d) >= 2)
    found = [d for d in _DEPT.findall(sentence) if len(d) <= 16]
    return ";".join(dict.fromkeys(found[:4]))


def status_of(sentence: str, completed_section: bool) -> str:
    if completed_section:
        return "completed"
    for status, words in _STATUS:
        if any(w in sentence for w in words) and status != "completed":
            return status
    return "planned"


def action_of(sentence: str) -> str:
    return next((a for a in ACTIONS if a in sentence), "")
