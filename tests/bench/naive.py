"""Naive baseline map (not part of the product): plain folium as commonly written.

Every layer as a raw folium.GeoJson with all attributes, default markers for points, SVG
rendering, no simplification, data reloaded and the map rebuilt on every rerun. Leaflet itself
is served locally too, otherwise the baseline could not paint offline at all."""

from __future__ import annotations

import folium

from layers.render.webmap import LOCAL_CSS, LOCAL_JS
from layers.store.workspace import load_layer

DEFAULT = ("county", "townships", "rivers", "geohazards", "reservoirs")


def naive_map(adcode: str, layers: list[str], hazard: str | None = None) -> folium.Map:
    m = folium.Map(location=[30, 107.5], zoom_start=7)
    m.default_js, m.default_css = LOCAL_JS[:1], LOCAL_CSS[:1]
    for lid in layers:
        gdf = load_layer(adcode, lid)
        if lid == "geohazards" and hazard:
            gdf = gdf[gdf["hazard_type"] == hazard]
        folium.GeoJson(gdf, name=lid, tooltip=folium.GeoJsonTooltip(["name"])).add_to(m)
    return m
