"""How well :func:`~layers.plans.extract.extract_plan` reproduces a hand-made inventory.

Per document and layer: recall and precision of names, recall of counted items (kind + count), section
agreement, the misses, and the place rows a template of the plan (its place names replaced by ××)
still yields (there should be none).

Two names are the same when their keys (:func:`~layers.plans._normalize.name_key`: traditional
characters, width, punctuation and one suffix ignored) are equal, when one key holds the other and is
at least half as long, or when their character bigrams overlap with a Dice coefficient of 0.6 or more.
A section agrees when the extracted row's ``source_section`` equals one of the hand-made row's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from layers.plans._normalize import name_key, normalize
from layers.plans._works import KIND_OF_PLACE
from layers.plans.extract import extract_plan, read_plan

PLACEHOLDER = "××"
PLACE_LAYERS = ("rivers", "reservoirs")
NAMED_KINDS = ("hazard_site", "susceptibility_zone", "forest_farm", "forest_area", "scenic_area")


@dataclass
class Score:
    """Counts behind one line of the table; the ratios are properties (None when nothing to divide)."""

    truth: int = 0
    recalled: int = 0
    extracted: int = 0
    correct: int = 0
    counted: int = 0
    counted_found: int = 0
    sections: int = 0
    sections_same: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        for k in ("truth", "recalled", "extracted", "correct", "counted", "counted_found", "sections", "sections_same"):
            setattr(self, k, getattr(self, k) + getattr(other, k))
        self.misses += other.misses

    @property
    def recall(self) -> float | None:
        return self.recalled / self.truth if self.truth else None

    @property
    def precision(self) -> float | None:
        return self.correct / self.extracted if self.extracted else None

    @property
    def counted_recall(self) -> float | None:
        return self.counted_found / self.counted if self.counted else None

    @property
    def section_agreement(self) -> float | None:
        return self.sections_same / self.sections if self.sections else None


def same_name(a: str, b: str) -> bool:
    """Whether two names name the same thing (see the module docstring)."""
    ka, kb = name_key(a), name_key(b)
    if not ka or not kb:
        return False
    if ka == kb:
        return True
    short, long_ = sorted((ka, kb), key=len)
    if len(short) >= 2 and short in long_ and 2 * len(short) >= len(long_):
        return True
    return _dice(ka, kb) >= 0.6


def _dice(a: str, b: str) -> float:
    ga, gb = {a[i:i + 2] for i in range(len(a) - 1)}, {b[i:i + 2] for i in range(len(b) - 1)}
    return 2 * len(ga & gb) / (len(ga) + len(gb)) if ga and gb else 0.0


def score_layer(found: pd.DataFrame, truth: pd.DataFrame) -> Score:
    """Scores of one layer of one document (``found`` = extracted rows, ``truth`` = hand-made rows)."""
    s = Score(truth=truth["name"].nunique(), extracted=found["name"].nunique())
    names = list(dict.fromkeys(found["name"]))
    for name, group in truth.groupby("name", sort=False):
        hit = found[[same_name(str(name), str(n)) for n in found["name"]]]
        if hit.empty:
            s.misses.append(str(name))
            continue
        s.recalled += 1
        s.sections += 1
        wanted = set(str(group["source_section"].iloc[0]).split(";"))
        s.sections_same += int(bool(wanted & set(hit["source_section"])))
    s.correct = sum(any(same_name(n, str(t)) for t in truth["name"]) for n in names)
    counted = truth[truth["count"].astype(int) > 1]
    s.counted = len(counted)
    pairs = set(zip(found["kind"], found["count"].astype(int), strict=True))
    s.counted_found = sum((k, int(c)) in pairs for k, c in zip(counted["kind"], counted["count"], strict=True))
    return s


def score_document(found: pd.DataFrame, truth: pd.DataFrame) -> dict[str, Score]:
    """Scores per layer (every layer of either table) of one document."""
    layers = sorted(set(found["layer"]) | set(truth["layer"]))
    return {layer: score_layer(found[found["layer"] == layer], truth[truth["layer"] == layer]) for layer in layers}


def template_of(text: str, truth: pd.DataFrame, townships: list[str], county: tuple[str, ...] = ()) -> str:
    """``text`` with every name of the hand-made inventory, its place words and the county's township
    names (full and short) replaced by ``××``: a plan template without places."""
    words: set[str] = set(townships) | {re.sub(r"(街道|镇|乡)$", "", t) for t in townships} | set(county)
    for col in ("name", "township", "location_hint"):
        for cell in truth[col]:
            words.update(w for w in str(cell).split(";") if len(w) >= 2)
    stems = {re.sub(r"(水库|河|沟|湖|山|林场|镇|乡|街道)$", "", w) for w in words}
    for w in sorted(words | {s for s in stems if len(s) >= 2}, key=len, reverse=True):
        text = text.replace(w, PLACEHOLDER)
    return text


def place_rows(found: pd.DataFrame) -> pd.DataFrame:
    """Rows that name a place: a river, a reservoir, a named hazard site, zone or forest area (a count
    such as 9座水库 names none, nor a kind such as 病险水库), or any row tied to a township."""
    kind_only = found["name"].astype(str).map(lambda n: KIND_OF_PLACE.fullmatch(n) is not None)
    named = (found["layer"].isin(PLACE_LAYERS) | found["kind"].isin(NAMED_KINDS)) & (found["count"].astype(int) == 1) & ~kind_only
    return found[named | (found["township"].astype(str) != "")]


@dataclass
class DocumentResult:
    key: str
    layers: dict[str, Score]
    total: Score
    template_places: list[str]
    unwritten: list[str] = field(default_factory=list)  # hand-made names the plan's text never writes
    found: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)  # the extracted rows


_REMARK = re.compile(r"[(（][^()（）]*[)）]|[“”\"]")


def unwritten_names(text: str, truth: pd.DataFrame) -> list[str]:
    """Hand-made names that do not occur in ``text`` (normalised, remarks in brackets and quotes left
    out): our own words for what the plan says, which no extractor of the plan's words can find."""
    flat = _REMARK.sub("", normalize(text).replace("\n", "").replace(" ", ""))
    return [n for n in dict.fromkeys(truth["name"]) if _REMARK.sub("", normalize(n)) not in flat]


def evaluate_document(key: str, text: str, truth: pd.DataFrame, adcode: str, townships: list[str],
                      county: tuple[str, ...] = ()) -> DocumentResult:
    """Extract ``text`` and score it against ``truth``; also extract its template."""
    found = extract_plan(text, adcode=adcode, key=key).rows
    layers = score_document(found, truth)
    template = extract_plan(template_of(text, truth, townships, county), adcode=adcode, key=key).rows
    return DocumentResult(key, layers, _total(layers.values()), sorted(set(place_rows(template)["name"])),
                          unwritten_names(text, truth), found)


def evaluate_seeds(seeds: Path, plans: Path, townships: pd.DataFrame) -> list[DocumentResult]:
    """Every document of ``plans/documents.csv`` whose seed file is in ``seeds``."""
    docs = pd.read_csv(plans / "documents.csv", dtype=str, keep_default_na=False)
    out = []
    for d in docs.itertuples():
        path = seeds / d.seed_file
        if not d.seed_file or not path.exists():
            continue
        truth = pd.read_csv(plans / f"{d.key}.csv", dtype=str, keep_default_na=False)
        towns = list(townships.loc[townships["adcode"] == d.adcode, "name"])
        county = tuple(re.findall(r"^([\u4e00-\u9fff]{2,4}?)(?:县|区)", d.title.removeprefix("重庆市")))
        out.append(evaluate_document(d.key, read_plan(path), truth, d.adcode, towns, county))
    return out


@dataclass
class SecondOpinion:
    """A document inventoried a second time, from scratch and blind to the first inventory and to the
    extractor (``plans/second/<key>.csv``): how the extractor and the first inventory each agree with it."""

    key: str
    rows: int
    extractor: Score
    first: Score


def second_opinions(results: list[DocumentResult], plans: Path) -> list[SecondOpinion]:
    """:class:`SecondOpinion` of every evaluated document (``results`` of :func:`evaluate_seeds`, whose
    extracted rows are scored again) with a second inventory in ``plans/second``."""
    out = []
    for r in results:
        second_path = plans / "second" / f"{r.key}.csv"
        if not second_path.exists():
            continue
        second = pd.read_csv(second_path, dtype=str, keep_default_na=False)
        first = pd.read_csv(plans / f"{r.key}.csv", dtype=str, keep_default_na=False)
        out.append(SecondOpinion(r.key, len(second), _total(score_document(r.found, second).values()),
                                 _total(score_document(first, second).values())))
    return out


def _total(scores: Iterable[Score]) -> Score:
    """The sum of ``scores``."""
    total = Score()
    for s in scores:
        total.add(s)
    return total


def second_table(opinions: list[SecondOpinion]) -> str:
    """The second inventories as text: recall/precision of the extractor and of the first inventory
    against each (two people's inventories of one plan agree only so far)."""
    lines = ["second inventories (made blind, from scratch):",
             f"{'document':10s} {'rows':>5s}  extractor recall/prec  first inventory recall/prec"]
    ext, first = _total(o.extractor for o in opinions), _total(o.first for o in opinions)
    for key, rows, e, f in [*((o.key, o.rows, o.extractor, o.first) for o in opinions), ("all", sum(o.rows for o in opinions), ext, first)]:
        lines.append(f"{key:10s} {rows:5d}  {_pct(e.recall):>9s} / {_pct(e.precision):4s}     {_pct(f.recall):>9s} / {_pct(f.precision):4s}")
    return "\n".join(lines)


def _pct(v: float | None) -> str:
    return "   -" if v is None else f"{v:4.2f}"


def table(results: list[DocumentResult], *, per_layer: bool = True, misses: bool = True) -> str:
    """The evaluation as text: one line per document (and layer), the overall line, then the misses."""
    head = f"{'document':10s} {'layer':12s} {'names':>5s} {'recall':>6s} {'found':>5s} {'prec':>5s} {'counted':>7s} {'c.rec':>5s} {'sect':>5s} templ"
    lines = [head, "-" * len(head)]
    overall = _total(r.total for r in results)
    for r in results:
        rows = [*((layer, s) for layer, s in r.layers.items() if per_layer), ("all", r.total)]
        for layer, s in rows:
            templ = str(len(r.template_places)) if layer == "all" else ""
            lines.append(f"{r.key:10s} {layer:12s} {s.truth:5d} {_pct(s.recall):>6s} {s.extracted:5d} {_pct(s.precision):>5s} "
                         f"{s.counted:7d} {_pct(s.counted_recall):>5s} {_pct(s.section_agreement):>5s} {templ}")
    lines.append("-" * len(head))
    lines.append(f"{'overall':10s} {'all':12s} {overall.truth:5d} {_pct(overall.recall):>6s} {overall.extracted:5d} "
                 f"{_pct(overall.precision):>5s} {overall.counted:7d} {_pct(overall.counted_recall):>5s} "
                 f"{_pct(overall.section_agreement):>5s} {sum(len(r.template_places) for r in results)}")
    unwritten = sum(len(r.unwritten) for r in results)
    lines.append(f"note: {unwritten} of {overall.truth} hand-made names are not written in the plans as such (our own words or "
                 "several of the plan's words joined); by exact words a name recall of at most "
                 f"{_pct(1 - unwritten / overall.truth if overall.truth else None)} is possible (near matches count too).")
    if misses:
        for r in results:
            if r.total.misses:
                lines.append(f"\n{r.key} misses ({len(r.total.misses)}): " + "、".join(r.total.misses))
                gone = [m for m in r.total.misses if m in r.unwritten]
                if gone:
                    lines.append(f"{r.key} of these not written in the plan as such ({len(gone)}): " + "、".join(gone))
            if r.template_places:
                lines.append(f"{r.key} template places: " + "、".join(r.template_places))
    return "\n".join(lines)


def overall(results: list[DocumentResult]) -> Score:
    return _total(r.total for r in results)
