"""Collect-all validation of GeoDataFrames against field rules, geometry types and an extent."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd
from shapely.geometry.base import BaseGeometry

from geo.errors import Problem, ValidationError

_PY_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "float": (int, float),
    "bool": (bool,),
}


@dataclass(frozen=True)
class FieldRule:
    """What one attribute column must hold."""

    name: str
    dtype: str  # "str" | "int" | "float" | "bool"
    required: bool = False  # a value must be present (not null / not empty)
    choices: tuple[str, ...] = field(default=())


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and value != value:
        return True
    return isinstance(value, str) and value.strip() == ""


def _type_ok(value: object, dtype: str) -> bool:
    if dtype == "int" and isinstance(value, float):
        return value.is_integer()
    if dtype in ("int", "float") and isinstance(value, bool):
        return False
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalar
        value = value.item()
    return isinstance(value, _PY_TYPES[dtype])


def check_fields(
    df: pd.DataFrame, rules: Iterable[FieldRule], *, allow_extra: bool = False
) -> list[Problem]:
    """Problems with columns: a required one missing, extra ones (unless allowed), wrong type,
    missing value, bad choice. Optional columns may be absent."""
    rules = list(rules)
    known = {r.name for r in rules} | {"geometry"}
    problems = [
        Problem(None, r.name, f"required column is missing; add a '{r.name}' column ({r.dtype}).")
        for r in rules
        if r.required and r.name not in df.columns
    ]
    if not allow_extra:
        problems += [
            Problem(None, str(c), f"unexpected column; remove it or rename it to one of {sorted(known - {'geometry'})}.")
            for c in df.columns
            if c not in known
        ]
    for rule in (r for r in rules if r.name in df.columns):
        for row, value in enumerate(df[rule.name].tolist(), start=1):
            problems += _check_value(row, rule, value)
    return problems


def _check_value(row: int, rule: FieldRule, value: object) -> list[Problem]:
    if _is_missing(value):
        return [Problem(row, rule.name, "value is empty; fill it in.")] if rule.required else []
    if not _type_ok(value, rule.dtype):
        return [Problem(row, rule.name, f"value {value!r} is not of type {rule.dtype}.")]
    if rule.choices and value not in rule.choices:
        return [Problem(row, rule.name, f"value {value!r} is not one of {list(rule.choices)}.")]
    return []


def check_geometry(
    gdf: gpd.GeoDataFrame,
    *,
    geom_types: Iterable[str],
    extent: BaseGeometry | None = None,
    extent_name: str = "the jurisdiction",
) -> list[Problem]:
    """Problems with geometry: missing CRS, empty, invalid, wrong type, outside ``extent``.

    ``extent`` must be in the CRS of ``gdf``.
    """
    if gdf.crs is None:
        return [Problem(None, "geometry", "the data has no CRS; declare one (e.g. EPSG:4490).")]
    allowed = set(geom_types)
    problems: list[Problem] = []
    for row, geom in enumerate(gdf.geometry, start=1):
        if geom is None or geom.is_empty:
            problems.append(Problem(row, "geometry", "geometry is empty; give the feature a location."))
        elif geom.geom_type not in allowed:
            problems.append(Problem(row, "geometry", f"{geom.geom_type} is not allowed here; use {sorted(allowed)}."))
        elif not geom.is_valid:
            problems.append(Problem(row, "geometry", "geometry is invalid (self-intersection?); repair it, e.g. with make_valid."))
        elif extent is not None and not extent.intersects(geom):
            x, y = geom.representative_point().coords[0]
            problems.append(
                Problem(row, "geometry", f"lies outside {extent_name} (at {x:.5f}, {y:.5f}); "
                        "check the CRS (GCJ-02? swapped lon/lat?) or the jurisdiction.")
            )
    return problems


def check_unique(df: pd.DataFrame, column: str) -> list[Problem]:
    """One problem per row whose ``column`` value repeats an earlier row."""
    if column not in df.columns:
        return []
    seen: dict[object, int] = {}
    problems = []
    for row, value in enumerate(df[column].tolist(), start=1):
        if value in seen:
            problems.append(Problem(row, column, f"duplicate id {value!r} (first at row {seen[value]}); ids must be unique."))
        else:
            seen[value] = row
    return problems


def raise_if_problems(source: str, problems: list[Problem]) -> None:
    """Raise one :class:`ValidationError` carrying all ``problems`` (no-op if there are none)."""
    if problems:
        raise ValidationError(source, problems)


def validate_frame(
    gdf: gpd.GeoDataFrame,
    *,
    source: str,
    rules: Mapping[str, FieldRule] | Iterable[FieldRule],
    geom_types: Iterable[str],
    id_field: str | None = None,
    extent: BaseGeometry | None = None,
    allow_extra: bool = False,
) -> None:
    """Validate everything and raise one error listing every problem found."""
    rule_list = list(rules.values()) if isinstance(rules, Mapping) else list(rules)
    problems = check_fields(gdf, rule_list, allow_extra=allow_extra)
    problems += check_geometry(gdf, geom_types=geom_types, extent=extent)
    if id_field:
        problems += check_unique(gdf, id_field)
    raise_if_problems(source, problems)


class MarkupWarning(UserWarning):
    """A text value looks like HTML markup: it is stored as written and always shown as text."""


_MARKUP = re.compile(r"</?[A-Za-z!][^<>]*>|&#?\w+;")


def check_markup(df: pd.DataFrame, columns: Iterable[str] | None = None) -> list[Problem]:
    """One problem per text value that contains markup (``<img ...>``, ``</b>``, ``&lt;``): not an
    error, since the value is kept and shown escaped, but worth a look (a name is rarely meant so)."""
    cols = [c for c in (columns if columns is not None else df.columns) if c in df.columns and c != "geometry"]
    problems = []
    for col in cols:
        for row, value in enumerate(df[col].tolist(), start=1):
            if isinstance(value, str) and _MARKUP.search(value):
                problems.append(Problem(row, str(col), f"value {value!r} contains markup; it is kept as written and shown as text, "
                                                         "never run: check that this is the intended name."))
    return problems
