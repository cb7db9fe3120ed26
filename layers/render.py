"""The one renderer: layer specs + display GeoDataFrames -> a folium map that works offline.

Leaflet is served by the app itself (``static/vendor``, installed from npm by ``make``); folium's
CDN links are replaced. Tiles are optional: with ``basemap="none"`` the map is fully offline.
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import folium
import geopandas as gpd
from branca.element import Element, MacroElement
from jinja2 import Template

from layers.i18n import BASEMAP_LABELS, pick, t
from layers.specs import get_spec

VENDOR_URL = os.environ.get("ONEMAP_VENDOR_URL", "/app/static/vendor")
LOCAL_JS = [("leaflet", f"{VENDOR_URL}/leaflet/leaflet.js")]
LOCAL_CSS = [("leaflet_css", f"{VENDOR_URL}/leaflet/leaflet.css")]
BACKGROUND = "#eef1f2"
LABEL_MIN_ZOOM = 10
DRAW_ORDER = ("risk_townships", "coverage_service", "townships", "rules", "county", "forest_fire", "geohazards", "rivers",
              "projects", "facilities", "reservoirs", "township_seats", "coverage_gaps", "coverage_sites")


@dataclass(frozen=True)
class Basemap:
    """A tile basemap; ``gcj02`` means overlays must be shifted to GCJ-02 to sit on it."""

    id: str
    tiles: tuple[tuple[str, str], ...]  # (url template, attribution)
    gcj02: bool = False
    max_zoom: int = 18


def basemap(basemap_id: str, *, tianditu_key: str | None = None, local_url: str | None = None) -> Basemap:
    """Basemap by id: none, osm, tianditu (needs a key), amap (GCJ-02), local (an XYZ URL template)."""
    if basemap_id == "none":
        return Basemap("none", ())
    if basemap_id == "osm":
        return Basemap("osm", (("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "© OpenStreetMap contributors"),))
    if basemap_id == "tianditu":
        if not tianditu_key:
            raise ValueError("Tianditu tiles need a key: set ONEMAP_TIANDITU_KEY or enter it in the sidebar.")
        tpl = "https://t{s}.tianditu.gov.cn/DataServer?T=%s_w&x={x}&y={y}&l={z}&tk=" + tianditu_key
        return Basemap("tianditu", ((tpl % "vec", "© 天地图"), (tpl % "cva", "© 天地图")))
    if basemap_id == "amap":
        url = "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}"
        return Basemap("amap", ((url, "© 高德地图 (GCJ-02)"),), gcj02=True)
    if basemap_id == "local":
        if not local_url:
            raise ValueError("A local tile basemap needs an XYZ URL template: set ONEMAP_LOCAL_TILES, e.g. /app/static/tiles/{z}/{x}/{y}.png")
        return Basemap("local", ((local_url, "本地瓦片 / local tiles"),))
    raise ValueError(f"Unknown basemap {basemap_id!r}; use one of {list(BASEMAP_LABELS)}.")


def _style(feature: dict) -> dict:
    p = feature["properties"]
    approx = p.get("_q") == 1
    return {"color": p["_c"], "weight": p["_w"], "fillColor": p["_c"], "fillOpacity": p["_fo"] * (0.4 if approx else 1.0),
            "opacity": 0.95, "dashArray": "6 4" if approx else None}


def _point_style(feature: dict) -> dict:
    p = feature["properties"]
    approx = p.get("_q") == 1
    return {"color": p["_c"], "weight": 1.6, "fillColor": p["_c"], "fillOpacity": 0.15 if approx else 0.85,
            "radius": p["_r"], "dashArray": "2 2" if approx else None}


def _layer(layer_id: str, gdf: gpd.GeoDataFrame, lang: str) -> folium.FeatureGroup:
    spec = get_spec(layer_id)
    group = folium.FeatureGroup(name=spec.label(lang), show=True)
    points = gdf[gdf.geometry.geom_type == "Point"]
    shapes = gdf[gdf.geometry.geom_type != "Point"]
    tip = ["name", "_l"]
    aliases = [spec.field("name").zh if lang == "zh" else "Name", "类别" if lang == "zh" else "Kind"]
    if len(shapes):
        folium.GeoJson(shapes.to_json(drop_id=True), name=layer_id, style_function=_style, smooth_factor=1.0,
                       tooltip=folium.GeoJsonTooltip(tip, aliases=aliases, sticky=False)).add_to(group)
    if len(points):
        folium.GeoJson(points.to_json(drop_id=True), name=layer_id, style_function=_point_style,
                       marker=folium.CircleMarker(radius=5),
                       tooltip=folium.GeoJsonTooltip(tip, aliases=aliases, sticky=False)).add_to(group)
    return group


def _labels(townships: gpd.GeoDataFrame) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name="labels", control=False)
    for _, row in townships.iterrows():
        pt = row.geometry.representative_point()
        folium.Marker([pt.y, pt.x], icon=folium.DivIcon(
            html=f'<div class="twn-label">{html.escape(str(row["name"]))}</div>', icon_size=(80, 16), icon_anchor=(40, 8),
            class_name="twn-label-icon")).add_to(group)
    return group


class _Legend(MacroElement):
    """Legend + label visibility by zoom + background colour, as one Leaflet control."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function(){
          var map = {{ this._parent.get_name() }};
          var legend = L.control({position: 'bottomright'});
          legend.onAdd = function () {
            var div = L.DomUtil.create('div', 'onemap-legend');
            div.innerHTML = {{ this.html_json }};
            L.DomEvent.disableScrollPropagation(div);
            return div;
          };
          legend.addTo(map);
          function labels(){ map.getContainer().classList.toggle('hide-labels', map.getZoom() < {{ this.min_zoom }}); }
          map.on('zoomend', labels); labels();
        })();
        {% endmacro %}
    """)

    def __init__(self, legend_html: str, min_zoom: int) -> None:
        super().__init__()
        self._name = "Legend"
        self.html_json = json.dumps(legend_html, ensure_ascii=False).replace("</", "<\\/")
        self.min_zoom = min_zoom


CSS = f"""<style>
.leaflet-container {{ background: {BACKGROUND}; font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; }}
.onemap-legend {{ background: rgba(255,255,255,.92); padding: 6px 9px; border-radius: 4px; font-size: 12px;
  line-height: 17px; max-height: 320px; overflow-y: auto; box-shadow: 0 1px 4px rgba(0,0,0,.3); }}
.onemap-legend h4 {{ margin: 4px 0 2px; font-size: 12px; }}
.onemap-legend i {{ display: inline-block; width: 12px; height: 12px; margin-right: 5px; vertical-align: -2px; border-radius: 6px; }}
.onemap-legend i.approx {{ background: transparent !important; border: 1.5px dashed #333; }}
.twn-label {{ font-size: 11px; color: #444; text-align: center; white-space: nowrap; text-shadow: 0 0 3px #fff, 0 0 3px #fff; }}
.hide-labels .twn-label {{ display: none; }}
</style>"""


def legend_html(frames: Mapping[str, gpd.GeoDataFrame], lang: str, *, gcj02: bool) -> str:
    """HTML of the legend: one block per visible layer with the colours in use, plus notes."""
    parts = []
    any_approx = False
    for layer_id in frames:
        gdf = frames[layer_id]
        if gdf.empty:
            continue
        parts.append(f"<h4>{html.escape(get_spec(layer_id).label(lang))}</h4>")
        for (color, label), _ in gdf.groupby(["_c", "_l"], sort=True):
            parts.append(f'<div><i style="background:{color}"></i>{html.escape(str(label))}</div>')
        any_approx = any_approx or bool((gdf["_q"] == 1).any())
    if any_approx:
        parts.append(f'<div style="margin-top:4px"><i class="approx"></i>{html.escape(t("approx", lang))}</div>')
    if gcj02:
        parts.append(f'<div style="margin-top:4px;color:#b30000">{html.escape(t("gcj_note", lang))}</div>')
    return "".join(parts)


def build_map(
    frames: Mapping[str, gpd.GeoDataFrame],
    *,
    bounds: Sequence[float],
    lang: str = "zh",
    base: Basemap | None = None,
    center: tuple[float, float] | None = None,
    zoom: int | None = None,
    images: Sequence[tuple[str, tuple[float, float, float, float], str]] = (),
) -> folium.Map:
    """A folium map of ``frames`` (layer id -> display frame with style columns), drawn in
    ``DRAW_ORDER``. ``bounds`` = (minx, miny, maxx, maxy) in lon/lat, passed explicitly so folium
    never walks the coordinates; ``center``/``zoom`` keep the user's current view. ``images`` =
    (PNG data URL, lon/lat bounds, name) raster overlays drawn under the vector layers."""
    base = base or Basemap("none", ())
    m = folium.Map(location=center or [(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2],
                   zoom_start=zoom or 10, tiles=None, prefer_canvas=True, control_scale=True,
                   max_zoom=base.max_zoom, zoom_snap=0.5)
    m.default_js, m.default_css = LOCAL_JS, LOCAL_CSS
    for url, attr in base.tiles:
        folium.TileLayer(url, attr=attr, name=pick(BASEMAP_LABELS[base.id], lang), subdomains="1234" if "{s}" in url else "abc",
                         overlay=url.find("cva_w") >= 0, control=False).add_to(m)
    for url, (minx, miny, maxx, maxy), name in images:
        folium.raster_layers.ImageOverlay(url, bounds=[[miny, minx], [maxy, maxx]], name=name, opacity=0.75).add_to(m)
    ordered = [k for k in DRAW_ORDER if k in frames] + [k for k in frames if k not in DRAW_ORDER]
    for layer_id in ordered:
        if not frames[layer_id].empty:
            _layer(layer_id, frames[layer_id], lang).add_to(m)
    if "townships" in frames and not frames["townships"].empty:
        _labels(frames["townships"]).add_to(m)
    m.get_root().header.add_child(Element(CSS))
    m.add_child(_Legend(legend_html({k: frames[k] for k in ordered}, lang, gcj02=base.gcj02), LABEL_MIN_ZOOM))
    if center is None:
        m.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    return m
