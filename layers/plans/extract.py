"""A plan's text -> its document number, title, section tree and inventory rows (``data/plans/SCHEMA.md``).

Every row carries the section it comes from, the character span (``span_start``, ``span_end``) of its
sentence in the text as given, and whether its place words were matched to the county's names (with
the reason). Rows hold names, numbers and short labels only, never the plan's sentences.

What it does not do: it does not read scanned PDFs (no OCR), does not guess coordinates, and does not
decide what a person should accept: every row is a proposal for the review on page 规划入图.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from layers.plans._counted import counted_hits
from layers.plans._match import gazetteer
from layers.plans._normalize import normalize
from layers.plans._patterns import Hit, forest_things, named_hits
from layers.plans._phrases import listed_items, listed_works, river_reaches, target_subjects
from layers.plans._quantities import (
    action_of,
    banned_zones,
    budget_wan,
    departments,
    distance_rules,
    length_hits,
    line_works,
    status_of,
    targets,
    year_of,
)
from layers.plans._readers import read_plan
from layers.plans._sections import Section, SectionIndex, document_number, document_title, is_heading_line, parse_sections
from layers.plans._works import (
    GEO_WORDS,
    built_facilities,
    built_wherever,
    kinds_of_mine,
    kinds_of_place,
    listed_treatments,
    moved_firms,
    opens_with_verb,
    relocations,
    treated_houses,
    treated_lines,
    treated_things,
    works_objects,
)
from layers.plans.inventory import INVENTORY_COLUMNS

__all__ = ["ROW_COLUMNS", "Extraction", "Section", "extract_plan", "read_plan"]

ROW_COLUMNS = (*INVENTORY_COLUMNS, "span_start", "span_end", "matched", "match_reason")
_SENTENCE_END = re.compile(r"[。;；!?！？\n]")
_WRAP_CHAR = re.compile(r"[\u4e00-\u9fff\d]")
_DONE_WORDS = ("成效", "回顾", "现状")  # a top section about the last period: its items are completed
_PROJECT_WORDS = ("重点工程", "重点项目", "重大工程")
# A heading or lead clause of a 重点工程 section names a project only with a word of works in it (非煤矿山。
# and 危险化学品。 head the tasks of a trade).
_WORKS = re.compile("工程|项目|建设|系统|平台|中心|基地|改造|治理|整治|提升|搬迁|网络|数据库|一张图|站|库|场所|培训|创建")


@dataclass(frozen=True)
class Extraction:
    """What :func:`extract_plan` found: the document number (empty when none is printed), the title, the
    heading tree, and the rows (``ROW_COLUMNS``: the SCHEMA columns plus span and match)."""

    doc_number: str
    title: str
    sections: list[Section]
    rows: pd.DataFrame = field(repr=False)


def extract_plan(text: str, *, adcode: str | None = None, key: str = "new") -> Extraction:
    """Extract the inventory rows of a plan's ``text``; place words are matched against ``adcode``'s names."""
    norm = normalize(text)
    sections = parse_sections(norm)
    index = SectionIndex(sections, norm)
    gaz = gazetteer(adcode)
    records: list[dict] = []
    seen: set[tuple] = set()
    for start, end in sentence_spans(norm):
        sentence = norm[start:end].replace("\n", "")  # a wrapped line joined (the span keeps the text as it is)
        for rec in _sentence_rows(sentence, start, end, index, gaz):
            k = (rec["layer"], rec["name"], rec["count"], rec["location_hint"])  # 防火道路 of two forest farms: two rows
            if k not in seen:
                seen.add(k)
                records.append(rec)
    projects = _project_paragraphs(norm, index, seen)
    records = [r for r in records if not _in_lead(r, projects)]
    built = [r for r in records if r["layer"] == "projects"]
    records += _drop_groups(_project_headings(sections, index, seen, norm), projects + built) + projects
    records = [r for r in records if not _admin_river(r, norm)]
    for r in records:
        if not r["match_reason"]:  # projects read from headings and paragraphs
            r["township"] = ";".join(gaz.townships_in(r["name"]))
            r["matched"], r["match_reason"] = gaz.match(r["name"], r["township"], r["location_hint"])
    rows = pd.DataFrame(records, columns=list(ROW_COLUMNS))
    rows["fid"] = [f"{key}-{i:03d}" for i in range(1, len(rows) + 1)]
    return Extraction(document_number(norm), document_title(norm), sections, rows.reset_index(drop=True))


_ADMIN = re.compile(r"([\u4e00-\u9fff]{2})(?:县|区|市)")


def _admin_river(rec: dict, text: str) -> bool:
    """A "river" named like the county or city (垫江 of 垫江县) or a national river the plan only cites."""
    if rec["layer"] != "rivers":
        return False
    admin = set(_ADMIN.findall(text[:3000])) | {"长江", "黄河"}
    return any(rec["name"].endswith(a) for a in admin)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every sentence: text between 。；！？ or hard line ends, surrounding spaces left
    out. A line wrapped inside a sentence (a character on both sides, neither line a heading) goes on."""
    out, pos = [], 0
    for m in _SENTENCE_END.finditer(text + "\n"):
        if m.group() == "\n" and _soft_wrap(text, m.start()):
            continue
        a, b = pos, m.end() if m.group() != "\n" else m.start()
        while a < b and text[a] in " \t#*>-":
            a += 1
        if b - a >= 4:
            out.append((a, min(b, len(text))))
        pos = m.end()
    return out


def _soft_wrap(text: str, i: int) -> bool:
    """Whether the line end at ``i`` wraps a sentence: a character or digit on both sides (blank lines
    between are page breaks of a converted file), and neither line is a heading."""
    j = i
    while j < len(text) and text[j] == "\n":
        j += 1
    while i > 0 and text[i - 1] == "\n":
        i -= 1
    if not (0 < i and j < len(text) and _WRAP_CHAR.match(text[i - 1]) and _WRAP_CHAR.match(text[j])):
        return False
    line = text[text.rfind("\n", 0, i) + 1:i]
    next_end = text.find("\n", j)
    return not (is_heading_line(line) and "。" not in line) and not is_heading_line(text[j:next_end if next_end > 0 else len(text)])


def _sentence_rows(sentence: str, start: int, end: int, index: SectionIndex, gaz) -> list[dict]:  # noqa: ANN001
    here = index.at(start)
    counted = counted_hits(sentence, heading=index.top_title(start) + (here.title if here else ""))
    names = {h.name for h in counted}
    named = [h for h in named_hits(sentence) if h.name not in names and not _inside_counted(h, counted, sentence)]
    if index.is_group_heading(start):  # "(一)X能力提升工程" titles the projects under it
        named = [h for h in named if h.layer != "projects"]
    mines = [h for h in kinds_of_mine(sentence) if h.name not in names]  # 露天矿山: the kind, not the bare 矿山 in it
    named = [h for h in named if not any(m.at <= h.at < m.at + len(m.name) for m in mines)] + mines
    named += [h for h in forest_things(sentence) if not any(h.name in x.name or x.name in h.name for x in [*named, *counted])]
    named += _new_spans([*listed_items(sentence), *listed_works(sentence), *river_reaches(sentence), *target_subjects(sentence),
                         *treated_things(sentence), *listed_treatments(sentence), *treated_lines(sentence),
                         *built_facilities(sentence), *built_wherever(sentence), *treated_houses(sentence),
                         *moved_firms(sentence), *relocations(sentence), *kinds_of_place(sentence)],
                        [*named, *counted], counted)
    if any(w in index.top_title(start) for w in _PROJECT_WORDS) and not index.is_group_heading(start):
        built = works_objects(sentence)
        if _details(index, start) or index.has_box(start):  # parts of a project or a summary: only the facilities it builds
            built = [h for h in built if _FACILITY_HEAD.search(h.name)]
        named += _new_spans(built, [*named, *counted])
    listed = {h.layer for h in named if h.layer in ("reservoirs", "rivers")}
    counted = [h for h in counted if h.layer not in listed]  # "A、B等9座水库": the names are the rows
    zones = banned_zones(sentence)
    if zones:  # the places of a ban are its zones, not also hazard zones of their own
        named = [h for h in named if not any(z.at <= h.at < z.at + len(z.name) + 4 for z in zones)]
    hits = [*named, *counted, *length_hits(sentence), *_new_spans(line_works(sentence), named), *distance_rules(sentence), *zones]
    key_works = any(w in index.top_title(start) for w in _PROJECT_WORDS) and not index.has_box(start)  # a 专栏 lists them
    hits = [h for h in hits if not _in_title(h, sentence) and not _award(h, sentence) and (key_works or not _paper_work(h))
            and not _banned_build(h, sentence) and not _category_of_list(h, sentence) and not _managed_kind(h, sentence)]
    if not hits:
        return []
    for h in hits:
        if h.layer == "projects" and not any(w in index.top_title(start) for w in _PROJECT_WORDS) and _GEO_WATCH.search(h.name):
            h.layer, h.kind = "geohazards", "monitoring"  # 实施地质灾害监测预警项目建设: outside a 重点工程 section
    towns = gaz.townships_in(sentence)
    common = {
        "action": action_of(sentence), "year": year_of(sentence), "lead_dept": departments(sentence),
        "status": status_of(sentence, index.top_title(start).startswith(_DONE_WORDS) or any(w in index.top_title(start) for w in _DONE_WORDS)),
        "source_section": index.path(start), "span_start": start, "span_end": end,
    }
    money = budget_wan(sentence)
    target = targets(sentence)
    out = []
    for h in hits:
        rec = _row(h, towns, common, target)
        rec["budget_wan"] = money if money is not None and len(hits) == 1 else None
        rec["matched"], rec["match_reason"] = gaz.match(rec["name"], rec["township"], rec["location_hint"])
        out.append(rec)
    return out


_GEO_WATCH = re.compile(f"(?:{GEO_WORDS.pattern}).*监测")  # monitoring of geohazards


_TITLE = re.compile(r"《[^《》]*》|(?<=”)\([^()]*\)")  # a document's title, or what a quoted slogan stands for


def _in_title(h: Hit, sentence: str) -> bool:
    """Whether ``h`` is named inside the title of a document (``制定《X消防队伍建设管理办法》``): a paper,
    not the thing; or inside the brackets that spell out a quoted slogan (``“专常群”(专业救援队伍、...)``)."""
    return any(m.start() < h.at and h.at + len(h.name) < m.end() and h.name in m.group() for m in _TITLE.finditer(sentence))


_AWARD = re.compile("(?:示范|安全|标杆|达标)(?:社区|学校|企业|单位|乡镇|街道|村|城市|县)$")
_AWARDING = re.compile("申报|创建|争创|命名|评为|获评|培育|创成|荣获|认定|评定|验收")


def _award(h: Hit, sentence: str) -> bool:
    """Whether ``h`` is a title a place holds, applies for or is given (``申报综合减灾示范社区``,
    ``培育示范企业14家``): an award, not a thing on the map, unless the plan counts it as built."""
    return bool(_AWARD.search(h.name)) and (h.count == 1 or bool(_AWARDING.search(sentence)))


def _category_of_list(h: Hit, sentence: str) -> bool:
    """Whether ``h`` is a project named right after 等 (``A、B等防灾减灾骨干工程建设``): the category of the
    list before it, whose items are the works."""
    return h.layer == "projects" and h.name.endswith(("工程", "项目")) and sentence[max(h.at - 1, 0) : h.at] == "等"


# SCHEMA rule 5: a bare kind of facility (化工企业, 非煤矿山, 工业园区) is a row only under a work that changes it.
_BARE_KIND = re.compile("(?:危险化学品|危化品|危化|化工|烟花爆竹|民爆)(?:生产经营|生产|经营|储存|使用|批发)?企业|非煤矿山|煤矿|"
                        "(?:化工|工业|产业)园区|开发区|化工集中区")
_CHANGING = re.compile("关闭|退出|搬迁|搬、改|改造|整治|治理|建设|新建|扩建|淘汰|整合|处置|升级|整改|建成|布局|规划|入园")


def _managed_kind(h: Hit, sentence: str) -> bool:
    """Whether ``h`` is a bare kind of facility (:data:`_BARE_KIND`, no place, no count) whose clause does
    nothing that changes it (安全管理, 监管, 培训): no row (SCHEMA rule 5)."""
    if h.layer != "facilities" or h.count != 1 or not _BARE_KIND.fullmatch(h.name):
        return False
    start = max(sentence.rfind(c, 0, h.at) for c in ",，;；:") + 1
    ends = [m.start() for m in re.finditer("[,，;；:]", sentence[h.at :])][:2]  # its clause and the next (A评估,B整改)
    end = h.at + ends[-1] if len(ends) == 2 else len(sentence)
    return not _CHANGING.search(sentence[start:end])


_BAN = re.compile(r"(?:禁止|严禁|不得)[^,，;:。]*?(?:新建|扩建|建设)[^,，;:。]*$")


def _banned_build(h: Hit, sentence: str) -> bool:
    """Whether ``h`` is a kind of facility a ban in its clause forbids building (``严禁新建、扩建X``): the
    object of a rule (the rule itself is a row of its own when it gives a distance), not a facility."""
    return h.layer == "facilities" and h.count == 1 and _BAN.search(sentence[: h.at]) is not None


_FACILITY_HEAD = re.compile("(?:(?<!数据)中心|台站|基地|基础设施)$")  # what a works sentence builds that is a place, not a system
_PAPER = re.compile("信息化|信息|审批|管控|素质|培训|宣传|教育|干部|人才|执法")


def _paper_work(h: Hit) -> bool:
    """Whether ``h`` is a project of paper, people or information (网上审批工程, 干部素质提升工程): a row
    only where a 重点工程 section names it (SCHEMA rule 1)."""
    return h.layer == "projects" and bool(_PAPER.search(h.name))


def _inside_counted(h: Hit, counted: list[Hit], sentence: str) -> bool:
    """Whether ``h`` is the last words of a counted noun (易涝点 of ``2处中心城区易涝点``): the count is the row."""
    for c in counted:
        i = sentence.find(c.name)
        if c.name != h.name and c.name.endswith(h.name) and i >= 0 and i <= h.at < i + len(c.name):
            return True
    return False


def _details(index: SectionIndex, start: int) -> bool:
    """Whether the sentence at ``start`` is in a paragraph that opens with a project's name (``X平台建设。``
    then what it holds) or a trade's (``2.非煤矿山。``): the objects it builds are parts of that project or
    tasks of the trade, not projects of their own."""
    text = index.text
    para = text.rfind("\n", 0, start) + 1
    m = _LEAD_CLAUSE.match(text, para)
    return (m is not None and _names_project(m.group(1))) or _TRADE_LEAD.match(text, para) is not None


# A numbered paragraph led by a trade (1.煤矿。 2.非煤矿山。): the systems it builds are tasks of the trade.
_TRADE_LEAD = re.compile(r"[ \t#*]*\d{1,2}[.、]\s*(?:[\u4e00-\u9fff]{2,6})。")


def _new_spans(hits: list[Hit], found: list[Hit], counted: list[Hit] | None = None) -> list[Hit]:
    """``hits`` whose words no hit of the same layer already covers (a list item that is also a named
    reservoir stays one row) and that are not a thing ``counted`` under the same name in another layer
    (隐患排危治理143个 is one row)."""
    out: list[Hit] = []
    for h in hits:
        covered = any(x.layer == h.layer and x.at < h.at + len(h.name) and h.at < x.at + len(x.name) for x in [*found, *out])
        if not covered and not any(c.name == h.name for c in counted or []):
            out.append(h)
    return out


def _row(h: Hit, towns: list[str], common: dict, target: str) -> dict:
    own = [t for t in towns if t != h.name]
    hints = [w for w in h.hints if w not in own]
    if h.layer == "geohazards" and h.kind == "hazard_site" and common["action"] == "治理":
        h.kind = "treatment_work"
    if h.layer == "projects" and GEO_WORDS.search(h.name) and re.search("搬迁|避让", h.name):
        h.layer, h.kind = "geohazards", "relocation"  # 地质灾害搬迁避让X工程: moving people out of a hazard
    elif h.layer == "projects" and GEO_WORDS.search(h.name) and re.search("治理|排危|除险", h.name):
        h.layer, h.kind = "geohazards", "treatment_work"  # SCHEMA rule 4: works on hazard sites
    return {**common, "layer": h.layer, "kind": h.kind, "name": h.name[:30], "count": h.count,
            "township": ";".join(own), "location_hint": ";".join(hints), "target": h.target or target, "note": h.note}


def _in_lead(rec: dict, leads: list[dict]) -> bool:
    """A project found in a paragraph's lead clause that names a project is part of that name."""
    return rec["layer"] == "projects" and any(
        rec["span_start"] < p["span_end"] and p["span_start"] < rec["span_end"] and rec["name"] in p["name"] for p in leads)


def _drop_groups(headings: list[dict], paragraphs: list[dict]) -> list[dict]:
    """Headings of a 重点工程 section that group other projects are not projects themselves."""
    rows = headings + paragraphs
    return [h for h in headings if not any(r is not h and str(r["source_section"]).startswith(h["source_section"]) for r in rows)]


def _project_headings(sections: list[Section], index: SectionIndex, seen: set, text: str) -> list[dict]:
    """Headings under a 重点工程 section are projects (named by the heading's title)."""
    out = []
    for s in sections:
        top = index.top_title(s.start)
        title = s.title.rstrip("。.,，")
        if (s.level < 2 or not any(w in top for w in _PROJECT_WORDS) or not 4 <= len(title) <= 24 or s.number.startswith("专栏")
                or not _WORKS.search(title)):
            continue
        if ("projects", title, 1) in seen:
            continue
        seen.add(("projects", title, 1))
        end = text.find("\n", s.start)
        out.append({"layer": "projects", "kind": "project", "name": title, "count": 1, "township": "", "location_hint": "",
                    "action": action_of(title), "year": "", "budget_wan": None, "lead_dept": "", "status": "planned",
                    "target": "", "source_section": s.path, "note": "", "span_start": s.start,
                    "span_end": end if end > 0 else len(text), "matched": False, "match_reason": ""})
    return out


_LEAD_CLAUSE = re.compile(r"^[ \t#*]*(?:\d{1,2}[.、]\s*)?([\u4e00-\u9fff“”\"][\u4e00-\u9fff“”\"()+\d]{3,23})。", re.M)


def _names_project(clause: str) -> bool:
    """Whether a paragraph's lead clause names a project: a word of works, and no verb before it."""
    return bool(_WORKS.search(clause)) and not opens_with_verb(clause)


def _project_paragraphs(text: str, index: SectionIndex, seen: set) -> list[dict]:
    """In a 重点工程 section, a paragraph that opens with a short clause ending in 。 names a project
    (``X系统建设。`` followed by what it is)."""
    out = []
    for m in _LEAD_CLAUSE.finditer(text):
        name = m.group(1)
        if not any(w in index.top_title(m.start()) for w in _PROJECT_WORDS) or ("projects", name, 1) in seen or not _names_project(name):
            continue
        seen.add(("projects", name, 1))
        end = text.find("\n", m.start())
        para = text[m.start(): end if end > 0 else len(text)]
        out.append({"layer": "projects", "kind": "project", "name": name, "count": 1, "township": "", "location_hint": "",
                    "action": action_of(name), "year": year_of(para), "budget_wan": budget_wan(para),
                    "lead_dept": departments(para), "status": "planned", "target": "", "source_section": index.path(m.start()),
                    "note": "", "span_start": m.start(1), "span_end": m.end(), "matched": False, "match_reason": ""})
    return out
