"""Township risk over a workspace: the frames as a user sees and analyses them (risk recomputed when
the data-status switches hide features or content changed after the stored risk), and the ``risk``
command that stores a recomputed risk as a new revision (touching only that layer)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import geopandas as gpd
from pyproj import CRS

from layers.analysis.risk import compute_risk
from layers.catalog.quality import QualityOptions, apply_quality
from layers.store.kde import kde_output
from layers.store.schema import conform
from layers.store.workspace import Workspace, open_workspace


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
    revision; no other layer is written."""
    ws = open_workspace(adcode)
    frames = ws.frames()
    with kde_output(ws.store.path(ws.adcode), "geohazard") as kde:
        risk = conform("risk_townships", compute_risk(frames, ws.metric_crs, scheme=scheme, kde_path=kde.tmp).townships)
        ws.store.commit(ws.adcode, user=user, action="risk", reason=f"scheme={scheme}", derived={"risk_townships": risk},
                        derived_base=ws.revision)
        kde.publish()
    return risk


def workspace_crs(adcode: str) -> CRS:
    """The metric CRS of a workspace (prefer ``open_workspace(adcode).metric_crs`` when holding a handle)."""
    return open_workspace(adcode).metric_crs
