"""Data status: how good the positions are that a page, an analysis or a printed sheet rests on.

Every feature falls in one position class, from its ``geometry_quality``, ``geometry_source`` and
``source_doc``:

- ``authoritative``: an official dataset; ``surveyed``: placed or corrected on the map by a person who
  knows the ground (``layers.edits``; counted like authoritative, never drawn as 位置示意);
  ``gazetteer``: a named place from a gazetteer;
- ``approximate``: placed from plan text (a township seat, a corridor along named seats);
- ``placeholder``: the plan states no location, the feature sits at the county centre: its position
  is unknown and no distance or "nearest"/"downstream" may be computed from it;
- ``synthetic``: the plan gives only a count, positions are seeded (an illustration, not a finding);
- ``demo``: a seeded demo inventory that no plan contains (``演示``), off by default.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from layers.catalog.i18n import pick, say

POSITION_CLASSES = ("authoritative", "surveyed", "gazetteer", "approximate", "placeholder", "synthetic", "demo")
REAL = ("authoritative", "surveyed", "gazetteer")  # positions that are what they claim to be
NOT_REAL = ("placeholder", "synthetic", "demo")  # positions that must never be read as findings
CLASS_LABELS = {
    "authoritative": ("权威数据", "authoritative"),
    "surveyed": ("人工核定", "surveyed"),
    "gazetteer": ("地名库定位", "gazetteer"),
    "approximate": ("近似位置", "approximate"),
    "placeholder": ("位置未知(县城中心占位)", "position unknown (county-centre placeholder)"),
    "synthetic": ("合成示意", "synthetic"),
    "demo": ("演示数据", "demo"),
}
DEMO_SOURCE_DOC = "演示数据(非真实)"  # source_doc of the demo inventory (layers.plans.demo)
PLACEHOLDER_PREFIX = "county centre"  # geometry_source written by layers.plans for items without a location
BASE_LAYERS = ("county", "townships", "township_seats", "risk_townships")  # kept whatever the switches say
TEXT = {
    "status": ("数据状态", "Data status"),
    "shown": ("当前显示 {n} 个要素", "{n} features shown"),
    "warn": ("合成、演示和占位要素的位置不是真实位置,据此得出的数字只作示意,不是结论。",
             "Synthetic, demo and placeholder positions are not real: numbers computed from them are illustrations, not findings."),
    "approx": ("近似位置按规划文字推定(如乡镇驻地),不是测量位置,仅作示意。",
               "Approximate positions are inferred from plan text (e.g. a township seat), not surveyed: indicative only."),
    "all_real": ("全部要素位置来自权威数据、人工核定或地名库。",
                 "All positions come from authoritative data, people's corrections on the map or a gazetteer."),
    "inputs": ("依据 {n} 个{what}", "based on {n} {what}"),
    "of_which": ("其中", "of which"),
    "position_unknown": ("位置未知", "position unknown"),
    "show_synthetic": ("显示合成示意要素", "Show synthetic features"),
    "show_demo": ("显示演示数据(非真实)", "Show demo data (not real)"),
}


def text(key: str, lang: str, **values: object) -> str:
    """A data-status sentence in ``lang`` with ``values`` filled in."""
    return say(TEXT, key, lang, **values)


def class_label(cls: str, lang: str) -> str:
    return pick(CLASS_LABELS[cls], lang)


def is_demo(gdf: pd.DataFrame) -> pd.Series:
    """True where a feature comes from the seeded demo inventory (no plan contains it)."""
    if gdf.empty or "source_doc" not in gdf:
        return pd.Series(False, index=gdf.index)
    return gdf["source_doc"].astype(str).eq(DEMO_SOURCE_DOC)


def is_placeholder(gdf: pd.DataFrame) -> pd.Series:
    """True where the position is only the county-centre placeholder of an item the plan does not locate."""
    if gdf.empty or "geometry_source" not in gdf:
        return pd.Series(False, index=gdf.index)
    return gdf["geometry_source"].astype(str).str.startswith(PLACEHOLDER_PREFIX)


def position_class(gdf: pd.DataFrame) -> pd.Series:
    """The position class of every feature (see the module docstring), on ``gdf``'s index."""
    if gdf.empty:
        return pd.Series([], index=gdf.index, dtype=object)
    out = gdf["geometry_quality"].astype(str).where(gdf["geometry_quality"].isin(POSITION_CLASSES), "approximate")
    out = out.mask(is_placeholder(gdf), "placeholder")
    return out.mask(is_demo(gdf), "demo")


def class_counts(gdf: pd.DataFrame) -> dict[str, int]:
    """{position class: count} in ``POSITION_CLASSES`` order, classes with no feature left out."""
    vc = position_class(gdf).value_counts()
    return {c: int(vc[c]) for c in POSITION_CLASSES if vc.get(c, 0)}


@dataclass(frozen=True)
class QualityOptions:
    """The sidebar switches: which kinds of not-real positions are shown and analysed."""

    show_synthetic: bool = True
    show_demo: bool = False

    @property
    def hides_any(self) -> bool:
        return not (self.show_synthetic and self.show_demo)


def keep_mask(gdf: pd.DataFrame, opts: QualityOptions) -> pd.Series:
    """True for the features ``opts`` lets through (placeholders always stay, marked as unknown)."""
    cls = position_class(gdf)
    keep = pd.Series(True, index=gdf.index)
    if not opts.show_demo:
        keep &= cls.ne("demo")
    if not opts.show_synthetic:
        keep &= ~cls.isin(("synthetic", "demo"))
    return keep


def apply_quality(frames: Mapping[str, gpd.GeoDataFrame], opts: QualityOptions) -> dict[str, gpd.GeoDataFrame]:
    """``frames`` without the features the switches hide; base layers (county, townships, seats,
    risk zoning) are never dropped."""
    out = {}
    for lid, gdf in frames.items():
        keep = None if lid in BASE_LAYERS or gdf.empty or not opts.hides_any else keep_mask(gdf, opts)
        out[lid] = gdf if keep is None or keep.all() else gdf[keep]  # the same frame when nothing is hidden
    return out


@dataclass(frozen=True)
class DataStatus:
    """Counts of shown features by position class, overall and per layer."""

    per_layer: Mapping[str, Mapping[str, int]]

    @property
    def counts(self) -> dict[str, int]:
        total: dict[str, int] = {}
        for counts in self.per_layer.values():
            for c, n in counts.items():
                total[c] = total.get(c, 0) + n
        return {c: total[c] for c in POSITION_CLASSES if c in total}

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def not_real(self) -> int:
        return sum(n for c, n in self.counts.items() if c in NOT_REAL)

    def shares(self) -> dict[str, float]:
        n = self.total
        return {c: k / n for c, k in self.counts.items()} if n else {}


def data_status(frames: Mapping[str, gpd.GeoDataFrame], layers: Iterable[str] | None = None) -> DataStatus:
    """The status of the shown layers (``layers``, default all) of ``frames``."""
    wanted = list(frames) if layers is None else [k for k in layers if k in frames]
    return DataStatus({k: class_counts(frames[k]) for k in wanted if "geometry_quality" in frames[k]})


def _pct(share: float) -> str:
    return f"{share:.0%}" if share >= 0.01 or share == 0 else "<1%"


def status_line(status: DataStatus, lang: str) -> str:
    """One sentence for a banner or a sheet: features shown and their share per position class."""
    sep = "、" if lang == "zh" else ", "
    parts = sep.join(f"{class_label(c, lang)} {_pct(s)}" for c, s in status.shares().items())
    head = text("shown", lang, n=f"{status.total:,}")
    line = f"{head}:{parts}" if lang == "zh" else f"{head}: {parts}"
    end = "。" if lang == "zh" else "."
    if status.not_real:
        note = text("warn", lang)
    elif status.counts.get("approximate"):
        note = text("approx", lang)
    else:
        note = text("all_real", lang)
    return f"{line}{end} {note}"


def inputs_note(gdf: pd.DataFrame, lang: str, *, what: tuple[str, str]) -> str:
    """"based on N <what>, of which a approximate, b synthetic, ..." for one analysis input."""
    counts = class_counts(gdf)
    head = text("inputs", lang, n=len(gdf), what=pick(what, lang))
    rest = {c: n for c, n in counts.items() if c not in REAL}
    if not rest:
        return head
    sep = "、" if lang == "zh" else ", "
    detail = sep.join((f"{n} 个{class_label(c, lang)}" if lang == "zh" else f"{n} {class_label(c, lang)}") for c, n in rest.items())
    return f"{head},{text('of_which', lang)} {detail}" if lang == "zh" else f"{head}, {text('of_which', lang)} {detail}"
