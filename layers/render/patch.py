"""What changed on the live map since it was compiled, as a patch the browser applies in place.

A saved edit makes a new revision. Compiling and sending the whole map again makes streamlit-folium
re-create the map (2-5 s, and the user's view and open popups are lost); instead the map keeps the
layers it was compiled with (the *base*) and each rerun sends, through the small visibility group,
the features whose display differs from the base: removed by id, then added as they are now.

The patch is cumulative: every feature patched since the base is sent again as it is now (an undo
that puts a feature back where the base had it is drawn right). When a patch cannot be drawn in place
(a layer that was empty or is drawn without ids, town labels, a new legend class, a sidebar filter
on a changed layer, or many changes) :func:`plan_patch` returns None and the page compiles afresh."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from layers.catalog.specs import get_spec
from layers.render.webmap import MANY_POINTS, LayerParts, MapParts, parse_js_data, points_data, shapes_data

STYLE_COLUMNS = ("_c", "_r", "_q", "_l", "_w", "_fo")
MAX_PATCHED = 400  # features; beyond this a fresh compile is cheaper for the browser than a patch


@dataclass(frozen=True)
class MapView:
    """A revision's map: compiled parts, the display frames they were compiled from and the
    per-feature signatures; ``revision`` names it in patch keys."""

    parts: MapParts
    display: Mapping[str, gpd.GeoDataFrame]
    sig: Mapping[str, pd.Series | None]
    revision: str


@dataclass(frozen=True)
class LayerPatch:
    layer_id: str
    fids: tuple[str, ...]  # every feature patched since the base: removed, then drawn again if in ``rows``
    rows: gpd.GeoDataFrame  # the display rows of those features now
    count: int  # features of the layer now (the in-map panel's count)


@dataclass(frozen=True)
class Patch:
    key: str  # identifies (base, now, features): the browser applies a patch once
    layers: tuple[LayerPatch, ...]


def signatures(display: Mapping[str, gpd.GeoDataFrame]) -> dict[str, pd.Series]:
    """Per layer, a hash of each feature's display (id, name, style, tooltip fields, geometry) by fid;
    a layer whose ids repeat gets None (it cannot be patched by id)."""
    out = {}
    for lid, gdf in display.items():
        fids = gdf["fid"].astype(str)
        if fids.duplicated().any():
            out[lid] = None
            continue
        attrs = gdf.drop(columns=gdf.geometry.name).astype(str)
        wkb = pd.Series(gdf.geometry.to_wkb(hex=True), index=gdf.index).astype(str)
        h = pd.util.hash_pandas_object(attrs, index=False).to_numpy() ^ pd.util.hash_pandas_object(wkb, index=False).to_numpy()
        out[lid] = pd.Series(h, index=fids.to_numpy())
    return out


def changed(base: pd.Series | None, now: pd.Series | None) -> set[str] | None:
    """Fids added, removed or drawn differently; None when either side cannot be compared by id."""
    if base is None or now is None:
        return None
    both = base.index.intersection(now.index)
    differ = both[base.loc[both].to_numpy() != now.loc[both].to_numpy()]
    return set(differ) | set(now.index.difference(base.index)) | set(base.index.difference(now.index))


def plan_patch(base: MapView, now: MapView, carried: Mapping[str, frozenset[str]],
               allow: Mapping[str, object]) -> tuple[Patch, dict[str, frozenset[str]]] | None:
    """The cumulative patch from the map compiled as ``base`` to ``now``, adding the features patched
    before (``carried``), with the new carried set; None when the map must be compiled afresh."""
    parts = {p.layer_id: p for p in base.parts.layers}
    if set(parts) != set(now.display):
        return None
    fids: dict[str, frozenset[str]] = {}
    for lid in now.display:
        diff = changed(base.sig.get(lid), now.sig.get(lid))
        if diff is None:
            return None
        every = frozenset(diff | set(carried.get(lid, ())))
        if every:
            fids[lid] = every
    key = f"{base.revision}>{now.revision}"
    if not fids:
        return Patch(key, ()), {}
    if sum(len(v) for v in fids.values()) > MAX_PATCHED or not _legend_covers(base.parts.legend, now.parts.legend, fids):
        return None
    out = []
    for lid, every in fids.items():
        if not _patchable(parts[lid], now.display[lid], every, allow):
            return None
        rows = now.display[lid][now.display[lid]["fid"].astype(str).isin(every)]
        out.append(LayerPatch(lid, tuple(sorted(every)), rows, len(now.display[lid])))
    return Patch(key, tuple(out)), fids


def _patchable(base: LayerParts, now: gpd.GeoDataFrame, fids: frozenset[str], allow: Mapping[str, object]) -> bool:
    """A layer's changes can be drawn in place: it was drawn with ids (points with names, not clustered),
    the parts the changed features need exist in the base, it has no town labels, and no sidebar filter
    applies to it (the filter's positions refer to the order of a fresh compile)."""
    if base.count == 0 or get_spec(base.layer_id).name_labels == "always":
        return False
    if allow.get(base.layer_id) is not None or allow.get(f"{base.layer_id}:shapes") is not None:
        return False
    rows = now[now["fid"].astype(str).isin(fids)]
    is_point = np.asarray(rows.geometry.geom_type == "Point")
    if is_point.any() and (base.points is None or (now.geometry.geom_type == "Point").sum() > MANY_POINTS):
        return False
    return bool(not (~is_point).any() or base.shapes is not None)


def _legend_covers(base: str, now: str, fids: Mapping[str, frozenset[str]]) -> bool:
    """Every legend row and note of the changed layers now was in the base legend."""
    b, n = json.loads(base), json.loads(now)
    rows = {blk["layer"]: {tuple(r) for r in blk["rows"]} for blk in b["blocks"]}
    for blk in n["blocks"]:
        if blk["layer"] in fids and not {tuple(r) for r in blk["rows"]} <= rows.get(blk["layer"], set()):
            return False
    return {tuple(x) for x in n["notes"]} <= {tuple(x) for x in b["notes"]}


def patch_data(patch: Patch | None, lang: str) -> dict | None:
    """The patch as data for the browser (``onemapPatch``): per layer the ids to remove, the points and
    shapes to draw (the formats of ``points_data``/``shapes_data``) and the layer's count."""
    if patch is None:
        return None
    layers = []
    for p in patch.layers:
        pts = p.rows[p.rows.geometry.geom_type == "Point"]
        shp = p.rows[p.rows.geometry.geom_type != "Point"]
        layers.append({"layer": p.layer_id, "rm": list(p.fids), "n": p.count,
                       "pts": parse_js_data(points_data(p.layer_id, pts, names=True, cluster_zoom=None, lang=lang)) if len(pts) else None,
                       "shp": parse_js_data(shapes_data(p.layer_id, shp, lang=lang)) if len(shp) else None})
    return {"k": patch.key, "l": layers}
