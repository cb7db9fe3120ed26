"""A plan's heading tree (一、 / (一) / 1. / 专栏, and 附件 for annexes), its document number and title.

Works on normalised text (:func:`layers.plans._normalize.normalize`, same length as the file's text),
one line at a time; markdown marks (#, **) and leading tabs from converted files are ignored. A table row
number standing alone on its line counts as a numbered item, as it does in the plans' annex tables."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

_CN = "一二三四五六七八九十"
_L1 = re.compile(rf"^([{_CN}]{{1,3}})、\s*(.*)")
_L2 = re.compile(rf"^\(([{_CN}]{{1,3}})\)\s*(.*)")
_L3 = re.compile(r"^(\d{1,2})\s*[.、](?!\d)\s*(.*)")
_ROWNO = re.compile(r"^([1-9]\d{0,2})$")
_BOX = re.compile(r"^专栏\s*(\d{0,2})\s*(.*)")
_ANNEX = re.compile(r"^附件\s*(\d{0,2})\s*(?::\s*)?(.{0,30})$")
_MARKS = re.compile(r"^[\s#*>\-]*|[*\s]*$")
_DOCNO = re.compile(r"([\u4e00-\u9fff]{1,10})\s*[〔\[【(]\s*(\d{4})\s*[〕\]】)]\s*(\d{1,4})\s*号")
_QUOTED = re.compile(r"《([^《》\n]{4,60})》\s*(?:已经|印发)")
_NOTICE = re.compile(r"关于印发(.{4,80}?)的通知")
_TITLE_WORDS = ("规划", "要点", "方案", "计划", "意见")
TITLE_CHARS = 24  # a heading's title is cut here (a run-on numbered paragraph is not a title)


@dataclass(frozen=True)
class Section:
    """One heading: its own number (``四、``, ``(二)``, ``10``, ``专栏2``), a short title, its level
    (1 = 一、, 2 = (一), 3 = 1. or 专栏, 4 = an item inside a 专栏), the full path of numbers used as
    ``source_section`` (``四、(二)10``; 专栏 is not part of the path) and where its line starts."""

    number: str
    title: str
    level: int
    path: str
    start: int


def parse_sections(text: str) -> list[Section]:
    """Every heading of ``text`` (normalised), in order."""
    out: list[Section] = []
    stack: dict[int, str] = {}
    annex, in_box, pos = "", False, 0
    for raw in text.split("\n"):
        line = _MARKS.sub("", raw)
        found = _heading(line, in_box)
        if found is not None:
            number, title, level = found
            if level == 0:
                annex, stack, in_box = "附件", {}, False
            else:
                in_box = level == 3 and number.startswith("专栏") or (in_box and level >= 3)
                stack = {k: v for k, v in stack.items() if k < level}
                stack[level] = "" if number.startswith("专栏") else number
                out.append(Section(number, title, level, annex + "".join(stack[k] for k in sorted(stack)), pos))
        pos += len(raw) + 1
    return out


def is_heading_line(line: str) -> bool:
    """Whether ``line`` (raw) is a heading of the tree."""
    return _heading(_MARKS.sub("", line), False) is not None


def _heading(line: str, in_box: bool) -> tuple[str, str, int] | None:
    """(number, title, level) when ``line`` is a heading."""
    if m := _L1.match(line):
        return m.group(1) + "、", _title(m.group(2)), 1
    if m := _L2.match(line):
        return f"({m.group(1)})", _title(m.group(2)), 2
    if m := _BOX.match(line):
        return f"专栏{m.group(1)}", _title(m.group(2)), 3
    if m := _L3.match(line) or _ROWNO.match(line):
        return m.group(1), _title(m.group(2) if m.lastindex and m.lastindex > 1 else ""), 4 if in_box else 3
    if (m := _ANNEX.match(line)) and "。" not in line:
        return "附件", _title(m.group(2)), 0
    return None


def _title(rest: str) -> str:
    """A heading's title: up to its first stop or comma, at most TITLE_CHARS characters (a numbered
    paragraph that runs on gives its first words only)."""
    head = re.split(r"[。;；:，,]", rest.strip(), maxsplit=1)[0].strip("*# ")
    return head[:TITLE_CHARS]


class SectionIndex:
    """The ``source_section`` path in force at any position of the text."""

    def __init__(self, sections: list[Section], text: str = "") -> None:
        self.text = text
        self._starts = [s.start for s in sections]
        self._sections = sections

    def at(self, pos: int) -> Section | None:
        i = bisect.bisect_right(self._starts, pos) - 1
        return self._sections[i] if i >= 0 else None

    def top_title(self, pos: int) -> str:
        """Title of the top-level (一、) section in force at ``pos``; empty before the first."""
        i = bisect.bisect_right(self._starts, pos) - 1
        while i >= 0 and self._sections[i].level != 1:
            i -= 1
        return self._sections[i].title if i >= 0 else ""

    def is_group_heading(self, pos: int) -> bool:
        """Whether ``pos`` lies in the title of a 一、/(一)/专栏 heading (its line up to the first 。): a
        title over other items, not an item."""
        s = self.at(pos)
        return s is not None and (s.level <= 2 or s.number.startswith("专栏")) and not re.search("[\n。]", self.text[s.start:pos])

    def has_box(self, pos: int) -> bool:
        """Whether the heading in force at ``pos`` (not a 专栏 or an item of one) holds a 专栏 before the
        next heading of its level: its own text then summarises what the 专栏 lists."""
        i = bisect.bisect_right(self._starts, pos) - 1
        if i < 0 or self._sections[i].level > 2:
            return False
        level = self._sections[i].level
        for s in self._sections[i + 1:]:
            if s.level <= level:
                return False
            if s.number.startswith("专栏"):
                return True
        return False

    def path(self, pos: int) -> str:
        s = self.at(pos)
        return s.path if s is not None else ""


def document_number(text: str) -> str:
    """The document number in the first lines (``垫江府发〔2022〕9号``), written with 〔〕; empty if none."""
    head = text[:3000]
    for m in _DOCNO.finditer(head):
        before = head[max(0, m.start() - 1):m.start()]
        if before not in ("(", "《"):  # a number cited in brackets is another document
            return f"{m.group(1)}〔{m.group(2)}〕{m.group(3)}号"
    return ""


def document_title(text: str) -> str:
    """The plan's title: the quoted name it is issued under, else the 关于印发...的通知 line, else the
    first short line naming a 规划/要点/方案; empty if none."""
    head = text[:4000]
    flat = re.sub(r"[\s*#]+", "", head)
    for pattern, source in ((_QUOTED, flat), (_NOTICE, flat)):
        if m := pattern.search(source):
            return m.group(1)
    for raw in head.split("\n")[:60]:
        line = _MARKS.sub("", raw)
        if 4 <= len(line) <= 60 and any(w in line for w in _TITLE_WORDS) and not line.startswith("关于") and "。" not in line:
            return line
    return ""
