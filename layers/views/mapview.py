"""What the map page shows, computed without any UI: layer panel, filters, search, display
copies, click picking and feature details. Pages call these; caching happens in the UI."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.crs import reproject
from geo.display import display_frame, shift_to_gcj02
from geo.pick import pick_feature
from layers.analysis._memo import digest, memo
from layers.catalog.i18n import pick
from layers.catalog.specs import PLAN_LAYERS, SPECS, THEMES, TITLE, LayerFilter, LayerSpec, get_spec, in_draw_order
from layers.catalog.style import style_columns, value_text
from layers.store.workspace import open_workspace

DISPLAY_FIELDS = ("fid", "name")  # every display copy has these; the layer's tooltip fields come with them


@dataclass(frozen=True)
class Filters:
    """The sidebar's attribute filters, one field per ``LayerFilter.key`` of the layer specs (the
    values chosen); an empty tuple means "everything"."""

    hazard_types: tuple[str, ...] = ()
    project_status: tuple[str, ...] = ()
    project_years: tuple[str, ...] = ()
    project_depts: tuple[str, ...] = ()
    facility_kinds: tuple[str, ...] = ()


@dataclass(frozen=True)
class PanelEntry:
    layer_id: str
    label: str
    count: int
    default_visible: bool


@dataclass
class Panel:
    groups: dict[str, list[PanelEntry]] = field(default_factory=dict)


def load_frames(adcode: str) -> dict[str, gpd.GeoDataFrame]:
    """Every stored layer of a workspace (EPSG:4490)."""
    return dict(open_workspace(adcode).frames())


def layer_panel(frames: Mapping[str, gpd.GeoDataFrame], lang: str) -> Panel:
    """Layers grouped by theme, each with its feature count (themes in the fixed order)."""
    panel = Panel()
    for theme, labels in THEMES.items():
        entries = [PanelEntry(lid, get_spec(lid).label(lang), len(gdf), get_spec(lid).default_visible)
                   for lid, gdf in frames.items() if get_spec(lid).theme == theme]
        if entries:
            panel.groups[pick(labels, lang)] = entries
    return panel


FILTERED: tuple[LayerSpec, ...] = tuple(s for s in SPECS.values() if s.filters)
FILTERED_LAYERS = tuple(s.id for s in FILTERED)  # the layers the sidebar filters act on


def _options(gdf: gpd.GeoDataFrame, flt: LayerFilter) -> list:
    columns = [gdf[c].dropna() for c in flt.fields if c in gdf]
    if flt.split:
        return sorted({v.strip() for col in columns for s in col for v in str(s).split(";") if v.strip()})
    return sorted({v for col in columns for v in col})


def filter_options(frames: Mapping[str, gpd.GeoDataFrame]) -> dict[str, list]:
    """Values users can filter by, taken from the data: ``Filters`` field -> sorted values."""
    out: dict[str, list] = {}
    for spec in FILTERED:
        gdf = frames.get(spec.id)
        for flt in spec.filters:
            out[flt.key] = _options(gdf, flt) if gdf is not None and len(gdf) else []
    return out


def _contains_any(values: pd.Series, wanted: Sequence[str]) -> pd.Series:
    return values.fillna("").map(lambda s: any(w in str(s).split(";") for w in wanted))


def _passes(gdf: gpd.GeoDataFrame, flt: LayerFilter, chosen: Sequence[str]) -> pd.Series:
    mask = pd.Series(False, index=gdf.index)
    for c in (c for c in flt.fields if c in gdf):
        mask |= _contains_any(gdf[c], chosen) if flt.split else gdf[c].isin(chosen)
    return mask


def apply_filters(frames: Mapping[str, gpd.GeoDataFrame], f: Filters) -> dict[str, gpd.GeoDataFrame]:
    """Frames with the filters applied (layers without a matching filter are unchanged)."""
    out = dict(frames)
    for spec in FILTERED:
        if spec.id not in out:
            continue
        for flt in spec.filters:
            chosen = getattr(f, flt.key)
            if chosen:
                out[spec.id] = out[spec.id][_passes(out[spec.id], flt, chosen)]
    return out


def filter_allow(frames: Mapping[str, gpd.GeoDataFrame], f: Filters) -> dict[str, list[int] | None]:
    """What the sidebar filters let through, as the live map applies it (``render.visibility_group``):
    for each drawn part of a filterable layer (``"projects"`` = its points, ``"projects:shapes"`` =
    its lines and polygons, in the order the map draws them) the positions of the items that pass, or
    None when nothing is filtered out. The map itself is compiled from the unfiltered frames."""
    passed = apply_filters(frames, f)
    out: dict[str, list[int] | None] = {}
    for lid in FILTERED_LAYERS:
        gdf = frames.get(lid)
        if gdf is None or gdf.empty:
            continue
        keep = np.isin(np.arange(len(gdf)), gdf.index.get_indexer(passed[lid].index))
        is_point = (gdf.geometry.geom_type == "Point").to_numpy()
        for key, part in ((lid, is_point), (f"{lid}:shapes", ~is_point)):
            if part.any():
                out[key] = None if keep[part].all() else np.flatnonzero(keep[part]).tolist()
    return out


def zoom_band(frames: Mapping[str, gpd.GeoDataFrame]) -> str:
    """"province" when the jurisdiction spans more than 1.5 degrees, else "county"."""
    minx, miny, maxx, maxy = bounds_of(frames)
    return "province" if max(maxx - minx, maxy - miny) > 1.5 else "county"


BAND = {"county": (1.0, 1e-5), "province": (3.0, 1e-4)}  # (tolerance multiplier, coordinate grid in degrees)


def display_frames(
    frames: Mapping[str, gpd.GeoDataFrame], visible: Sequence[str], *, lang: str, gcj02: bool = False, band: str = "county"
) -> dict[str, gpd.GeoDataFrame]:
    """Light, styled WGS84 copies of the visible layers (optionally shifted to GCJ-02): id, name and
    the fields of the layer's tooltip, with the style columns of ``layers.catalog.style``.

    ``band`` picks the display copy: at province scale lines and polygons are simplified 3x more
    (townships as a coverage, so neighbours keep shared edges) and snapped to a 1e-4 degree grid."""
    factor, grid = BAND[band]
    out = {}
    for lid in visible:
        if lid not in frames:
            continue
        gdf, spec = frames[lid], get_spec(lid)
        keep = list(dict.fromkeys((*DISPLAY_FIELDS, *(e for e in spec.tooltip if e != TITLE))))
        disp = _display_copy(gdf, keep, spec.simplify_deg * factor, spec.partition, grid)
        disp = pd.concat([disp, style_columns(lid, gdf, lang)], axis=1)
        out[lid] = shift_to_gcj02(disp) if gcj02 else disp
    return out


def _display_copy(gdf: gpd.GeoDataFrame, keep: list[str], tolerance: float, coverage: bool, grid: float) -> gpd.GeoDataFrame:
    """``display_frame`` of ``gdf``; lines and polygons reuse their simplified geometry while it is
    unchanged (a risk recompute after an edit changes levels, not the townships' shapes)."""
    if tolerance <= 0 or gdf.empty or bool((gdf.geometry.geom_type == "Point").all()):
        return display_frame(gdf, keep=keep, tolerance_deg=tolerance, coverage=coverage, precision_deg=grid)
    key = ("display", digest(gdf.geometry), str(gdf.crs), tolerance, coverage, grid)
    geoms = memo(key, lambda: display_frame(gdf[[gdf.geometry.name]], keep=[], tolerance_deg=tolerance, coverage=coverage,
                                            precision_deg=grid).geometry.to_numpy())
    attrs = pd.DataFrame(gdf[[c for c in keep if c in gdf.columns]])
    return gpd.GeoDataFrame(attrs, geometry=gpd.GeoSeries(geoms, index=gdf.index, crs=4326), crs=4326)


def bounds_of(frames: Mapping[str, gpd.GeoDataFrame]) -> tuple[float, float, float, float]:
    """Lon/lat bounds of the county layer (or of everything if there is none)."""
    gdf = frames.get("county")
    if gdf is None or gdf.empty:
        gdf = pd.concat(list(frames.values()))
    minx, miny, maxx, maxy = reproject(gdf, 4326).total_bounds
    return float(minx), float(miny), float(maxx), float(maxy)


SEARCH_COLUMNS = ["layer", "layer_label", "fid", "name", "lon", "lat", "minx", "miny", "maxx", "maxy"]


def search(frames: Mapping[str, gpd.GeoDataFrame], text: str, *, lang: str = "zh", limit: int = 30) -> pd.DataFrame:
    """Features whose name contains ``text``, with their layer and lon/lat (named features first)."""
    return ranked([search_layer(lid, gdf, text, lang) for lid, gdf in frames.items()], limit=limit)


def search_layer(layer_id: str, gdf: gpd.GeoDataFrame, text: str, lang: str) -> pd.DataFrame | None:
    """The hits of ``text`` in one layer (None when there are none): :func:`search` is these, ranked."""
    text = text.strip()
    if not text:
        return None
    hit = gdf[gdf["name"].astype(str).str.contains(text, regex=False)]
    if hit.empty:
        return None
    ll = reproject(hit, 4326)
    pts = ll.geometry.representative_point()
    b = ll.geometry.bounds
    return pd.DataFrame({"layer": layer_id, "layer_label": get_spec(layer_id).label(lang), "fid": hit["fid"].values,
                         "name": hit["name"].values, "lon": pts.x.values, "lat": pts.y.values,
                         "minx": b["minx"].values, "miny": b["miny"].values, "maxx": b["maxx"].values, "maxy": b["maxy"].values})


def ranked(hits: Sequence[pd.DataFrame | None], *, limit: int = 30) -> pd.DataFrame:
    """Hits of several layers in one list: named features before counted ones (" 3/26"), by name."""
    rows = [h for h in hits if h is not None]
    if not rows:
        return pd.DataFrame(columns=SEARCH_COLUMNS)
    out = pd.concat(rows, ignore_index=True)
    out["_counted"] = out["name"].str.contains(r" \d+/\d+$", regex=True)
    return out.sort_values(["_counted", "name"]).drop(columns="_counted").head(limit).reset_index(drop=True)


def zoom_for(minx: float, miny: float, maxx: float, maxy: float) -> int:
    """A Web Mercator zoom level that shows the box (points get street level, 15)."""
    span = max(maxx - minx, (maxy - miny) * 1.2)
    if span <= 1e-6:
        return 15
    return int(max(8, min(15, math.floor(math.log2(360.0 / span)) - 1)))


def pick_at(frames: Mapping[str, gpd.GeoDataFrame], visible: Sequence[str], lon: float, lat: float, *, zoom: float,
            gcj02: bool = False, filters: Filters | None = None) -> tuple[str, str] | None:
    """(layer id, fid) of the visible feature at a click, tolerance ~8 screen pixels at ``zoom``: as the
    map's canvas decides, the topmost layer in draw order with a feature there wins; features the
    ``filters`` hide are not picked (the map does not draw them)."""
    if filters is not None:
        frames = apply_filters(frames, filters)
    if gcj02:  # clicks arrive in the shifted frame: bring them back to WGS84
        from geo.crs import gcj02_to_wgs84

        lo, la = gcj02_to_wgs84(lon, lat)
        lon, lat = float(lo), float(la)
    tol = 8 * 156543.03 * math.cos(math.radians(lat)) / (2 ** zoom)
    sub = {lid: frames[lid] for lid in in_draw_order(visible) if lid in frames and get_spec(lid).pickable}
    hit = pick_feature(sub, lon, lat, tolerance_m=max(tol, 5.0))
    return None if hit is None else (hit.layer, str(sub[hit.layer].loc[hit.index, "fid"]))


def kind_label(layer_id: str, kind: str, lang: str) -> str:
    """Label of a ``kind`` value of a layer (the raw value if the spec does not know it)."""
    k = get_spec(layer_id).kind(kind)
    return k.label(lang) if k else kind


def feature_details(frames: Mapping[str, gpd.GeoDataFrame], layer_id: str, fid: str, lang: str, *,
                    edited: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """(label, value) pairs of the details panel for one feature: its layer, then the spec's ``popup``
    fields it has a value for, labelled from the spec, values as people read them (``value_text``);
    a point's position (lon, lat, EPSG:4490) and, when a person changed it (``edited``, see
    :func:`last_edit`), who, when and why."""
    spec = get_spec(layer_id)
    gdf = frames[layer_id]
    row = gdf[gdf["fid"] == fid].iloc[0]
    zh = lang == "zh"
    out = [("图层" if zh else "Layer", spec.label(lang))]
    for name in spec.popup:
        text = value_text(layer_id, name, row.get(name), lang)
        if name == "geometry_source" and text and " / " in text:  # an editor's "人工核定：… / placed by …"
            text = say(text, lang)
        if text is not None:
            f = spec.field(name)
            out.append((f.zh if zh else f.en, text))
    if row.geometry is not None and row.geometry.geom_type == "Point":
        out.append(("位置(经度, 纬度)" if zh else "Position (lon, lat)", f"{row.geometry.x:.6f}, {row.geometry.y:.6f}"))
    if edited:
        out += [("编辑人" if zh else "Edited by", edited["user"]), ("编辑时间" if zh else "Edited at", edited["time"])]
        if edited.get("reason"):
            out.append(("编辑原因" if zh else "Reason", edited["reason"]))
    return out


def map_state(tags: Sequence[str] | None) -> dict | None:
    """The state the live map reports (``onemap.js``: streamlit-folium's ``selected_tags`` =
    ["onemap", JSON]): ``vis`` layer -> shown, ``cls`` layer -> ticked classes, ``pick`` [layer, fid,
    lat, lng, token]; ``vt``/``ct`` change with each user change in the map. None if there is none."""
    import json

    if not tags or len(tags) != 2 or tags[0] != "onemap":
        return None
    try:
        state = json.loads(tags[1])
    except ValueError:
        return None
    return state if isinstance(state, dict) else None


def _point_labels(frames: Mapping[str, gpd.GeoDataFrame], layer_id: str, lang: str) -> tuple[gpd.GeoDataFrame, pd.Series]:
    gdf = frames[layer_id]
    pts = gdf[gdf.geometry.geom_type == "Point"]
    return pts, style_columns(layer_id, pts, lang)["_l"].astype(str)


def class_ticks(frames: Mapping[str, gpd.GeoDataFrame], f: Filters, lang: str) -> dict[str, list[str] | None]:
    """The hazard classes (legend labels of the points) the sidebar hazard filter lets through, as the
    in-map panel ticks them: {"geohazards": labels} (None = every class)."""
    if "geohazards" not in frames or frames["geohazards"].empty or not f.hazard_types:
        return {"geohazards": None} if "geohazards" in frames else {}
    pts, labels = _point_labels(frames, "geohazards", lang)
    passed = apply_filters({"geohazards": pts}, f)["geohazards"]
    return {"geohazards": sorted(set(labels[passed.index]))}


def hazard_types_for(frames: Mapping[str, gpd.GeoDataFrame], ticked: Sequence[str] | None, lang: str) -> tuple[str, ...]:
    """The sidebar hazard filter equal to the classes ticked in the in-map panel (empty = all): the
    hazard types of ticked hazard points, the kinds of other ticked points, and every kind of line
    or polygon (the in-map classes filter points only)."""
    gh = frames.get("geohazards")
    if gh is None or gh.empty or ticked is None:
        return ()
    pts, labels = _point_labels(frames, "geohazards", lang)
    if set(labels) <= set(ticked):
        return ()
    on = pts[labels.isin(list(ticked)).to_numpy()]
    values = set(on.loc[on["kind"] == "hazard_point", "hazard_type"].dropna()) | set(on.loc[on["kind"] != "hazard_point", "kind"])
    values |= set(gh.loc[gh.geometry.geom_type != "Point", "kind"])
    return tuple(sorted(values)) if values else ("\u0000",)  # nothing ticked: a value no feature has


def selection(frames: Mapping[str, gpd.GeoDataFrame], layer_id: str, fid: str, *, gcj02: bool = False) -> dict | None:
    """{layer, fid, lat, lng} of a feature, where the map draws it (for the highlight)."""
    gdf = frames.get(layer_id)
    if gdf is None:
        return None
    row = gdf[gdf["fid"].astype(str) == str(fid)]
    if row.empty:
        return None
    p = reproject(row, 4326).geometry.representative_point().iloc[0]
    lng, lat = p.x, p.y
    if gcj02:
        from geo.crs import wgs84_to_gcj02

        lo, la = wgs84_to_gcj02(lng, lat)
        lng, lat = float(lo), float(la)
    return {"layer": layer_id, "fid": str(fid), "lat": float(lat), "lng": float(lng)}


def is_shown(frames: Mapping[str, gpd.GeoDataFrame], visible: Sequence[str], f: Filters, layer_id: str, fid: str) -> bool:
    """Whether the feature is drawn: its layer is visible and the filters let it through."""
    if layer_id not in visible or layer_id not in frames:
        return False
    gdf = apply_filters({layer_id: frames[layer_id]}, f)[layer_id]
    return bool((gdf["fid"].astype(str) == str(fid)).any())


def resolve_pick(frames: Mapping[str, gpd.GeoDataFrame], visible: Sequence[str], picked: Sequence, *, zoom: float,
                 gcj02: bool = False, filters: Filters | None = None) -> tuple[str, str] | None:
    """The feature a map click picked: [layer, fid, lat, lng, ...] from ``onemap.js``. The map's own id
    when it sent one (what the user saw under the cursor); for dense layers, whose points travel
    without ids, the nearest feature of that layer; None for a click on no feature."""
    layer, fid, lat, lng = picked[0], str(picked[1]), float(picked[2]), float(picked[3])
    if not layer or layer not in frames or layer not in visible:
        return None
    f = filters or Filters()
    if fid:
        return (layer, fid) if is_shown(frames, visible, f, layer, fid) else None
    return pick_at(frames, [layer], lng, lat, zoom=zoom, gcj02=gcj02, filters=f)


# --- editing (the details panel's 编辑): what the form offers; the writes are layers.edits.edit --------------
EDITABLE = PLAN_LAYERS
"""Layers people correct on the map (plan inventories; base layers and derived risk are not edited)."""
PROVENANCE_FIELDS = ("fid", "source_doc", "source_section", "geometry_quality", "geometry_source")
"""Fields an edit writes itself (id and provenance): never in the form."""
DATUMS = ("wgs84", "cgcs2000", "gcj02", "bd09", "gk")
"""Ways to type a position: lon/lat in a datum, or Gauss-Krüger X/Y (``gk``, zone detected)."""


@dataclass(frozen=True)
class FormField:
    """One input of the attribute form: ``widget`` is "choice" (``choices``), "int", "float" or "text"."""

    name: str
    label: str
    widget: str
    required: bool
    choices: tuple[str, ...] = ()


def editable(layer_id: str) -> bool:
    return layer_id in EDITABLE


def is_point_layer(layer_id: str) -> bool:
    return "Point" in get_spec(layer_id).geom_types


def form_fields(layer_id: str, lang: str) -> list[FormField]:
    """The attribute inputs of a layer, from its spec: choices (a field's own, or the layer's kinds)
    as a choice, numbers as numbers, required fields marked with ``*`` in the label."""
    spec = get_spec(layer_id)
    out = []
    for f in spec.fields:
        if f.name in PROVENANCE_FIELDS:
            continue
        choices = f.choices or (tuple(k.id for k in spec.kinds) if f.name == "kind" else ())
        widget = "choice" if choices else {"int": "int", "float": "float"}.get(f.dtype, "text")
        label = (f.zh if lang == "zh" else f.en) + (" *" if f.required else "")
        out.append(FormField(f.name, label, widget, f.required, choices))
    return out


def choice_label(layer_id: str, name: str, value: str, lang: str) -> str:
    """How a choice of the attribute form reads (kinds and statuses by their labels)."""
    if value == "":
        return "—"
    return value_text(layer_id, name, value, lang) or value


def feature_values(frames: Mapping[str, gpd.GeoDataFrame], layer_id: str, fid: str) -> dict[str, object]:
    """The current attribute values of a feature (None where missing), for the form."""
    gdf = frames[layer_id]
    row = gdf[gdf["fid"].astype(str) == str(fid)].iloc[0]
    return {f.name: (None if _missing(row.get(f.name)) else row.get(f.name)) for f in get_spec(layer_id).fields}


def _missing(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA


def lonlat(frames: Mapping[str, gpd.GeoDataFrame], layer_id: str, fid: str) -> tuple[float, float] | None:
    """(lon, lat) of a point feature in EPSG:4490 (None for lines and polygons)."""
    gdf = frames[layer_id]
    geom = gdf[gdf["fid"].astype(str) == str(fid)].geometry.iloc[0]
    return (float(geom.x), float(geom.y)) if geom.geom_type == "Point" else None


def county_area(frames: Mapping[str, gpd.GeoDataFrame]):  # noqa: ANN201  (a shapely geometry or None)
    """The jurisdiction's outline in EPSG:4490 (settles a GK zone and the X/Y order of a typed position)."""
    gdf = frames.get("county")
    return None if gdf is None or gdf.empty else reproject(gdf, 4490).geometry.union_all()


def last_edit(ws: object, layer_id: str, fid: str) -> dict[str, str] | None:
    """{user, time, reason} of the last change to a feature: the editor and time its provenance
    records, else the newest changeset that lists it; None when no person changed it."""
    import json

    users = ws.user_features(layer_id)  # type: ignore[attr-defined]
    if len(users) and "provenance" in users:
        rows = users[users["fid"].astype(str) == str(fid)]
        raw = rows["provenance"].iloc[-1] if len(rows) else None
        prov = json.loads(raw) if isinstance(raw, str) and raw.startswith("{") else raw if isinstance(raw, dict) else {}
        who = prov.get("user") or prov.get("editor")
        if who:
            return {"user": str(who), "time": str(prov.get("time") or ""), "reason": str(prov.get("reason") or "")}
    for cs in reversed(ws.changesets()):  # type: ignore[attr-defined]
        if cs.layer == layer_id and cs.fids and str(fid) in cs.fids:
            return {"user": cs.user, "time": cs.time, "reason": cs.reason or ""}
    return None


def deleted_features(ws: object, layers: Sequence[str]) -> pd.DataFrame:
    """Features people deleted (restorable): layer, fid, name, in the given layers."""
    rows = []
    for lid in layers:
        users = ws.user_features(lid)  # type: ignore[attr-defined]
        if len(users) and "deleted" in users:
            gone = users[users["deleted"].fillna(0).astype(int) == 1]
            rows += [(lid, str(f), str(n)) for f, n in zip(gone["fid"], gone["name"], strict=True)]
    return pd.DataFrame(rows, columns=["layer", "fid", "name"])


_SPLIT = re.compile(r"(?<=[。！？；）)\]】」])\s*/\s+(?=[A-Za-z\"'“(])")


def say(text: str, lang: str) -> str:
    """One language of a "中文 / English" message (the split after the Chinese sentence's last mark,
    so a " / " inside either half stays); a message in one language as it is."""
    parts = _SPLIT.split(str(text), maxsplit=1)
    if len(parts) == 1:
        zh, sep, en = str(text).partition(" / ")
        parts = [zh, en] if sep else parts
    return parts[0].strip() if lang == "zh" or len(parts) == 1 else parts[1].strip()


def pin_at(point, *, gcj02: bool = False) -> list[float]:  # noqa: ANN001  (a shapely Point in EPSG:4490)
    """[lat, lng] where the map draws a position (shifted to GCJ-02 over an AMap basemap)."""
    lng, lat = float(point.x), float(point.y)
    if gcj02:
        from geo.crs import wgs84_to_gcj02

        lo, la = wgs84_to_gcj02(lng, lat)
        lng, lat = float(lo), float(la)
    return [lat, lng]
