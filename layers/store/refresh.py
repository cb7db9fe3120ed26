"""A handle at the newest revision built from an older one by reading only what changed since.

After one saved edit the map page needs the workspace at the new revision; reading every layer again
costs 0.2 s for a county and 0.7 s for the province. The change log says which layers each revision
wrote, so :func:`advance` re-reads just those (one read transaction, one revision) and keeps the
others from the older handle. A build, or a change that does not list its layers, reads everything."""

from __future__ import annotations

import dataclasses
from types import MappingProxyType

import geopandas as gpd

from layers.catalog.specs import SPECS
from layers.store import schema
from layers.store.gpkg import Snapshot
from layers.store.workspace import Workspace, open_workspace

FULL_READ_ACTIONS = frozenset({"build"})


def changed_layers(ws: Workspace, upto: int) -> set[str] | None:
    """Layers written by the revisions after ``ws`` up to ``upto``; None when any of them rewrote
    the workspace as a whole (a build) or did not say what it wrote."""
    out: set[str] = set()
    for cs in ws.store.changesets(ws.adcode):
        if ws.revision < cs.revision <= upto:
            if cs.action in FULL_READ_ACTIONS or not cs.layer:
                return None
            out |= set(cs.layer.split(","))
    return out


def advance(ws: Workspace) -> Workspace:
    """``ws`` at the store's current revision (``ws`` itself when nothing changed); layers no revision
    since wrote are shared with ``ws`` (read-only frames)."""
    if ws.at_revision is not None:  # a handle pinned to an old revision stays there
        return ws
    current = ws.store.revision(ws.adcode)
    if current == ws.revision:
        return ws
    old = ws._snapshot()
    touched = changed_layers(ws, current)
    if touched is None or not touched <= set(SPECS):
        return open_workspace(ws.adcode)
    asked = touched
    new = ws.store.read(ws.adcode, only=sorted(asked), plan=False)  # only a build writes plan layers: kept
    if new.revision != current:  # a write landed between the two reads: what did it touch?
        touched = changed_layers(ws, new.revision)
    if touched is None or not touched <= asked:
        return open_workspace(ws.adcode)
    snap = Snapshot(new.revision, new.meta, dict(old.plan), _merged(old.user, new.user, touched),
                    _merged(old.derived, new.derived, touched), new.unmapped, new.extra_layers, new.data_revision)
    frames, superseded = dict(ws.frames()), dict(ws._superseded)
    for lid in touched:
        frames.pop(lid, None)
        superseded.pop(lid, None)
        if lid in snap.plan or lid in snap.user:
            plan = snap.plan.get(lid)
            if plan is None:
                plan = schema.conform(lid, gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=4490), crs=4490))
            frames[lid], superseded[lid] = schema.merge(lid, plan, snap.user.get(lid))
        elif lid in snap.derived:
            frames[lid] = snap.derived[lid]
    ordered = {lid: frames[lid] for lid in SPECS if lid in frames}
    return dataclasses.replace(ws, revision=new.revision, meta=new.meta, _snap=snap, _frames=MappingProxyType(ordered),
                               _superseded=superseded, _metric={k: v for k, v in ws._metric.items() if k not in touched})


def _merged(old: dict[str, gpd.GeoDataFrame], new: dict[str, gpd.GeoDataFrame], touched: set[str]) -> dict[str, gpd.GeoDataFrame]:
    return {**{k: v for k, v in old.items() if k not in touched}, **{k: v for k, v in new.items() if k in touched}}
