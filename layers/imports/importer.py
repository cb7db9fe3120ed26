"""Bring a bureau's file into a workspace layer: :func:`plan_import` reads, interprets and checks it
and says what a commit would write (nothing is written); :func:`commit_import` writes that plan as
one changeset. The page 数据导入 and ``python -m layers import`` both go through these two.

Decisions:

- Imported positions are ``authoritative``: a ledger's surveyed or recorded coordinates are the
  bureau's own record of where a thing is, better than any position placed from plan text.
- ``append`` adds (a fid already in the layer is a problem); ``upsert`` matches each row to an
  existing feature by 编号, else by normalised name and township (:mod:`layers.imports._match`): an
  update reuses the feature's fid, so an updated plan item is superseded (its citation stays in the
  superseded record and in the new row's provenance); ``replace`` hides the plan-derived
  approximate/synthetic/demo features of the kinds the file holds and adds the imported ones.
- An upsert row matched to a feature takes the fields the file has no column for (kind, name, ...)
  from that feature (a 编号 + lon/lat file moves features); only the rows to insert are asked for them,
  each with its row. Rows are matched before their values are read for that reason.
- Without a kind column, the kind guessed for an upsert's matched row (from its name, or a hazard
  ledger's ``hazard_site``) never replaces its feature's; only a kind column (or ``--columns``) changes it.
- ``matches`` in the report lists the rows of each group (``{"sheet", "row", "name", "fids"}``);
  ambiguous rows are never written and are listed in ``skipped`` too.
- ``skipped`` lists ``{"sheet", "row"}`` of every row read but not written. A problem blocks the
  commit unless ``skip_invalid``; a problem of the whole file (no row) blocks it always.
- Columns of the file that are no field of the layer are kept in each row's provenance
  (``attributes``), never dropped.
- Township boundaries (layer ``townships``) are matched to the workspace's township list by name and
  replace its Voronoi cells; ``replace`` clips the cells the file has no polygon for, ``upsert`` leaves
  them, ``append`` is refused (:mod:`layers.imports._townships` says why). The report adds
  ``townships`` (``unmatched_in_file``: rows whose name is no township, with the closest names;
  ``missing_from_file``: townships without a polygon and what became of their cell) and ``warnings``
  (``{"sheet", "row", "field", "value", "message"}`` like problems, but a commit goes ahead).
- A commit recomputes the township risk from the layers as they are after it and stores it in the
  same revision (with the classification scheme stored before), so risk zoning, the atlas and clicks
  follow the import at once; the density surface is rewritten when hazard points were imported.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry.base import BaseGeometry

from geo.errors import CoordinateError, CRSError, OptionError, Problem, ValidationError
from geo.tables import xlsx_bytes
from layers.accounts import guard
from layers.analysis.riskstore import RISK_INPUTS, risk_derived
from layers.catalog.specs import LayerSpec, get_spec
from layers.imports import _townships as tw
from layers.imports import _validate as v
from layers.imports._locate import Location, locate
from layers.imports._match import Match, match_rows, replaceable
from layers.imports._validate import ImportProblem
from layers.imports.columns import EXTRA, RoleGuess, apply_overrides, cell_texts, guess_roles, table_values
from layers.imports.locate import Candidate, infer_crs
from layers.imports.read import read_source
from layers.imports.table import RawTable
from layers.store.kde import kde_output
from layers.store.workspace import UserChange, Workspace, conform

__all__ = ["MODES", "ImportPlan", "ImportProblem", "commit_import", "crs_candidates", "plan_import", "problems_xlsx"]

MODES = ("append", "upsert", "replace")
DATUMS = ("auto", "wgs84", "cgcs2000", "gcj02", "bd09")
IMPORTED_QUALITY = "authoritative"
DEFAULTS: dict[str, object] = {"status": "unknown", "plan_count": 1}
"""Required plan fields a ledger has no column for: an imported feature is one item of unknown status."""
KNOWN_QUALITIES = ("authoritative", "gazetteer")
"""Matched features whose positions may serve as reference points to decide the datum."""


@dataclass
class _Part:
    """One table of the file with its column roles, typed values and the problems found in it."""

    table: RawTable
    columns: dict[str, str]  # role/field -> column of the file
    attrs: pd.DataFrame
    coords: pd.DataFrame
    problems: list[ImportProblem]
    matches: list[Match] = field(default_factory=list)
    guesses: list[RoleGuess] = field(default_factory=list)
    code_column: str | None = None  # a township boundary file's official code
    file_names: list[object] = field(default_factory=list)  # a township boundary file's names as written


@dataclass
class ImportPlan:
    """What an import would write, and why not when it cannot. Made by :func:`plan_import`."""

    ws: Workspace
    layer: str
    mode: str
    file: str
    sha256: str
    rows_read: int
    features: gpd.GeoDataFrame
    delete: tuple[str, ...]
    problems: list[ImportProblem]
    skipped: list[dict[str, object]]
    matches: dict[str, list[dict[str, object]]]
    location: Location
    encoding: str | None
    base_revision: int
    skip_invalid: bool
    changeset: int | None = None
    revision: int | None = None
    roles: list[tuple[str | None, list[RoleGuess]]] = field(default_factory=list)
    """Per table of the file: its sheet and the column roles used (guesses, overrides applied), with reasons."""
    hint: str = "auto"
    """The CRS or datum the user named (``crs`` unless auto, else ``datum``)."""
    adjusted: gpd.GeoDataFrame | None = None
    """Features the import changes besides its rows (township cells clipped by imported boundaries)."""
    warnings: list[ImportProblem] = field(default_factory=list)
    """What the user should know but that does not block the commit."""
    townships: dict[str, list[dict[str, object]]] | None = None
    """Township boundaries only: names of the file not in the list, townships the file has no polygon for."""

    @property
    def committable(self) -> bool:
        """Whether :func:`commit_import` would write: no problem of the whole file, none at all unless
        ``skip_invalid``, and something to write."""
        if any(p.row is None for p in self.problems) or (self.problems and not self.skip_invalid):
            return False
        return bool(len(self.features) or self.delete or (self.adjusted is not None and len(self.adjusted)))

    def report(self) -> dict[str, object]:
        """The JSON report (keys fixed by issue 14)."""
        return {"layer": self.layer, "mode": self.mode, "rows_read": self.rows_read, "features": len(self.features),
                "skipped": self.skipped, "problems": [p.as_dict() for p in self.problems], "encoding": self.encoding,
                "crs": self.location.label, "datum": self.location.datum,
                "crs_score": None if self.location.score is None else round(self.location.score, 4),
                "matches": self.matches, "changeset": self.changeset, "revision": self.revision,
                "warnings": [w.as_dict() for w in self.warnings], "townships": self.townships}


def plan_import(ws: Workspace, path: Path, *, layer: str, name: str | None = None, sheet: str | None = None,
                mode: str = "append", columns: str | None = None, crs: str = "auto", datum: str = "auto",
                encoding: str = "auto", skip_invalid: bool = False) -> ImportPlan:
    """Read ``path`` as layer ``layer`` of ``ws`` and check it; nothing is written.

    Parameters
    ----------
    name : the file name as the user knows it (messages, provenance); default ``path.name``.
    sheet : a sheet name, ``"all"``, or None (see :func:`layers.imports.read.read_source`).
    mode : ``append``, ``upsert`` or ``replace`` (see the module docstring).
    columns : ``--columns`` overrides, ``"SRC=FIELD,SRC2=FIELD2"``.
    crs : ``"auto"`` or ``"EPSG:N"``: the CRS of the coordinates (a vector file's declared CRS otherwise).
    datum : ``"auto"`` or one of wgs84, cgcs2000, gcj02, bd09 for lon/lat.
    encoding : ``"auto"`` or a codec (CSV, shapefile attributes).
    skip_invalid : write the rows without problems and list the others in ``skipped``.
    """
    _check_options(mode, datum)
    spec = get_spec(layer)
    existing = ws.layer(layer)
    base = ws.revision
    tables = read_source(Path(path), name=name, sheet=sheet, encoding=encoding)
    towns = spec.id == tw.LAYER
    # township boundaries are matched once placed (a name two townships share is settled by the seat)
    parts = [_part(t, layer, columns, existing if mode == "upsert" and not towns else None) for t in tables]
    loc = locate(parts, ws, existing, crs=crs, datum=datum, reference_qualities=KNOWN_QUALITIES)
    for k, p in enumerate(parts if towns else []):
        p.matches = _match_townships(p, existing, loc.geometry[k])
    present = _present(parts) | ({f.name for f in spec.fields if f.name != "name"} if towns else set())  # the rest from the list
    problems = [*loc.problems, *_missing_required(spec, [] if towns else parts, present), *(tw.mode_problems(mode) if towns else [])]
    notes: list[ImportProblem] = []
    for k, p in enumerate(parts):
        problems += p.problems + _row_checks(ws, spec.id, p, k, loc, notes)
    if mode in ("append", "replace") and not towns:
        problems += _fid_taken(parts, existing)
    bad = {(p.sheet, p.row) for p in problems if p.row is not None}
    features, skipped, matches = _features(layer, parts, loc, existing, bad)
    delete = _replaced(ws, layer, existing, features) if mode == "replace" and not towns else ()
    t0 = tables[0]
    plan = ImportPlan(ws, layer, mode, t0.file, t0.sha256, sum(len(p.table.rows) for p in parts), features, delete,
                      _ordered(problems, parts), skipped, matches, loc, t0.encoding, base, skip_invalid,
                      roles=[(p.table.sheet, p.guesses) for p in parts], hint=crs if crs != "auto" else datum, warnings=notes)
    return _settle_townships(plan, parts) if towns else plan


def _missing_required(spec: LayerSpec, parts: list[_Part], present: set[str]) -> list[ImportProblem]:
    """Required fields no column holds and no default fills (:func:`v.missing_required`): problems of the
    whole file; when the upsert of ``parts`` matched rows, whose features have these fields, problems of
    the rows to insert."""
    found = v.missing_required(spec, present, DEFAULTS)
    if not any(m.group != "insert" for p in parts for m in p.matches):
        return found
    return [replace(q, sheet=p.table.sheet, row=row) for q in found for p in parts
            for row, m in zip(p.table.rows, p.matches, strict=True) if m.group == "insert"]


def _match_townships(p: _Part, existing: gpd.GeoDataFrame, geoms: list[BaseGeometry | None]) -> list[Match]:
    """Each boundary's township (:func:`tw.match_names`); a matched row takes the workspace's name."""
    names = p.attrs["name"].tolist() if "name" in p.attrs else [None] * len(p.table.rows)
    found = tw.match_names(names, existing, geoms)
    full = dict(zip(existing["fid"].astype(str), existing["name"], strict=True))
    p.attrs["name"] = pd.Series([full[m.fids[0]] if m.group == "update" else n for m, n in zip(found, names, strict=True)], dtype=object)
    p.file_names = names
    return found


def _settle_townships(plan: ImportPlan, parts: list[_Part]) -> ImportPlan:
    """The imported township boundaries finished and the townships without one settled (:func:`tw.settle`)."""
    ws, existing = plan.ws, plan.ws.layer(tw.LAYER)
    known = existing["name"].astype(str).tolist()
    bad = {(q.sheet, q.row) for q in plan.problems}
    unmatched, from_file = [], {}
    for p in parts:
        t = p.table
        for i, (row, m, name) in enumerate(zip(t.rows, p.matches, p.file_names, strict=True)):
            code = tw.code_text(t.frame[p.code_column].iloc[i]) if p.code_column in t.frame else None
            from_file[(t.sheet, row)] = {"name_in_file": name, "official_code": code}
            if m.group == "insert" and (t.sheet, row) in bad:
                unmatched.append({"sheet": t.sheet, "row": row, "name": name, "official_code": code,
                                  "closest": tw.closest_names(name, known)})
    out = tw.settle(plan.features, existing, ws.superseded(tw.LAYER), mode=plan.mode, metric=ws.metric_crs,
                    unmatched=unmatched, from_file=from_file)
    plan.features, plan.adjusted, plan.delete = out.features, out.adjusted, out.delete
    plan.townships, plan.warnings = out.summary, plan.warnings + out.warnings
    return plan


def _check_options(mode: str, datum: str) -> None:
    if mode not in MODES:
        raise OptionError(f"导入方式“{mode}”无效；可用：{'、'.join(MODES)} / unknown mode {mode!r}; use one of {list(MODES)}")
    if datum not in DATUMS:
        raise OptionError(f"基准“{datum}”无效；可用：{'、'.join(DATUMS)} / unknown datum {datum!r}; use one of {list(DATUMS)}")


def _part(t: RawTable, layer: str, columns: str | None, existing: gpd.GeoDataFrame | None) -> _Part:
    """One table read: its rows matched to the ``existing`` features of an upsert (None: every row is an
    insert) first, so that a matched row is not asked for a field its feature has and the file lacks."""
    roles, code = guess_roles(t, layer), None
    if layer == tw.LAYER:
        roles, code = tw.township_roles(t, roles)
    if columns:
        roles = apply_overrides(roles, columns, layer=layer)
    by_role = {g.role: g.column for g in roles if g.role != EXTRA}
    matches = match_rows(_cell_keys(t, by_role), existing) if existing is not None else [Match("insert")] * len(t.rows)
    attrs, coords, found = table_values(t, roles, layer, matched=[m.group != "insert" for m in matches])
    problems = [_problem(t, p) for p in found]
    # an empty 编号 is no problem: the row gets a generated one (imp-<sha8>-<row>)
    problems = [p for p in problems if not (p.field is not None and p.field == by_role.get("fid") and p.value is None)]
    code = code if code is not None and not any(g.column == code and g.role != EXTRA for g in roles) else None
    return _Part(t, by_role, attrs, coords, problems, matches=matches, guesses=list(roles), code_column=code)


def _cell_keys(t: RawTable, by_role: dict[str, str]) -> pd.DataFrame:
    """Each row's 编号, name and township as written, what an upsert matches (as :func:`_keys` has them)."""
    return pd.DataFrame({k: cell_texts(t, by_role[k]) if k in by_role else [None] * len(t.rows) for k in ("fid", "name", "township")})


def _problem(t: RawTable, p: Problem) -> ImportProblem:
    """A problem of :mod:`layers.imports.columns` with its sheet and the cell(s) as written."""
    value = None
    if p.row is not None and p.field is not None:
        i = t.rows.index(p.row)
        cells = [t.frame.iloc[i][c] for c in p.field.split("/") if c in t.frame.columns]
        value = " ".join(str(c) for c in cells if c is not None and not pd.isna(c)) or None
    return ImportProblem(t.sheet, p.row, p.field, value, p.message)


def _keys(p: _Part) -> pd.DataFrame:
    n = len(p.table.rows)
    col = {k: p.attrs[k] if k in p.attrs else pd.Series([None] * n) for k in ("fid", "name", "township")}
    return pd.DataFrame({k: s.astype(object).where(s.notna(), None).tolist() for k, s in col.items()})


def _present(parts: list[_Part]) -> set[str]:
    present = {c for p in parts for c in p.attrs.columns} | {"fid"}
    if any(p.table.geometry is not None or len(p.coords.columns) for p in parts):
        present.add("geometry")
    return present | {"source_doc", "source_section", "geometry_quality", "geometry_source"}


def _row_checks(ws: Workspace, layer: str, p: _Part, k: int, loc: Location, notes: list[ImportProblem]) -> list[ImportProblem]:
    t, spec, geoms = p.table, get_spec(layer), loc.geometry[k]
    axes = loc.coord_columns[k]
    named = (_axis_column(p, axes[0]), _axis_column(p, axes[1])) if axes else None
    rows = v.Rows(t.sheet, t.rows, geoms, named, loc.raw[k] if axes == ("lon", "lat") else None)
    swapped = v.swapped(rows)
    flipped = {q.row for q in swapped}
    out = swapped + v.outside(rows, ws.layer("county").geometry.union_all(), ws.metric_crs, skip=flipped)
    out += v.geometry(spec, t.sheet, t.rows, geoms) + v.empty_required(spec, t.sheet, t.rows, p.attrs, p.columns)
    if layer == tw.LAYER:  # boundaries: a name matched to no township, or not to one alone
        known = ws.layer(tw.LAYER)["name"].astype(str).tolist()
        return out + tw.unknown_names(t.sheet, t.rows, p.file_names, p.matches, p.columns.get("name"), known) + \
            tw.ambiguous(t.sheet, t.rows, p.file_names, p.matches, p.columns.get("name"))
    keys = _keys(p)
    out += v.duplicates([t.sheet] * len(t.rows), t.rows, keys["fid"], keys["name"], keys["township"],
                        fid_column=p.columns.get("fid"), name_column=p.columns.get("name"), notes=notes)
    if "township" in p.attrs and "townships" in ws.frames():
        out += _townships(ws, p)
    return out


def _axis_column(p: _Part, axis: str) -> str:
    return p.columns.get(axis) or "/".join(p.columns[f"{axis}_{x}"] for x in "dms" if f"{axis}_{x}" in p.columns) or axis


def _townships(ws: Workspace, p: _Part) -> list[ImportProblem]:
    """Township names onto the workspace's (written in place); a problem for each unknown one."""
    known = v.township_names(ws.layer("townships")["name"].astype(str).tolist())
    out, names = [], []
    for row, value in zip(p.table.rows, p.attrs["township"], strict=True):
        full, why = v.township(value, known)
        names.append(full if full else value)
        if why:
            out.append(ImportProblem(p.table.sheet, row, p.columns.get("township"), value, why))
    p.attrs["township"] = pd.Series(names, dtype=object)
    return out


def _fid_taken(parts: list[_Part], existing: gpd.GeoDataFrame) -> list[ImportProblem]:
    taken = set(existing["fid"].astype(str))
    out = []
    for p in parts:
        for row, fid in zip(p.table.rows, _keys(p)["fid"], strict=True):
            if fid is not None and str(fid) in taken:
                out.append(ImportProblem(p.table.sheet, row, p.columns.get("fid"), str(fid),
                                         f"编号“{fid}”已在图层中；要更新它请用 --mode upsert，否则请改编号 / ID {fid!r} is already in the "
                                         "layer; use --mode upsert to update it, or change the ID"))
    return out


def _ordered(problems: list[ImportProblem], parts: list[_Part]) -> list[ImportProblem]:
    """File-level problems first, then by sheet (in file order) and row."""
    order = {p.table.sheet: i for i, p in enumerate(parts)}
    return sorted(problems, key=lambda q: (q.row is not None, order.get(q.sheet, -1), q.row or 0))


# --- features ----------------------------------------------------------------------------------------

def _features(layer: str, parts: list[_Part], loc: Location, existing: gpd.GeoDataFrame,
              bad: set[tuple[str | None, int]]) -> tuple[gpd.GeoDataFrame, list[dict[str, object]], dict[str, list[dict[str, object]]]]:
    """The rows to write (spec columns, ``provenance``), the rows skipped, and the match groups."""
    spec = get_spec(layer)
    by_fid = existing.set_index(existing["fid"].astype(str))
    records: list[dict[str, object]] = []
    skipped: list[dict[str, object]] = []
    matches: dict[str, list[dict[str, object]]] = {"update": [], "insert": [], "ambiguous": []}
    multi = len(parts) > 1
    for k, (p, geoms) in enumerate(zip(parts, loc.geometry, strict=True)):
        t = p.table
        cells = p.attrs.to_dict("records")  # one dict per row: reading cell by cell costs seconds on 20,000 rows
        for i, (row, m, geom) in enumerate(zip(t.rows, p.matches, geoms, strict=True)):
            name = cells[i].get("name")
            matches[m.group].append({"sheet": t.sheet, "row": row, "name": name, "fids": list(m.fids)})
            if m.group == "ambiguous" or (t.sheet, row) in bad:
                skipped.append({"sheet": t.sheet, "row": row})
                continue
            fid = m.fids[0] if m.group == "update" else _fid(cells[i].get("fid"), i, t, k if multi else None)
            old = by_fid.loc[fid] if m.group == "update" else None
            records.append(_record(spec.id, p, i, cells[i], fid, geom, old, loc))
    frame = gpd.GeoDataFrame(records, geometry="geometry", crs=4490) if records else \
        gpd.GeoDataFrame({"fid": [], "provenance": []}, geometry=gpd.GeoSeries([], crs=4490), crs=4490)
    features = conform(spec.id, frame)
    features["provenance"] = frame["provenance"].tolist()
    return features, skipped, matches


def _fid(given: object, i: int, t: RawTable, sheet_index: int | None) -> str:
    """The row's 编号 as given (its cell of ``fid``; None without that column), else one made from the file and row."""
    if given is not None and not pd.isna(given) and str(given).strip():
        return str(given).strip()
    stem = f"imp-{t.sha256[:8]}" + (f"-{sheet_index + 1}" if sheet_index else "")
    return f"{stem}-{t.rows[i]}"


def _where(t: RawTable, row: int) -> str:
    unit = "个要素" if t.geometry is not None else "行"
    return f"{t.sheet + ' ' if t.sheet else ''}第{row}{unit}"


def _record(layer: str, p: _Part, i: int, cells: dict[str, object], fid: str, geom: BaseGeometry | None, old: pd.Series | None,
            loc: Location) -> dict[str, object]:
    """One feature: the matched feature's attributes (update), the file's values over them, the
    defaults for required plan fields, the import's provenance fields and the row's provenance.
    A matched feature the file leaves where it is keeps its position class: a download of a
    synthetic point imported back is still synthetic, not a surveyed position."""
    spec, t = get_spec(layer), p.table
    names = {f.name for f in spec.fields}
    rec: dict[str, object] = {k: old[k] for k in names if k in old.index} if old is not None else {
        k: d for k, d in DEFAULTS.items() if k in names}
    for col, value in cells.items():
        if col in names and value is not None and not (np.isscalar(value) and pd.isna(value)):
            rec[col] = value
    where = _where(t, t.rows[i])
    rec.update(fid=fid, geometry=geom, source_doc=t.file, source_section=where)
    if not _same_place(old, geom):
        rec.update(geometry_quality=IMPORTED_QUALITY, geometry_source=f"导入自 {t.file} {where}（{loc.label}，{loc.datum}）")
    extra = {c: x for c, x in cells.items() if c not in names and x is not None}
    prov: dict[str, object] = {"file": t.file, "sha256": t.sha256, "sheet": t.sheet, "row": t.rows[i], "encoding": t.encoding,
                               "crs": loc.label, "datum": loc.datum, "attributes": {str(k): _plain(x) for k, x in extra.items()}}
    if old is not None:
        prov["updated"] = {"fid": fid, "source_doc": old.get("source_doc"), "source_section": old.get("source_section"),
                           "geometry_quality": old.get("geometry_quality")}
    rec["provenance"] = prov
    return rec


def _same_place(old: pd.Series | None, geom: BaseGeometry | None) -> bool:
    """Whether ``geom`` is where the matched feature ``old`` already is (within 1e-7°, about 1 cm)."""
    was = None if old is None else old.get("geometry")
    return was is not None and geom is not None and not was.is_empty and geom.equals_exact(was, 1e-7)


def _plain(x: object) -> object:
    return x.item() if isinstance(x, np.generic) else x


def _replaced(ws: Workspace, layer: str, existing: gpd.GeoDataFrame, features: gpd.GeoDataFrame) -> tuple[str, ...]:
    user = ws.user_features(layer)
    user_fids = set(user["fid"].astype(str)) if len(user) else set()
    kinds = set(features["kind"].dropna()) if "kind" in features else set()
    written = set(features["fid"].astype(str))
    return tuple(f for f in replaceable(existing, user_fids, kinds) if f not in written)


# --- commit and outputs ----------------------------------------------------------------------------------

def commit_import(plan: ImportPlan, *, user: str, reason: str | None = None) -> dict[str, object]:
    """Write ``plan`` as one changeset (atomic, from the revision the plan was made at: a change in
    between that touches the same features is refused with ``ConflictError``); returns the report
    with ``changeset`` and ``revision``. A plan that cannot commit raises ``ValidationError``."""
    if not plan.committable:
        raise ValidationError(plan.file, _refusal(plan))
    now = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    written = _written(plan)
    written["provenance"] = [{**prov, "user": user, "time": now} for prov in written["provenance"]]
    change = UserChange(plan.layer, upsert=written if len(written) else None, delete=plan.delete)
    ws = plan.ws
    guard.require_change(ws, [change], user=user)  # with accounts on: every feature in the user's scope
    with kde_output(ws.store.path(ws.adcode), "geohazard") as kde:
        derived = None
        if plan.layer in RISK_INPUTS and plan.layer in ws.frames() and "risk_townships" in ws.frames():
            frames = _after(ws.frames(), plan.layer, written, plan.delete)
            derived = risk_derived(ws, frames, density=kde.tmp, points_moved=plan.layer == "geohazards")
        cs = ws.store.commit(ws.adcode, user=user, action="import", reason=reason, base_revision=plan.base_revision,
                             changes=[change], derived=derived, derived_base=plan.base_revision,
                             source_name=plan.file, source_sha256=plan.sha256)
        kde.publish()
    plan.changeset, plan.revision = cs.id, cs.revision
    return plan.report()


def _written(plan: ImportPlan) -> gpd.GeoDataFrame:
    """The features a commit writes: the file's, then those the import adjusted (clipped township cells)."""
    if plan.adjusted is None or plan.adjusted.empty:
        return plan.features.copy()
    adjusted = conform(plan.layer, plan.adjusted).assign(provenance=plan.adjusted["provenance"].tolist())
    both = pd.concat([plan.features, adjusted], ignore_index=True)
    return gpd.GeoDataFrame(both, geometry="geometry", crs=plan.features.crs)


def _after(frames: Mapping[str, gpd.GeoDataFrame], layer: str, written: gpd.GeoDataFrame,
           delete: tuple[str, ...]) -> dict[str, gpd.GeoDataFrame]:
    """``frames`` as they will read after the commit: in ``layer``, the written features stand for those
    with their fid and the deleted ones are gone (the store's merge, in memory)."""
    out = dict(frames)
    old = frames[layer]
    gone = set(delete) | set(written["fid"].astype(str))
    new = pd.concat([old[~old["fid"].astype(str).isin(gone)], conform(layer, written.drop(columns="provenance"))], ignore_index=True)
    out[layer] = conform(layer, gpd.GeoDataFrame(new, geometry="geometry", crs=old.crs))
    return out


def _refusal(plan: ImportPlan) -> list[Problem]:
    if plan.problems:
        hint = "" if plan.skip_invalid else "；改正文件，或用 --skip-invalid 跳过所列各行 / fix the file, or skip the listed rows with --skip-invalid"
        return [Problem(p.row, p.field, f"{p.sheet + ': ' if p.sheet else ''}{p.message}{hint}") for p in plan.problems]
    return [Problem(None, None, "没有可写入的要素 / nothing to write: every row was skipped or ambiguous")]


def crs_candidates(plan: ImportPlan, n: int = 3) -> list[Candidate]:
    """The ``n`` best readings of a table's coordinates (best first, as :func:`infer_crs` ranks them
    without reference points); empty for vector files and tables without coordinate columns."""
    raws = [r for r in plan.location.raw if r is not None]
    if not raws:
        return []
    a, b = np.concatenate([r[0] for r in raws]), np.concatenate([r[1] for r in raws])
    try:
        return infer_crs(a, b, area=plan.ws.layer("county").geometry.union_all(), hint=plan.hint)[:n]
    except (CoordinateError, CRSError):
        return []


def problems_xlsx(plan: ImportPlan) -> bytes:
    """The problems as a one-sheet XLSX (工作表, 行, 列, 值, 问题), formula-safe."""
    df = pd.DataFrame([p.as_dict() for p in plan.problems], columns=["sheet", "row", "field", "value", "message"])
    df.columns = ["工作表 sheet", "行 row", "列 field", "值 value", "问题 message"]
    return xlsx_bytes(df, sheet="问题 problems")
