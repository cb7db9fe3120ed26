"""Township risk over a workspace: the frames as a user sees and analyses them (risk recomputed when
the data-status switches hide features or content changed after the stored risk), the ``risk``
command that stores a recomputed risk as a new revision (touching only that layer), and the risk an
import stores with its own change (:func:`risk_after`)."""

from __future__ import annotations

import gc
import logging
import os
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

import geopandas as gpd
from pyproj import CRS

from geo.raster import read_tags, zonal_stats
from layers.accounts import guard
from layers.analysis._memo import digest, memo
from layers.analysis.risk import DENSITY_TAG, compute_risk, density_key
from layers.catalog.quality import QualityOptions, apply_quality
from layers.store.kde import kde_output, kde_path
from layers.store.schema import conform
from layers.store.workspace import Workspace, open_workspace

log = logging.getLogger(__name__)


def analysed_frames(ws: Workspace, q: QualityOptions | None = None) -> Mapping[str, gpd.GeoDataFrame]:
    """The workspace's layers without what the data-status switches ``q`` hide, with the township
    risk recomputed from exactly the features shown (a hidden demo point never drives a level) or
    from the current content when it changed after the stored risk was computed."""
    stored = ws.frames()
    hides = q is not None and q.hides_any
    if not hides and not ws.risk_stale:
        return stored
    shown = apply_quality(stored, q) if hides and q is not None else dict(stored)
    if "risk_townships" in stored and "townships" in shown:
        risk = compute_risk(shown, ws.metric_crs).townships
        shown["risk_townships"] = risk[[c for c in stored["risk_townships"].columns if c in risk.columns]]
    return MappingProxyType(shown)


def recompute_risk(adcode: str, *, scheme: str = "fixed", user: str = "risk") -> gpd.GeoDataFrame:
    """Recompute ``risk_townships`` (and the density surface) with ``scheme`` and store it as a new
    revision; no other layer is written. With accounts on, ``user`` must be an admin."""
    ws = open_workspace(adcode)
    guard.require_admin(ws.store, user, (f"重算工作区 {ws.adcode} 的乡镇风险", f"recompute the township risk of {ws.adcode}"))
    frames = ws.frames()
    with kde_output(ws.store.path(ws.adcode), "geohazard") as kde:
        risk = conform("risk_townships", compute_risk(frames, ws.metric_crs, scheme=scheme, kde_path=kde.tmp).townships)
        ws.store.commit(ws.adcode, user=user, action="risk", reason=f"scheme={scheme}", derived={"risk_townships": risk},
                        derived_base=ws.revision)
        kde.publish()
    return risk


RISK_INPUTS = ("county", "townships", "geohazards", "rivers", "reservoirs", "forest_fire", "facilities", "projects")
"""The layers township risk is computed from: a change to any of them makes the stored risk stale."""


def stored_scheme(ws: Workspace) -> str:
    """The classification scheme of the stored township risk (``fixed`` when there is none)."""
    risk = ws.frames().get("risk_townships")
    return str(risk["scheme"].iloc[0]) if risk is not None and len(risk) and risk["scheme"].notna().iloc[0] else "fixed"


def risk_after(ws: Workspace, frames: Mapping[str, gpd.GeoDataFrame], *, density: Path | None,
               points_moved: bool) -> gpd.GeoDataFrame:
    """``risk_townships`` computed from ``frames`` (the workspace's layers as a change will leave them)
    with the stored scheme, for the change to store in its own revision. The density surface is
    written to ``density`` (to publish after the commit; None: not written) when the hazard points
    moved or the published one is missing or of other points (:func:`_surface_of`); otherwise the
    township means are taken from the published one."""
    scheme = stored_scheme(ws)
    published = kde_path(ws.store.path(ws.adcode), "geohazard")
    wanted = density_key(frames, ws.metric_crs)
    if points_moved or _surface_of(published) != wanted:
        # the points moved, or the published file is missing or of other points (its writer was killed
        # between its commit and the publish): computed again, to be published with this change
        return conform("risk_townships", compute_risk(frames, ws.metric_crs, scheme=scheme, kde_path=density).townships)
    risk = compute_risk(frames, ws.metric_crs, scheme=scheme).townships
    if len(risk):  # the file holds exactly the surface of these points (its tag), so the memo keys on that
        key = ("zonal", wanted, digest(risk.geometry))
        risk["kde_mean"] = memo(key, lambda: zonal_stats(published, risk)["mean"].round(4).to_numpy())
    return conform("risk_townships", risk)


def _surface_of(path: Path) -> str | None:
    """The :func:`density_key` a published density file was computed from (None: no file, or one
    without the tag)."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    # replaced by os.replace (a new inode), never rewritten in place: the tag is read once per file
    key = ("density-tag", str(path), stat.st_ino, stat.st_mtime_ns, stat.st_size)
    return memo(key, lambda: read_tags(path).get(DENSITY_TAG))


_warmed: set[tuple[str, str]] = set()
_warm_lock = threading.Lock()


def warm(ws: Workspace, *, delay_s: float = 2.0) -> threading.Thread | None:
    """Once per workspace and process, compute the township risk of ``ws`` in a background thread, so
    that what a change leaves alone (the layers projected, the township trees, counts, shares and
    density means) is already in the memo when the first change is saved; otherwise the first save
    of a session computes it all (about 1.5 s on the province, 0.3 s on a county); then what is alive is
    frozen out of the cyclic garbage collector's full passes. It starts after
    ``delay_s``, not to compete with the page that opened the workspace. Off with ONEMAP_RISK_WARM=0
    (the test suite, where every test opens workspaces of its own). The thread, or None."""
    key = (ws.store.key, ws.adcode)
    with _warm_lock:
        if os.environ.get("ONEMAP_RISK_WARM", "1") == "0" or key in _warmed or "risk_townships" not in ws.frames():
            return None
        _warmed.add(key)

    def run() -> None:
        time.sleep(delay_s)
        try:
            risk_after(ws, ws.frames(), density=None, points_moved=False)  # what a save computes, nothing written
        except Exception:  # noqa: BLE001 - only a warm-up: the first save computes what is missing
            log.debug("risk warm-up of %s failed", ws.adcode, exc_info=True)
        # What is alive now (the workspace's frames, the memo) lives as long as the process: frozen, the
        # collector no longer walks it on every full collection (0.15-0.2 s, once every few page runs,
        # landing in a save). Collected first, so only live objects are frozen; frames replaced later
        # are still freed by their reference counts.
        gc.collect()
        gc.freeze()

    thread = threading.Thread(target=run, name=f"risk-warm-{ws.adcode}", daemon=True)
    thread.start()
    return thread


def risk_derived(ws: Workspace, frames: Mapping[str, gpd.GeoDataFrame], *, density: Path,
                 points_moved: bool) -> dict[str, gpd.GeoDataFrame | None]:
    """The ``derived`` of a commit that changes the risk's inputs to ``frames``: the recomputed
    ``risk_townships`` (:func:`risk_after`), or None for it when it equals the stored one in every
    value and geometry, which the store then keeps as current instead of writing it again (a reservoir
    moved within its township: nothing to re-read or redraw)."""
    risk = risk_after(ws, frames, density=density, points_moved=points_moved)
    stored = ws.frames().get("risk_townships")
    return {"risk_townships": None if stored is not None and _same(stored, risk) else risk}


def _same(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> bool:
    if list(a.columns) != list(b.columns) or len(a) != len(b):
        return False
    attrs = [c for c in a.columns if c != a.geometry.name]
    plain = a[attrs].reset_index(drop=True), b[attrs].reset_index(drop=True)
    return bool(plain[0].equals(plain[1])) and list(a.geometry.to_wkb()) == list(b.geometry.to_wkb())


def workspace_crs(adcode: str) -> CRS:
    """The metric CRS of a workspace (prefer ``open_workspace(adcode).metric_crs`` when holding a handle)."""
    return open_workspace(adcode).metric_crs
