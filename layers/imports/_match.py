"""Which existing feature a row of an import stands for (upsert), and which plan features an import
replaces (replace): names compared after normalising width, spaces and generic suffixes.

What it will not do: guess. A row that matches two features, or a feature that two rows match, is
ambiguous and left to the user (add the 编号 of the feature, or the township)."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from layers.catalog.quality import is_demo

SUFFIXES = ("消防蓄水池", "蓄水池", "水库", "水池", "街道", "社区", "镇", "乡", "村")
"""Generic endings left out of both sides of a comparison (全胜水库 = 全胜 = 全胜 水库; 桂溪街道 = 桂溪)."""
REPLACEABLE = ("approximate", "synthetic")
"""Position qualities of plan features that ``replace`` hides (and the demo inventory, whatever its quality)."""
STANDS_FOR = {"hazard_site": ("hazard_point",)}
"""Kinds a real kind replaces as well: a ledger's 灾害点 replace the 隐患点(演示) demo points."""


def norm_name(text: object) -> str:
    """``text`` compared as a name: NFKC (full-width to half-width), no spaces or dots, lower case,
    one generic suffix (:data:`SUFFIXES`) dropped when something remains."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    t = re.sub(r"[\s·.。、]+", "", unicodedata.normalize("NFKC", str(text))).lower()
    for suffix in SUFFIXES:
        if t.endswith(suffix) and len(t) > len(suffix):
            return t[: -len(suffix)]
    return t


@dataclass(frozen=True)
class Match:
    """The group of one row (``update``, ``insert`` or ``ambiguous``) and the feature fids it matched."""

    group: str
    fids: tuple[str, ...] = ()


def _towns(value: object) -> set[str]:
    return {norm_name(t) for t in re.split(r"[;；,，、]", str(value or "")) if norm_name(t)}


def match_rows(rows: pd.DataFrame, existing: gpd.GeoDataFrame) -> list[Match]:
    """For each row of ``rows`` (columns ``fid`` (file code, may be None), ``name``, ``township``), its
    match among ``existing`` features: the feature with the same fid, else those with the same
    normalised name (and, when both give one, the same township). Rows that share a feature are all
    ambiguous."""
    by_fid = set(existing["fid"].astype(str))
    names: dict[str, list[int]] = defaultdict(list)
    for i, name in enumerate(existing["name"]):
        names[norm_name(name)].append(i)
    towns = [_towns(t) for t in existing.get("township", pd.Series([None] * len(existing)))]
    fids = existing["fid"].astype(str).tolist()
    found: list[tuple[str, ...]] = []
    for fid, name, town in zip(rows["fid"], rows["name"], rows["township"], strict=True):
        if fid is not None and str(fid) in by_fid:
            found.append((str(fid),))
            continue
        hits = names.get(norm_name(name), []) if norm_name(name) else []
        if town is not None and norm_name(town):
            hits = [i for i in hits if not towns[i] or norm_name(town) in towns[i]]
        found.append(tuple(fids[i] for i in hits))
    return group_hits(found)


def group_hits(found: Sequence[tuple[str, ...]]) -> list[Match]:
    """Each row's hits as a group: none is an insert, one feature no other row hit is an update,
    anything else is ambiguous."""
    count: dict[str, int] = defaultdict(int)
    for hits in found:
        if len(hits) == 1:
            count[hits[0]] += 1
    out = []
    for hits in found:
        if not hits:
            out.append(Match("insert"))
        elif len(hits) == 1 and count[hits[0]] == 1:
            out.append(Match("update", hits))
        else:
            out.append(Match("ambiguous", hits))
    return out


def replaceable(existing: gpd.GeoDataFrame, user_fids: set[str], kinds: set[str]) -> list[str]:
    """Fids of the plan-derived features of ``existing`` (not in ``user_fids``) whose position is only
    approximate, synthetic or demo and whose kind is one of ``kinds``: what ``replace`` hides."""
    if existing.empty:
        return []
    plan = ~existing["fid"].astype(str).isin(user_fids)
    weak = existing["geometry_quality"].isin(REPLACEABLE) | is_demo(existing)
    kinds = kinds | {k for kind in kinds for k in STANDS_FOR.get(kind, ())}
    kind = existing["kind"].isin(kinds) if "kind" in existing else pd.Series(True, index=existing.index)
    return existing.loc[plan & weak & kind, "fid"].astype(str).tolist()
