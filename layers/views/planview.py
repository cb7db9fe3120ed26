"""Page model of 规划入图 (no UI): the review table of an extraction, each row beside its source sentence
with the place words marked, decisions per row and per group, and the reviewed inventory to save.

The layer and kind columns show their labels (水库, not ``reservoirs``) in the page's language; the
group keys and the saved inventory use the ids again, whether a cell holds a label or an id.

The sentence comes from the uploaded text by the row's ``span_start``/``span_end``; it is shown, never
stored (the saved inventory has only the ``data/plans/SCHEMA.md`` columns). Text from the file is data:
:func:`highlight_html` escapes every piece before wrapping the place words in ``<mark>``, and
:func:`marked_text` gives plain text with 【】 around them for tables.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

import pandas as pd

from layers.catalog.specs import PLAN_LAYERS, get_spec
from layers.plans.inventory import INVENTORY_COLUMNS

ACCEPT = "accept"  # the review column: True = goes into the inventory
SENTENCE = "sentence"
MATCH = "match"
EDITABLE = ("layer", "kind", "name", "count", "township", "location_hint", "action", "year", "budget_wan", "lead_dept",
            "status", "target", "source_section", "note")
GROUPS = ("layer", "section")
MAX_SENTENCE = 400  # characters of a sentence shown (a run-on paragraph is cut, with an ellipsis)
COLUMN_LABELS = {
    ACCEPT: ("采纳", "Accept"), "fid": ("编号", "ID"), "layer": ("图层", "Layer"), "kind": ("类型", "Kind"), "name": ("名称", "Name"),
    "count": ("数量", "Count"), "township": ("乡镇", "Township"), "location_hint": ("其他地名", "Place words"),
    "action": ("措施", "Action"), "year": ("年份", "Year"), "budget_wan": ("投资(万元)", "Budget (10k yuan)"),
    "lead_dept": ("牵头部门", "Lead"), "status": ("状态", "Status"), "target": ("目标", "Target"),
    "source_section": ("章节", "Section"), "note": ("备注", "Note"), MATCH: ("地名匹配", "Place match"),
    SENTENCE: ("原文句子(【】为地名)", "Source sentence (【】 = place words)"),
}


def sentence(text: str, start: object, end: object) -> str:
    """The sentence ``text[start:end]`` (empty when the span is missing or outside the text)."""
    try:
        a, b = int(start), int(end)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return ""
    if not 0 <= a < b <= len(text):
        return ""
    s = " ".join(text[a:b].split())
    return s if len(s) <= MAX_SENTENCE else s[:MAX_SENTENCE] + "…"


def place_words(row: dict) -> list[str]:
    """The words of a row that name places: its name, townships and other place words (longest first,
    so 双河水库 is marked before 双河)."""
    words = [str(row.get("name") or "")]
    for col in ("township", "location_hint"):
        words += str(row.get(col) or "").split(";")
    return sorted({w.strip() for w in words if len(w.strip()) >= 2}, key=len, reverse=True)


def _spans(text: str, words: Iterable[str]) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) of ``words`` in ``text``, longest words first."""
    taken: list[tuple[int, int]] = []
    for w in words:
        i = text.find(w)
        while i >= 0:
            if all(i >= b or i + len(w) <= a for a, b in taken):
                taken.append((i, i + len(w)))
            i = text.find(w, i + len(w))
    return sorted(taken)


def _pieces(text: str, words: Iterable[str]) -> list[tuple[str, bool]]:
    out, pos = [], 0
    for a, b in _spans(text, words):
        out += [(text[pos:a], False), (text[a:b], True)]
        pos = b
    return [p for p in [*out, (text[pos:], False)] if p[0]]


def highlight_html(text: str, words: Iterable[str]) -> str:
    """``text`` as HTML with ``words`` in ``<mark>``: every piece of it escaped first."""
    return "".join(f"<mark>{html.escape(p)}</mark>" if hit else html.escape(p) for p, hit in _pieces(text, words))


def marked_text(text: str, words: Iterable[str]) -> str:
    """``text`` as plain text with ``words`` between 【 and 】 (for tables, which show text only)."""
    return "".join(f"【{p}】" if hit else p for p, hit in _pieces(text, words))


def match_text(row: dict, lang: str) -> str:
    """Whether the row's place words were found, in words: ✓, or ✗ with the extractor's reason."""
    matched = row.get("matched")
    reason = str(row.get("match_reason") or "").strip()
    if matched is None or (isinstance(matched, float) and pd.isna(matched)):
        return reason
    if bool(matched):
        return "✓ " + reason if reason else "✓"
    return "✗ " + (reason or ("未找到地名" if lang == "zh" else "place not found"))


def review_frame(rows: pd.DataFrame, text: str, lang: str) -> pd.DataFrame:
    """The review table: accept (False until a person accepts), the SCHEMA columns, the match and the
    sentence with its place words in 【】."""
    out = pd.DataFrame({ACCEPT: False}, index=rows.index)
    for col in INVENTORY_COLUMNS:
        out[col] = rows[col].map(_text) if col in rows else ""
    out["kind"] = [kind_label(layer, kind, lang) for layer, kind in zip(out["layer"], out["kind"], strict=True)]
    out["layer"] = out["layer"].map(lambda v: layer_label(v, lang))
    recs = rows.to_dict("records")
    out[MATCH] = [match_text(r, lang) for r in recs]
    out[SENTENCE] = [marked_text(sentence(text, r.get("span_start"), r.get("span_end")), place_words(r)) for r in recs]
    return out.reset_index(drop=True)


def sentences_html(rows: pd.DataFrame, text: str) -> str:
    """Every row's sentence with its place words in ``<mark>``, as one HTML list (fid and name in bold);
    every piece of file text is escaped."""
    items = []
    for r in rows.to_dict("records"):
        body = highlight_html(sentence(text, r.get("span_start"), r.get("span_end")), place_words(r))
        if body:
            items.append(f"<li><b>{html.escape(_text(r.get('fid')))} {html.escape(_text(r.get('name')))}</b>: {body}</li>")
    return f"<ol style='list-style:none;padding-left:0;line-height:1.7'>{''.join(items)}</ol>"


def group_values(review: pd.DataFrame, by: str) -> list[str]:
    """The groups of the table ``by`` layer or by section (the top heading of ``source_section``)."""
    return sorted(set(_group_key(review, by)))


def set_group(review: pd.DataFrame, by: str, value: str | None, accept: bool) -> pd.DataFrame:
    """``review`` with every row of one group (or every row, ``value`` None) accepted or rejected."""
    out = review.copy()
    mask = pd.Series(True, index=out.index) if value is None else _group_key(out, by) == value
    out.loc[mask, ACCEPT] = accept
    return out


def reviewed_inventory(review: pd.DataFrame) -> pd.DataFrame:
    """The accepted rows in the SCHEMA columns, as a person left them (the sentence is not kept)."""
    kept = review[review[ACCEPT].astype(bool)][list(INVENTORY_COLUMNS)].reset_index(drop=True)
    kept["layer"] = kept["layer"].map(layer_id)
    kept["kind"] = [kind_id(layer, kind) for layer, kind in zip(kept["layer"], kept["kind"], strict=True)]
    return kept


def layer_label(layer: str, lang: str) -> str:
    """The title of a plan layer in ``lang`` (水库 for ``reservoirs``); anything else as it is."""
    return get_spec(layer).label(lang) if layer in PLAN_LAYERS else layer


def kind_label(layer: str, kind: str, lang: str) -> str:
    """The label of a kind of a plan layer in ``lang`` (避难场所 for ``shelter``); anything else as it is."""
    found = get_spec(layer).kind(kind) if layer in PLAN_LAYERS else None
    return found.label(lang) if found is not None else kind


def layer_id(value: str) -> str:
    """The layer id of a cell holding an id or a label in either language (水库 -> ``reservoirs``)."""
    value = str(value).strip()
    return next((lay for lay in PLAN_LAYERS if value in (lay, get_spec(lay).zh, get_spec(lay).en)), value)


def kind_id(layer: str, value: str) -> str:
    """The kind id of a cell holding an id or a label of ``layer``'s kinds; anything else as it is."""
    value = str(value).strip()
    kinds = get_spec(layer).kinds if layer in PLAN_LAYERS else ()
    return next((k.id for k in kinds if value in (k.id, k.zh, k.en)), value)


def layer_options(lang: str) -> list[str]:
    """The plan layers' titles in ``lang``, for a choice box of the layer column."""
    return [layer_label(lay, lang) for lay in PLAN_LAYERS]


def counts(review: pd.DataFrame) -> tuple[int, int]:
    """(accepted, all) rows."""
    return int(review[ACCEPT].astype(bool).sum()), len(review)


def section_lines(sections: Sequence[object]) -> list[str]:
    """The section tree as indented lines (two spaces per level), from section objects or dicts with a
    number, a title and a level (1 = 一、, 2 = (一), 3 = 1., 专栏 at its own level)."""
    out = []
    for s in sections:
        get = s.get if isinstance(s, dict) else (lambda k, s=s: getattr(s, k, None))
        number, title = str(get("number") or get("label") or ""), str(get("title") or get("heading") or "")
        level = get("level") or get("depth") or 1
        out.append("  " * max(int(level) - 1, 0) + f"{number} {title}".strip())
    return out


def _group_key(review: pd.DataFrame, by: str) -> pd.Series:
    if by == "layer":
        return review["layer"].astype(str).map(layer_id)
    return review["source_section"].astype(str).str.extract(r"^([^、]*、)", expand=False).fillna(review["source_section"].astype(str))


def _text(v: object) -> str:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)
