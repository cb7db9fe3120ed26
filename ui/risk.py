"""Page 风险区划: per-hazard and composite township zoning, density surface, user rasters,
township risk card and table, project-site screening."""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st
from streamlit_folium import st_folium

from geo.dms import parse_angle
from geo.errors import GeoError
from layers import riskview, view
from layers.i18n import pick, t
from layers.render import build_map
from layers.riskstore import workspace_crs
from layers.screen import checklist_frame, screen_point
from ui import common, ui_cache

lang, adcode, names, q, stamp, data = common.workspace()
st.title(f"{t('risk_page', lang)} · {names[adcode]}")

c1, c2, c3 = st.columns([2, 2, 1])
choice = c1.radio(t("risk_layer", lang), riskview.CHOICES, format_func=lambda c: pick(riskview.CHOICE_LABELS[c], lang),
                  horizontal=True, key="risk_choice")
scheme = c2.radio(t("scheme", lang), ("fixed", "natural_breaks", "quantiles"), horizontal=True, key="risk_scheme",
                  format_func=lambda s: {"fixed": ("固定阈值", "Fixed"), "natural_breaks": ("自然断点", "Natural breaks"),
                                         "quantiles": ("分位数", "Quantiles")}[s][0 if lang == "zh" else 1])
show_kde = c3.checkbox(t("kde", lang), value=False, key="risk_kde")
risk = riskview.reclassify(data["risk_townships"], choice=choice, scheme=scheme, lang=lang)
shown = view.display_frames({"risk_townships": risk, **data}, ["risk_townships", "county", "rivers", "reservoirs"], lang=lang)
images = []
upload = st.file_uploader(t("user_raster", lang), type=["tif", "tiff"], key="risk_upload")
user_path = None
if upload is not None:
    user_path = Path(tempfile.gettempdir()) / f"onemap-upload-{upload.file_id}.tif"
    user_path.write_bytes(upload.getvalue())
    try:
        images.append((*riskview.raster_overlay(user_path, cmap="viridis"), upload.name))
    except GeoError as err:
        st.error(str(err))
        user_path = None
if show_kde and (kde := ui_cache.kde_overlay(adcode, stamp)):
    images.append((*kde, t("kde", lang)))
fmap = build_map(shown, bounds=ui_cache.bounds(adcode, stamp), lang=lang, images=images)
ss = st.session_state
ss["risk_spec"] = {"choice": choice, "scheme": scheme, "levels": sorted(set(risk["level"])), "images": len(images)}
col_map, col_card = st.columns([3, 2])
with col_map:
    out = st_folium(fmap, key="risk_map", height=560, use_container_width=True, returned_objects=["last_clicked"])
    st.caption(" · ".join(f"{name} {rng}" for _, name, rng in riskview.class_legend(risk, choice=choice, scheme=scheme, lang=lang)))
with col_card:
    st.subheader(t("card", lang))
    town = st.selectbox(t("jurisdiction", lang), riskview.township_table(risk)["name"], key="risk_town")
    card = riskview.township_card(risk, town, lang)
    st.metric(card["name"], card["level"], f"{card['composite']:.2f}", delta_color="off")
    st.write(card["levels"])
    st.write(card["counts"])
    st.caption(f"{t('drivers', lang)}: {card['drivers']}")
    for hz, text in card["advice"].items():
        st.info(f"{hz}: {text}")

st.subheader(t("table", lang))
table = riskview.township_table(risk)
st.dataframe(table, width="stretch", hide_index=True)
d1, d2 = st.columns(2)
d1.download_button("CSV", table.to_csv(index=False).encode("utf-8-sig"), f"risk_{adcode}.csv", "text/csv", key="dl_csv")
d2.download_button("XLSX", riskview.to_xlsx(table), f"risk_{adcode}.xlsx", key="dl_xlsx")
if user_path is not None:
    st.dataframe(riskview.user_raster_summary(user_path, risk), width="stretch", hide_index=True)

st.subheader(t("screening", lang))
clicked = (out or {}).get("last_clicked") or {}
s1, s2, s3, s4 = st.columns([2, 2, 1, 1])
lon_text = s1.text_input(t("lon", lang), value=str(clicked.get("lng", "")), key="scr_lon", placeholder="107.35 / 107°21'")
lat_text = s2.text_input(t("lat", lang), value=str(clicked.get("lat", "")), key="scr_lat", placeholder="30.33 / 30°20'")
datum = s3.selectbox(t("datum", lang), ("wgs84", "gcj02", "cgcs2000"), key="scr_datum")
if s4.button(t("run_screen", lang), key="scr_run") and lon_text and lat_text:
    try:
        checks = screen_point(data, workspace_crs(adcode), parse_angle(lon_text, axis="lon"), parse_angle(lat_text, axis="lat"),
                              datum=datum)
        ss["screen_result"] = checklist_frame(checks)
    except GeoError as err:
        st.error(str(err))
if "screen_result" in ss:
    st.dataframe(ss["screen_result"], width="stretch", hide_index=True)
with st.expander(t("screen_all", lang)):
    st.dataframe(ui_cache.project_screening(adcode, stamp, q), width="stretch", hide_index=True)
