"""What a 重点工程 section builds: the objects of its works sentences (``推进A系统、B系统建设``,
``建设X中心``). In that section a plan lists its projects, so a system, platform, database or
facility it builds is a project there (and the facility, if it is one, stays a facility row too);
elsewhere the same words name tasks that are not on the map, and nothing here is read.

Like :mod:`layers.plans._patterns`, it works on one normalised sentence, knows no county's names and
returns short names of the plan's own words, never a sentence."""

from __future__ import annotations

import re

from layers.plans._patterns import HAN, Hit, run_before

# Heads of what a works sentence builds: information works and facilities (longest first).
_HEADS = re.compile("系统(?![开治谋性化地])|平台|数据库|一张图|基础设施|(?<!监测)网络|监测预警网|中心(?!城)|台站|基地")
# Words a built thing's name never runs across (verbs of building and using, and function words).
_STOPS = re.compile(
    "持续推进|加快推进|实施|推进|开展|启动|完成|加快|加强|强化|建设|建成|建立|新建|打造|搭建|完善|健全|升级|"
    "优化|迭代|增容|运用|应用|用好|接入|借助|通过|探索|依托|利用|配合|协助|整合|构建|提升|实现|推动|支持|"
    "适时|增加|全面|进一步|以及|我县|我区|我市|[和及与的在对将把等为以]"
)
_CUT = ',，、;:()《》“”"'
_BUILD = re.compile("建设|新建|建成(?!率)|建立|推进|打造|搭建|实施")
_MIN, _MAX = 4, 16  # characters of a name


def works_objects(sentence: str) -> list[Hit]:
    """Projects a works sentence of a 重点工程 section builds: every noun phrase that ends in a head of
    :data:`_HEADS` in a clause with a verb of building, from the last list mark or verb before it
    (``推进A系统、B平台建设`` -> A系统, B平台; not ``实现与B平台互联互通``)."""
    out: list[Hit] = []
    for m in _HEADS.finditer(sentence):
        if _inside_word(sentence, m.end()) or not _BUILD.search(_clause(sentence, m.start())):
            continue
        head = sentence[: m.start()]
        part = head[max(head.rfind(c) for c in _CUT) + 1 :]
        last = max((s.end() for s in _STOPS.finditer(part)), default=0)
        name = (part[last:] + m.group())[-_MAX:]
        if len(name) >= _MIN and re.fullmatch(f"[{HAN}]+", name) and not any(h.name.endswith(name) for h in out):
            out.append(Hit("projects", "project", name, at=m.end() - len(name)))
    return out


_WORK = "安全加固|抗震加固|提级扩能|改造|专项整治|排查整治|隐患整治|集中整治|综合整治|隐患治理|综合治理|专项治理|整治|治理"
_TREATS = re.compile(rf"(?:实施|推进|开展|加快|推动|完成|深化)([{HAN}“”()]{{2,18}}?(?:{_WORK}))(?![{HAN}]*(?:工程|项目))")
# Words around what is treated that name no thing: campaigns, trades and kinds of risk.
_MODIFIERS = re.compile("(?:安全|隐患|排查|专项|综合|集中|风险|预防|突出|生产|的|和|及)+$")
_NO_THING = re.compile(
    "(?:领域|行业|企业|行为|运营|工作|问题|环节|全链条|系统|重点|重大|本质|火灾|灾害|升级|联合|进行|排查|工程|管控|机制|"
    "电梯|装置|设备|车辆|船舶|器材)$|^(?:全县|全区|全市)?$|^大"  # equipment: not on the map
)
_VERBS = re.compile("构建|建立|完善|健全|推动|推进|实施|开展|加快|落实|强化|加强")
GEO_WORDS = re.compile("地质灾害|地灾|危岩|滑坡|崩塌|斜坡|泥石流")
# A campaign (the safety of a trade, a survey) is a row only on a kind of map thing: a line, a reach, a site.
_CAMPAIGN = re.compile("安全|专项|排查|普查|集中|全链条")
_MAP_THING = re.compile("[河江溪沟湖库路桥隧坡岩堤坝点段线]|走廊|场镇|渡口|码头|管道|管网|小区|危房")


def treated_things(sentence: str) -> list[Hit]:
    """What a works verb improves or treats: ``推进X改造``, ``开展X专项整治``, ``加快X隐患治理`` -> a
    project (a geohazard treatment when X is one), unless X is a trade, a campaign or a kind of risk;
    ``推进A建设和B改造`` -> A建设 and B改造, one row each."""
    out = []
    for m in _TREATS.finditer(sentence):
        whole = m.group(1)[max((v.end() for v in _VERBS.finditer(m.group(1))), default=0) :]
        whole = re.sub("^(?:全[县区市]|持续|进一步|全面|稳步|现有)+", "", whole)
        out += _works_of(whole, m.end(1) - len(whole), sentence[m.end(1):])
    return out


def _works_of(whole: str, at: int, after: str) -> list[Hit]:
    """The rows of ``whole`` (what one works word treats, at ``at``; ``A建设和B改造`` is two), each a
    thing by :func:`_treated_thing`: a geohazard treatment when it names a geohazard, else a project."""
    pieces = list(re.finditer("[^和及与]+", whole))
    if any(len(p.group()) < 2 for p in pieces):
        pieces = [re.match(".+", whole)]  # 水和气: a joiner inside a word
    out = []
    for p in pieces:
        if _treated_thing(p.group(), after):
            layer, kind = ("geohazards", "treatment_work") if GEO_WORDS.search(p.group()) else ("projects", "project")
            out.append(Hit(layer, kind, p.group(), at=at + p.start()))
    return out


_LIST_OF_WORKS = re.compile(f"(?:实施|推进|开展|加快|推动|完成|深化|加强)((?:[{HAN}“”()]{{2,18}}、)+[{HAN}“”()]{{2,18}})")


def listed_treatments(sentence: str) -> list[Hit]:
    """The works of a list under one verb (``加强A治理、B除险加固、C改造``): each item that ends in a
    works word and treats a thing is a project, as :func:`treated_things` reads one; a list closed by
    ``等<category>`` and a works word (``A、B等危险路段和C改造整治``) names the category, not its items."""
    out = []
    for m in _LIST_OF_WORKS.finditer(sentence):
        at = m.start(1)
        for item in m.group(1).split("、"):
            if "等" in item and re.search(f"(?:{_WORK})$", item):
                tail = item[item.rfind("等") + 1 :]
                out += _works_of(tail, at + len(item) - len(tail), sentence[at + len(item):])
            elif "等" not in item:
                out += [h for h in _works_of(item, at, sentence[at + len(item):]) if re.search(f"(?:{_WORK})$", h.name)]
            at += len(item) + 1
    return out


def _treated_thing(name: str, after: str) -> bool:
    """Whether ``name`` (what a works verb treats, ``after`` the words that follow it) is a thing: not a
    trade, a campaign or a kind of risk."""
    if re.search("(?:排查|普查|调查|评估|检查)$", name):
        return False  # an inspection or survey, not a work (县级地灾隐患排查和工程治理)
    core = _MODIFIERS.sub("", re.sub(f"(?:{_WORK})$", "", name)).strip("“”\"")
    if len(core) < 2 or core.endswith("查") or (len(core) == 2 and "安全" in name):
        return False  # 周末夜查整治: an inspection
    if _NO_THING.search(core) and not GEO_WORDS.search(core) and "山洪" not in core:  # 山洪灾害治理: works on gullies
        return False
    campaign = _CAMPAIGN.search(re.sub("(?:安全|抗震)加固$", "", name)) or re.match("专项行动|行动", after)  # 加固: a build
    return not (campaign and not _MAP_THING.search(core) and not GEO_WORDS.search(name))


# A pipeline a works verb of its clause treats, named in passing (推进X管道占压等隐患整治): a line on the map.
_LINE_HEAD = re.compile(f"[{HAN}]{{2,10}}?(?:管道|管网|管线)(?![\\d.]|系统|信息|地理|数据|平台|企业|单位|保护|巡护|法定|检验)")  # a length: line_works
_LINE_WORKS = re.compile("整治|治理|改造|隐患清零|布局|铺设|敷设")
_LINE_CUT = re.compile(f"^[{HAN}]*(?:{_STOPS.pattern}|持续|深化|常态化|动态化|更新|改造)")


def treated_lines(sentence: str) -> list[Hit]:
    """Pipelines in a clause with a works word (``推进X管道占压、交叉穿越等隐患整治``, ``实现X管道隐患清零``,
    ``推动A、X管网“三大专项整治”``): projects, named from the last list mark or verb before them."""
    out = []
    for clause in re.finditer("[^,，;:]+", sentence):
        if not _LINE_WORKS.search(clause.group()):
            continue
        for item in re.finditer("[^、和及与“”]+", clause.group()):
            for m in _LINE_HEAD.finditer(item.group()):
                name = _LINE_CUT.sub("", m.group())
                if len(name) >= 4:
                    out.append(Hit("projects", "project", name, at=clause.start() + item.start() + m.end() - len(name)))
    return out


# A kind of facility a works verb of its clause builds or treats (建设X场所和Y基地建设, 设置X设施, 加强A、B综合体等
# 场所隐患整治): a facility row, named from the last list mark or verb before it.
_FACILITY_KIND = re.compile(
    f"[{HAN}]{{2,14}}?(?:场所|设施|基地|综合体|古寨|气井|装置|仓储)(?:(?![{HAN}])|(?=消防|安全|隐患))|[{HAN}]{{2,14}}?(?:场所|设施|基地|仓储)(?=建设)"
)
_BUILT_AFTER = re.compile("^[^,，;:。]*?(?:建设|改造|整治|治理)(?!工程|项目)")  # 建设工程: a noun
_BUILT_BEFORE = re.compile("建设|设置|增设|布设|安装")
# Generic words (基础设施 of a domain is infrastructure in general, 安全设施 a part of any project) and a
# region's plans (全市X基地).
_BROAD = "安全|基础|公共|公用|市政|结构|老旧|消防|配套|相关|各类|重点|其他"
_GENERIC_KIND = re.compile(f"^(?:[^、]*项目)?(?:{_BROAD})*(?:场所|设施|基地)$|(?:基础|安全)设施$|^全[省市国]")
_KIND_CUT = re.compile(f"^[{HAN}]*(?:{_STOPS.pattern}|分级|设置|增设|布设|安装|配套|加大|同步|符合要求)")


def built_facilities(sentence: str) -> list[Hit]:
    """Kinds of facility a works verb builds or treats: ``推动建设A场所和B基地建设``, ``设置X贮存设施``,
    ``加强A、B综合体等重点场所隐患整治`` -> facilities (generic words such as 基础设施 are none)."""
    out = []
    for item in re.finditer("[^、和及与“”()<>,，;:。]+", sentence):
        for m in _FACILITY_KIND.finditer(item.group()):
            raw = m.group()
            name = _KIND_CUT.sub("", raw)
            at = item.start() + m.end() - len(name)
            before = _KIND_CUT.match(raw)
            built = _BUILT_AFTER.match(sentence[at + len(name):]) or (before and _BUILT_BEFORE.search(before.group()))
            title = re.fullmatch(rf"[\d.、()一二三四五六七八九十\s]*[{HAN}]{{0,4}}{name}(?:建设|改造|整治|治理)[。.]?", sentence.strip())
            if built and len(name) >= 4 and not _GENERIC_KIND.search(name) and not title:  # X设施建设。: a project's title
                out.append(Hit("facilities", "other", name, at=at))
    return out


_WHEREVER = re.compile(f"([{HAN}“”]{{2,18}})应([设装建配])尽(\\2)")


def built_wherever(sentence: str) -> list[Hit]:
    """What a plan builds wherever it is needed (``推动X护栏应设尽设``, ``X应装尽装``): a project."""
    out = []
    for m in _WHEREVER.finditer(sentence):
        name = re.sub("^全[县区市]", "", re.sub(f"^[{HAN}]*(?:{_STOPS.pattern})", "", m.group(1)))
        if len(name) >= 4:
            out.append(Hit("projects", "project", name, at=m.end(1) - len(name)))
    return out


# A kind of house a works word treats (强化X自建房隐患整治, 实现存在隐患的自建房整治全覆盖): houses are on the map.
_HOUSES = re.compile(f"[{HAN}]{{0,12}}?(?:自建房|危房|房屋|校舍)(?=(?:安全)?(?:隐患)?(?:整治|治理|改造|加固))")
_HOUSE_CUT = re.compile(f"^[{HAN}]*(?:{_VERBS.pattern}|实现|全[县区市]|基本|持续|深化|全面)")


def treated_houses(sentence: str) -> list[Hit]:
    """Kinds of house a works word treats: projects named from the last verb before them."""
    out = []
    for item in re.finditer("[^、和及与,，;:。“”]+", sentence):
        for m in _HOUSES.finditer(item.group()):
            name = _HOUSE_CUT.sub("", m.group())
            if len(name) >= 4:
                out.append(Hit("projects", "project", name, at=item.start() + m.end() - len(name)))
    return out


# Firms of a kind a plan moves, refits or closes (X企业“搬、改、关”, X企业搬迁、关闭): facilities on the map.
_MOVED_FIRMS = re.compile(f"[{HAN}]{{2,14}}?企业(?=“[搬改关迁停转、]{{3,}}”|(?:改造、)?搬迁|关闭)")


def moved_firms(sentence: str) -> list[Hit]:
    """Kinds of firm a plan moves or closes: facilities named from the last verb or 的 before them."""
    out = []
    for m in _MOVED_FIRMS.finditer(sentence):
        name = re.sub(f"^[{HAN}]*(?:{_STOPS.pattern})", "", m.group())
        if len(name) >= 4:
            out.append(Hit("facilities", "other", name, at=m.end() - len(name)))
    return out


_RELOCATION = re.compile(f"(?:完成|实施|推进)(?:\\d+[人户])?([{HAN}]{{0,12}}?避险搬迁)")


def relocations(sentence: str) -> list[Hit]:
    """People a plan moves out of harm (``完成N人受X威胁群众避险搬迁``, ``完成避险搬迁N人``): a geohazard
    relocation, named by the plan's words after the verb and the count."""
    return [Hit("geohazards", "relocation", m.group(1), at=m.start(1)) for m in _RELOCATION.finditer(sentence)]


# Kinds of reservoir a plan works on without naming one (完成病险水库除险加固): a counted group of reservoirs
# (SCHEMA rule 4) named by the plan's words. The words are a closed set, so such a name is never a place
# (:func:`layers.plans.evaluate.place_rows` leaves them out, and the build finds no position for them). Other
# kinds of place under a work (中小河流治理, 山洪沟治理) are the work's project; under management (火源管控,
# 消防体系建设) they are no row.
KIND_OF_PLACE = re.compile("(?:病险|小型|中小型|中型|大中型)水库")
_KIND_WORKS = re.compile("治理|除险加固|加固|整治|改造")
_KIND_VERB = re.compile(f"(?:{_STOPS.pattern}|开展)$")


def kinds_of_place(sentence: str) -> list[Hit]:
    """Kinds of reservoir (:data:`KIND_OF_PLACE`) that open a list item or follow a verb and that a works
    word later in their clause treats: one row each, unnamed (``加强A治理、病险水库和病险水闸除险加固`` ->
    病险水库; not ``X镇病险水库``, a place's)."""
    out = []
    for clause in re.finditer("[^,，;:]+", sentence):
        text = clause.group()
        for m in KIND_OF_PLACE.finditer(text):
            run = run_before(text, m.start())
            if (run and not _KIND_VERB.search(run)) or not _KIND_WORKS.search(text, m.end()):
                continue
            out.append(Hit("reservoirs", "reservoir", m.group(), at=clause.start() + m.start(), note="未具名(一类水库)"))
    return out


# Kinds of mine by how they are worked or how big they are (30万吨/年以下煤矿, 露天矿山): facilities named by
# the plan's words when their clause disposes of or refits them (分类处置, 关闭, 升级改造); rules for how a
# kind is worked (加强露天矿山边坡管理) or watched (生产建设矿井远程监管) are no row, a bare 矿山 or 矿井 none.
_MINE_KIND = re.compile("(?:生产建设|井工开采|井工|露天|地下开采|具备条件的?|\\d+万吨/年(?:及)?以[下上])(?:煤矿|矿井|矿山|非煤矿山)")


def kinds_of_mine(sentence: str) -> list[Hit]:
    """Kinds of mine by their working or size (:data:`_MINE_KIND`) that a works word of their clause
    disposes of or refits: a facility row each."""
    return [Hit("facilities", "mine", m.group(), at=m.start()) for m in _MINE_KIND.finditer(sentence)
            if _MINE_WORKS.search(_clause(sentence, m.start()))]


_MINE_WORKS = re.compile("处置|关闭|退出|改造|整合|淘汰|治理")


def _clause(sentence: str, at: int) -> str:
    """The clause (between commas) of ``sentence`` that holds position ``at``."""
    start = max(sentence.rfind(c, 0, at) for c in ",，;") + 1
    ends = [i for i in (sentence.find(c, at) for c in ",，;") if i >= 0]
    return sentence[start : min(ends, default=len(sentence))]


def opens_with_verb(clause: str) -> bool:
    """Whether ``clause`` starts with a verb of building (a sentence, not a project's name)."""
    m = _STOPS.match(clause)
    return m is not None and len(m.group()) >= 2


def _inside_word(sentence: str, end: int) -> bool:
    """Whether a head ends inside a longer noun (中心城区, 平台化): the next character goes on the noun."""
    return end < len(sentence) and sentence[end] in "化区站点库性"
