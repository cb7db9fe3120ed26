"""Cached loaders for the pages (the only place with st.cache_data / st.cache_resource), keyed by
workspace file, the data-status switches and options."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import geopandas as gpd
import streamlit as st

from layers.catalog.quality import QualityOptions, apply_quality
from layers.render.webmap import MapParts, compile_map
from layers.store.workspace import list_workspaces, workspace_path
from layers.views import mapview as view


def workspace_stamp(adcode: str) -> float:
    """Modification time of the workspace file: part of every cache key, so rebuilds show up."""
    return workspace_path(adcode).stat().st_mtime


@st.cache_data(show_spinner=False)
def workspaces() -> list[tuple[str, str, str]]:
    return [(w.adcode, w.name, w.name_en) for w in list_workspaces()]


@st.cache_resource(show_spinner=False, max_entries=4)
def stored_frames(adcode: str, stamp: float) -> Mapping[str, gpd.GeoDataFrame]:
    """Every stored layer, loaded once per file and shared read-only by every session and rerun
    (st.cache_data would unpickle a copy each rerun: 0.1 s for the province's 20,000 points)."""
    return MappingProxyType(view.load_frames(adcode))


@st.cache_resource(show_spinner=False, max_entries=8)
def frames(adcode: str, stamp: float, q: QualityOptions) -> Mapping[str, gpd.GeoDataFrame]:
    """The frames a user sees and analyses: without what the data-status switches hide, and with the
    township risk recomputed from exactly those features (a hidden demo point never drives a level)."""
    stored = stored_frames(adcode, stamp)
    if not q.hides_any:
        return stored
    shown = apply_quality(stored, q)
    if "risk_townships" in shown and "townships" in shown:
        from layers.analysis.risk import compute_risk
        from layers.analysis.riskstore import workspace_crs

        risk = compute_risk(shown, workspace_crs(adcode)).townships
        shown["risk_townships"] = risk[[c for c in stored["risk_townships"].columns if c in risk.columns]]
    return MappingProxyType(shown)


@st.cache_data(show_spinner=False, max_entries=8)
def filter_options(adcode: str, stamp: float, q: QualityOptions) -> dict[str, list]:
    return view.filter_options(frames(adcode, stamp, q))


@st.cache_data(show_spinner=False, max_entries=32)
def map_parts(adcode: str, stamp: float, q: QualityOptions, visible: tuple[str, ...], lang: str, gcj02: bool) -> MapParts:
    """The map's layers compiled to strings, unfiltered (filters apply in the live map): a rerun only
    assembles a fresh folium map around them. The display frames in between are not cached themselves."""
    data = frames(adcode, stamp, q)
    shown = view.display_frames(data, visible, lang=lang, gcj02=gcj02, band=view.zoom_band(data))
    return compile_map(shown, lang=lang, gcj02=gcj02)


@st.cache_data(show_spinner=False, max_entries=64)
def filter_allow(adcode: str, stamp: float, q: QualityOptions, filters: view.Filters) -> dict[str, list[int] | None]:
    return view.filter_allow(frames(adcode, stamp, q), filters)


@st.cache_data(show_spinner=False, max_entries=64)
def filtered_counts(adcode: str, stamp: float, q: QualityOptions, filters: view.Filters) -> dict[str, int]:
    return {k: len(v) for k, v in view.apply_filters(frames(adcode, stamp, q), filters).items()}


@st.cache_data(show_spinner=False, max_entries=8)
def bounds(adcode: str, stamp: float) -> tuple[float, float, float, float]:
    return tuple(view.bounds_of(stored_frames(adcode, stamp)))  # type: ignore[return-value]


@st.cache_data(show_spinner=False, max_entries=8)
def project_screening(adcode: str, stamp: float, q: QualityOptions):  # noqa: ANN201
    from layers.analysis.riskstore import workspace_crs
    from layers.analysis.screen import screen_projects

    return screen_projects(frames(adcode, stamp, q), workspace_crs(adcode))
