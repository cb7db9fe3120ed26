"""Cached loaders for the pages (the only place with st.cache_data / st.cache_resource), keyed by
(store, adcode, revision), the data-status switches and options."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable, Mapping
from types import MappingProxyType
from typing import TypeVar

import geopandas as gpd
import pandas as pd
import streamlit as st

from layers.analysis.riskstore import analysed_frames, warm
from layers.catalog.quality import QualityOptions
from layers.render.patch import MapView, signatures
from layers.render.webmap import LayerParts, MapParts, compile_layer, compile_map
from layers.store.refresh import advance
from layers.store.workspace import Workspace, list_workspaces, open_workspace, store
from layers.views import mapview as view

Stamp = tuple[str, int]
T = TypeVar("T")


def workspace_stamp(adcode: str) -> Stamp:
    """(store, revision) of a workspace: part of every cache key, so every committed write shows up
    on the next rerun (one small query; never a file time, which a database has not and two quick
    writes would share)."""
    st_ = store()
    return (st_.key, st_.revision(adcode))


class StaleStamp(Exception):  # noqa: N818  (control flow between handle and current, never shown)
    """The workspace moved on between taking a stamp and loading it."""


_latest: dict[tuple[str, str], Workspace] = {}  # the newest handle loaded per (store, workspace)


@st.cache_resource(show_spinner=False, max_entries=4)
def handle(adcode: str, stamp: Stamp) -> Workspace:
    """The workspace handle at exactly the stamp's revision, loaded and shared by every session and
    rerun; :class:`StaleStamp` (never cached) when a write landed after the stamp was taken. After a
    saved edit the newest handle is advanced, re-reading only the layers the edit wrote."""
    prev = _latest.get((stamp[0], adcode))
    ws = advance(prev) if prev is not None and prev.revision < stamp[1] else open_workspace(adcode)
    ws.frames()
    if ws.revision != stamp[1]:
        raise StaleStamp(f"{adcode}: revision {ws.revision}, stamp {stamp[1]}")
    _latest[(stamp[0], adcode)] = ws
    warm(ws)  # once per workspace: the first saved change then finds the risk's reusable parts computed
    return ws


def current(adcode: str) -> tuple[Stamp, Workspace]:
    """The newest revision's stamp and handle (retaken when a write lands in between)."""
    for _ in range(5):
        stamp = workspace_stamp(adcode)
        try:
            return stamp, handle(adcode, stamp)
        except StaleStamp:
            continue
    return stamp, open_workspace(adcode)


def workspaces() -> list[tuple[str, str, str]]:
    """(adcode, name, English name) of the workspaces of the current store (cached for 30 s per store)."""
    return _workspaces(store().key)


@st.cache_data(show_spinner=False, ttl=30)  # a workspace built meanwhile shows up
def _workspaces(store_key: str) -> list[tuple[str, str, str]]:
    return [(w.adcode, w.name, w.name_en) for w in list_workspaces()]


workspaces.clear = _workspaces.clear  # type: ignore[attr-defined]  # after a build: the list now


@st.cache_resource(show_spinner=False, max_entries=4)
def stored_frames(adcode: str, stamp: Stamp) -> Mapping[str, gpd.GeoDataFrame]:
    """Every stored layer, loaded once per revision and shared read-only by every session and rerun
    (st.cache_data would unpickle a copy each rerun: 0.1 s for the province's 20,000 points)."""
    return handle(adcode, stamp).frames()


@st.cache_resource(show_spinner=False, max_entries=8)
def frames(adcode: str, stamp: Stamp, q: QualityOptions) -> Mapping[str, gpd.GeoDataFrame]:
    """The frames a user sees and analyses (``analysed_frames``: what the switches hide left out, the
    township risk recomputed from exactly what is shown)."""
    return MappingProxyType(dict(analysed_frames(handle(adcode, stamp), q)))


@st.cache_data(show_spinner=False, max_entries=8)
def filter_options(adcode: str, stamp: Stamp, q: QualityOptions) -> dict[str, list]:
    return view.filter_options(frames(adcode, stamp, q))


def map_parts(adcode: str, stamp: Stamp, q: QualityOptions, visible: tuple[str, ...], lang: str, gcj02: bool) -> MapParts:
    """The map's layers compiled to strings, unfiltered (filters apply in the live map): a rerun only
    assembles a fresh folium map around them."""
    return map_view(adcode, stamp, q, visible, lang, gcj02).parts


@st.cache_resource(show_spinner=False, max_entries=16)
def map_view(adcode: str, stamp: Stamp, q: QualityOptions, visible: tuple[str, ...], lang: str, gcj02: bool) -> MapView:
    """The display frames of a revision and their per-feature signatures (what a patch of the live map
    is computed from), and the map compiled from them when asked, shared read-only by every session.
    A layer whose frame is the same object as at an earlier revision (the edit did not touch it) reuses
    its display copy, signature and compiled parts."""
    data = frames(adcode, stamp, q)
    band = view.zoom_band(data)
    shown = {k: _per_object(data[k], ("display", lang, gcj02, band),
                            lambda k=k: view.display_frames({k: data[k]}, [k], lang=lang, gcj02=gcj02, band=band)[k])
             for k in visible if k in data}
    sig = {k: _per_object(g, ("sig",), lambda g=g, k=k: signatures({k: g})[k]) for k, g in shown.items()}
    return MapView(MappingProxyType(shown), MappingProxyType(sig), str(stamp[1]),
                   lambda: compile_map(shown, lang=lang, gcj02=gcj02, compile_one=_compiled))


def _compiled(layer_id: str, display: gpd.GeoDataFrame, lang: str) -> LayerParts:
    return _per_object(display, ("compiled", layer_id, lang), lambda: compile_layer(layer_id, display, lang))


_by_object: dict[tuple[int, Hashable], tuple[weakref.ref, object]] = {}


def _per_object(obj: object, extra: Hashable, compute: Callable[[], T]) -> T:
    """``compute()`` once per live object ``obj`` (and ``extra``): frames are read-only, so a result
    keyed by the object holds as long as the object lives (the entry goes with it)."""
    key = (id(obj), extra)
    hit = _by_object.get(key)
    if hit is not None and hit[0]() is obj:
        return hit[1]  # type: ignore[return-value]
    value = compute()
    _by_object[key] = (weakref.ref(obj), value)
    weakref.finalize(obj, _by_object.pop, key, None)
    return value


def search(adcode: str, stamp: Stamp, q: QualityOptions, text: str, lang: str) -> pd.DataFrame:
    """The search's hits (the text stays in the box across reruns and revisions: each layer's hits are
    kept while its frame is the same object, so after an edit only the edited layer is searched again)."""
    data = frames(adcode, stamp, q)
    return view.ranked([_per_object(g, ("search", text, lang), lambda k=k, g=g: view.search_layer(k, g, text, lang))
                        for k, g in data.items()])


def selection(adcode: str, stamp: Stamp, q: QualityOptions, layer_id: str, fid: str, gcj02: bool) -> dict | None:
    """Where the map draws the selected feature (its highlight), kept per frame object."""
    data = frames(adcode, stamp, q)
    if layer_id not in data:
        return None
    return _per_object(data[layer_id], ("selection", fid, gcj02), lambda: view.selection(data, layer_id, fid, gcj02=gcj02))


@st.cache_data(show_spinner=False, max_entries=64)
def filter_allow(adcode: str, stamp: Stamp, q: QualityOptions, filters: view.Filters) -> dict[str, list[int] | None]:
    return view.filter_allow(frames(adcode, stamp, q), filters)


@st.cache_data(show_spinner=False, max_entries=64)
def filtered_counts(adcode: str, stamp: Stamp, q: QualityOptions, filters: view.Filters) -> dict[str, int]:
    return {k: len(v) for k, v in view.apply_filters(frames(adcode, stamp, q), filters).items()}


@st.cache_data(show_spinner=False, max_entries=8)
def bounds(adcode: str, stamp: Stamp) -> tuple[float, float, float, float]:
    return tuple(view.bounds_of(stored_frames(adcode, stamp)))  # type: ignore[return-value]


@st.cache_data(show_spinner=False, max_entries=8)
def project_screening(adcode: str, stamp: Stamp, q: QualityOptions):  # noqa: ANN201
    from layers.analysis.screen import screen_projects

    return screen_projects(frames(adcode, stamp, q), handle(adcode, stamp).metric_crs)
