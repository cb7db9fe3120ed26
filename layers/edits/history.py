"""The change log read for people: every changeset with its features before and after, per-feature
history, undo of a changeset (itself a new changeset; history is never rewritten), return to an
earlier revision, and the log as XLSX. Everything is read from the store's versions of the user
features (a rebuild, which rewrites only the plan layers, leaves it whole)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from geo.errors import ConflictError, OptionError
from geo.tables import xlsx_bytes
from layers.accounts import guard
from layers.catalog.quality import NOT_REAL, position_class
from layers.catalog.specs import SPECS, get_spec
from layers.edits import _commit
from layers.edits._values import EditRefused, need_who_and_why
from layers.store.gpkg import Changeset, UserChange
from layers.store.schema import DERIVED_LAYERS
from layers.store.workspace import Workspace

NOT_UNDOABLE = ("build", "risk")
"""Changes derived from data/ or from the layers: nothing a person contributed to undo."""
VERSION_COLUMNS = ("supersedes", "rev_from", "rev_to", "changeset", "deleted", "provenance")


@dataclass
class FeatureChange:
    """One feature in one changeset: its layer and fid, township, name, and the version before and
    after (one-row frames in EPSG:4490; None when it did not exist / was deleted)."""

    layer: str
    fid: str
    name: str | None
    township: str | None
    before: gpd.GeoDataFrame | None
    after: gpd.GeoDataFrame | None
    changed: list[str] = field(default_factory=list)  # field names that differ, "geometry" included


@dataclass
class Entry:
    """One changeset of the log with the features it changed."""

    changeset: Changeset
    features: list[FeatureChange]


def _layers(cs: Changeset) -> list[str]:
    return [p for p in (cs.layer or "").split(",") if p in SPECS and p not in DERIVED_LAYERS]


def _keep(cs: Changeset, layer: str | None, fid: str | None, user: str | None, since: dt.date | None, until: dt.date | None) -> bool:
    day = dt.date.fromisoformat(cs.time[:10])
    return ((layer is None or layer in (cs.layer or "").split(",")) and (fid is None or str(fid) in (cs.fids or []))
            and (user is None or cs.user == user) and (since is None or day >= since) and (until is None or day <= until))


def history(ws: Workspace, *, layer: str | None = None, fid: str | None = None, user: str | None = None,
            township: str | None = None, since: dt.date | None = None, until: dt.date | None = None) -> list[Entry]:
    """The log, newest first, filtered (``township``: changesets with a feature in that township, by
    its township field or else its position)."""
    log = [c for c in reversed(ws.changesets()) if _keep(c, layer, fid, user, since, until)]
    versions = {lid: ws.versions(lid) for lid in {lid for c in log if c.fids for lid in _layers(c)}}
    entries = [Entry(c, _features(ws, c, versions)) for c in log]
    if township is not None:
        entries = [e for e in entries if any(fc.township == township for fc in e.features)]
    return entries


def _version_rows(versions: gpd.GeoDataFrame, cs: Changeset) -> tuple[dict[str, gpd.GeoDataFrame], dict[str, gpd.GeoDataFrame]]:
    """{fid: the version ``cs`` closed} and {fid: the version ``cs`` wrote}, as one-row frames."""
    rev_to = pd.to_numeric(versions["rev_to"], errors="coerce")
    before = versions[rev_to == cs.revision]
    after = versions[pd.to_numeric(versions["changeset"], errors="coerce") == cs.id]
    return ({str(f): before.iloc[[i]] for i, f in enumerate(before["fid"])},
            {str(f): after.iloc[[i]] for i, f in enumerate(after["fid"])})


def _live(v: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame | None:
    return None if v is None or int(v["deleted"].fillna(0).iloc[0]) else v


def _plan_row(plan: gpd.GeoDataFrame, fid: str) -> gpd.GeoDataFrame | None:
    row = plan[plan["fid"].astype(str) == fid]
    if row.empty:
        return None
    return row.iloc[[0]].assign(supersedes=None, rev_from=None, rev_to=None, changeset=None, deleted=0, provenance=None)


def _features(ws: Workspace, cs: Changeset, versions: Mapping[str, gpd.GeoDataFrame]) -> list[FeatureChange]:
    if cs.action in NOT_UNDOABLE or not cs.fids:
        return []
    out = []
    for lid in _layers(cs):
        closed, wrote = _version_rows(versions[lid], cs)
        plan = ws.plan_features(lid)
        for fid in (f for f in cs.fids if f in closed or f in wrote):
            b, a = closed.get(fid), wrote.get(fid)
            before = _live(b) if b is not None else _plan_row(plan, fid)
            after = _live(a) if a is not None else (_plan_row(plan, fid) if str(b["supersedes"].iloc[0]) == fid else None)
            out.append(_feature_change(lid, fid, before, after, ws))
    return out


def _feature_change(lid: str, fid: str, before: gpd.GeoDataFrame | None, after: gpd.GeoDataFrame | None, towns: Workspace) -> FeatureChange:
    shown = after if after is not None else before
    name = None if shown is None else _value(shown, "name")
    town = None if shown is None else _value(shown, "township") or (towns.township_at(shown.geometry.iloc[0]) if _located(shown) else None)
    return FeatureChange(lid, fid, None if name is None else str(name), None if town is None else str(town), before, after,
                         _changed(lid, before, after))


def _located(frame: gpd.GeoDataFrame) -> bool:
    """Whether the feature's position says where it is (not a county-centre placeholder or a seeded point)."""
    return "geometry_quality" not in frame or position_class(frame).iloc[0] not in NOT_REAL


def _value(frame: gpd.GeoDataFrame, col: str) -> object:
    if col not in frame:
        return None
    v = frame[col].iloc[0]
    return None if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else v


def _changed(lid: str, before: gpd.GeoDataFrame | None, after: gpd.GeoDataFrame | None) -> list[str]:
    names = [f.name for f in get_spec(lid).fields]
    if after is None:
        return ["deleted"] if before is not None else []
    if before is None:
        return ["geometry", *(n for n in names if n != "fid" and _value(after, n) is not None)]
    moved = before.geometry.iloc[0].wkb != after.geometry.iloc[0].wkb
    return [*(["geometry"] if moved else []), *(n for n in names if _value(before, n) != _value(after, n))]


# --- undo and revert -------------------------------------------------------------------------------------
def _pairs(cs: Changeset) -> set[tuple[str, str]]:
    return {(lid, f) for lid in _layers(cs) for f in cs.fids or ()}


def _later_conflict(ws: Workspace, cs: Changeset) -> None:
    """ConflictError naming the first later change that touched a feature of ``cs``."""
    mine = _pairs(cs)
    for later in (c for c in ws.changesets() if c.revision > cs.revision and c.action not in NOT_UNDOABLE):
        whole = later.fids is None and set(_layers(later)) & {lid for lid, _ in mine}
        if whole or _pairs(later) & mine:
            same = sorted({f for _, f in _pairs(later) & mine})
            raise ConflictError(
                f"变更集 #{cs.id} 不能撤销：之后的变更 {later.describe()} 又改动了相同要素（{'、'.join(same) or '整个图层'}），"
                f"原因：{later.reason or '—'}。请先撤销那个变更，或直接编辑这些要素；没有写入任何内容。 / "
                f"changeset #{cs.id} cannot be undone: a later change {later.describe()} touched the same feature(s) "
                f"({', '.join(same) or 'the whole layer'}). Undo that one first, or edit the features directly; nothing was written.")


def undo(ws: Workspace, changeset_id: int, *, user: str, reason: str | None = None) -> Changeset:
    """Undo changeset ``changeset_id`` as a new changeset: each feature it touched gets back the version
    it had before (geometry and attributes byte-equal); refused with ConflictError when a later change
    touched the same features. With accounts enforced, another account's change needs an admin."""
    cs = ws.changeset(changeset_id)
    who, why = need_who_and_why(user, reason or f"撤销变更集 #{cs.id} / undo of changeset #{cs.id}", f"#{cs.id}")
    guard.require_undo(ws, who, cs.user, cs.id)
    if cs.action in NOT_UNDOABLE or not cs.fids:
        raise EditRefused(f"#{cs.id}", [("changeset", f"变更集 #{cs.id}（{cs.action}）不涉及人提交的要素，不能撤销：生成和风险重算由数据重新计算",
                                         f"changeset #{cs.id} ({cs.action}) changed no feature a person contributed and cannot be "
                                         "undone: builds and risk recomputes are derived from the data")])
    _later_conflict(ws, cs)
    changes = []
    for lid in _layers(cs):
        closed, wrote = _version_rows(ws.versions(lid, changeset=cs.id), cs)
        back = [closed[f] for f in cs.fids if f in closed]
        retire = tuple(f for f in cs.fids if f in wrote and f not in closed)
        if back or retire:
            changes.append(UserChange(lid, restore=pd.concat(back) if back else None, retire=retire))
    return _commit.commit(ws, changes, user=who, action="undo", reason=why, base_revision=None)


def revert_to(ws: Workspace, revision: int, *, user: str, reason: str) -> Changeset:
    """Return the user content of the workspace to what it was at ``revision`` as one new changeset
    (with accounts enforced, an admin's)."""
    who, why = need_who_and_why(user, reason, f"revision {revision}")
    guard.require_admin(ws.store, who, (f"回到版本 {revision}", f"return to revision {revision}"))
    current = max((c.revision for c in ws.changesets()), default=0)
    if not 1 <= int(revision) < current:
        raise OptionError(f"不能回到版本 {revision}：可回到 1–{current - 1}。 / cannot return to revision {revision}: "
                          f"choose one of 1-{current - 1}")
    changes = [ch for lid in SPECS if lid not in DERIVED_LAYERS for ch in [_revert_layer(ws, lid, int(revision))] if ch is not None]
    if not changes:
        raise EditRefused(f"revision {revision}", [("revision", f"用户内容已与版本 {revision} 相同，无需回退",
                                                    f"the user content is already as it was at revision {revision}; nothing to do")])
    return _commit.commit(ws, changes, user=who, action="revert", reason=why, base_revision=None)


def _revert_layer(ws: Workspace, lid: str, revision: int) -> UserChange | None:
    v = ws.versions(lid)
    if v.empty:
        return None
    start, end = pd.to_numeric(v["rev_from"]), pd.to_numeric(v["rev_to"], errors="coerce")
    then = {str(f): i for i, f in zip(v.index, v["fid"], strict=True) if start[i] <= revision and not end[i] <= revision}
    now = {str(f): i for i, f in zip(v.index, v["fid"], strict=True) if pd.isna(end[i])}
    back = [v.loc[[i]] for f, i in then.items() if f not in now or not _same(v.loc[i], v.loc[now[f]], v.geometry.name)]
    retire = tuple(f for f in now if f not in then)
    if not back and not retire:
        return None
    return UserChange(lid, restore=pd.concat(back) if back else None, retire=retire)


def _same(a: pd.Series, b: pd.Series, geom: str) -> bool:
    """Whether two stored versions hold the same content (geometry bytes, attributes, supersedes,
    deletion, provenance): a version written back by an undo equals the one it copies."""
    keys = [k for k in a.index if k not in (geom, "rev_from", "rev_to", "changeset")]
    plain = [None if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else v for v in (*a[keys], *b[keys])]
    return a[geom].wkb == b[geom].wkb and plain[: len(keys)] == plain[len(keys):]


# --- the log as a spreadsheet ----------------------------------------------------------------------------
XLSX_COLUMNS = {
    "id": ("变更集", "Changeset"), "revision": ("版本", "Revision"), "time": ("时间", "Time"), "user": ("用户", "User"),
    "action": ("操作", "Action"), "reason": ("原因", "Reason"), "layer": ("图层", "Layer"), "fid": ("编号", "ID"),
    "name": ("名称", "Name"), "township": ("乡镇", "Township"), "change": ("变化", "Change"),
    "before": ("修改前", "Before"), "after": ("修改后", "After"), "source": ("来源文件", "Source file"),
}
CHANGE_WORDS = {"added": ("新增", "added"), "deleted": ("删除", "deleted"), "changed": ("修改", "changed")}


def _text(frame: gpd.GeoDataFrame | None, fields: Iterable[str]) -> str:
    if frame is None:
        return ""
    parts = []
    for f in fields:
        if f == "geometry":
            g = frame.geometry.iloc[0]
            parts.append(f"geometry={g.x:.6f}, {g.y:.6f}" if g.geom_type == "Point" else f"geometry={g.geom_type}")
        elif f != "deleted":
            parts.append(f"{f}={'' if _value(frame, f) is None else _value(frame, f)}")
    return "; ".join(parts)


def history_xlsx(entries: list[Entry], lang: str = "zh") -> bytes:
    """The log as a one-sheet XLSX (one row per feature change), formula-safe."""
    zh = lang == "zh"
    rows = []
    for e in entries:
        c = e.changeset
        head = [c.id, c.revision, c.time, c.user, c.action, c.reason or ""]
        for fc in e.features or [None]:
            if fc is None:
                rows.append([*head, c.layer or "", "", "", "", "", "", "", c.source_name or ""])
                continue
            kind = "added" if fc.before is None else "deleted" if fc.after is None else "changed"
            label = get_spec(fc.layer).zh if zh else get_spec(fc.layer).en
            rows.append([*head, label, fc.fid, fc.name or "", fc.township or "", CHANGE_WORDS[kind][0 if zh else 1],
                         _text(fc.before, fc.changed), _text(fc.after, fc.changed), c.source_name or ""])
    df = pd.DataFrame(rows, columns=[v[0 if zh else 1] for v in XLSX_COLUMNS.values()], dtype=object)
    return xlsx_bytes(df, sheet="变更记录" if zh else "Change log")
