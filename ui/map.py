"""Page 风险一张图: jurisdiction, layer panel, filters, search, the map and a details panel."""

from __future__ import annotations

import os

import streamlit as st
from streamlit_folium import st_folium

from layers import view
from layers.i18n import BASEMAP_LABELS, STATUS_LABELS, pick, t
from layers.render import assemble_map, basemap, visibility_group
from ui import common, export_panel, ui_cache

ss = st.session_state
lang, adcode, names, q, stamp, data = common.workspace()
if ss.get("_adcode") != adcode:  # jurisdiction switched: reset view and selection
    ss["_adcode"], ss["view"], ss["goto"], ss["selected"], ss["_last_click"] = adcode, None, None, None, None
    ss["filters"] = None  # the other workspace has other filter values

base_id = st.sidebar.selectbox(t("basemap", lang), list(BASEMAP_LABELS), format_func=lambda b: pick(BASEMAP_LABELS[b], lang), key="basemap")
tdt_key = st.sidebar.text_input(t("tianditu_key", lang), value=os.environ.get("ONEMAP_TIANDITU_KEY", ""), type="password") if base_id == "tianditu" else None
try:
    base = basemap(base_id, tianditu_key=tdt_key, local_url=os.environ.get("ONEMAP_LOCAL_TILES"))
except ValueError as err:
    st.sidebar.warning(str(err))
    base = basemap("none")

st.sidebar.subheader(t("layers", lang))
visible = []
for group, entries in view.layer_panel(data, lang).groups.items():
    st.sidebar.caption(group)
    for e in entries:
        ss.setdefault(f"lyr_{e.layer_id}", e.default_visible)
        if st.sidebar.checkbox(f"{e.label} ({e.count})", key=f"lyr_{e.layer_id}"):
            visible.append(e.layer_id)

# collapsed panels render nothing until opened (fewer widgets before the first map paint); the
# chosen filters live in session state, so they keep applying while the panel is closed
filters: view.Filters = ss.get("filters") or view.Filters()
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

st.title(f"{t('app_title', lang)} · {names[adcode]}")
common.banner(data, visible, lang)
query = st.text_input(t("search", lang), placeholder=t("search_hint", lang), key="search")
hits = view.search(data, query, lang=lang)
if query and hits.empty:
    st.info(t("no_match", lang))
elif not hits.empty:
    c1, c2 = st.columns([4, 1])
    i = c1.selectbox(t("matches", lang), hits.index, format_func=lambda k: f"{hits.at[k, 'name']} · {hits.at[k, 'layer_label']}", key="hit")
    if c2.button(t("zoom_to", lang), key="zoom_btn") or len(hits) == 1:
        h = hits.loc[i]
        ss["view"] = ss["goto"] = ((float(h["lat"]), float(h["lon"])), view.zoom_for(h["minx"], h["miny"], h["maxx"], h["maxy"]))
        ss["selected"] = (h["layer"], h["fid"])
        if h["layer"] not in visible:
            visible.append(h["layer"])

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
counts = ui_cache.filtered_counts(adcode, stamp, q, filters)
ss["map_spec"] = {"adcode": adcode, "basemap": base.id, "layers": {k: counts[k] for k in data if k in visible}}
col_map, col_info = st.columns([3, 1])
with col_map:
    out = st_folium(fmap, key="map", height=640, use_container_width=True, center=center, zoom=zoom,
                    feature_group_to_add=visibility_group(visible, allow), returned_objects=["last_object_clicked", "zoom", "center", "bounds"])
click = (out or {}).get("last_object_clicked")
if click and click != ss.get("_last_click"):
    ss["_last_click"] = click
    hit = view.pick_at(data, visible, click["lng"], click["lat"], zoom=(out or {}).get("zoom") or 10, gcj02=base.gcj02, filters=filters)
    ss["selected"] = hit
    if out.get("center"):
        ss["view"] = ((out["center"]["lat"], out["center"]["lng"]), out.get("zoom"))
elif out and out.get("center") and out.get("zoom"):
    ss["view"] = ((out["center"]["lat"], out["center"]["lng"]), out["zoom"])

with col_info:
    st.subheader(t("details", lang))
    sel = ss.get("selected")
    if sel and sel[0] in data:
        st.table({k: v for k, v in view.feature_details(data, sel[0], sel[1], lang)})
    else:
        st.caption(t("click_hint", lang))

b = (out or {}).get("bounds") or {}
view_ll = (b["_southWest"]["lng"], b["_southWest"]["lat"], b["_northEast"]["lng"], b["_northEast"]["lat"]) \
    if b.get("_southWest") and b["_southWest"].get("lng") is not None else None
export_panel.render(adcode, names[adcode], visible, lang, view_ll)
