"""Township boundaries (乡镇界) imported over the workspace's township list: which column names the
township and which holds its official code, which township each polygon stands for, and what the
import does to the townships the file has no polygon for.

Decisions (issue 14 item 8):

- A polygon's name is matched to the workspace's townships: the same name, else the same normalised
  name (桂溪街道 = 桂溪, full/half width, spaces; :func:`layers.imports._match.norm_name`). A matched
  polygon reuses the township's fid, so everything keyed on the township (risk zoning, coverage by
  township, the atlas, clicks) follows it, and the plan cell stays stored as superseded with its
  citation. The township keeps its workspace name, project code (``code``), kind and seat; its area is
  measured from the polygon (``area_km2``) and its name counts as confirmed. The file's own name and
  official code (a column like 乡镇代码/行政区划代码/XZQDM/code whose values are 6-15 digits) are kept in
  the row's provenance (``name_in_file``, ``official_code``).
- A name the workspace does not know is a problem of its row, with the closest known name: it is never
  added as a new township (the list comes from the plans and the gazetteer, with seats and village
  counts a boundary file does not have). Fix the name, or skip the row with ``--skip-invalid``.
- Townships the file has no polygon for are listed with a warning (and the closest unmatched name of
  the file). ``replace``: their approximate or synthetic cells are clipped by the imported polygons
  (parts under :data:`SLIVER_M2` dropped as slivers of two drawings of one line); a township nothing is
  left of is removed from the layer (listed, and recorded in the changeset). A township with an
  authoritative boundary (an earlier import) is kept as it is. ``upsert``: they keep their cells as
  they are, which may overlap the imported polygons. ``append`` is refused: it would list a township
  twice.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import shapely
from pyproj import CRS

from layers.imports import _validate as v
from layers.imports._match import Match, group_hits, norm_name
from layers.imports._validate import ImportProblem
from layers.imports.columns import EXTRA, RoleGuess
from layers.imports.table import RawTable

LAYER = "townships"
MODES = ("replace", "upsert")
CODE_HEADER = re.compile(r"(代码|编码|代$|编$|^code$|^adcode$|dm$|bm$|^gb$)")
"""Headers of an official code column, as written or cut to 10 bytes by the DBF format (行政区划代)."""
CODE_VALUE = re.compile(r"^\d{6,15}$")
NAME_HEADER = re.compile(r"(名称|名$|mc$|^name$)")
SLIVER_M2 = 10_000.0
"""A part of a clipped cell smaller than this (1 ha) is a sliver between two drawings of one line: dropped."""
WEAK = ("approximate", "synthetic")
"""Position qualities of township cells that ``replace`` clips (the Voronoi cells of the build)."""
SIMILAR = 0.5
"""A name of the file is offered for a township without a polygon only when this similar (difflib ratio)."""
KEPT = {
    "clipped": ("保留近似的泰森多边形，已扣除导入的乡镇界", "it keeps its approximate Voronoi cell, clipped by the imported boundaries"),
    "removed": ("其泰森多边形已全被导入的乡镇界覆盖，从图层中移除", "its Voronoi cell lies under the imported boundaries: it is removed from the layer"),
    "kept": ("保留现有图形", "it keeps its current shape"),
    "unchanged": ("保留原有近似的泰森多边形（可能与导入的乡镇界重叠；用 --mode replace 可扣除重叠部分）",
                  "it keeps its approximate Voronoi cell (which may overlap the imported boundaries; --mode replace clips it)"),
}
"""What became of a township the file has no polygon for (``missing_from_file[].kept``), for its warning."""
NOTE_CLIPPED = "；已扣除导入的乡镇界 / clipped by the imported township boundaries"


def _norm(text: object) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).lower()


def _cells(col: pd.Series) -> list[str]:
    return [str(c).strip() for c in col if c is not None and not pd.isna(c) and str(c).strip()]


def code_text(cell: object) -> str | None:
    """A code cell as text (``500231001000.0`` read from a numeric DBF field as ``500231001000``)."""
    if cell is None or (isinstance(cell, float) and pd.isna(cell)) or not str(cell).strip():
        return None
    return re.sub(r"\.0+$", "", unicodedata.normalize("NFKC", str(cell)).strip())


# --- column roles ---------------------------------------------------------------------------------

def _code_column(table: RawTable) -> str | None:
    for col in table.frame.columns:
        cells = [code_text(c) for c in _cells(table.frame[col])]
        if CODE_HEADER.search(_norm(col)) and cells and all(CODE_VALUE.match(c or "") for c in cells):
            return str(col)
    return None


def _name_column(table: RawTable, guesses: Sequence[RoleGuess], code: str | None) -> str | None:
    by_role = {g.role: g.column for g in guesses}
    for column in (by_role.get("name"), by_role.get("township")):
        if column is not None and column != code:
            return column
    return next((str(c) for c in table.frame.columns if str(c) != code and NAME_HEADER.search(_norm(c))), None)


def township_roles(table: RawTable, guesses: Sequence[RoleGuess]) -> tuple[list[RoleGuess], str | None]:
    """``guesses`` for a township boundary file, and its official-code column (or None).

    The code column (a header like 代码/编码/XZQDM/code, every value 6-15 digits) and any column
    guessed as 编号, township or project code are kept as extra attributes (townships are matched by
    name, and a file's ids such as ArcGIS ``Id`` say nothing about the workspace's); the name guess,
    else the township guess (乡镇名称), else a header like 名称/XZQMC, is the name."""
    code = _code_column(table)
    name = _name_column(table, guesses, code)
    out = []
    for g in guesses:
        if g.column == code:
            out.append(RoleGuess(g.column, EXTRA, f"“{g.column}”的值都是数字代码，作为官方乡镇代码保留在来源记录中（official_code）/ "
                                 f"the values of “{g.column}” are all numeric codes: kept as the official township code in the provenance"))
        elif g.column == name:
            out.append(RoleGuess(g.column, "name", f"“{g.column}”是乡镇名称，与本县乡镇名单对照 / “{g.column}” names the township; "
                                 "matched to the county's township list"))
        elif g.role in ("fid", "township", "code", "name"):
            out.append(RoleGuess(g.column, EXTRA, f"乡镇界按名称对照，“{g.column}”作为附加属性保留 / township boundaries are matched by "
                                 f"name; “{g.column}” is kept as an extra attribute"))
        else:
            out.append(g)
    return out, code


def mode_problems(mode: str) -> list[ImportProblem]:
    """The file-level problem of a mode townships cannot take."""
    if mode in MODES:
        return []
    return [ImportProblem(None, None, None, mode, "乡镇界请用 --mode replace（推荐）或 --mode upsert 导入：append 会让同一乡镇出现两次 / "
                          "township boundaries are imported with --mode replace (recommended) or --mode upsert: append would list "
                          "a township twice")]


# --- matching -------------------------------------------------------------------------------------

def match_names(names: Sequence[object], existing: gpd.GeoDataFrame, geoms: Sequence[shapely.Geometry | None]) -> list[Match]:
    """For each name of the file, the township of ``existing`` it stands for: the one with the same
    name, else those with the same normalised name; when several townships share it (三汇镇 of two
    districts in the province), the one whose seat lies in the polygon (``geoms``, EPSG:4490). Two rows
    on one township, or a shared name no seat settles, are ambiguous; no hit is an ``insert`` (an
    unknown name)."""
    fids = existing["fid"].astype(str).tolist()
    seats = dict(zip(fids, shapely.points(existing["seat_lon"].to_numpy(float), existing["seat_lat"].to_numpy(float)), strict=True))
    exact: dict[str, list[str]] = defaultdict(list)
    normed: dict[str, list[str]] = defaultdict(list)
    for fid, name in zip(fids, existing["name"].astype(str), strict=True):
        exact[name.strip()].append(fid)
        normed[norm_name(name)].append(fid)
    found = []
    for name, geom in zip(names, geoms, strict=True):
        key = norm_name(name)
        hits = (exact.get(str(name).strip()) or normed.get(key, [])) if key else []
        if len(hits) > 1 and geom is not None:
            hits = [f for f in hits if geom.contains(seats[f])] or hits
        found.append(tuple(hits))
    return group_hits(found)


def ambiguous(sheet: str | None, rows: Sequence[int], names: Sequence[object], matches: Sequence[Match],
              column: str | None) -> list[ImportProblem]:
    """A problem for each row whose township is not one alone: a name several townships share whose
    seats the polygon does not settle, or a township two rows of the file stand for."""
    rows_of: dict[str, list[int]] = defaultdict(list)
    for row, m in zip(rows, matches, strict=True):
        if len(m.fids) == 1:
            rows_of[m.fids[0]].append(row)
    out = []
    for row, name, m in zip(rows, names, matches, strict=True):
        if m.group != "ambiguous":
            continue
        if len(m.fids) == 1:
            other = next(r for r in rows_of[m.fids[0]] if r != row)
            zh = f"与第{other}行是同一乡镇的界线；删去重复的一行，或改正名称"
            en = f"row {other} is a boundary of the same township; delete one of them or correct the name"
        else:
            zh = f"：本县有 {len(m.fids)} 个乡镇叫这个名字，界线内的驻地不能确定是哪一个；请检查界线（应含其驻地）"
            en = (f"{len(m.fids)} townships of the county have this name and the seats inside the boundary do not tell which; "
                  "check the boundary (it should hold its seat)")
        out.append(ImportProblem(sheet, row, column, str(name), f"乡镇“{name}”{zh} / township {str(name)!r}: {en}"))
    return out


def unknown_names(sheet: str | None, rows: Sequence[int], names: Sequence[object], matches: Sequence[Match], column: str | None,
                  known: Sequence[str]) -> list[ImportProblem]:
    """A problem for each row whose name is no township of the workspace, naming the closest one (an
    empty name is a problem of the column's values already)."""
    index = v.township_names(known)
    out = []
    for row, name, m in zip(rows, names, matches, strict=True):
        if m.group == "insert" and norm_name(name):
            why = v.township(str(name).replace(";", " "), index)[1]
            out.append(ImportProblem(sheet, row, column, str(name), str(why)))
    return out


def closest_names(name: object, candidates: Sequence[str], *, at_least: float = 0.0) -> list[str]:
    """The candidates most like ``name`` once both are normalised (ties all listed, at most three),
    none unless their similarity (0-1) reaches ``at_least``."""
    by_norm: dict[str, str] = {}
    for c in candidates:
        by_norm.setdefault(norm_name(c), c)
    return [by_norm[n] for n in v.closest(norm_name(name), list(by_norm), at_least=at_least)]


# --- what the import does to the layer ------------------------------------------------------------------

@dataclass
class Outcome:
    """The imported polygons finished as townships, the cells clipped by them (``replace``), the
    townships removed (nothing left of their cell), the report section and the warnings."""

    features: gpd.GeoDataFrame
    adjusted: gpd.GeoDataFrame
    delete: tuple[str, ...]
    summary: dict[str, list[dict[str, object]]]
    warnings: list[ImportProblem]


def settle(features: gpd.GeoDataFrame, existing: gpd.GeoDataFrame, plan_cells: gpd.GeoDataFrame, *, mode: str, metric: CRS,
           unmatched: list[dict[str, object]], from_file: dict[tuple[str | None, int], dict[str, object]]) -> Outcome:
    """Finish the imported townships (area, name status, provenance ``name_in_file``/``official_code``
    from ``from_file`` keyed on (sheet, row)) and settle the townships the file has no polygon for
    (``plan_cells``: the build's cells by fid, clipped instead of an earlier clip's remainder)."""
    features = features.copy()
    if len(features):
        features["area_km2"] = (features.to_crs(metric).area / 1e6).round(1).to_numpy()
        features["name_status"] = "confirmed"
        features["provenance"] = [{**p, **from_file.get((p.get("sheet"), p.get("row")), {})} for p in features["provenance"]]
    got = set(features["fid"].astype(str))
    rest = existing[~existing["fid"].astype(str).isin(got)]
    adjusted, removed = _clip(rest, plan_cells, features, metric) if mode == "replace" else (_none(rest), [])
    kept = {str(f): "clipped" for f in adjusted["fid"]} | {f: "removed" for f in removed}
    default = "kept" if mode == "replace" else "unchanged"
    missing = [{"fid": str(r.fid), "name": r.name, "kept": kept.get(str(r.fid), default)} for r in rest.itertuples()]
    warnings = [_missing_warning(m, [str(u["name"]) for u in unmatched]) for m in missing]
    summary = {"unmatched_in_file": unmatched, "missing_from_file": missing}
    return Outcome(features, adjusted, tuple(removed), summary, warnings)


def _clip(rest: gpd.GeoDataFrame, plan_cells: gpd.GeoDataFrame, features: gpd.GeoDataFrame,
          metric: CRS) -> tuple[gpd.GeoDataFrame, list[str]]:
    """The weak cells of ``rest`` minus the imported polygons (from the build's cell where one is
    stored), and the fids of those nothing is left of."""
    is_weak = rest["geometry_quality"].isin(WEAK)
    weak = rest[is_weak]
    if weak.empty or features.empty:
        return _none(rest), []
    cells = weak.set_index(weak["fid"].astype(str)).geometry
    base = plan_cells.set_index(plan_cells["fid"].astype(str)).geometry if len(plan_cells) else cells.iloc[0:0]
    cells = gpd.GeoSeries([base.get(f, g) for f, g in cells.items()], index=cells.index, crs=rest.crs).to_crs(metric)
    drawn = pd.concat([features.geometry, rest[~is_weak].geometry])  # the new boundaries and those of earlier imports
    imported = shapely.union_all(drawn.to_crs(metric).to_numpy())
    touched = shapely.area(shapely.intersection(cells.to_numpy(), imported)) > 1.0  # m²: untouched cells stay as they are
    left = [_polygons(shapely.difference(g, imported)) if t else g for g, t in zip(cells, touched, strict=True)]
    out = weak.copy()
    out["geometry"] = gpd.GeoSeries(left, index=weak.index, crs=metric).to_crs(rest.crs)
    gone = [f for f, g in zip(cells.index, left, strict=True) if g is None]
    out = out[touched & pd.Series(left, index=weak.index).notna().to_numpy()]
    out["area_km2"] = (out.to_crs(metric).area / 1e6).round(1)
    out["geometry_source"] = out["geometry_source"].astype(str).str.replace(NOTE_CLIPPED, "", regex=False) + NOTE_CLIPPED
    out["provenance"] = [{"clipped_by_import": True} for _ in range(len(out))]
    return out, gone


def _none(rest: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return rest.iloc[0:0].assign(provenance=pd.Series(dtype=object))


def _polygons(g: shapely.Geometry) -> shapely.Geometry | None:
    """The polygons of ``g`` of at least :data:`SLIVER_M2` as one geometry, or None."""
    parts = [p for p in shapely.get_parts(shapely.make_valid(g)) if p.geom_type == "Polygon" and p.area >= SLIVER_M2]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)


def _missing_warning(m: dict[str, object], unmatched: list[str]) -> ImportProblem:
    name = str(m["name"])
    close = closest_names(name, unmatched, at_least=SIMILAR) if unmatched else []
    zh, en = KEPT[str(m["kept"])]
    hint_zh = "；文件中最接近的名称是" + "或".join(f"“{c}”" for c in close) + "，如是同一乡镇请改正文件中的名称" if close else ""
    hint_en = "; the closest name in the file is " + " or ".join(repr(c) for c in close) + ": if that is this township, correct it in the file" if close else ""
    return ImportProblem(None, None, None, name, f"乡镇“{name}”在文件中没有界线，{zh}{hint_zh} / township {name!r} has no boundary in the file; "
                         f"{en}{hint_en}")
