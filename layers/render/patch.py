"""What changed on the live map since it was compiled, as a patch the browser applies in place.

A saved edit makes a new revision. Compiling and sending the whole map again makes streamlit-folium
re-create the map (2-5 s, and the user's view and open popups are lost); instead the map keeps the
layers it was compiled with (the *base*) and each rerun sends, through the small visibility group,
the features whose display differs from the base: removed by id, then added as they are now.

The patch is cumulative: every feature patched since the base is sent again as it is now (an undo
that puts a feature back where the base had it is drawn right). When a patch cannot be drawn in place
(a layer that was empty, town labels, a new legend class, a sidebar filter on a changed layer, or
many changes) :func:`plan_patch` returns None and the page compiles afresh."""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from layers.catalog.specs import get_spec
from layers.render.webmap import LayerParts, MapParts, parse_js_data, points_data, shapes_data

STYLE_COLUMNS = ("_c", "_r", "_q", "_l", "_w", "_fo")
MAX_PATCHED = 400  # features; beyond this a fresh compile is cheaper for the browser than a patch


class MapView:
    """A revision's map: the display frames, their per-feature signatures and the compiled map
    (compiled on first use: a revision drawn as a patch is never compiled whole); ``revision`` names
    it in patch keys."""

    def __init__(self, display: Mapping[str, gpd.GeoDataFrame], sig: Mapping[str, pd.Series | None], revision: str,
                 compile_parts: Callable[[], MapParts]) -> None:
        self.display, self.sig, self.revision = display, sig, revision
        self._compile = compile_parts
        self._lock = threading.Lock()

    @functools.cached_property
    def parts(self) -> MapParts:
        with self._lock:  # one compile when two sessions ask at once
            return self._compile()


@dataclass(frozen=True)
class LayerPatch:
    layer_id: str
    fids: tuple[str, ...]  # every feature patched since the base: removed, then drawn again if in ``rows``
    at: tuple[int, ...]  # the base positions of those among the base layer's points
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
    if sum(len(v) for v in fids.values()) > MAX_PATCHED or not _legend_covers(base.parts.legend, now.display, fids):
        return None
    out = []
    for lid, every in fids.items():
        if not _patchable(parts[lid], now.display[lid], every, allow):
            return None
        rows = now.display[lid][now.display[lid]["fid"].astype(str).isin(every)]
        out.append(LayerPatch(lid, tuple(sorted(every)), _base_positions(base.display[lid], every), rows, len(now.display[lid])))
    return Patch(key, tuple(out)), fids


def _base_positions(display: gpd.GeoDataFrame, fids: frozenset[str]) -> tuple[int, ...]:
    """Positions among the base layer's points of the features in ``fids`` (a dense layer's points are
    drawn without ids: the browser finds them by the position they were drawn at)."""
    pts = display.loc[display.geometry.geom_type == "Point", "fid"].astype(str).to_numpy()
    return tuple(int(i) for i in np.flatnonzero(np.isin(pts, list(fids))))


def _patchable(base: LayerParts, now: gpd.GeoDataFrame, fids: frozenset[str], allow: Mapping[str, object]) -> bool:
    """A layer's changes can be drawn in place: the parts the changed features need exist in the base,
    it has no town labels, and no sidebar filter applies to it (the filter's positions refer to the
    order of a fresh compile)."""
    if base.count == 0 or get_spec(base.layer_id).name_labels == "always":
        return False
    if allow.get(base.layer_id) is not None or allow.get(f"{base.layer_id}:shapes") is not None:
        return False
    rows = now[now["fid"].astype(str).isin(fids)]
    is_point = np.asarray(rows.geometry.geom_type == "Point")
    return not (is_point.any() and base.points is None) and not ((~is_point).any() and base.shapes is None)


def _legend_covers(base_legend: str, display: Mapping[str, gpd.GeoDataFrame], fids: Mapping[str, frozenset[str]]) -> bool:
    """The changed layers draw no legend class (colour, label) and no approximate position that the
    base legend lacks."""
    b = json.loads(base_legend)
    rows = {blk["layer"]: {tuple(r) for r in blk["rows"]} for blk in b["blocks"]}
    approx = any(n[0] == "approx" for n in b["notes"])
    for lid in fids:
        gdf = display[lid]
        if not set(zip(gdf["_c"].astype(str), gdf["_l"].astype(str), strict=True)) <= rows.get(lid, set()):
            return False
        if not approx and bool((gdf["_q"] == 1).any()):
            return False
    return True


def patch_data(patch: Patch | None, lang: str) -> dict | None:
    """The patch as data for the browser (``onemapPatch``): per layer the ids to remove, the points and
    shapes to draw (the formats of ``points_data``/``shapes_data``) and the layer's count."""
    if patch is None:
        return None
    layers = []
    for p in patch.layers:
        pts = p.rows[p.rows.geometry.geom_type == "Point"]
        shp = p.rows[p.rows.geometry.geom_type != "Point"]
        layers.append({"layer": p.layer_id, "rm": list(p.fids), "at": list(p.at), "n": p.count,
                       "pts": parse_js_data(points_data(p.layer_id, pts, names=True, cluster_zoom=None, lang=lang)) if len(pts) else None,
                       "shp": parse_js_data(shapes_data(p.layer_id, shp, lang=lang)) if len(shp) else None})
    return {"k": patch.key, "l": layers}
