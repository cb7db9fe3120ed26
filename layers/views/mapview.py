"""What the map page shows, computed without any UI: layer panel, filters, search, display
copies, click picking and feature details. Pages call these; caching happens in the UI."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.display import display_frame, shift_to_gcj02
from geo.pick import pick_feature
from layers.catalog.i18n import QUALITY_LABELS, STATUS_LABELS, pick
from layers.catalog.sourcetext import source_text
from layers.catalog.specs import SPECS, THEMES, get_spec  # noqa: F401  (get_spec is re-exported for callers)
from layers.catalog.style import style_columns
from layers.store.workspace import layer_ids, load_layer

DISPLAY_FIELDS = ("fid", "name")
TOLERANCE_DEG = {"townships": 0.0008, "county": 0.0005, "rules": 0.0005, "geohazards": 0.0003, "forest_fire": 0.0003}


@dataclass(frozen=True)
class Filters:
    """Attribute filters; an empty tuple means "everything"."""

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
    return {lid: load_layer(adcode, lid) for lid in layer_ids(adcode) if lid in SPECS}


def layer_panel(frames: Mapping[str, gpd.GeoDataFrame], lang: str) -> Panel:
    """Layers grouped by theme, each with its feature count (themes in the fixed order)."""
    panel = Panel()
    for theme, labels in THEMES.items():
        entries = [PanelEntry(lid, get_spec(lid).label(lang), len(gdf), get_spec(lid).default_visible)
                   for lid, gdf in frames.items() if get_spec(lid).theme == theme]
        if entries:
            panel.groups[pick(labels, lang)] = entries
    return panel


def _split(values: pd.Series) -> list[str]:
    return sorted({v.strip() for s in values.dropna() for v in str(s).split(";") if v.strip()})


def filter_options(frames: Mapping[str, gpd.GeoDataFrame]) -> dict[str, list[str]]:
    """Values users can filter by, taken from the data."""
    gh = frames.get("geohazards", gpd.GeoDataFrame())
    pr = frames.get("projects", gpd.GeoDataFrame())
    fa = frames.get("facilities", gpd.GeoDataFrame())
    return {
        "hazard_types": sorted(set(gh["hazard_type"].dropna()) | set(gh["kind"])) if len(gh) else [],
        "project_status": sorted(pr["status"].dropna().unique()) if len(pr) else [],
        "project_years": sorted(pr["year"].dropna().unique()) if len(pr) else [],
        "project_depts": _split(pr["lead_dept"]) if len(pr) else [],
        "facility_kinds": sorted(fa["kind"].dropna().unique()) if len(fa) else [],
    }


def _contains_any(values: pd.Series, wanted: Sequence[str]) -> pd.Series:
    return values.fillna("").map(lambda s: any(w in str(s).split(";") for w in wanted))


def apply_filters(frames: Mapping[str, gpd.GeoDataFrame], f: Filters) -> dict[str, gpd.GeoDataFrame]:
    """Frames with the filters applied (layers without a matching filter are unchanged)."""
    out = dict(frames)
    if f.hazard_types and "geohazards" in out:
        gh = out["geohazards"]
        out["geohazards"] = gh[gh["hazard_type"].isin(f.hazard_types) | gh["kind"].isin(f.hazard_types)]
    if "projects" in out:
        pr = out["projects"]
        if f.project_status:
            pr = pr[pr["status"].isin(f.project_status)]
        if f.project_years:
            pr = pr[pr["year"].isin(f.project_years)]
        if f.project_depts:
            pr = pr[_contains_any(pr["lead_dept"], f.project_depts)]
        out["projects"] = pr
    if f.facility_kinds and "facilities" in out:
        out["facilities"] = out["facilities"][out["facilities"]["kind"].isin(f.facility_kinds)]
    return out


FILTERED_LAYERS = ("geohazards", "projects", "facilities")  # the layers the sidebar filters act on


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
    """Light, styled WGS84 copies of the visible layers (optionally shifted to GCJ-02).

    ``band`` picks the display copy: at province scale lines and polygons are simplified 3x more
    (townships as a coverage, so neighbours keep shared edges) and snapped to a 1e-4 degree grid."""
    factor, grid = BAND[band]
    out = {}
    for lid in visible:
        if lid not in frames:
            continue
        gdf = frames[lid]
        disp = display_frame(gdf, keep=DISPLAY_FIELDS, tolerance_deg=TOLERANCE_DEG.get(lid, 0.0) * factor,
                             coverage=lid in ("townships", "risk_townships"), precision_deg=grid)
        disp = pd.concat([disp, style_columns(lid, gdf, lang)], axis=1)
        out[lid] = shift_to_gcj02(disp) if gcj02 else disp
    return out


def bounds_of(frames: Mapping[str, gpd.GeoDataFrame]) -> tuple[float, float, float, float]:
    """Lon/lat bounds of the county layer (or of everything if there is none)."""
    gdf = frames.get("county")
    if gdf is None or gdf.empty:
        gdf = pd.concat(list(frames.values()))
    minx, miny, maxx, maxy = gdf.to_crs(4326).total_bounds
    return float(minx), float(miny), float(maxx), float(maxy)


def search(frames: Mapping[str, gpd.GeoDataFrame], text: str, *, lang: str = "zh", limit: int = 30) -> pd.DataFrame:
    """Features whose name contains ``text``, with their layer and lon/lat (named features first)."""
    cols = ["layer", "layer_label", "fid", "name", "lon", "lat", "minx", "miny", "maxx", "maxy"]
    text = text.strip()
    if not text:
        return pd.DataFrame(columns=cols)
    rows = []
    for lid, gdf in frames.items():
        hit = gdf[gdf["name"].astype(str).str.contains(text, regex=False)]
        if hit.empty:
            continue
        ll = hit.to_crs(4326)
        pts = ll.geometry.representative_point()
        b = ll.geometry.bounds
        rows.append(pd.DataFrame({"layer": lid, "layer_label": get_spec(lid).label(lang), "fid": hit["fid"].values,
                                  "name": hit["name"].values, "lon": pts.x.values, "lat": pts.y.values,
                                  "minx": b["minx"].values, "miny": b["miny"].values, "maxx": b["maxx"].values, "maxy": b["maxy"].values}))
    if not rows:
        return pd.DataFrame(columns=cols)
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
    from layers.render.webmap import DRAW_ORDER, NOT_PICKED

    tol = 8 * 156543.03 * math.cos(math.radians(lat)) / (2 ** zoom)
    order = [k for k in DRAW_ORDER if k in visible] + [k for k in visible if k not in DRAW_ORDER]
    sub = {lid: frames[lid] for lid in order if lid in frames and lid not in NOT_PICKED}
    hit = pick_feature(sub, lon, lat, tolerance_m=max(tol, 5.0))
    return None if hit is None else (hit.layer, str(sub[hit.layer].loc[hit.index, "fid"]))


def kind_label(layer_id: str, kind: str, lang: str) -> str:
    """Label of a ``kind`` value of a layer (the raw value if the spec does not know it)."""
    k = get_spec(layer_id).kind(kind)
    return k.label(lang) if k else kind


def feature_details(frames: Mapping[str, gpd.GeoDataFrame], layer_id: str, fid: str, lang: str) -> list[tuple[str, str]]:
    """(label, value) pairs of every attribute of one feature, labelled from the spec."""
    spec = get_spec(layer_id)
    gdf = frames[layer_id]
    row = gdf[gdf["fid"] == fid].iloc[0]
    out = [("图层" if lang == "zh" else "Layer", spec.label(lang))]
    for f in spec.fields:
        value = row.get(f.name)
        if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
            continue
        if f.name == "kind":
            value = kind_label(layer_id, str(value), lang)
        elif f.name == "status":
            value = pick(STATUS_LABELS.get(str(value), (str(value), str(value))), lang)
        elif f.name in ("geometry_quality", "seat_quality"):
            value = pick(QUALITY_LABELS.get(str(value), (str(value), str(value))), lang)
        elif f.name == "geometry_source":
            value = source_text(str(value), lang)
        out.append((f.zh if lang == "zh" else f.en, str(value)))
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
    p = row.to_crs(4326).geometry.representative_point().iloc[0]
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
