"""Where the rows of an import are: the CRS and datum of its coordinates (tables: inferred from the
coordinate columns of all its tables together by :func:`layers.imports.locate.infer_crs`; vector
files: the CRS they declare or the user names) and each row's position in EPSG:4490."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, cast

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from pyproj import CRS
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from geo.crs import Datum, reproject, to_wgs84
from geo.errors import CoordinateError, CRSError, OptionError
from layers.imports._validate import OUTSIDE_TOLERANCE_M, ImportProblem
from layers.imports.locate import MIN_REFERENCES, describe_crs, infer_crs
from layers.imports.table import RawTable

if TYPE_CHECKING:
    from layers.imports._match import Match
    from layers.store.workspace import Workspace


class _PartLike(Protocol):
    table: RawTable
    coords: pd.DataFrame
    matches: list[Match]


@dataclass
class Location:
    """The CRS as reported (``label``: ``EPSG:N``, ``GCJ-02``, ``BD-09``), the datum, the score (share
    of positions inside the county, None when no row has one), the reason, and per table: each row's
    position (EPSG:4490, None where unreadable), the coordinate columns' roles and their values."""

    label: str | None
    datum: str | None
    score: float | None
    reason: str
    geometry: list[list[BaseGeometry | None]]
    coord_columns: list[tuple[str, str] | None] = field(default_factory=list)
    raw: list[tuple[np.ndarray, np.ndarray] | None] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)


def locate(parts: Sequence[_PartLike], ws: Workspace, existing: gpd.GeoDataFrame, *, crs: str, datum: str,
           reference_qualities: tuple[str, ...]) -> Location:
    """Positions of every row of ``parts`` (see the module docstring)."""
    county = ws.layer("county").geometry.union_all()
    if any(p.table.geometry is not None for p in parts):
        return _vector(parts, county, crs=crs, datum=datum)
    return _table(parts, county, existing, crs=crs, datum=datum, reference_qualities=reference_qualities)


def _axes(coords: pd.DataFrame) -> tuple[str, str] | None:
    if "lon" in coords and "lat" in coords:
        return ("lon", "lat")
    if "x" in coords and "y" in coords:
        return ("x", "y")
    return None


def _table(parts: Sequence[_PartLike], county: BaseGeometry, existing: gpd.GeoDataFrame, *, crs: str, datum: str,
           reference_qualities: tuple[str, ...]) -> Location:
    axes = [_axes(p.coords) for p in parts]
    raw = [(p.coords[a[0]].to_numpy(float), p.coords[a[1]].to_numpy(float)) if a else None for p, a in zip(parts, axes, strict=True)]
    empty = [[None] * len(p.table.rows) for p in parts]
    kinds = {a for a in axes if a}
    if len(kinds) != 1:
        why = ("各工作表的坐标写法不同（经纬度与平面坐标混用）；请分别导入 / the sheets write coordinates differently "
               "(lon/lat and x/y); import them one at a time") if kinds else None
        return Location(None, None, None, "", empty, axes, raw, [ImportProblem(None, None, None, None, why)] if why else [])
    a = np.concatenate([r[0] if r else np.full(len(p.table.rows), np.nan) for p, r in zip(parts, raw, strict=True)])
    b = np.concatenate([r[1] if r else np.full(len(p.table.rows), np.nan) for p, r in zip(parts, raw, strict=True)])
    hint = crs if crs != "auto" else datum
    try:
        best = infer_crs(a, b, area=county, hint=hint, reference=_reference(parts, existing, reference_qualities))[0]
    except (CoordinateError, CRSError) as err:
        problem = ImportProblem(None, None, None, None, f"无法确定坐标系：{err} / cannot tell the CRS: {err}")
        return Location(None, None, None, "", empty, axes, raw, [problem])
    points = [Point(x, y) if np.isfinite(x) and np.isfinite(y) else None for x, y in zip(best.lon, best.lat, strict=True)]
    geometry, start = [], 0
    for p in parts:
        geometry.append(points[start:start + len(p.table.rows)])
        start += len(p.table.rows)
    return Location(best.label, best.datum, best.score, best.reason, geometry, axes, raw)


def _reference(parts: Sequence[_PartLike], existing: gpd.GeoDataFrame, qualities: tuple[str, ...]) -> dict[int, tuple[float, float]] | None:
    """Row position -> known (lon, lat) of the matched feature, for updates of features whose position
    is known (``qualities``) and a point; None when fewer than ``MIN_REFERENCES``."""
    known = existing[existing["geometry_quality"].isin(qualities) & (existing.geom_type == "Point")]
    where = dict(zip(known["fid"].astype(str), known.geometry, strict=True))
    out: dict[int, tuple[float, float]] = {}
    start = 0
    for p in parts:
        for i, m in enumerate(p.matches):
            if m.group == "update" and m.fids[0] in where:
                g = where[m.fids[0]]
                out[start + i] = (g.x, g.y)
        start += len(p.table.rows)
    return out if len(out) >= MIN_REFERENCES else None


def _vector(parts: Sequence[_PartLike], county: BaseGeometry, *, crs: str, datum: str) -> Location:
    """Vector files: reprojected from the CRS the user names, else the one the file declares."""
    declared = None if crs == "auto" else _user_crs(crs)
    geometry: list[list[BaseGeometry | None]] = []
    problems: list[ImportProblem] = []
    label, declared_datum = None, None
    for p in parts:
        src = declared or p.table.crs
        if src is None or p.table.geometry is None:
            problems.append(ImportProblem(p.table.sheet, None, None, None, "文件没有声明坐标系（如缺少 .prj）；请用 --crs 指定，如 --crs EPSG:4545 / "
                                          "the file declares no CRS (e.g. no .prj); name it with --crs, e.g. --crs EPSG:4545"))
            geometry.append([None] * len(p.table.rows))
            continue
        geoms = reproject(gpd.GeoSeries(p.table.geometry.values, crs=src), 4490)
        if datum in ("gcj02", "bd09"):
            geoms = gpd.GeoSeries(shapely.transform(geoms.values, _from_datum(datum)), crs=4490)
        named, _, declared_datum = describe_crs(CRS.from_user_input(src))
        label = {"gcj02": "GCJ-02", "bd09": "BD-09"}.get(datum) or named
        geometry.append([None if g is None or g.is_empty else g for g in geoms])
    chosen = datum if datum != "auto" else declared_datum  # KML, GeoJSON in 3857: wgs84; a GK .prj: cgcs2000
    return Location(label, chosen, _score(geometry, county), "declared by the file" if not declared else "as given",
                    geometry, [None] * len(parts), [None] * len(parts), problems)


def _from_datum(datum: str) -> Callable[[np.ndarray], np.ndarray]:
    d = cast(Datum, datum)
    return lambda xy: np.column_stack(to_wgs84(xy[:, 0], xy[:, 1], datum=d))


def _user_crs(text: str) -> CRS:
    try:
        return CRS.from_user_input(text.upper())
    except pyproj.exceptions.CRSError as err:
        raise OptionError(f"坐标系“{text}”无效；请写 EPSG 代码，如 EPSG:4545 / unknown CRS {text!r}; give an EPSG code such as EPSG:4545") from err


def _score(geometry: list[list[BaseGeometry | None]], county: BaseGeometry) -> float | None:
    geoms = [g for part in geometry for g in part if g is not None]
    if not geoms:
        return None
    zone = shapely.buffer(county, OUTSIDE_TOLERANCE_M / 100_000.0)
    return float(np.mean(shapely.intersects(zone, np.array(geoms, dtype=object))))
