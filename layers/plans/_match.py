"""Place words of extracted rows matched against a county's townships (the township list of
``data/sources/townships.csv``), its named places (``data/sources/places.csv``) and the rivers the
hand-made inventories of the same county name. Names are compared by :func:`name_key` (traditional
characters, full/half width, spaces and one suffix such as 镇/水库/河 ignored). A row whose places are
not found stays unmapped with the reason, as the build does (a wrong place is worse than none)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from layers.catalog.registry import dataset
from layers.plans._normalize import name_key, normalize
from layers.plans._patterns import HAN, cut_left

_TOWN = re.compile(rf"([{HAN}]{{2,4}}?)(街道|镇|乡)")
_GENERIC_TOWN = ("乡镇", "城镇", "场镇", "集镇", "村镇", "重点镇", "各镇", "全镇", "街镇", "城乡", "乡村", "各乡", "本乡", "小城镇")


@dataclass(frozen=True)
class Gazetteer:
    """The names one county's rows are matched against (empty for no county)."""

    adcode: str
    townships: tuple[str, ...]
    places: tuple[str, ...]
    rivers: tuple[str, ...]

    def townships_in(self, sentence: str) -> list[str]:
        """Townships named in ``sentence`` (normalised): by the county's list when there is one (full name,
        or short name followed by 镇/乡/街道/场), else by the 镇/乡/街道 ending."""
        if not self.townships:
            names = [cut_left(m.group(1)) + m.group(2) for m in _TOWN.finditer(sentence)]
            return list(dict.fromkeys(n for n in names if len(n) >= 3 and not n.endswith(_GENERIC_TOWN) and n not in _GENERIC_TOWN))
        found = []
        for t in self.townships:
            short = re.sub(r"(街道|镇|乡)$", "", t)
            m = re.search(re.escape(t), sentence) or (re.search(re.escape(short) + "(?=镇|乡|街道|场)", sentence) if len(short) >= 2 else None)
            if m:
                found.append((m.start(), t))
        return [t for _, t in sorted(found)]

    def match(self, name: str, township: str, hints: str) -> tuple[bool, str]:
        """(matched, reason in Chinese / English) of one row."""
        if not self.adcode:
            return False, "未指定区县,地名未匹配 / no county given: places not matched"
        towns = [t for t in township.split(";") if t]
        known = {name_key(t) for t in self.townships}
        hit = [t for t in towns if name_key(t) in known]
        if hit:
            return True, f"乡镇 {'、'.join(hit)} / township {'、'.join(hit)}"
        if towns:
            return False, (f"乡镇 {'、'.join(towns)} 不在本辖区乡镇名单中 / township {'、'.join(towns)} is not in "
                           "this county's township list")
        words = [normalize(w) for w in (name, *hints.split(";")) if w]
        for pool, label in ((self.places, "地名库 / gazetteer"), (self.rivers, "本县河流 / river of this county")):
            keys = {name_key(p): p for p in pool}
            found = next((keys[name_key(w)] for w in words if name_key(w) in keys), None)
            found = found or next((p for p in pool if len(p) >= 2 and any(p in w for w in words)), None)
            if found:
                return True, f"{label}: {found}"
        return False, "未找到地名,不能定位(仅县城中心占位) / no place of this county found: position unknown"


@lru_cache(maxsize=16)
def gazetteer(adcode: str | None) -> Gazetteer:
    """The county's names; an unknown or missing adcode gives an empty gazetteer."""
    if not adcode:
        return Gazetteer("", (), (), ())
    towns = pd.read_csv(dataset("townships").path, dtype=str, keep_default_na=False)
    members = towns[towns["adcode"].str.startswith(adcode[:2]) if adcode.endswith("0000") else towns["adcode"] == adcode]
    places = pd.read_csv(dataset("places").path, dtype=str, keep_default_na=False)
    return Gazetteer(adcode, tuple(members["name"]), tuple(places.loc[places["adcode"] == adcode, "name"]), _rivers_of(adcode))


def _rivers_of(adcode: str) -> tuple[str, ...]:
    """River names in the county's hand-made inventories (what the build draws as its rivers)."""
    docs = pd.read_csv(dataset("documents").path, dtype=str, keep_default_na=False)
    names: list[str] = []
    for key in docs.loc[docs["adcode"] == adcode, "key"]:
        path = dataset("plan_inventory").path / f"{key}.csv"
        if path.exists():
            inv = pd.read_csv(path, dtype=str, keep_default_na=False)
            names += list(inv.loc[inv["layer"] == "rivers", "name"])
    return tuple(dict.fromkeys(names))
