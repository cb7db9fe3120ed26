"""Page 风险一张图: jurisdiction, layer panel, filters, search, the map and a details panel.

One visibility state: the sidebar checkboxes (``lyr_*``) and the sidebar filters. The in-map panel
changes the live map at once and reports the change (``onemap.js``), which ``_from_map`` files into
that same state before the page runs; exports, clicks, counts and the legend follow it."""

from __future__ import annotations

import dataclasses
import os

import streamlit as st
from streamlit_folium import st_folium

from layers.catalog.i18n import BASEMAP_LABELS, STATUS_LABELS, pick, t
from layers.render.webmap import assemble_map, basemap, visibility_group
from layers.views import mapview as view
from ui import common, export_panel, ui_cache

ss = st.session_state


def _from_map() -> None:
    """st_folium callback, run before the page: what the user changed in the live map (layers shown,
    hazard classes ticked, a click), each change applied once (its token)."""
    state = view.map_state((ss.get("map") or {}).get("selected_tags"))
    if not state:
        return
    if state.get("vt") and state["vt"] != ss.get("_vt"):
        ss["_vt"] = state["vt"]
        for lid, on in (state.get("vis") or {}).items():
            ss[f"lyr_{lid}"] = bool(on)
    if state.get("ct") and state["ct"] != ss.get("_ct"):
        ss["_ct"], ss["_map_classes"] = state["ct"], state.get("cls") or {}
    picked = state.get("pick")
    if picked and len(picked) == 5 and picked[4] != ss.get("_pt"):
        ss["_pt"], ss["_map_pick"] = picked[4], picked


def _from_url(layer_ids: list[str]) -> None:
    """First run of a session: ``?layers=a,b&view=lat,lng,zoom`` become the layer choices and the view."""
    if "_url_map_read" in ss:
        return
    ss["_url_map_read"] = True
    qp = st.query_params
    if qp.get("layers") is not None:
        want = set(qp["layers"].split(","))
        for lid in layer_ids:
            ss[f"lyr_{lid}"] = lid in want
    try:
        lat, lng, zoom = (float(v) for v in qp.get("view", "").split(","))
        ss["view"] = ss["goto"] = ((lat, lng), zoom)
    except ValueError:
        pass


FILTER_KEYS = {"hazard_types": "f_hazard", "project_status": "f_status", "project_years": "f_year", "project_depts": "f_dept",
               "facility_kinds": "f_fac"}


def _filters_now() -> view.Filters:
    """The filters as the sidebar holds them now: the open panel's widgets (drawn below the layer
    list, whose counts must already follow them), else the last chosen."""
    filters = ss.get("filters") or view.Filters()
    if not ss.get("filters_open"):
        return filters
    return dataclasses.replace(filters, **{f: tuple(ss[k]) for f, k in FILTER_KEYS.items() if k in ss})


lang, adcode, names, q, stamp, data = common.workspace()
if ss.get("_adcode") != adcode:  # jurisdiction switched: reset view and selection
    ss["_adcode"], ss["view"], ss["goto"], ss["selected"] = adcode, None, None, None
    ss["filters"] = None  # the other workspace has other filter values
    for k in ("_map_pick", "_map_classes", "_search_applied", *FILTER_KEYS.values()):
        ss.pop(k, None)
_from_url(list(data))

base_id = st.sidebar.selectbox(t("basemap", lang), list(BASEMAP_LABELS), format_func=lambda b: pick(BASEMAP_LABELS[b], lang), key="basemap")
tdt_key = st.sidebar.text_input(t("tianditu_key", lang), value=os.environ.get("ONEMAP_TIANDITU_KEY", ""), type="password") if base_id == "tianditu" else None
try:
    base = basemap(base_id, tianditu_key=tdt_key, local_url=os.environ.get("ONEMAP_LOCAL_TILES"), lang=lang)
except ValueError as err:
    st.sidebar.warning(str(err))
    base = basemap("none")

filters = _filters_now()
if "_map_classes" in ss:  # hazard classes ticked in the map = the sidebar hazard filter
    ticked = ss.pop("_map_classes")
    if "geohazards" in ticked:
        filters = ss["filters"] = dataclasses.replace(filters, hazard_types=view.hazard_types_for(data, ticked["geohazards"], lang))
        ss.pop("f_hazard", None)  # the multiselect opens with the new filter

# the title and banner sit above the search, but are written once the layers are known
header = st.container()
query = st.text_input(t("search", lang), placeholder=t("search_hint", lang), key="search")
hits = view.search(data, query, lang=lang)
if query and hits.empty:
    st.info(t("no_match", lang))
elif not hits.empty:
    c1, c2 = st.columns([4, 1])
    i = c1.selectbox(t("matches", lang), hits.index, format_func=lambda k: f"{hits.at[k, 'name']} · {hits.at[k, 'layer_label']}", key="hit")
    h = hits.loc[i]
    found = (query, h["layer"], h["fid"])
    if c2.button(t("zoom_to", lang), key="zoom_btn") or (len(hits) == 1 and ss.get("_search_applied") != found):
        ss["_search_applied"] = found  # a search selects once; later clicks replace it
        ss["view"] = ss["goto"] = ((float(h["lat"]), float(h["lon"])), view.zoom_for(h["minx"], h["miny"], h["maxx"], h["maxy"]))
        ss["selected"] = (h["layer"], h["fid"])
        ss[f"lyr_{h['layer']}"] = True  # the found feature's layer is shown (and ticked) from now on
        ss.pop("_map_pick", None)


counts = ui_cache.filtered_counts(adcode, stamp, q, filters)
st.sidebar.subheader(t("layers", lang))
visible = []
for group, entries in view.layer_panel(data, lang).groups.items():
    st.sidebar.caption(group)
    for e in entries:
        key = f"lyr_{e.layer_id}"
        if e.count == 0:  # listed as empty, never ticked or drawn
            ss[key] = False
            st.sidebar.checkbox(f"{e.label} ({t('map_empty', lang)})", key=key, disabled=True)
            continue
        ss.setdefault(key, e.default_visible)
        if st.sidebar.checkbox(f"{e.label} ({counts.get(e.layer_id, e.count)})", key=key):
            visible.append(e.layer_id)

# collapsed panels render nothing until opened (fewer widgets before the first map paint); the
# chosen filters live in session state, so they keep applying while the panel is closed
filter_box = st.sidebar.expander(t("filters", lang), key="filters_open", on_change="rerun")
if filter_box.open:
    opts = ui_cache.filter_options(adcode, stamp, q)
    with filter_box:
        filters = ss["filters"] = view.Filters(
            hazard_types=tuple(st.multiselect(t("hazard_type", lang), opts["hazard_types"], default=filters.hazard_types, key="f_hazard",
                                              format_func=lambda v: view.kind_label("geohazards", v, lang))),
            project_status=tuple(st.multiselect(t("project_status", lang), opts["project_status"], default=filters.project_status,
                                                key="f_status", format_func=lambda v: pick(STATUS_LABELS.get(v, (v, v)), lang))),
            project_years=tuple(st.multiselect(t("project_year", lang), opts["project_years"], default=filters.project_years, key="f_year")),
            project_depts=tuple(st.multiselect(t("project_dept", lang), opts["project_depts"], default=filters.project_depts, key="f_dept")),
            facility_kinds=tuple(st.multiselect(t("facility_kind", lang), opts["facility_kinds"], default=filters.facility_kinds,
                                                key="f_fac", format_func=lambda v: view.kind_label("facilities", v, lang))),
        )
    counts = ui_cache.filtered_counts(adcode, stamp, q, filters)

with header:
    st.title(f"{t('app_title', lang)} · {names[adcode]}")
    common.banner(data, visible, lang)

if "_map_pick" in ss:  # a click in the map: the feature the map had under the cursor
    zoom_now = (ss.get("map") or {}).get("zoom") or 10
    ss["selected"] = view.resolve_pick(data, visible, ss.pop("_map_pick"), zoom=zoom_now, gcj02=base.gcj02, filters=filters)
sel = ss.get("selected")
if sel and not view.is_shown(data, visible, filters, *sel):  # its layer was hidden or a filter took it out
    sel = ss["selected"] = None

# every layer travels to the browser once, unfiltered; the in-map panel shows/hides them instantly. The
# map's own script opens with the spec defaults and depends on neither the sidebar list nor the filters,
# so a sidebar toggle or filter only changes the small visibility group that st_folium runs in the live
# map (no new map, view kept)
parts = ui_cache.map_parts(adcode, stamp, q, tuple(data), lang, base.gcj02)
allow = ui_cache.filter_allow(adcode, stamp, q, filters)
bounds = ui_cache.bounds(adcode, stamp)
# st_folium moves the map whenever center/zoom change, so they change only on purpose: a search, or a
# rebuilt map (basemap, language) that should open where the user was looking
signature = (adcode, base.id, lang)
if ss.get("_signature") not in (None, signature) and ss.get("view"):
    ss["goto"] = ss["view"]
ss["_signature"] = signature
center, zoom = ss["goto"] if ss.get("goto") else (None, None)
fmap = assemble_map(parts, bounds=bounds, base=base, shown=[k for k in data if view.get_spec(k).default_visible])
ss["map_spec"] = {"adcode": adcode, "basemap": base.id, "layers": {k: counts[k] for k in data if k in visible}}
live = visibility_group(visible, allow, classes=view.class_ticks(data, filters, lang),
                        selected=view.selection(data, *sel, gcj02=base.gcj02) if sel else None)
col_map, col_info = st.columns([3, 1])
with col_map:
    out = st_folium(fmap, key="map", height=640, use_container_width=True, center=center, zoom=zoom, on_change=_from_map,
                    feature_group_to_add=live, returned_objects=["selected_tags", "zoom", "center", "bounds"])
if out and out.get("center") and out.get("zoom"):
    ss["view"] = ((out["center"]["lat"], out["center"]["lng"]), out["zoom"])
st.query_params["layers"] = ",".join(visible)
if ss.get("view"):
    (vlat, vlng), vzoom = ss["view"]
    st.query_params["view"] = f"{vlat:.5f},{vlng:.5f},{vzoom:g}"

with col_info:
    st.subheader(t("details", lang))
    if sel:
        st.table({k: v for k, v in view.feature_details(data, sel[0], sel[1], lang)})
    else:
        st.caption(t("click_hint", lang))

b = (out or {}).get("bounds") or {}
view_ll = (b["_southWest"]["lng"], b["_southWest"]["lat"], b["_northEast"]["lng"], b["_northEast"]["lat"]) \
    if b.get("_southWest") and b["_southWest"].get("lng") is not None else None
export_panel.render(adcode, names[adcode], visible, lang, view_ll)
