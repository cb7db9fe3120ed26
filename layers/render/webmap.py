"""The one renderer: layer specs + display GeoDataFrames -> a folium map that works offline.

Leaflet is served by the app itself (``static/vendor``, installed from npm by ``make``); folium's
CDN links are replaced. The map's own browser code and styles are the files ``onemap.js`` and
``onemap.css`` beside this module, served the same way (``static/onemap``, copied there by ``make``
and by this module when it is imported) and loaded after Leaflet; the single-file HTML export
inlines all of them. Tiles are optional: with ``basemap="none"`` the map is fully offline.
What is drawn, in which order, with which tooltip, is read from the layer specs.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
from branca.element import Element, MacroElement
from jinja2 import Template

from layers.catalog.i18n import BASEMAP_LABELS, pick, t
from layers.catalog.specs import DRAW_ORDER, THEMES, get_spec, in_draw_order
from layers.catalog.style import tooltip_texts

HERE = Path(__file__).parent
ONEMAP_JS, ONEMAP_CSS = HERE / "onemap.js", HERE / "onemap.css"
SERVED_DIR = HERE.parents[1] / "static" / "onemap"  # Streamlit serves <repo>/static as /app/static
VENDOR_URL = os.environ.get("ONEMAP_VENDOR_URL", "/app/static/vendor")
ONEMAP_URL = posixpath.join(posixpath.dirname(VENDOR_URL), "onemap")  # beside the vendor files


def _served_url(source: Path) -> str:
    """URL of the served copy of ``source``. Streamlit sends static files without Cache-Control, so a
    browser may reuse a copy it cached earlier; the digest of the bytes in the URL makes an edited file
    a new URL."""
    return f"{ONEMAP_URL}/{source.name}?v={hashlib.sha256(source.read_bytes()).hexdigest()[:12]}"


# in load order: the map's own code after Leaflet and the cluster plugin, all before any layer script
LOCAL_JS = [("leaflet", f"{VENDOR_URL}/leaflet/leaflet.js"), ("markercluster", f"{VENDOR_URL}/markercluster/leaflet.markercluster.js"),
            ("onemap", _served_url(ONEMAP_JS))]
LOCAL_CSS = [("leaflet_css", f"{VENDOR_URL}/leaflet/leaflet.css"), ("markercluster_css", f"{VENDOR_URL}/markercluster/MarkerCluster.css"),
             ("markercluster_default_css", f"{VENDOR_URL}/markercluster/MarkerCluster.Default.css"), ("onemap_css", _served_url(ONEMAP_CSS))]
SERVED_SOURCES = {_served_url(p): p for p in (ONEMAP_JS, ONEMAP_CSS)}  # URL -> the file in this folder it serves
JS_RUNTIME = ONEMAP_JS.read_text(encoding="utf-8")  # the browser code as text, for checks (the map loads it by URL)
LABEL_MIN_ZOOM = 10
MANY_POINTS = 2000  # above this a point layer is clustered at overview zooms and its tooltips show the legend class only
CLUSTER_UNTIL_ZOOM = 11


def serve_sources(target: Path = SERVED_DIR) -> None:
    """Copy ``onemap.js`` and ``onemap.css`` into ``target`` where the copy is missing or its bytes
    differ. ``make`` copies them too; this runs when the module is imported, so an app started with
    plain ``streamlit run app.py`` (or after an edit) serves the sources. Written to a temporary file and
    renamed: a browser or another process never reads half a file."""
    for source in (ONEMAP_JS, ONEMAP_CSS):
        data, copy = source.read_bytes(), target / source.name
        if copy.is_file() and copy.read_bytes() == data:
            continue
        target.mkdir(parents=True, exist_ok=True)
        tmp = target / f".{source.name}.{os.getpid()}.tmp"
        tmp.write_bytes(data)
        os.replace(tmp, copy)


try:
    serve_sources()
except OSError as err:  # a read-only install: the export still works, the live map needs the copy
    warnings.warn(f"Cannot copy the map's browser code to {SERVED_DIR} ({err}); the live map may run an older copy or none. "
                  "Run `make run` once, or make that folder writable.", RuntimeWarning, stacklevel=1)


@dataclass(frozen=True)
class Basemap:
    """A tile basemap; ``gcj02`` means overlays must be shifted to GCJ-02 to sit on it."""

    id: str
    tiles: tuple[tuple[str, str], ...]  # (url template, attribution)
    gcj02: bool = False
    max_zoom: int = 18


BASEMAP_ERRORS = {
    "tianditu_key": ("天地图底图需要密钥:请在侧栏“天地图密钥”中填写,或改选其他底图。",
                     "Tianditu tiles need a key: enter it in the sidebar field 'Tianditu key', or choose another basemap."),
    "local_url": ("本地瓦片底图尚未配置(需要瓦片地址模板,如 /app/static/tiles/{z}/{x}/{y}.png):请联系管理员,或改选其他底图。",
                  "The local tile basemap is not set up (it needs a tile URL template such as /app/static/tiles/{z}/{x}/{y}.png): "
                  "ask the administrator, or choose another basemap."),
    "unknown": ("未知底图 {id!r}:请选择 {ids} 之一。", "Unknown basemap {id!r}; use one of {ids}."),
}


def basemap(basemap_id: str, *, tianditu_key: str | None = None, local_url: str | None = None, lang: str = "en") -> Basemap:
    """Basemap by id: none, osm, tianditu (needs a key), amap (GCJ-02), local (an XYZ URL template).
    Raises ValueError in ``lang`` naming what is missing and what to do (no configuration names)."""
    if basemap_id == "none":
        return Basemap("none", ())
    if basemap_id == "osm":
        return Basemap("osm", (("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "© OpenStreetMap contributors"),))
    if basemap_id == "tianditu":
        if not tianditu_key:
            raise ValueError(pick(BASEMAP_ERRORS["tianditu_key"], lang))
        tpl = "https://t{s}.tianditu.gov.cn/DataServer?T=%s_w&x={x}&y={y}&l={z}&tk=" + tianditu_key
        return Basemap("tianditu", ((tpl % "vec", "© 天地图"), (tpl % "cva", "© 天地图")))
    if basemap_id == "amap":
        url = "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}"
        return Basemap("amap", ((url, "© 高德地图 (GCJ-02)"),), gcj02=True)
    if basemap_id == "local":
        if not local_url:
            raise ValueError(pick(BASEMAP_ERRORS["local_url"], lang))
        return Basemap("local", ((local_url, "本地瓦片 / local tiles"),))
    raise ValueError(pick(BASEMAP_ERRORS["unknown"], lang).format(id=basemap_id, ids=list(BASEMAP_LABELS)))


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


class RawText(Element):
    """Text that is already rendered (a script, a style sheet). branca wraps every rendered script in
    ``Element(text)``, which compiles the text as a Jinja template: 0.25 s for a 1.4 MB province data
    literal, and ``{{`` in a name or a style sheet would be read as template code."""

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
        self.get_root().script.add_child(RawText(script(self, kwargs)), name=self.get_name())


NARROW_PX = 600  # below this map width the in-map panel and legend open collapsed
TEXT = {
    "tiles": ("底图瓦片无法加载(已失败 {n} 张,可能没有网络);矢量图层仍可正常使用。",
              "Basemap tiles could not be loaded ({n} failed, perhaps no network); the overlays still work."),
    "empty": ("无数据", "no data"),
    "layers": ("图层", "Layers"),
    "legend": ("图例", "Legend"),
}


class _Runtime(_DataElement):
    """``onemapInit(map, data)`` before any layer (``onemap.js`` itself is loaded by URL after Leaflet):
    the shared canvas, the draw order, escaping, picking and the state reported back to the server.
    (Every element has a Jinja ``script`` macro: streamlit-folium calls it directly; the macro inserts
    the data as text, it never compiles it.)"""

    _template = Template("""
        {% macro script(this, kwargs) %}
        window.onemapInit({{ this._parent.get_name() }}, {{ this.data }});
        {% endmacro %}
    """)

    def __init__(self) -> None:
        super().__init__(js_data({"order": list(DRAW_ORDER)}))


class _Call(_DataElement):
    """``window.<function>(map, data)``: one call into ``onemap.js`` with a JS literal; the folium
    feature group (or map) it belongs to is ``map``."""

    function = ""
    _template = Template("""
        {% macro script(this, kwargs) %}
        window.{{ this.function }}({{ this._parent.get_name() }}, {{ this.data }});
        {% endmacro %}
    """)


class _Shapes(_Call):
    """Lines and polygons of one layer as one compact GeoJSON (UTF-8, rounded, only display
    properties) drawn on the shared canvas with styles read from the properties in JS."""

    function = "onemapShapes"


class _Points(_Call):
    """All points of one layer as compact arrays drawn as canvas circle markers (one element, not
    one folium object per point); clustered when there are many. Registers itself in
    ``window.onemap[layer]`` so tests and benchmarks can count what was drawn."""

    function = "onemapPoints"


class _Labels(_Call):
    """Feature names (``name_labels="always"``) as one element (divIcons holding text nodes), hidden
    below LABEL_MIN_ZOOM by the style sheet."""

    function = "onemapLabels"


class _LayerPanel(_Call):
    """The layer panel inside the map (collapsible): layers grouped by theme with their counts, empty
    layers listed disabled; a click shows or hides a layer at once and reports it to the server."""

    function = "onemapPanel"

    def __init__(self, groups: list[dict], lang: str) -> None:
        super().__init__(js_data({"title": pick(TEXT["layers"], lang), "narrow": NARROW_PX, "empty": pick(TEXT["empty"], lang),
                                  "groups": groups}))


class _Legend(_Call):
    """Legend (collapsible; a block per layer, shown while the layer is) and label visibility by zoom."""

    function = "onemapLegend"

    def __init__(self, legend: str, min_zoom: int, lang: str) -> None:
        data = json.loads(legend)
        super().__init__(js_data({**data, "title": pick(TEXT["legend"], lang), "narrow": NARROW_PX, "minZoom": min_zoom}))


class _Finish(_Call):
    """Last element of a map: legend synced to the layers shown, the plain attribution prefix, a
    message in the map when basemap tiles fail, and the bounds fitted beside the panel and legend."""

    function = "onemapFinish"

    def __init__(self, lang: str, fit: list | None) -> None:
        super().__init__(js_data({"tileText": pick(TEXT["tiles"], lang), "fit": fit}))


def points_data(layer_id: str, gdf: gpd.GeoDataFrame, *, names: bool, cluster_zoom: int | None, lang: str) -> str:
    """JS literal drawn by ``_Points``: positions as integer 1e-5 degrees, one style table, and the
    id and tooltip texts (``LayerSpec.tooltip``: the first inline, the others as indexes into the
    table ``t``) only when ``names``; a dense layer's tooltip is its legend class, and its details
    come from the server on click."""
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
    texts: dict[str, int] = {}  # tooltip parts after the first (kinds, statuses, the layer title) repeat: sent once
    if names:  # small layers carry id and tooltip; dense ones only position and style (details come from the server on click)
        feats = [[int(x), int(y), i, f, tip[:1] + [texts.setdefault(p, len(texts)) for p in tip[1:]]] for x, y, i, f, tip in
                 zip(xs, ys, idx, gdf["fid"].astype(str), tooltip_texts(layer_id, gdf, lang), strict=True)]
    else:
        feats = [[int(x), int(y), i] for x, y, i in zip(xs, ys, idx, strict=True)]
    data = {"layer": layer_id, "s": [list(k) for k in key], "l": labels, "f": feats, "t": list(texts),
            "cluster": cluster_zoom}
    return js_json(data)


def point_tips(data: dict) -> dict[str, list[str]]:
    """The tooltip texts of each point of a ``points_data`` object, by fid, as the browser shows them."""
    return {r[3]: [data["t"][p] if isinstance(p, int) else p for p in r[4]] for r in data["f"] if len(r) > 4}


def shapes_data(layer_id: str, gdf: gpd.GeoDataFrame, *, lang: str) -> str:
    """JS literal drawn by ``_Shapes``: the lines/polygons of a display frame with display properties
    only: id, name, style and the tooltip texts (``_t``, from ``LayerSpec.tooltip``)."""
    props = gdf[["fid", "name", "_c", "_w", "_fo", "_q"]].astype({"fid": str, "name": str})
    props["_t"] = tooltip_texts(layer_id, gdf, lang)
    geo = json.loads(gpd.GeoDataFrame(props, geometry=gdf.geometry.values, crs=gdf.crs).to_json(drop_id=True))
    return js_json({"layer": layer_id, "g": geo, "interactive": get_spec(layer_id).pickable})


def labels_data(layer_id: str, gdf: gpd.GeoDataFrame) -> str:
    """JS literal drawn by ``_Labels``: the layer and [x, y, name] at each feature's representative
    point (the name is data: the browser puts it in a text node)."""
    pts = gdf.geometry.representative_point()
    return js_data({"layer": layer_id,
                    "f": [[round(p.x * 1e5), round(p.y * 1e5), str(n)] for p, n in zip(pts, gdf["name"], strict=True)]})


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
    count of 0), the in-map panel's groups (without on/off flags, which change with the sidebar), the
    legend as data (JSON text)."""

    layers: tuple[LayerParts, ...]
    groups: PanelGroups
    legend: str
    lang: str


def compile_layer(layer_id: str, gdf: gpd.GeoDataFrame, lang: str) -> LayerParts:
    spec = get_spec(layer_id)
    points = gdf[gdf.geometry.geom_type == "Point"]
    shapes = gdf[gdf.geometry.geom_type != "Point"]
    many = len(points) > MANY_POINTS
    return LayerParts(
        layer_id, spec.label(lang), len(gdf),
        shapes_data(layer_id, shapes, lang=lang) if len(shapes) else None,
        points_data(layer_id, points, names=not many, cluster_zoom=CLUSTER_UNTIL_ZOOM if many else None, lang=lang)
        if len(points) else None,
        labels_data(layer_id, gdf) if spec.name_labels == "always" else None,
    )


def compile_map(frames: Mapping[str, gpd.GeoDataFrame], *, lang: str = "zh", gcj02: bool = False,
                compile_one: Callable[[str, gpd.GeoDataFrame, str], LayerParts] = compile_layer) -> MapParts:
    """The heavy half of ``build_map``: display frames -> strings, in the specs' draw order
    (``compile_one`` compiles a layer: a page passes one that reuses the layers it compiled before)."""
    ordered = in_draw_order(frames)
    layers = tuple(compile_one(k, frames[k], lang) for k in ordered)
    return MapParts(layers, panel_groups(frames, lang), legend_data({k: frames[k] for k in ordered}, lang, gcj02=gcj02), lang)


def _layer(parts: LayerParts, *, show: bool) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name=parts.label, show=show)
    if parts.shapes is not None:
        group.add_child(_Shapes(parts.shapes))
    if parts.points is not None:
        group.add_child(_Points(parts.points))
    if parts.labels is not None:
        group.add_child(_Labels(parts.labels))
    return group


class _Visibility(_DataElement):
    """Shows exactly the layers in ``visible``, ticks the in-map panel to match, applies the sidebar
    filters (``allow``: layer part -> positions of the items that pass, None = all) and the hazard
    classes (``classes``: layer -> ticked labels, None = all), highlights the ``selected`` feature and,
    while a feature is edited, puts the map in ``editing`` mode (the next click is a position, reported
    back; ``at`` the position read, shown as a draggable pin), and first applies ``patch`` (the
    features changed since the map was compiled, ``layers.render.patch.patch_data``).
    Sent through st_folium's ``feature_group_to_add``, which runs it in the live map: a sidebar toggle
    or filter changes what is drawn without re-creating the map."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        if (window.onemapVisibility) { window.onemapVisibility({{ this.data }}); }
        {% endmacro %}
    """)

    def __init__(self, visible: Sequence[str], allow: Mapping[str, Sequence[int] | None],
                 classes: Mapping[str, Sequence[str] | None], selected: Mapping[str, object] | None,
                 editing: Mapping[str, object] | None = None, patch: Mapping[str, object] | None = None) -> None:
        super().__init__(js_data({"v": sorted(visible), "a": {k: None if v is None else list(v) for k, v in allow.items()},
                                  "c": {k: None if v is None else list(v) for k, v in classes.items()}, "s": selected,
                                  "e": editing, "p": patch}))


def visibility_group(visible: Sequence[str], allow: Mapping[str, Sequence[int] | None] | None = None, *,
                     classes: Mapping[str, Sequence[str] | None] | None = None,
                     selected: Mapping[str, object] | None = None,
                     editing: Mapping[str, object] | None = None,
                     patch: Mapping[str, object] | None = None) -> folium.FeatureGroup:
    """An empty feature group carrying ``_Visibility`` for ``st_folium(feature_group_to_add=...)``;
    ``allow`` as returned by ``layers.view.filter_allow``, ``classes`` by ``layers.view.class_ticks``,
    ``selected`` = {layer, fid, lat, lng} of the feature the details panel shows (highlighted),
    ``editing`` = {mode: "move"|"add", at: [lat, lng] or None, text: the hint shown in the map} or None,
    ``patch`` = the features changed since the map was compiled (``layers.render.patch.patch_data``)."""
    group = folium.FeatureGroup(name="visibility", control=False)
    group.add_child(_Visibility(visible, allow or {}, classes or {}, selected, editing, patch))
    return group



def point_classes(gdf: gpd.GeoDataFrame) -> list[str]:
    """Legend classes of a layer's points, in first-seen order (the same order _Points uses)."""
    pts = gdf[gdf.geometry.geom_type == "Point"]
    return list(dict.fromkeys(pts["_l"].astype(str)))


def panel_groups(frames: Mapping[str, gpd.GeoDataFrame], lang: str) -> PanelGroups:
    """Layers of the in-map panel by theme, in the fixed theme order: (theme label, ((id, label,
    count, filterable classes), ...)); empty layers are listed with a count of 0; a layer's classes are
    listed when its spec says so (``class_filter``)."""
    groups = []
    for theme, labels in THEMES.items():
        layers = tuple((k, get_spec(k).label(lang), len(g), tuple(point_classes(g)) if get_spec(k).class_filter and len(g) else ())
                       for k, g in frames.items() if get_spec(k).theme == theme)
        if layers:
            groups.append((labels[0] if lang == "zh" else labels[1], layers))
    return tuple(groups)


def _panel_data(groups: PanelGroups, visible: set[str]) -> list[dict]:
    return [{"label": label, "layers": [{"id": k, "label": lab, "count": n, "show": k in visible, "classes": list(cls)}
                                        for k, lab, n, cls in layers]} for label, layers in groups]


def legend_data(frames: Mapping[str, gpd.GeoDataFrame], lang: str, *, gcj02: bool) -> str:
    """The legend as JSON text: a block per non-empty layer (its colours in use; the browser shows the
    blocks of the layers shown) and notes. Labels are data: the browser puts them in text nodes."""
    blocks = []
    any_approx = False
    for layer_id, gdf in frames.items():
        if gdf.empty:
            continue
        rows = [[str(color), str(label)] for (color, label), _ in gdf.groupby(["_c", "_l"], sort=True)]
        blocks.append({"layer": layer_id, "title": get_spec(layer_id).label(lang), "rows": rows})
        any_approx = any_approx or bool((gdf["_q"] == 1).any())
    notes = ([["approx", t("approx", lang)]] if any_approx else []) + ([["gcj", t("gcj_note", lang)]] if gcj02 else [])
    return json.dumps({"blocks": blocks, "notes": notes}, ensure_ascii=False)


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
    """A folium map of ``frames`` (layer id -> display frame with style columns), drawn in the
    specs' ``DRAW_ORDER``. ``bounds`` = (minx, miny, maxx, maxy) in lon/lat, passed explicitly so folium
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
    m.add_child(_Runtime())
    visible = {p.layer_id for p in parts.layers} if shown is None else set(shown)
    for layer in parts.layers:
        if layer.count:
            _layer(layer, show=layer.layer_id in visible).add_to(m)
    if shown is not None:
        m.add_child(_LayerPanel(_panel_data(parts.groups, visible), lang))
    m.add_child(_Legend(parts.legend, LABEL_MIN_ZOOM, lang))
    fit = [[bounds[1], bounds[0]], [bounds[3], bounds[2]]] if center is None else None
    m.add_child(_Finish(lang, fit))
    return m
