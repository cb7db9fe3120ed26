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
import numpy as np
from branca.element import Element, MacroElement
from jinja2 import Template

from layers.i18n import BASEMAP_LABELS, pick, t
from layers.specs import get_spec

VENDOR_URL = os.environ.get("ONEMAP_VENDOR_URL", "/app/static/vendor")
LOCAL_JS = [("leaflet", f"{VENDOR_URL}/leaflet/leaflet.js"), ("markercluster", f"{VENDOR_URL}/markercluster/leaflet.markercluster.js")]
LOCAL_CSS = [("leaflet_css", f"{VENDOR_URL}/leaflet/leaflet.css"), ("markercluster_css", f"{VENDOR_URL}/markercluster/MarkerCluster.css"),
             ("markercluster_default_css", f"{VENDOR_URL}/markercluster/MarkerCluster.Default.css")]
BACKGROUND = "#eef1f2"
LABEL_MIN_ZOOM = 10
MANY_POINTS = 2000  # above this a point layer is clustered at overview zooms and its tooltips show the kind only
CLUSTER_UNTIL_ZOOM = 11
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


def js_data(obj: object) -> str:
    """``obj`` as a JavaScript literal: compact UTF-8 JSON that cannot close the <script> tag."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")


def js_json(obj: object) -> str:
    """``obj`` as ``JSON.parse('...')``: V8 parses JSON text faster than the same object literal."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return "JSON.parse(" + json.dumps(text, ensure_ascii=False).replace("</", "<\\/") + ")"


def parse_js_data(js: str) -> object:
    """The object behind a ``js_data`` or ``js_json`` literal (to check what a map carries)."""
    if js.startswith("JSON.parse(") and js.endswith(")"):
        return json.loads(json.loads(js[len("JSON.parse("):-1]))
    return json.loads(js)


class _Script(Element):
    """JavaScript that is already rendered. branca wraps every rendered script in ``Element(text)``,
    which compiles the text as a Jinja template: 0.25 s for a 1.4 MB province data literal."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **kwargs: object) -> str:
        return self.text


class _DataElement(MacroElement):
    """A MacroElement whose template has only a script part using ``this.data`` (a JS literal); it is
    added to the figure without re-compiling it. Named after its class (``_Shapes`` -> ``Shapes``)."""

    def __init__(self, data: str) -> None:
        super().__init__()
        self._name = type(self).__name__.lstrip("_")
        self.data = data

    def render(self, **kwargs: object) -> None:
        script = self._template.module.__dict__["script"]
        self.get_root().script.add_child(_Script(script(self, kwargs)), name=self.get_name())


class _Refilter(_DataElement):
    """``window.onemapRefilter(key)``, defined once per map before any layer: redraws the items of a
    layer part (``window.onemap[key]``) that pass the sidebar filters (``allow``: a Set of item
    positions, or null) and, for points, whose legend class is ticked in the in-map panel (``classes``:
    a Set of labels, or null). The in-map panel and the visibility group call it."""

    _template = Template("""
        {% macro script(this, kwargs) %}
          window.onemapRefilter = function (key) {
            var P = window.onemap && window.onemap[key];
            if (!P) return;
            var keep = P.items.filter(function (m, i) {
              return (!P.allow || P.allow.has(i)) && (!P.classes || P.classes.has(P.labels[m._row[2]])); });
            P.group.clearLayers();
            if (P.group.addLayers) { P.group.addLayers(keep); } else { keep.forEach(function (m) { P.group.addLayer(m); }); }
            P.count = keep.length;
          };
        {% endmacro %}
    """)

    def __init__(self) -> None:
        super().__init__("null")


def _register(layer: str) -> str:
    """JS that files the enclosing feature group (``map`` in the templates) under ``layer`` in
    ``window.onemapLayers``, where the in-map panel and the sidebar visibility group find it."""
    return (f"window.onemapLayers = window.onemapLayers || {{}};\n"
            f"          var _reg = window.onemapLayers[{layer}] = window.onemapLayers[{layer}] || [];\n"
            "          if (_reg.indexOf(map) < 0) _reg.push(map);\n")


class _Shapes(_DataElement):
    """Lines and polygons of one layer as one compact GeoJSON (UTF-8, rounded, only display
    properties) drawn on the canvas with styles read from the properties in JS."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function(){
          var map = {{ this._parent.get_name() }};
          var d = {{ this.data }};
          var canvas = L.canvas({padding: 0.5});
          var layer = L.geoJSON(d.g, {renderer: canvas,
            style: function (f) { var p = f.properties, q = p._q === 1;
              return {color: p._c, weight: p._w, fillColor: p._c, fillOpacity: p._fo * (q ? 0.4 : 1), opacity: 0.95,
                      dashArray: q ? '6 4' : null}; },
            onEachFeature: function (f, l) { l.bindTooltip(f.properties.name + ' · ' + f.properties._l, {sticky: true}); }
          }).addTo(map);
          window.onemap = window.onemap || {};
          window.onemap[d.layer + ':shapes'] = {count: d.g.features.length, group: layer, items: layer.getLayers(),
                                                allow: null, allowKey: '', classes: null};
          """ + _register("d.layer") + """
        })();
        {% endmacro %}
    """)


def shapes_data(layer_id: str, gdf: gpd.GeoDataFrame) -> str:
    """JS literal drawn by ``_Shapes``: the lines/polygons of a display frame with display properties only."""
    props = gdf[["fid", "name", "_c", "_l", "_w", "_fo", "_q"]].astype({"fid": str, "name": str, "_l": str})
    geo = json.loads(gpd.GeoDataFrame(props, geometry=gdf.geometry.values, crs=gdf.crs).to_json(drop_id=True))
    return js_json({"layer": layer_id, "g": geo})


class _Points(_DataElement):
    """All points of one layer as compact arrays drawn as canvas circle markers (one element, not
    one folium object per point); clustered when there are many. Registers itself in
    ``window.onemap[layer]`` so tests and benchmarks can count what was drawn."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function(){
          var map = {{ this._parent.get_name() }};
          var d = {{ this.data }};
          var canvas = L.canvas({padding: 0.5});
          var layers = new Array(d.f.length);
          for (var i = 0; i < d.f.length; i++) {
            var r = d.f[i], st = d.s[r[2]];
            var m = L.circleMarker([r[1] / 1e5, r[0] / 1e5], {renderer: canvas, radius: st[1], color: st[0], weight: 1.6,
              fillColor: st[0], fillOpacity: st[2] ? 0.15 : 0.85, dashArray: st[2] ? '2 2' : null});
            m.feature = {properties: {fid: r[3] || '', layer: d.layer}};
            m._row = r;
            layers[i] = m;
          }
          var group = d.cluster && L.markerClusterGroup ?
            L.markerClusterGroup({chunkedLoading: true, disableClusteringAtZoom: d.cluster, spiderfyOnMaxZoom: false}) : L.featureGroup();
          group.addLayers ? group.addLayers(layers) : layers.forEach(function (m) { group.addLayer(m); });
          group.on('mouseover', function (e) {  // tooltips are bound on first hover, not for every point up front
            var m = e.layer;
            if (m._row && !m.getTooltip()) { m.bindTooltip((m._row[4] ? m._row[4] + ' · ' : '') + d.l[m._row[2]]).openTooltip(); }
          });
          group.addTo(map);
          window.onemap = window.onemap || {};
          window.onemap[d.layer] = {count: layers.length, group: group, items: layers, labels: d.l,
                                    allow: null, allowKey: '', classes: null};
          """ + _register("d.layer") + """
        })();
        {% endmacro %}
    """)


def points_data(layer_id: str, gdf: gpd.GeoDataFrame, *, names: bool, cluster_zoom: int | None) -> str:
    """JS literal drawn by ``_Points``: positions as integer 1e-5 degrees, one style table, and id/name
    only when ``names`` (dense layers get their details from the server on click)."""
    keys = list(zip(gdf["_c"], gdf["_r"].astype(float), gdf["_q"].astype(int), strict=True))
    key: dict[tuple, int] = {}
    labels: list[str] = []
    for k, label in zip(keys, gdf["_l"].astype(str), strict=True):
        if k not in key:
            key[k] = len(key)
            labels.append(label)
    idx = [key[k] for k in keys]
    xs = np.round(gdf.geometry.x.to_numpy() * 1e5).astype(int)
    ys = np.round(gdf.geometry.y.to_numpy() * 1e5).astype(int)
    if names:  # small layers carry id and name; dense ones only position and style (details come from the server on click)
        feats = [[int(x), int(y), i, f, n] for x, y, i, f, n in
                 zip(xs, ys, idx, gdf["fid"].astype(str), gdf["name"].astype(str), strict=True)]
    else:
        feats = [[int(x), int(y), i] for x, y, i in zip(xs, ys, idx, strict=True)]
    data = {"layer": layer_id, "s": [list(k) for k in key], "l": labels, "f": feats,
            "cluster": cluster_zoom}
    return js_json(data)


PanelGroups = tuple[tuple[str, tuple[tuple[str, str, int, tuple[str, ...]], ...]], ...]
"""(theme label, ((layer id, label, feature count, filterable classes), ...)) in theme order."""


@dataclass(frozen=True)
class LayerParts:
    """One layer compiled for the browser: JS literals ready to embed (strings, so cheap to cache)."""

    layer_id: str
    label: str
    count: int
    shapes: str | None
    points: str | None
    labels: str | None


@dataclass(frozen=True)
class MapParts:
    """Everything heavy about a map, compiled once: layers in draw order (empty ones too, with their
    count of 0), the in-map panel's groups
    (without on/off flags, which change with the sidebar), the legend HTML."""

    layers: tuple[LayerParts, ...]
    groups: PanelGroups
    legend: str
    lang: str


def compile_layer(layer_id: str, gdf: gpd.GeoDataFrame, lang: str) -> LayerParts:
    points = gdf[gdf.geometry.geom_type == "Point"]
    shapes = gdf[gdf.geometry.geom_type != "Point"]
    many = len(points) > MANY_POINTS
    return LayerParts(
        layer_id, get_spec(layer_id).label(lang), len(gdf),
        shapes_data(layer_id, shapes) if len(shapes) else None,
        points_data(layer_id, points, names=not many, cluster_zoom=CLUSTER_UNTIL_ZOOM if many else None) if len(points) else None,
        labels_data(gdf) if layer_id == "townships" else None,
    )


def compile_map(frames: Mapping[str, gpd.GeoDataFrame], *, lang: str = "zh", gcj02: bool = False) -> MapParts:
    """The heavy half of ``build_map``: display frames -> strings, in ``DRAW_ORDER``."""
    ordered = [k for k in DRAW_ORDER if k in frames] + [k for k in frames if k not in DRAW_ORDER]
    layers = tuple(compile_layer(k, frames[k], lang) for k in ordered)
    return MapParts(layers, panel_groups(frames, lang), legend_html({k: frames[k] for k in ordered}, lang, gcj02=gcj02), lang)


def _layer(parts: LayerParts, *, show: bool) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name=parts.label, show=show)
    if parts.shapes is not None:
        group.add_child(_Shapes(parts.shapes))
    if parts.points is not None:
        group.add_child(_Points(parts.points))
    if parts.labels is not None:
        group.add_child(_Labels(parts.labels))
    return group


class _Labels(_DataElement):
    """Township names as one element (divIcons created in JS), hidden below LABEL_MIN_ZOOM by CSS."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function(){
          var map = {{ this._parent.get_name() }};
          var d = {{ this.data }};
          d.forEach(function (r) {
            L.marker([r[1] / 1e5, r[0] / 1e5], {interactive: false, keyboard: false, icon: L.divIcon({className: 'twn-label-icon',
              html: '<div class="twn-label">' + r[2] + '</div>', iconSize: [80, 16], iconAnchor: [40, 8]})}).addTo(map);
          });
          """ + _register("'townships'") + """
        })();
        {% endmacro %}
    """)


def labels_data(townships: gpd.GeoDataFrame) -> str:
    """JS literal drawn by ``_Labels``: [x, y, escaped name] at each township's representative point."""
    pts = townships.geometry.representative_point()
    return js_data([[round(p.x * 1e5), round(p.y * 1e5), html.escape(str(n))] for p, n in zip(pts, townships["name"], strict=True)])


class _LayerPanel(_DataElement):
    """The layer panel inside the map: layers grouped by theme with their counts; a click shows or
    hides a layer on the client at once (no server round trip, the view stays)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function(){
          var map = {{ this._parent.get_name() }};
          var d = {{ this.data }};
          var panel = L.control({position: 'topright'});
          panel.onAdd = function () {
            var div = L.DomUtil.create('div', 'onemap-panel');
            var html = '<b>' + d.title + '</b>';
            d.groups.forEach(function (g) {
              html += '<div class="grp">' + g.label + '</div>';
              g.layers.forEach(function (l) {
                html += '<label><input type="checkbox" data-layer="' + l.id + '"' + (l.show ? ' checked' : '') + '> ' +
                        l.label + ' (' + l.count + ')</label>';
                (l.classes || []).forEach(function (c) {
                  html += '<label class="cls"><input type="checkbox" checked data-class-layer="' + l.id + '" data-class="' + c + '"> ' + c + '</label>';
                });
              });
            });
            div.innerHTML = html;
            L.DomEvent.disableClickPropagation(div);
            L.DomEvent.disableScrollPropagation(div);
            div.querySelectorAll('input[data-class]').forEach(function (box) {
              box.addEventListener('change', function () {  // class filter of a point layer, on the client
                var layer = box.dataset.classLayer, on = new Set();
                div.querySelectorAll('input[data-class-layer="' + layer + '"]').forEach(function (b) { if (b.checked) on.add(b.dataset.class); });
                window.onemap[layer].classes = on;
                window.onemapRefilter(layer);
              });
            });
            div.querySelectorAll('input[data-layer]').forEach(function (box) {
              box.addEventListener('change', function () {
                (window.onemapLayers[box.dataset.layer] || []).forEach(function (fg) {
                  if (box.checked) { map.addLayer(fg); } else { map.removeLayer(fg); }
                });
              });
            });
            return div;
          };
          panel.addTo(map);
        })();
        {% endmacro %}
    """)

    def __init__(self, groups: list[dict], title: str) -> None:
        super().__init__(js_data({"title": title, "groups": groups}))


class _Legend(_DataElement):
    """Legend + label visibility by zoom + background colour, as one Leaflet control."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function(){
          var map = {{ this._parent.get_name() }};
          var legend = L.control({position: 'bottomright'});
          legend.onAdd = function () {
            var div = L.DomUtil.create('div', 'onemap-legend');
            div.innerHTML = {{ this.data }};
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
        super().__init__(js_data(legend_html))
        self.min_zoom = min_zoom


class _Visibility(_DataElement):
    """Shows exactly the layers in ``visible``, ticks the in-map panel to match and applies the
    sidebar filters (``allow``: layer part -> positions of the items that pass, None = all). Sent
    through st_folium's ``feature_group_to_add``, which runs it in the live map: a sidebar toggle or
    filter changes what is drawn without re-creating the map (its script, and so its key, stay the same)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function(){
          var map = window.map, d = {{ this.data }}, want = new Set(d.v);
          if (!map || !window.onemapLayers) return;
          Object.keys(window.onemapLayers).forEach(function (id) {
            window.onemapLayers[id].forEach(function (fg) { if (want.has(id)) { map.addLayer(fg); } else { map.removeLayer(fg); } });
          });
          document.querySelectorAll('.onemap-panel input[data-layer]').forEach(function (box) { box.checked = want.has(box.dataset.layer); });
          Object.keys(d.a).forEach(function (key) {  // redraw a part only when its filter changed
            var P = window.onemap && window.onemap[key], allowKey = d.a[key] ? d.a[key].join(',') : '';
            if (!P || P.allowKey === allowKey) return;
            P.allow = d.a[key] ? new Set(d.a[key]) : null;
            P.allowKey = allowKey;
            window.onemapRefilter(key);
          });
        })();
        {% endmacro %}
    """)

    def __init__(self, visible: Sequence[str], allow: Mapping[str, Sequence[int] | None]) -> None:
        super().__init__(js_data({"v": sorted(visible), "a": {k: None if v is None else list(v) for k, v in allow.items()}}))


def visibility_group(visible: Sequence[str], allow: Mapping[str, Sequence[int] | None] | None = None) -> folium.FeatureGroup:
    """An empty feature group carrying ``_Visibility`` for ``st_folium(feature_group_to_add=...)``;
    ``allow`` as returned by ``layers.view.filter_allow``."""
    group = folium.FeatureGroup(name="visibility", control=False)
    group.add_child(_Visibility(visible, allow or {}))
    return group


CSS = f"""<style>
.leaflet-container {{ background: {BACKGROUND}; font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; }}
.onemap-legend {{ background: rgba(255,255,255,.92); padding: 6px 9px; border-radius: 4px; font-size: 12px;
  line-height: 17px; max-height: 240px; overflow-y: auto; box-shadow: 0 1px 4px rgba(0,0,0,.3); }}
.onemap-legend h4 {{ margin: 4px 0 2px; font-size: 12px; }}
.onemap-legend i {{ display: inline-block; width: 12px; height: 12px; margin-right: 5px; vertical-align: -2px; border-radius: 6px; }}
.onemap-legend i.approx {{ background: transparent !important; border: 1.5px dashed #333; }}
.twn-label {{ font-size: 11px; color: #444; text-align: center; white-space: nowrap; text-shadow: 0 0 3px #fff, 0 0 3px #fff; }}
.hide-labels .twn-label {{ display: none; }}
.onemap-panel {{ background: rgba(255,255,255,.94); padding: 6px 9px; border-radius: 4px; font-size: 12px; line-height: 19px;
  max-height: 300px; overflow-y: auto; box-shadow: 0 1px 4px rgba(0,0,0,.3); }}
.onemap-panel .grp {{ color: #666; margin-top: 3px; font-size: 11px; }}
.onemap-panel label {{ display: block; cursor: pointer; white-space: nowrap; }}
.onemap-panel label.cls {{ margin-left: 16px; font-size: 11px; line-height: 16px; }}
</style>"""


CLASS_FILTER_LAYERS = ("geohazards",)  # point layers whose legend classes can be filtered in the map (灾种)


def point_classes(gdf: gpd.GeoDataFrame) -> list[str]:
    """Legend classes of a layer's points, in first-seen order (the same order _Points uses)."""
    pts = gdf[gdf.geometry.geom_type == "Point"]
    return list(dict.fromkeys(pts["_l"].astype(str)))


def panel_groups(frames: Mapping[str, gpd.GeoDataFrame], lang: str) -> PanelGroups:
    """Layers of the in-map panel by theme, in the fixed theme order: (theme label, ((id, label,
    count, filterable classes), ...))."""
    from layers.specs import THEMES

    groups = []
    for theme, labels in THEMES.items():
        layers = tuple((k, get_spec(k).label(lang), len(g),
                        tuple(html.escape(c, quote=True) for c in point_classes(g)) if k in CLASS_FILTER_LAYERS else ())
                       for k, g in frames.items() if get_spec(k).theme == theme and len(g))
        if layers:
            groups.append((labels[0] if lang == "zh" else labels[1], layers))
    return tuple(groups)


def _panel_data(groups: PanelGroups, visible: set[str]) -> list[dict]:
    return [{"label": label, "layers": [{"id": k, "label": lab, "count": n, "show": k in visible, "classes": list(cls)}
                                        for k, lab, n, cls in layers]} for label, layers in groups]


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
    shown: Sequence[str] | None = None,
    images: Sequence[tuple[str, tuple[float, float, float, float], str]] = (),
) -> folium.Map:
    """A folium map of ``frames`` (layer id -> display frame with style columns), drawn in
    ``DRAW_ORDER``. ``bounds`` = (minx, miny, maxx, maxy) in lon/lat, passed explicitly so folium
    never walks the coordinates; ``center``/``zoom`` keep the user's current view. ``images`` =
    (PNG data URL, lon/lat bounds, name) raster overlays drawn under the vector layers."""
    base = base or Basemap("none", ())
    return assemble_map(compile_map(frames, lang=lang, gcj02=base.gcj02), bounds=bounds, base=base, center=center,
                        zoom=zoom, shown=shown, images=images)


def assemble_map(
    parts: MapParts,
    *,
    bounds: Sequence[float],
    base: Basemap | None = None,
    center: tuple[float, float] | None = None,
    zoom: int | None = None,
    shown: Sequence[str] | None = None,
    images: Sequence[tuple[str, tuple[float, float, float, float], str]] = (),
) -> folium.Map:
    """The cheap half of ``build_map``: compiled parts -> a fresh folium map (never reuse a map
    object across reruns; cache the parts instead)."""
    base = base or Basemap("none", ())
    lang = parts.lang
    m = folium.Map(location=center or [(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2],
                   zoom_start=zoom or 10, tiles=None, prefer_canvas=True, control_scale=True,
                   maxZoom=base.max_zoom, minZoom=5, zoom_snap=0.5)
    m.default_js, m.default_css = LOCAL_JS, LOCAL_CSS
    for url, attr in base.tiles:
        folium.TileLayer(url, attr=attr, name=pick(BASEMAP_LABELS[base.id], lang), subdomains="1234" if "{s}" in url else "abc",
                         overlay=url.find("cva_w") >= 0, control=False).add_to(m)
    for url, (minx, miny, maxx, maxy), name in images:
        folium.raster_layers.ImageOverlay(url, bounds=[[miny, minx], [maxy, maxx]], name=name, opacity=0.75).add_to(m)
    m.add_child(_Refilter())
    visible = {p.layer_id for p in parts.layers} if shown is None else set(shown)
    for layer in parts.layers:
        if layer.count:
            _layer(layer, show=layer.layer_id in visible).add_to(m)
    m.get_root().header.add_child(Element(CSS))
    if shown is not None:
        m.add_child(_LayerPanel(_panel_data(parts.groups, visible), "图层" if lang == "zh" else "Layers"))
    m.add_child(_Legend(parts.legend, LABEL_MIN_ZOOM))
    if center is None:
        m.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    return m
