"""Checks of an import row by row, after its values are typed and its positions brought to EPSG:4490:
outside the county (with the distance), lon/lat written the other way round, duplicates in the file,
townships the workspace does not know (with the closest name), required fields, invalid geometry.
Every problem names the sheet, the row as the user sees it, the column and the value, and says what
to change, in Chinese then English."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from layers.catalog.specs import LayerSpec
from layers.imports._match import norm_name
from layers.imports.columns import REGION_LAT, REGION_LON

OUTSIDE_TOLERANCE_M = 100.0
"""A position this close outside the boundary is accepted (the boundary itself is drawn to ~100 m)."""


@dataclass(frozen=True)
class ImportProblem:
    """One problem of an import: ``sheet`` (None for files without sheets), ``row`` as the user sees
    it (None when the whole file is concerned), ``field`` (the column of the file), ``value`` as
    written, and ``message`` in Chinese then English, saying how to fix it."""

    sheet: str | None
    row: int | None
    field: str | None
    value: str | None
    message: str

    def as_dict(self) -> dict[str, object]:
        return {"sheet": self.sheet, "row": self.row, "field": self.field, "value": self.value, "message": self.message}


@dataclass
class Rows:
    """What the checks see of one table: the user's row numbers and the sheet, the rows' positions
    (EPSG:4490; None where unreadable), and the raw coordinate columns as read (lon/lat or x/y)."""

    sheet: str | None
    rows: list[int]
    geometry: list[BaseGeometry | None]
    coord_columns: tuple[str, str] | None = None
    raw: tuple[np.ndarray, np.ndarray] | None = None


def outside(rows: Rows, county: BaseGeometry, metric: CRS, *, skip: set[int] | frozenset[int] = frozenset()) -> list[ImportProblem]:
    """A problem for each position farther than ``OUTSIDE_TOLERANCE_M`` outside ``county``
    (EPSG:4490), with its distance in metres measured in ``metric``; rows in ``skip`` (already named,
    e.g. lon/lat swapped: their point is off the earth in a metric CRS) are not measured."""
    geoms = gpd.GeoSeries(rows.geometry, crs=4490)
    have = geoms.notna() & ~geoms.is_empty & ~pd.Series([r in skip for r in rows.rows], index=geoms.index)
    if not have.any():
        return []
    area = gpd.GeoSeries([county], crs=4490).to_crs(metric).iloc[0]
    dist = geoms[have].to_crs(metric).distance(area)
    field = "/".join(rows.coord_columns) if rows.coord_columns else "geometry"
    out = []
    for i, d in dist.items():
        if d > OUTSIDE_TOLERANCE_M:
            g = rows.geometry[int(i)]
            value = f"{g.x:.6f}, {g.y:.6f}" if g is not None and g.geom_type == "Point" else None
            out.append(ImportProblem(rows.sheet, rows.rows[int(i)], field, value,
                                     f"位置在县界外 {d:.0f} 米；请核对坐标（度分秒、经纬度顺序、坐标系）/ the position lies {d:.0f} m "
                                     "outside the county boundary; check the coordinates (degrees-minutes-seconds, lon/lat order, CRS)"))
    return out


def swapped(rows: Rows) -> list[ImportProblem]:
    """A problem for each row whose longitude holds a latitude of the region and its latitude a
    longitude (the two cells of that row written the other way round)."""
    if rows.raw is None or rows.coord_columns is None:
        return []
    lon, lat = rows.raw
    flip = (lon > REGION_LAT[0]) & (lon < REGION_LAT[1]) & (lat > REGION_LON[0]) & (lat < REGION_LON[1])
    return [ImportProblem(rows.sheet, rows.rows[i], "/".join(rows.coord_columns), f"{lon[i]:g}, {lat[i]:g}",
                          "经度与纬度写反了（经度应约为 97–111，纬度约为 21–35）；请对调这两格 / longitude and latitude are "
                          "swapped in this row (longitude about 97-111, latitude about 21-35); swap the two cells")
            for i in np.flatnonzero(flip)]


def duplicates(sheets: Sequence[str | None], rows: Sequence[int], fids: Sequence[object], names: Sequence[object],
               towns: Sequence[object], *, fid_column: str | None, name_column: str | None,
               notes: list[ImportProblem] | None = None) -> list[ImportProblem]:
    """A problem for each row repeating an earlier row's 编号, or its name in the same township. Two rows
    with one name in one township but each with its own 编号 are two features (two shelters called
    应急避难场所 in one town): a note in ``notes`` (the import goes ahead), not a problem."""
    seen_fid: dict[str, int] = {}
    seen_name: dict[tuple[str, str], tuple[int, bool]] = {}
    out = []
    for sheet, row, fid, name, town in zip(sheets, rows, fids, names, towns, strict=True):
        if fid is not None and str(fid) in seen_fid:
            out.append(ImportProblem(sheet, row, fid_column, str(fid), f"编号“{fid}”与第{seen_fid[str(fid)]}行重复；每个编号只能出现一次 / "
                                     f"ID {fid!r} repeats row {seen_fid[str(fid)]}; give each feature its own ID"))
            continue
        key = (norm_name(name), norm_name(town))
        if key[0] and key in seen_name:
            first, had_id = seen_name[key]
            if fid is not None and had_id and notes is not None:
                notes.append(ImportProblem(sheet, row, name_column, str(name),
                                           f"“{name}”与第{first}行重名（同一乡镇），编号不同，按两个要素导入；若是同一处，请删去一行 / "
                                           f"{str(name)!r} has the name of row {first} in the same township but its own ID: imported "
                                           "as two features; if they are one place, delete one row"))
            else:
                out.append(ImportProblem(sheet, row, name_column, str(name), f"“{name}”与第{first}行重名（同一乡镇）；删去重复行或改名 / "
                                         f"{str(name)!r} repeats row {first} in the same township; delete the repeated row or rename it"))
                continue
        if fid is not None:
            seen_fid[str(fid)] = row
        if key[0] and key not in seen_name:
            seen_name[key] = (row, fid is not None)
    return out


def township_names(known: Sequence[str]) -> dict[str, str]:
    """Each township of the workspace by its normalised name (桂溪街道 and 桂溪 alike) onto its full name."""
    return {norm_name(n): n for n in known}


def township(value: str | None, known: dict[str, str]) -> tuple[str | None, str | None]:
    """(the workspace's name of ``value``, None) or (None, the message with the closest known name)."""
    if value is None:
        return None, None
    parts = [p for p in (s.strip() for s in str(value).replace("；", ";").split(";")) if p]
    names = [known.get(norm_name(p)) for p in parts]
    if parts and all(names):
        return ";".join(n for n in names if n), None
    bad = next(p for p, n in zip(parts, names, strict=True) if not n)
    close = closest(norm_name(bad), list(known))
    hint_zh = "或".join(f"“{known[c]}”" for c in close)
    hint_en = " or ".join(repr(known[c]) for c in close)
    zh = f"；最接近的是{hint_zh}，请改正" if close else ""
    en = f"; the closest is {hint_en}: write that" if close else ""
    return None, f"乡镇“{bad}”不在本县的乡镇名单中{zh} / township {bad!r} is not one of the county's townships{en}"


def closest(word: str, names: Sequence[str], *, most: int = 3, at_least: float = 0.0) -> list[str]:
    """The names most like ``word`` (all those tied for the best similarity, at most ``most``; none
    when the best similarity is 0 or under ``at_least``)."""
    scores = {n: difflib.SequenceMatcher(None, word, n).ratio() for n in names}
    best = max(scores.values(), default=0.0)
    return [n for n in names if best > 0 and best >= at_least and scores[n] == best][:most]


def missing_required(spec: LayerSpec, present: set[str], defaults: dict[str, object]) -> list[ImportProblem]:
    """A file-level problem for each required field of ``spec`` that no column holds and no default fills."""
    out = []
    for f in spec.fields:
        if f.required and f.name not in present and f.name not in defaults and f.name != "fid":
            out.append(ImportProblem(None, None, f.name, None, f"必填字段“{f.zh}”({f.name})在文件中没有对应的列；请加一列“{f.zh}”，或用 "
                                     f"--columns 列名={f.name} 指定 / the required field {f.name} ({f.en}) has no column; add a "
                                     f"“{f.zh}” column or name one with --columns SRC={f.name}"))
    return out


def geometry(spec: LayerSpec, sheet: str | None, rows: Sequence[int], geoms: Sequence[BaseGeometry | None]) -> list[ImportProblem]:
    """A problem for each geometry that is invalid after reprojection or of a type the layer does not take."""
    out = []
    for row, g in zip(rows, geoms, strict=True):
        if g is None or g.is_empty:
            continue
        if g.geom_type not in spec.geom_types:
            out.append(ImportProblem(sheet, row, "geometry", g.geom_type, f"图层“{spec.zh}”不接受{g.geom_type}；可用：{'、'.join(spec.geom_types)} / "
                                     f"layer {spec.id} takes {list(spec.geom_types)}, not {g.geom_type}"))
        elif not shapely.is_valid(g):
            why = shapely.is_valid_reason(g)
            out.append(ImportProblem(sheet, row, "geometry", why, f"几何图形无效（{why}）；请在 GIS 软件中修复（如 QGIS“修复几何”）/ invalid "
                                     f"geometry ({why}); repair it in a GIS (e.g. QGIS Fix geometries)"))
    return out


def empty_required(spec: LayerSpec, sheet: str | None, rows: Sequence[int], attrs: pd.DataFrame,
                   columns: dict[str, str]) -> list[ImportProblem]:
    """A problem for each empty cell of a required number field (text fields are checked when typed)."""
    out = []
    for f in spec.fields:
        if f.required and f.dtype != "str" and f.name in attrs and f.name in columns:
            for row, v in zip(rows, attrs[f.name], strict=True):
                if v is None or pd.isna(v):
                    out.append(ImportProblem(sheet, row, columns[f.name], None, f"{f.zh}为空，请填写 / {f.en} is empty; fill it in"))
    return out
