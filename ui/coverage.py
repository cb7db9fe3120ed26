"""Page 设施覆盖分析: what facilities reach, what is left uncovered, where one more would help."""

from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from geo.errors import GeoError
from layers import coverage as cv
from layers import view
from layers.i18n import t
from layers.render import build_map
from layers.riskstore import workspace_crs
from layers.riskview import to_xlsx
from ui import common, ui_cache

lang, adcode, names, q, stamp, data = common.workspace()
crs = workspace_crs(adcode)
cfg = cv.coverage_config()
st.title(f"{t('coverage_page', lang)} · {names[adcode]}")

label = {k: v["zh"] if lang == "zh" else v["en"] for sec in ("facilities", "demand") for k, v in cfg[sec].items()}
c1, c2 = st.columns(2)
facilities = c1.multiselect(t("fac_kinds", lang), list(cfg["facilities"]), default=["water_tank"], format_func=label.get, key="cov_fac")
demand = c2.selectbox(t("demand_kind", lang), list(cfg["demand"]), index=1, format_func=label.get, key="cov_dem")
c3, c4, c5, c6 = st.columns(4)
radius = c3.number_input(t("radius", lang), min_value=0, max_value=50_000, value=0, step=250, key="cov_radius")
minutes = c4.number_input(t("minutes", lang), min_value=0, max_value=120, value=0, step=5, key="cov_minutes")
k = c5.number_input(t("suggest_k", lang), min_value=0, max_value=20, value=3, key="cov_k")
cand = c6.selectbox(t("candidates", lang), ["grid", "seats"], key="cov_cand",
                    format_func=lambda c: {"grid": ("规则格网(2km)", "Grid (2 km)"), "seats": ("乡镇驻地", "Township seats")}[c][lang != "zh"])
if not facilities:
    st.info(t("fac_kinds", lang))
    st.stop()
for f in facilities:
    st.caption(f"{label[f]} · {t('standard', lang)}: {cfg['facilities'][f]['radius_m']} m — {cfg['facilities'][f]['basis']}")
try:
    result = cv.analyse(data, crs, facilities=facilities, demand=demand, radius_m=radius or None, minutes=minutes or None)
    if k:
        result = cv.suggest(result, data, crs, k=int(k), candidates=cand)
except (GeoError, ValueError) as err:
    st.error(str(err))
    st.stop()
st.session_state["coverage_spec"] = {"facilities": len(result.facilities), "gaps": len(result.gaps),
                                     "share": result.county_share, "sites": len(result.suggestions)}

m1, m2, m3 = st.columns(3)
m1.metric(t("county_cov", lang), f"{result.county_share:.1%}", f"r = {result.radius_m:.0f} m", delta_color="off")
m2.metric(t("n_facilities", lang), len(result.facilities))
m3.metric(t("gaps", lang), len(result.gaps))
layers = cv.result_layers(result)
shown = view.display_frames({**data, **layers}, ["county", "townships", *layers], lang=lang)
col_map, col_chart = st.columns([3, 2])
with col_map:
    st_folium(build_map(shown, bounds=ui_cache.bounds(adcode, stamp), lang=lang), key="cov_map", height=560,
              use_container_width=True, returned_objects=[])
with col_chart:
    st.bar_chart(result.townships.set_index("township")["share"], horizontal=True)
if result.optimality_gap is not None and len(result.suggestions):
    st.caption(f"greedy maximal covering; optimality gap on this instance <= {result.optimality_gap:.1%}")
    st.dataframe(result.suggestions.to_crs(4326).assign(lon=lambda d: d.geometry.x.round(5), lat=lambda d: d.geometry.y.round(5))
                 .drop(columns="geometry"), width="stretch", hide_index=True)

st.subheader(t("gaps", lang))
gap_table = result.gaps[["fid", "name", "township", "distance_m"]].reset_index(drop=True)
st.dataframe(gap_table, width="stretch", hide_index=True)
d1, d2 = st.columns(2)
d1.download_button("CSV", gap_table.to_csv(index=False).encode("utf-8-sig"), f"gaps_{adcode}.csv", "text/csv", key="cov_csv")
d2.download_button("XLSX", to_xlsx(gap_table), f"gaps_{adcode}.xlsx", key="cov_xlsx")

st.subheader(t("claims", lang))
st.dataframe(cv.check_claims(data, crs, adcode), width="stretch", hide_index=True)
st.subheader(t("water_view", lang))
w1, w2 = st.columns(2)
w1.dataframe(cv.reservoirs_downstream(data, crs), width="stretch", hide_index=True)
w2.dataframe(cv.flood_areas_nearest_station(data, crs), width="stretch", hide_index=True)
