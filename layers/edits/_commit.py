"""One write of the editing functions: the layers as the change will leave them (the store's merge,
in memory), the township risk recomputed from them (``riskstore.risk_derived``, as an import does) and
the commit of both in one changeset."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import geopandas as gpd
import pandas as pd

from geo.crs import reproject
from layers.accounts import guard
from layers.analysis.riskstore import RISK_INPUTS, risk_derived
from layers.catalog.specs import get_spec
from layers.store import schema
from layers.store.gpkg import Changeset, UserChange
from layers.store.kde import kde_output
from layers.store.workspace import Workspace

_VERSION_LIKE = ("supersedes", "deleted", "provenance")


def user_after(ws: Workspace, change: UserChange) -> gpd.GeoDataFrame:
    """The current user versions of ``change.layer`` once ``change`` is written (what ``_apply_change``
    of the store does, without writing)."""
    cur = ws.user_features(change.layer)
    cols = [f.name for f in get_spec(change.layer).fields]
    cur = cur if len(cur) else gpd.GeoDataFrame(columns=[*cols, *_VERSION_LIKE, "geometry"], geometry="geometry", crs=4490)
    plan = set(ws.plan_features(change.layer)["fid"].astype(str))
    sup_of = dict(zip(cur["fid"].astype(str), cur["supersedes"], strict=True))
    gone = set(change.fids) - set(change.delete)
    keep = cur[~cur["fid"].astype(str).isin(gone)]
    parts = [keep]
    if change.upsert is not None and len(change.upsert):
        up = change.upsert.copy()
        given = up["supersedes"] if "supersedes" in up else pd.Series([None] * len(up), index=up.index)
        up["supersedes"] = [g if isinstance(g, str) and g else (f if f in plan else sup_of.get(f))
                            for f, g in zip(up["fid"].astype(str), given, strict=True)]
        parts.append(up.assign(deleted=0))
    if change.restore is not None and len(change.restore):
        parts.append(change.restore)
    out = pd.concat([reproject(p, 4490) for p in parts], ignore_index=True)
    out = gpd.GeoDataFrame(out, geometry="geometry", crs=4490)
    for fid in change.delete:
        hit = out["fid"].astype(str) == fid
        if hit.any():
            out.loc[hit, "deleted"] = 1
        else:
            row = ws.plan_features(change.layer).query("fid == @fid").assign(supersedes=fid, deleted=1)
            out = gpd.GeoDataFrame(pd.concat([out, row], ignore_index=True), geometry="geometry", crs=4490)
    return out


def frames_after(ws: Workspace, changes: Sequence[UserChange]) -> dict[str, gpd.GeoDataFrame]:
    """Every layer as the map will read it after ``changes`` (plan merged with the user content after)."""
    out = dict(ws.frames())
    for ch in changes:
        out[ch.layer] = schema.merge(ch.layer, ws.plan_features(ch.layer), user_after(ws, ch))[0]
    return out


def commit(ws: Workspace, changes: Sequence[UserChange], *, user: str, action: str, reason: str,
           base_revision: int | None) -> Changeset:
    """Write ``changes`` as one changeset from ``base_revision`` (None: the revision ``ws`` read), with
    the township risk as they leave it when they touch a layer the risk is computed from. Refused with
    PermissionDeniedError, before anything is written, when accounts are enforced and ``user`` may not
    write every feature the changes touch (:func:`layers.accounts.guard.require_change`)."""
    guard.require_change(ws, changes, user=user)
    base = ws.revision if base_revision is None else int(base_revision)
    frames = ws.frames()
    with kde_output(ws.store.path(ws.adcode), "geohazard") as kde:
        derived: Mapping[str, gpd.GeoDataFrame | None] | None = None
        if "risk_townships" in frames and any(ch.layer in RISK_INPUTS for ch in changes):
            after = frames_after(ws, changes)
            moved = any(ch.layer == "geohazards" for ch in changes)
            derived = risk_derived(ws, after, density=kde.tmp, points_moved=moved)
        cs = ws.commit(changes, user=user, action=action, reason=reason, base_revision=base, derived=derived)
        kde.publish()
    return cs
