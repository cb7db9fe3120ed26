"""Counted things of a plan sentence: ``新建蓄水池26口`` -> water_tank x 26, ``建成4个检查站`` -> checkpoint
x 4, the kind of each from the words of its noun (the named things are in :mod:`layers.plans._patterns`).

Like :mod:`layers.plans._patterns`, it works on one normalised sentence, knows no county's names and
returns short labels of the plan's own words, never a sentence."""

from __future__ import annotations

import re

from layers.plans._patterns import FACILITY_ENDINGS, HAN, PROJECT_STOPS, STOP_RE, Hit, cut_left, project_prefix, run_before

# Counted things: noun + number + unit (蓄水池26口) or number + unit + noun (4个检查站).
UNITS = "口个座处支台套家条所辆架艘部次"  # 次 only for works (边坡整治 25次), see _counted
COUNT_AFTER = re.compile(rf"([{HAN}()“”\"]{{2,20}}?)\s*(\d+)\s*([{UNITS}])(?![{HAN}]*[人次年月日元])")
COUNT_BEFORE = re.compile(rf"(?<![\d.])(\d+)\s*([{UNITS}])([{HAN}()“”\"]{{2,16}})")
WORK_VERBS = ("改造", "整治", "治理", "排危除险", "除险加固", "创建")  # "危桥改造15座": the work is the counted thing
COUNTED_KINDS = (  # keyword in the noun -> (layer, kind); first hit wins
    ("易涝点", "facilities", "flood_key_area"),
    ("内涝点", "facilities", "flood_key_area"),
    ("技防", "geohazards", "monitoring"),
    ("预警工作站", "facilities", "warning_station"),
    ("救援队", "facilities", "fire_brigade"),
    ("救援中队", "facilities", "fire_brigade"),
    ("消防队", "facilities", "fire_brigade"),
    ("中队", "facilities", "fire_brigade"),
    ("小队", "facilities", "fire_brigade"),
    ("蓄水池", "forest_fire", "water_tank"),
    ("水池", "forest_fire", "water_tank"),
    ("取水点", "forest_fire", "water_tank"),
    ("检查站", "forest_fire", "checkpoint"),
    ("卡口", "forest_fire", "checkpoint"),
    ("瞭望", "forest_fire", "lookout"),
    ("基站", "forest_fire", "base_station"),
    ("监控", "forest_fire", "camera"),
    ("扑火", "forest_fire", "crew"),
    ("防火通道", "forest_fire", "fire_road"),
    ("隔离带", "forest_fire", "isolation_belt"),
    ("避难场所", "facilities", "shelter"),
    ("储备库", "facilities", "material_depot"),
    ("储备点", "facilities", "material_depot"),
    ("消防站", "facilities", "fire_brigade"),
    ("救援站", "facilities", "fire_brigade"),
    ("水文站", "facilities", "warning_station"),
    ("雨量站", "facilities", "warning_station"),
    ("预警站", "facilities", "warning_station"),
    ("监测站", "facilities", "warning_station"),
    ("尾矿库", "facilities", "tailings_pond"),
    ("煤矿", "facilities", "mine"),
    ("矿山", "facilities", "mine"),
    ("危化", "facilities", "hazchem"),
    ("化工", "facilities", "hazchem"),
    ("指挥中心", "facilities", "command_center"),
    ("救援中心", "facilities", "rescue_center"),
    ("指挥大厅", "facilities", "command_center"),
    ("值班室", "facilities", "command_center"),
    ("水库", "reservoirs", "reservoir"),
    ("搬迁", "geohazards", "relocation"),
    ("监测点", "geohazards", "monitoring"),
    ("隐患点", "geohazards", "treatment_work"),
    ("地灾", "geohazards", "treatment_work"),
    ("排危", "geohazards", "treatment_work"),
    ("改造", "projects", "project"),
    ("整治", "projects", "project"),
    ("创建", "projects", "project"),
    ("治理", "geohazards", "treatment_work"),
)
_SKIP_NOUNS = ("人", "次", "年", "月", "项", "名", "户", "万", "亿", "元", "天", "小时", "分钟", "公里", "米", "吨", "%")


def counted_hits(sentence: str, *, heading: str = "") -> list[Hit]:
    """Counted things: ``新建蓄水池26口`` -> water_tank x 26; ``建成4个检查站`` -> checkpoint x 4; an
    elided noun takes the kind of the one before it (``基本站1个,一般站4个`` -> 一般站, a warning station); firms
    counted in 家 take the category the sentence names (``煤矿完成升级改造3家`` -> 升级改造煤矿). Forest-fire
    gear is that only in a sentence, or under a ``heading``, about forests or fire."""
    out: list[Hit] = []
    numbers = set()  # where the numbers read as count-then-noun are
    levels: list[tuple[str, int, str, int]] = []  # 8个省级、17个市级X: counts waiting for the noun
    for m in COUNT_BEFORE.finditer(sentence):
        if _EVERY.search(sentence[: m.start()]):  # 每年开展2次: how often, not how many
            continue
        noun = _noun_after(m.group(3))
        if _LEVEL.fullmatch(noun):
            levels.append((noun, int(m.group(1)), m.group(2), m.start()))
            continue
        found = _counted_as(noun, out, int(m.group(1)), m.group(2), m.start())
        if found and _LEVEL.match(noun):
            found += [h for lv, n, unit, at in levels for h in _counted(lv + noun[2:], n, unit, at)]
        levels = []
        numbers.update(m.start() for _ in found)
        out += found
    for m in COUNT_AFTER.finditer(sentence):
        if m.start(2) in numbers:
            continue
        for words in _each(m.group(1)):  # A和B各2个: two things, two of each
            noun = _firm(_noun_before(words), m.group(3), sentence[: m.start(2)])
            out += _counted_as(noun, out, int(m.group(2)), m.group(3), m.start(2) - len(noun))
    forest = _FOREST.search(sentence) or re.search("[林火]", heading)
    return [_outside_forest(h) if h.kind in _DUAL_USE and not forest else h for h in out]


_DUAL_USE = ("camera", "base_station", "checkpoint")  # forest-fire gear only where forests are meant


_FOREST = re.compile("森林|林区|林场|防火|扑火|火情|山火|草原")


def _outside_forest(h: Hit) -> Hit:
    """A camera, checkpoint or base station of a sentence about no forest is a facility, not forest-fire gear."""
    return Hit("facilities", "other", h.name, h.count, h.at, h.township, h.hints, h.target, h.note)


def _each(words: str) -> list[str]:
    """``A和B各`` -> [A, B]: the things a count with 各 goes with; other words stay one."""
    if not words.endswith("各"):
        return [words]
    return [w for w in re.split("[和及、与]", words[:-1]) if w]


_EVERY = re.compile(rf"每[{HAN}]{{0,6}}$")
_LEVEL = re.compile("[国省市县区乡镇村]级")
_FIRMS = re.compile("非煤矿山|尾矿库|煤矿|矿山|危险化学品企业|企业")


_FIRM_VERBS = re.compile("^(?:完成|实施|严格|监管|依法|全部|已经|已|共|累计|其中)+")


def _firm(noun: str, unit: str, before: str) -> str:
    """A count of 家 whose noun names no firm: the category of firms before it in the same clause with the
    qualifier the plan writes before it (``全县具备条件煤矿完成升级改造3家`` -> 具备条件煤矿), else what is
    done to them and the last category before (``, 严格监管保留9家`` -> 保留煤矿, written so elsewhere)."""
    cats = list(_FIRMS.finditer(before))
    if unit != "家" or _FIRMS.search(noun) or not cats:
        return noun
    after = before[cats[-1].end() :]
    qualifier = _SCOPE.sub("", cut_left(run_before(before, cats[-1].start())))
    if not re.search(r"[,，;；、。]", after) and len(qualifier) >= 2 and cats[-1].group() != "企业":  # 企业...达标79家: an award
        return qualifier + cats[-1].group()
    tail = _FIRM_VERBS.sub("", re.split(r"[\d,，;；、。\s]", after)[-1])
    return tail + cats[-1].group() if len(tail) >= 2 else noun


_SCOPE = re.compile("^(?:全县|全区|全市|我县|我区|我市)")


def _counted_as(noun: str, before: list[Hit], n: int, unit: str, at: int) -> list[Hit]:
    """:func:`_counted` of ``noun`` whose kind is read from its elided words (:func:`_elided`) and whose
    name stays the words the plan writes (SCHEMA rule 2: 一般站, not 地震监测一般站)."""
    full = _elided(noun, before)
    hits = _counted(full, n, unit, at)
    for h in hits if full != noun else []:
        h.name = noun
    return hits


def _elided(noun: str, before: list[Hit]) -> str:
    """A short noun that shares its last character with a longer counted noun before it takes that
    noun's first words (地震监测基本站 1个, 一般站 4个 -> 地震监测一般站)."""
    prev = next((h.name for h in reversed(before) if len(h.name) > len(noun) + 1 and h.name[-1] == noun[-1:]), "")
    return prev[: len(prev) - len(noun)] + noun if prev and len(noun) <= 3 else noun


def _noun_before(text: str) -> str:
    """The noun before a count; a work verb it ends with stays (危桥改造 15座, not nothing)."""
    text = text.replace("“", "").replace("”", "").replace('"', "")
    if text.endswith(("项目", "工程")):  # a project's name holds verbs (公路建设项目): cut as a project's
        return project_prefix(text[:-2], text[-2:]) + text[-2:]
    for verb in WORK_VERBS:
        if text.endswith(verb) and len(text) > len(verb) + 1:
            head = cut_left(text[: -len(verb)])
            works = head + verb if len(head) >= 2 else (verb if len(verb) >= 4 else "")  # 排危除险 names the works
            return _joined_works(text[: len(text) - len(works)]) + works if works else works
    noun = cut_left(text)
    before = text[: len(text) - len(noun)]
    verb = next((v for v in WORK_VERBS if before.endswith(v)), "")
    if verb and not noun.endswith(FACILITY_ENDINGS):
        return noun + verb
    state = _STATE.search(before)
    if state and noun in ("煤矿", "矿山", "非煤矿山", "尾矿库", "企业"):  # 关闭退出煤矿16家: the state names the group
        return state.group() + noun
    if len(before) > 3 and before[-1] in "及和与" and before[-3:-1] == noun[-2:]:  # A队伍和B队伍 18支: one count of both
        return cut_left(before[:-1]) + before[-1] + noun
    return noun


_STATE = re.compile("(?:关闭退出|关闭|退出|保留|淘汰|停产|在用)$")


def _joined_works(before: str) -> str:
    """``A整治及`` before counted works: the works A整治 and the joiner (边坡整治及地灾治理 25次 is one count of
    both, SCHEMA rule 3), else nothing."""
    if not before or before[-1] not in "及和与":
        return ""
    verb = next((v for v in WORK_VERBS if before[:-1].endswith(v)), "")
    part = before[: len(before) - 1 - len(verb)] if verb else ""
    head = part[max((m.end() for m in PROJECT_STOPS.finditer(part)), default=0):]
    return head + verb + before[-1] if len(head) >= 2 else ""


def _noun_after(text: str) -> str:
    """The noun that follows a count: up to the first joining or stop word."""
    text = text.replace("“", "").replace("”", "").replace('"', "")
    m = STOP_RE.search(text, 2)
    if m is None:
        return text.strip("()")
    work = re.match("(?:升级)?(?:" + "|".join(WORK_VERBS) + ")", text[m.start() :])
    return (text[: m.start()] + (work.group() if work else "")).strip("()")


_STATION = re.compile("监测|预警|水文|雨量|气象|地震")
_OFFICES = ("办公室", "领导小组", "委员会")


def _counted(noun: str, n: int, unit: str, at: int) -> list[Hit]:
    noun = noun.removesuffix("主体工程")  # 2座病险水库主体工程: the main works of two reservoirs
    if n < 1 or len(noun) < 2 or noun.startswith(_SKIP_NOUNS) or noun.endswith(_SKIP_NOUNS):
        return []
    if unit == "次" and not noun.endswith(WORK_VERBS):  # 次 counts works done, not meetings or drills
        return []
    if noun.endswith(_OFFICES):  # 10个专项安全办公室: bodies, not places
        return []
    note = f"计数{n}{unit}"
    for word, layer, kind in COUNTED_KINDS:
        if word in noun:
            return [Hit(layer, kind, noun, count=n, at=at, note=note)]
    if noun.endswith("站") and _STATION.search(noun):
        return [Hit("facilities", "warning_station", noun, count=n, at=at, note=note)]
    if noun.endswith(("项目", "工程")):
        return [Hit("projects", "project", noun, count=n, at=at, note=note)]
    if noun.endswith(FACILITY_ENDINGS):
        return [Hit("facilities", "other", noun, count=n, at=at, note=note)]
    return []
