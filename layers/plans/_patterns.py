"""The word patterns of plan extraction: named things by their suffix (水库, 河, 林场, 消防站 ...), lists
that share one suffix and forest-fire facilities named without a count (counted things such as
``蓄水池26口`` are in :mod:`layers.plans._counted`, the numbers of a sentence in
:mod:`layers.plans._quantities`).

Everything here works on one normalised sentence and returns short names, numbers and labels of our
own; no sentence is ever returned. Nothing here knows any county's names: the county's townships come
from the caller (:mod:`layers.plans._match`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

HAN = "\u4e00-\u9fff"
# Words a name never runs across: verbs and function words that sit before a name in plan sentences.
STOPS = ("实施", "推进", "开展", "加强", "完成", "建设", "新建", "新增", "改建", "扩建", "建成", "改造", "整治", "治理",
         "加快", "推动", "完善", "落实", "启动", "重点", "全县", "全区", "辖区", "确保", "提升", "打造", "依托", "利用",
         "联动", "整合", "组织", "针对", "做好", "抓好", "位于", "包括", "其中", "规划", "配备", "购置", "布局", "设置",
         "升级", "建立", "组建", "创建", "巩固", "强化", "健全", "依据", "按照", "结合", "围绕", "沿线", "周边", "区域",
         "范围", "以及", "实现", "形成", "开通", "投资", "总投资", "标准化", "除险加固", "搬迁", "关闭", "退出",
         "在", "对", "把", "将", "的", "和", "及", "与", "或", "等", "于", "至", "到", "为", "是", "从", "向", "由", "以",
         "各", "共", "含", "并", "有", "了", "使", "让", "给", "即", "已", "座", "个", "处",
         "河流", "灾害", "领域", "之间", "部门", "打通", "巡山", "布设", "安装", "部署", "购买", "依据", "根据", "涉水", "行业", "部位",
         "明确", "申报", "制定", "严控", "积极", "我县", "我区", "我市", "规范管理", "无专用",
         "进行", "建强", "配强", "做强", "做实", "壮大", "挂包", "包保", "挂联",  # 建强X队伍, 挂包煤矿: verbs, not qualifiers
         "支持", "委托", "代建", "共建", "推广", "调整", "充实", "发展", "优化", "各类", "深化")
STOP_RE = re.compile("|".join(sorted(map(re.escape, STOPS), key=len, reverse=True)))
LIST_JOINERS = "、和及与"
PLACE_CHARS = "河沟坝山村镇乡湾岩坪塘桥湖溪池寨场洞岭峰垭坡岗坎沱滩"  # last characters of place names
RUN_CHARS = 12  # characters before an ending looked at for its name


@dataclass(frozen=True)
class Suffix:
    """A name ending: the layer and kind of what it names, and how many characters may come before it."""

    pattern: str
    layer: str
    kind: str
    max_prefix: int
    min_prefix: int = 2
    context: tuple[str, ...] = ()  # words one of which the sentence must hold (a 山 is a forest area only near 林/火)
    forbid: str = ""  # characters a name's prefix never holds (a river is not named 场镇/段/园区)


RIVER_FORBID = "镇乡场段区桥园点城临部级"
# Longest endings first where one contains another (尾矿库 before 库; 消防救援站 before 救援站); rivers after
# the things named after them (X河煤矿 is a mine), projects last.
SUFFIXES = (
    Suffix("水库", "reservoirs", "reservoir", 5),
    Suffix("(?:不稳定斜坡|滑坡|崩塌|危岩带|危岩体|泥石流)", "geohazards", "hazard_site", 8),
    Suffix("(?:易发区|重点防治区)", "geohazards", "susceptibility_zone", 12),
    Suffix("尾矿库", "facilities", "tailings_pond", 6, min_prefix=0),
    Suffix("(?:非煤矿山|煤矿(?!山)|铁矿|矿业)", "facilities", "mine", 6, min_prefix=0),
    Suffix("(?:消防救援站|消防站|救援站)", "facilities", "fire_brigade", 8),
    Suffix("(?:消防救援大队|救援大队|救援支队|救援中队|专职消防队)", "facilities", "fire_brigade", 8, min_prefix=1),  # 县消防救援大队
    Suffix("气防站", "facilities", "fire_brigade", 4, min_prefix=0),  # the gas-rescue station of a chemical park
    Suffix("(?:救援队伍|抢险队伍|保障队伍|应急队伍|应急分队|救援队)", "facilities", "fire_brigade", 8),  # SCHEMA rule 4: a team
    Suffix("(?:救援中心|救援基地|培训基地|训练基地|实训基地)", "facilities", "rescue_center", 10),
    Suffix("(?:防洪薄弱点|薄弱点|内涝点|易涝点|易涝隐患点)", "facilities", "flood_key_area", 6, min_prefix=0),
    Suffix("(?:台站|基准站|基本站|观测站|监测站)(?!网)", "facilities", "warning_station", 6),  # 站网: a network
    Suffix("(?:停车场|卸载点|起降点|体验馆|科普基地|教育基地|示范社区|服务站|安全社区|科普中心|(?<!森林)公园(?!绿地)|救护站|体验中心)",
           "facilities", "other", 10),
    Suffix("消火栓", "facilities", "other", 6),  # 市政消火栓
    Suffix("水闸", "facilities", "other", 4, min_prefix=0),  # 病险水闸
    Suffix("(?:预警终端|大喇叭|监测站点)", "facilities", "warning_station", 6, min_prefix=0),
    Suffix("(?:储备库|储备中心|储备点|储备仓库|储备室|储存室)", "facilities", "material_depot", 10),
    Suffix("(?:避难场所|避灾点|安置点)", "facilities", "shelter", 8, min_prefix=0),
    Suffix("(?:指挥中心|保障中心|预警中心|调度中心|指挥总部|指挥大厅|值班室)", "facilities", "command_center", 10),
    Suffix("(?:水文站|雨量站|气象站|预警站)(?!网)", "facilities", "warning_station", 6),
    Suffix("(?:化工园区|工业园区|产业园区|物流园区|仓储园区|开发区|化工集中区)", "facilities", "industrial_park", 6, min_prefix=0),
    Suffix("(?:危险化学品|危化品|危化|化工|烟花爆竹|民爆)(?:重大危险源)?(?:生产经营|生产销售|生产|经营|储存|使用|销售|批发)?企业",
           "facilities", "hazchem", 4, min_prefix=0),  # SCHEMA kinds: 危化企业
    Suffix("机场", "facilities", "airport", 6),
    Suffix("(?:人民医院|医院)", "facilities", "hospital", 8),
    Suffix("(?:中学校|中学|小学|学校)", "facilities", "school", 8),
    Suffix("林场", "forest_fire", "forest_farm", 4),
    Suffix("(?:林区|森林公园)", "forest_fire", "forest_area", 6),
    Suffix("(?:旅游区|风景区)", "forest_fire", "scenic_area", 6),
    Suffix("山(?![区洪林地火体坡脚])", "forest_fire", "forest_area", 3, context=("林", "火")),
    Suffix(r"河(?![道流长段床堤岸网湖口])", "rivers", "stream", 3, forbid=RIVER_FORBID),  # X河口: a place
    Suffix(r"江(?![县区市府委镇乡人街段“”\"《(])", "rivers", "river", 2, forbid=RIVER_FORBID),
    Suffix(r"沟(?![通渠道])", "rivers", "gully", 3, forbid=RIVER_FORBID + "矿"),
    Suffix(r"湖(?![泊区])", "rivers", "lake", 3, forbid=RIVER_FORBID),
    # 工程/项目 that qualify a word after them (工程治理, 工程机械, 项目资金, 项目准入) name no project.
    # 工程项目 is the 工程's project (named by its 工程); 项目自有工人, 项目智慧监管: 项目 qualifies.
    Suffix("(?:工程(?!师|技术|治理|机械|方案)|(?<!工程)项目(?!管理|资金|准入|综合|处置|装备|计划书|自有|智慧|监管|施工|现场|人员|研究|储备|备案|审批))",
           "projects", "project", 16, min_prefix=4),
)
# Names that end like a place but are generic words.
GENERIC = {"中小河", "山洪沟", "排洪沟", "截洪沟", "排水沟", "江河", "大江", "长江", "黄河", "大河", "小河", "河", "主要河",
           "重点林区", "国有林场", "林区", "景区", "旅游区", "人民医院", "学校", "中学", "小学", "医院", "机场", "通用机场",
           "高山", "深山", "上山", "进山", "矿山", "非煤矿山", "煤矿", "工业园区", "化工园区", "开发区", "小型水库", "病险水库",
           "中型水库", "水库", "山区", "山体滑坡", "泥石流", "滑坡", "崩塌", "危岩", "不稳定斜坡", "易发区", "重点防治区", "救援中心",
           "储备库", "指挥中心", "消防站", "救援站", "避难场所", "尾矿库", "头顶库", "林场", "储备点"}
GENERIC_PREFIX = ("各", "全县", "全区", "全市", "县级", "市级", "区级", "乡镇", "小型", "中型", "大型", "病险", "重点", "主要", "相关",
                  "一批", "其他", "该", "本", "所有", "现有", "已有", "周边", "沿", "城市", "农村", "地质灾害", "山洪", "特大型",
                  "专业", "综合", "应急", "森林")

FACILITY_ENDINGS = ("站", "点", "库", "所", "馆", "池", "队", "队伍", "中心", "基地", "设备", "系统", "终端", "平台", "台", "室", "场", "塔",
                    "园", "桥", "校", "院", "矿", "企业", "社区", "工地", "灯", "牌", "长廊", "渡口", "码头", "设施")



@dataclass
class Hit:
    """One thing found in a sentence (its name is a name, never the sentence)."""

    layer: str
    kind: str
    name: str
    count: int = 1
    at: int = 0  # position in the sentence
    township: list[str] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)
    target: str = ""
    note: str = ""


_LEAD_TOWN = re.compile(rf"^[{HAN}]{{2,3}}?(?:街道|镇|乡)(?=[{HAN}]{{2}})")


def cut_left(prefix: str) -> str:
    """``prefix`` after the last stop word in it and after a leading township (the part that belongs to
    the name: 实施双河乡双河 -> 双河)."""
    last = 0
    for m in STOP_RE.finditer(prefix):
        last = max(last, m.end())
    return _LEAD_TOWN.sub("", prefix[last:])


CATEGORY_LAYERS = ("facilities", "projects")  # a category (应急避难场所, 煤矿) is a row of these layers too
_VERB_MOUNTAIN = {"巡山", "上山", "进山", "封山", "登山", "护山", "靠山", "下山"}  # a verb + 山, not a mountain


def is_generic(name: str, prefix: str, layer: str = "") -> bool:
    """Whether ``name`` is a generic word, not a name (for place layers; facilities may be categories)."""
    if prefix and not re.fullmatch(rf"[{HAN}“”]+" if layer == "projects" else rf"[{HAN}]+", prefix):
        return True
    if layer in CATEGORY_LAYERS:
        return False
    if name[-2:] in _VERB_MOUNTAIN:
        return True
    return name in GENERIC or prefix.startswith(GENERIC_PREFIX)


def named_hits(sentence: str) -> list[Hit]:
    """Things named by their ending; ``A、B和C水库`` gives one hit per name."""
    out: list[Hit] = []
    taken: list[tuple[int, int, str]] = []  # a project may be named after a place (X河河段治理工程): it overlaps only projects
    for sfx in SUFFIXES:
        if sfx.context and not any(w in sentence for w in sfx.context):
            continue
        for m in re.finditer(sfx.pattern, sentence):
            if _alias(sentence, m.start(), m.end()):
                continue
            level, prefix = _prefix(sentence, m, sfx)
            start = m.start() - len(prefix) - len(level)
            if (len(level + prefix) < sfx.min_prefix or any(c in sfx.forbid for c in prefix)
                    or any(a < m.end() and start < b and (sfx.layer != "projects" or lay == sfx.layer) for a, b, lay in taken)):
                continue
            name = level + prefix + m.group()
            if name.count("“") > name.count("”") and sentence[m.end() : m.end() + 1] == "”":
                name += "”"
            if is_generic(name, prefix, sfx.layer):
                continue
            taken.append((start, m.end(), sfx.layer))
            out.append(Hit(sfx.layer, sfx.kind, name, at=start))
            if sfx.layer != "projects" and not level:  # 为基础、村(社区)储存室: the level is this name's own
                out += _list_mates(sentence, start, m.group(), sfx)
    return out


def _prefix(sentence: str, m: re.Match, sfx: Suffix) -> tuple[str, str]:
    """(level, prefix) of the name whose ending ``m`` matched: the words before the ending that belong to
    the name, and a bracketed level written right before them (乡镇(街道))."""
    run = _DATE.sub("", run_before(sentence, m.start())) if _after_number(sentence, m.start()) else run_before(sentence, m.start())
    if sfx.layer == "projects":
        prefix = project_prefix(sentence[:m.start()], m.group())
    else:
        prefix = cut_left(run[-RUN_CHARS:])[-sfx.max_prefix:]
    if sfx.min_prefix == 0 and not _names_category(prefix, run):
        prefix = ""  # a category (煤矿) after other words: the category alone, unless a place names it
    level = (_level_before(sentence, m.start() - len(prefix))
             if sfx.layer == "facilities" and len(prefix) == len(run) and not re.match("[一二三四五]级", prefix) else "")
    return level, prefix


PROJECT_STOPS = re.compile("实施|推进|开展|启动|完成|加快|抓好|做好|依托|重点|全面|积极|加强|强化|严格|执行|落实|支持|建立|制定|构筑|"
                           "增加|推动|提高|整合|构建|申报|列入|纳入|必将|适时|进行|规定|配备|关于|涉及|排查整治|严控|严禁|改建|扩建|"
                           "新建|用好|用足|[和及与的在对将把等为]")
GENERIC_PROJECTS = {"建设工程", "建设项目", "工程建设项目", "主体工程", "生命线工程", "工程", "项目", "重点工程", "重大工程",
                    "民生实事工程", "实事工程", "安全设施与主体工程", "分部分项工程", "试点项目", "工程项目"}
_SOME = re.compile("^(?:部分|其他|其它|各类|相关|有关|一批|若干)|(?:小型|零星|一般)$")  # some works of a kind, not one


_CATEGORY_WORDS = re.compile("煤矿|矿山|尾矿库|园区|开发区|化学品|企业|乡镇|危化")


def _names_category(prefix: str, run: str) -> bool:
    """Whether ``prefix`` belongs to a category word after it: a place (赵家坝煤矿), or the whole run of
    characters before it when that holds no other category (二级标准化达标煤矿, not 挂包煤矿尾矿库)."""
    if 2 <= len(prefix) <= 4 and (prefix[-1] in PLACE_CHARS or prefix.endswith(_TOWN_AREAS)):
        return True
    return prefix == run and 2 <= len(prefix) <= 8 and not _CATEGORY_WORDS.search(prefix)


_TOWN_AREAS = ("城区", "片区", "场镇", "老城", "新城")  # 中心城区易涝点: an area of a town names the category's place


_DATE = re.compile("^(?:年底前|年起|年内|年|月|日)")


def _after_number(sentence: str, end: int) -> bool:
    """Whether the run of characters that ends at ``end`` starts right after a digit (2020年起...)."""
    i = end - len(run_before(sentence, end))
    return i > 0 and sentence[i - 1].isdigit()


def _alias(sentence: str, start: int, end: int) -> bool:
    """Whether the words ending at ``end`` are in brackets right after a name: another name of it."""
    i = sentence.rfind("(", 0, start)
    return i > 0 and re.fullmatch(f"[{HAN}]*", sentence[i + 1 : start]) is not None and sentence[end : end + 1] == ")" and bool(
        re.match(f"[{HAN}]", sentence[i - 1])
    )


_LEVEL_BEFORE = re.compile(r"(?:乡镇|街镇|村|县|区)\((?:街道|社区|村|居|区|市)\)$")


def _level_before(sentence: str, end: int) -> str:
    """The level with its bracketed alternative written right before ``end`` (乡镇(街道), 村(社区)): a
    qualifier of the name after it."""
    m = _LEVEL_BEFORE.search(sentence[:end])
    return m.group() if m else ""


def run_before(sentence: str, end: int) -> str:
    """The run of Chinese characters that ends at ``end``."""
    m = re.search(rf"[{HAN}]*$", sentence[:end])
    return m.group() if m else ""


def project_prefix(head: str, suffix: str) -> str:
    """A project's name runs back to the last clause break or the last verb before it, 4-16 characters; a
    quoted word inside it stays (消防“生命通道”工程)."""
    masked = _QUOTED_WORD.sub(lambda m: "〇" * len(m.group()), head)  # same length: positions hold
    if re.search(rf"“[{HAN}]{{1,6}}$", masked):  # the ending inside quotes (农村道路“生命工程”): the quote is in the name
        masked = masked[: masked.rfind("“")] + "〇" + masked[masked.rfind("“") + 1 :]
    cut = max(masked.rfind(c) for c in ",，、;:()《》“”\"") + 1
    part, masked = head[cut:], masked[cut:]
    if "〇" in masked and len(re.findall(f"[{HAN}]", masked)) < 2:
        return ""  # a quoted word alone (“三个一”工程): a slogan
    stops = list(PROJECT_STOPS.finditer(masked))
    last = stops[-1].end() if stops else 0
    short = part[last:]
    joined = part[stops[-2].end():stops[-1].start()] if len(stops) > 1 else ""
    if (stops and stops[-1].group() in "和及与" and 2 <= len(short) < 4 and short + suffix not in GENERIC_PROJECTS
            and len(joined) >= 2 and not joined.endswith((*FACILITY_ENDINGS, "区", "工程", "项目", "建设", "规划", "管理"))):
        last = stops[-2].end()  # 速报与预警工程: a joiner inside a name too short to stand alone
    part = part[last:]
    if part + suffix in GENERIC_PROJECTS or _CONSTRUCTION.fullmatch(part) or _SOME.search(part):
        return ""
    return part[-16:]


_QUOTED_WORD = re.compile(rf"“[{HAN}]{{1,8}}”(?=[{HAN}]*$)")  # a quoted word in the run of characters before an ending
# 建设工程/建设项目 after a short word is construction work in general (属地建设工程, 园区建设项目), not a project.
_CONSTRUCTION = re.compile(rf"[{HAN}]{{0,5}}建设")


_OWN_NOUN = re.compile("(?:制度|机制|体系|能力|力量|队伍|人员)$")  # 培训制度和X队伍: a noun of its own, no list mate
_LEVEL_WORD = re.compile("(?:国家|全国|[省市县区]|[省市县区]级|国家级|乡镇)")  # 国家及省级X站: a level shares the whole noun


def _list_mates(sentence: str, start: int, suffix: str, sfx: Suffix) -> list[Hit]:
    """Names listed before ``start`` without the shared ending: ``全胜、双石水库`` -> 全胜水库."""
    out = []
    pos = start
    while pos > 0 and sentence[pos - 1] in LIST_JOINERS:
        m = re.search(rf"([{HAN}]{{2,{max(sfx.max_prefix, 2)}}})$", sentence[:pos - 1])
        if not m:
            break
        item = cut_left(m.group(1))
        if item == m.group(1) and m.start() > 0 and sentence[m.start() - 1].isdigit():
            break  # 防火步道5千米、宝鼎林场: a unit after a number, no list item
        if (len(item) < 2 or _LEVEL_WORD.fullmatch(item) or _OWN_NOUN.search(item) or re.search(sfx.pattern + "$", item)
                or (item.endswith(FACILITY_ENDINGS) and item[-1] not in PLACE_CHARS)):
            break  # an item that names its own kind (县级库) shares no ending
        if sfx.min_prefix == 0 and (item[-1] not in PLACE_CHARS or _CATEGORY_WORDS.search(item)):
            break  # before a category (煤矿) only places share it: 青石坝、白鹤湾煤矿, not 挂牌煤矿、尾矿库
        if sfx.kind == "fire_brigade" and item[-1] not in PLACE_CHARS:
            break  # 社会团体、志愿者、民间救援队: people listed beside a team, not teams of theirs
        if not is_generic(item + suffix, item, sfx.layer) and not any(c in sfx.forbid for c in item):
            out.append(Hit(sfx.layer, sfx.kind, item + suffix, at=m.end() - len(item)))
        pos = m.end() - len(item)
    return out


FOREST_THINGS = (("瞭望塔", "lookout"), ("监测哨", "lookout"), ("电子监控", "camera"), ("视频监控", "camera"),
                 ("火情监控", "camera"), ("蓄水池", "water_tank"), ("防火水池", "water_tank"), ("消防水池", "water_tank"), ("取水点", "water_tank"),
                 ("隔离带", "isolation_belt"), ("防火通道", "fire_road"), ("扑火队伍", "crew"), ("扑火队", "crew"),
                 ("检查站", "checkpoint"), ("通信基站", "base_station"))
_BUILD = re.compile("建设|新建|建立|布局|配备|完善|建成")
_LAGGING = re.compile("滞后|不足|薄弱|缓慢|不够|不到位|不完善")


def forest_things(sentence: str) -> list[Hit]:
    """Forest-fire facilities a build sentence names without a count (建设瞭望塔、防火水池...)."""
    builds = [m for m in _BUILD.finditer(sentence) if not _LAGGING.match(sentence, m.end())]  # 建设滞后: a description
    if not builds or not any(w in sentence for w in ("森林", "防火", "林区", "扑火")):
        return []
    out = []
    for word, kind in FOREST_THINGS:
        for m in re.finditer(word, sentence):
            name = cut_left(run_before(sentence, m.end()))[-10:]
            if len(name) >= len(word) and not any(h.at <= m.start() < h.at + len(h.name) for h in out):
                out.append(Hit("forest_fire", kind, name, at=m.end() - len(name)))
    return out
