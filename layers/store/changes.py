"""What one write does, whichever backend stores it: the order of a commit (conflict check, new
revision, plan/derived layers, user changes, change-log row), the conflict rule and how a
:class:`UserChange` becomes closed and new versions (counts, supersedes, retire/restore/delete).

A backend runs :func:`write` inside its own open transaction, through a :class:`Transaction` (its
tables) and one :class:`VersionTable` per ``user_<layer>`` table; it never decides these rules itself.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Protocol

import geopandas as gpd
import pandas as pd

from geo.crs import CGCS2000, reproject
from geo.errors import ConflictError, UnknownNameError
from layers.catalog.specs import get_spec
from layers.store import schema as s
from layers.store.model import Changeset, UserChange

COUNT_KEYS = ("added", "replaced", "deleted", "retired", "restored")


class VersionTable(Protocol):
    """One ``user_<layer>`` table (created with the version columns) inside an open write transaction."""

    def current(self) -> dict[str, str | None]:
        """fid -> supersedes of every current version (``rev_to`` empty)."""

    def plan_fids(self) -> set[str]: ...

    def close(self, fids: Sequence[str], rev: int) -> int:
        """Set ``rev_to = rev`` on the current version of each of ``fids``; the count closed."""

    def close_all(self, rev: int) -> int: ...

    def current_row(self, fid: str) -> gpd.GeoDataFrame:
        """The current version of ``fid``: spec columns, ``supersedes``, ``provenance``, geometry."""

    def plan_row(self, fid: str) -> gpd.GeoDataFrame:
        """The plan feature ``fid``: spec columns and geometry."""

    def insert(self, rows: gpd.GeoDataFrame) -> int:
        """Append versions (spec columns, then the version columns, EPSG:4490 geometry); the count."""


class Transaction(Protocol):
    """A backend's open write transaction on one workspace (writers of it serialised)."""

    def revision(self) -> int: ...

    def changesets(self, *, after: int) -> list[Changeset]: ...

    def next_changeset_id(self) -> int: ...

    def replace_layer(self, kind: str, lid: str, gdf: gpd.GeoDataFrame) -> int: ...

    def set_meta(self, meta: Mapping[str, str]) -> None: ...

    def apply_change(self, ch: UserChange, rev: int, cs_id: int) -> tuple[dict[str, int], list[str]]: ...

    def replace_unmapped(self, df: pd.DataFrame) -> None: ...

    def add_changeset(self, cs: Changeset) -> None: ...


def now() -> str:
    """The change log's time: local time with its offset, to the second."""
    return dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds")


def write(tx: Transaction, adcode: str, *, user: str, action: str, reason: str | None, base_revision: int | None,
          plan: Mapping[str, gpd.GeoDataFrame] | None, changes: Sequence[UserChange],
          derived: Mapping[str, gpd.GeoDataFrame | None] | None, derived_base: int | None, unmapped: pd.DataFrame | None,
          meta: Mapping[str, str] | None, source_name: str | None, source_sha256: str | None) -> Changeset:
    """One write inside ``tx``: refused with :class:`ConflictError` before anything is written, else
    the layers, user changes and change-log row of one new revision (the caller commits). A derived
    layer given as None was recomputed and found equal to the stored one: it is kept (not written,
    not named in the changeset) and counts as current."""
    current = tx.revision()
    touched = {c.layer: c.fids for c in changes}
    if base_revision is not None and base_revision < current:
        check_conflict(adcode, base_revision, current, tx.changesets(after=base_revision),
                       {c.layer: None if c.replace_all else c.fids for c in changes})
    rev = current + 1
    cs_id = tx.next_changeset_id()
    counts: dict = {}
    for lid, gdf in (plan or {}).items():
        counts[lid] = tx.replace_layer(s.PLAN, lid, gdf)
    for lid, gdf in (derived or {}).items():
        if gdf is not None:  # None: recomputed and equal to the stored one, which stays
            counts[lid] = tx.replace_layer(s.DERIVED, lid, gdf)
    if derived:  # fresh unless someone wrote between the read it was computed from and now
        fresh = derived_base is None or derived_base >= current
        tx.set_meta({"derived_revision": str(rev if fresh else derived_base)})
    for ch in changes:
        counts[ch.layer], retired = tx.apply_change(ch, rev, cs_id)
        touched[ch.layer] = [*touched[ch.layer], *retired]
    if unmapped is not None:
        tx.replace_unmapped(unmapped)
    if meta:
        tx.set_meta(meta)
    layers = sorted({*(plan or {}), *(k for k, v in (derived or {}).items() if v is not None), *touched})
    fids = sorted({f for fs in touched.values() for f in fs}) if touched else None
    cs = Changeset(cs_id, rev, base_revision, now(), user or "unknown", action, ",".join(layers) or None,
                   fids, counts, reason, source_name, source_sha256)
    tx.add_changeset(cs)
    return cs


def check_conflict(adcode: str, base: int, current: int, later: Sequence[Changeset],
                   touched: Mapping[str, list[str] | None]) -> None:
    """Refuse when a change committed after ``base`` (``later``) touched a feature this write touches
    (``None`` = the whole layer, as a replace does; a change that lists no features counts as the
    whole layer). A risk recompute never conflicts."""
    for cs in later:
        theirs = set((cs.layer or "").split(",")) & set(touched)
        if cs.action == "risk" or not theirs:
            continue
        whole = any(touched[lid] is None for lid in theirs)
        mine = {f for lid in theirs for f in touched[lid] or ()}
        if whole or cs.fids is None or not mine or mine & set(cs.fids):
            raise ConflictError(
                f"工作区 {adcode} 在您打开的版本 {base} 之后已被他人修改：变更 {cs.describe()}，原因：{cs.reason or '—'}。"
                f"您的修改没有保存，其他人的修改也未被覆盖；请刷新到版本 {current} 后再改。 / "
                f"Workspace {adcode} changed after revision {base}, which you opened: change {cs.describe()}. "
                f"Nothing of yours was saved and nothing was overwritten; reload revision {current} and redo the change.")


# --- one UserChange ----------------------------------------------------------------------------------
def version_columns(lid: str) -> list[str]:
    """Columns of a ``user_<layer>`` row besides the geometry: the spec's, then the version columns."""
    return [*(f.name for f in get_spec(lid).fields), *(c for c, _ in s.VERSION_COLUMNS)]


def apply_change(table: VersionTable, ch: UserChange, rev: int, cs_id: int) -> tuple[dict[str, int], list[str]]:
    """Retire the current versions ``ch`` replaces and add the new ones; counts of each, and the
    features a replace retired (they belong to the change log's feature list)."""
    lid = ch.layer
    plan_fids = table.plan_fids()
    current = table.current()
    counts = dict.fromkeys(COUNT_KEYS, 0)
    retired: list[str] = []
    if ch.replace_all:
        retired = sorted(current)
        counts["retired"] = table.close_all(rev)
        current = {}
    if ch.upsert is not None and len(ch.upsert):
        rows, replaced = _upserted(lid, ch.upsert, plan_fids, current)
        table.close(replaced, rev)
        counts["replaced"], counts["added"] = len(replaced), len(rows) - len(replaced)
        table.insert(rows.assign(rev_from=rev, rev_to=None, changeset=cs_id, deleted=0))
    counts["restored"] = _restore(table, lid, ch.restore, set(current), rev, cs_id)
    for f in ch.retire:
        if f not in current:
            raise UnknownNameError(f"图层 {lid} 中没有用户要素 {f} / layer {lid} has no user feature {f!r} to retire")
        table.close([f], rev)
        counts["retired"] += 1
    for f in ch.delete:
        table.insert(_deleted_version(table, lid, f, current, plan_fids, rev).assign(rev_from=rev, rev_to=None, changeset=cs_id, deleted=1))
        counts["deleted"] += 1
    return {k: v for k, v in counts.items() if v}, retired


def _upserted(lid: str, upsert: gpd.GeoDataFrame, plan_fids: set[str], current: Mapping[str, str | None]
              ) -> tuple[gpd.GeoDataFrame, list[str]]:
    """The new versions of an upsert (spec columns, ``supersedes``, ``provenance``) and the fids whose
    current version they replace. A row stands for the plan feature it names, or for its own fid when
    that is a plan feature, or for what the version it replaces stood for."""
    up = reproject(upsert, CGCS2000)
    given = up["supersedes"] if "supersedes" in up else pd.Series([None] * len(up), index=up.index)
    rows = s.conform(lid, up)
    fids = [str(f) for f in rows["fid"]]
    sup = [gv if isinstance(gv, str) and gv else (f if f in plan_fids else current.get(f)) for f, gv in zip(fids, given, strict=True)]
    prov = [_json(v) for v in (up["provenance"] if "provenance" in up else [None] * len(up))]
    return rows.assign(supersedes=sup, provenance=prov), [f for f in fids if f in current]


def _deleted_version(table: VersionTable, lid: str, fid: str, current: Mapping[str, str | None], plan_fids: set[str],
                     rev: int) -> gpd.GeoDataFrame:
    """The version a delete writes: the current user version (closed here) or the plan feature."""
    if fid in current:
        old = table.current_row(fid)
        table.close([fid], rev)
        return old
    if fid in plan_fids:
        old = table.plan_row(fid)
        old["supersedes"], old["provenance"] = fid, None
        return old
    raise UnknownNameError(f"图层 {lid} 中没有要素 {fid} / layer {lid} has no feature {fid!r}")


def _restore(table: VersionTable, lid: str, versions: gpd.GeoDataFrame | None, current: set[str], rev: int, cs_id: int) -> int:
    """Write ``versions`` as given (spec columns, supersedes, deleted, provenance), each closing the
    current version of its fid; the count written."""
    if versions is None or not len(versions):
        return 0
    rows = s.conform(lid, reproject(versions, CGCS2000))
    table.close([f for f in (str(f) for f in rows["fid"]) if f in current], rev)
    given = {c: (list(versions[c]) if c in versions else [None] * len(versions)) for c in ("supersedes", "deleted", "provenance")}
    deleted = [0 if pd.isna(d) else int(d) for d in given["deleted"]]
    sup = [v if isinstance(v, str) and v else None for v in given["supersedes"]]
    rows = rows.assign(supersedes=sup, rev_from=rev, rev_to=None, changeset=cs_id, deleted=deleted,
                       provenance=[_json(v) for v in given["provenance"]])
    return table.insert(rows)


def _json(v: object) -> object:
    return v if v is None or isinstance(v, str) else json.dumps(v, ensure_ascii=False)
