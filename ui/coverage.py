"""Page 设施覆盖分析: what each facility kind reaches under its own standard, which demand objects are
left uncovered (one row each, zoom-to on the map), where one more site would help."""

from __future__ import annotations

import html
import logging

import altair as alt
import folium
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo.errors import GeoError
from geo.tables import csv_bytes, xlsx_bytes
from layers.analysis import coverage as cv
from layers.catalog.i18n import pick, t
from layers.render.webmap import build_map
from layers.views import mapview as view
from ui import common, ui_cache

log = logging.getLogger(__name__)
ss = st.session_state
TX = {
    "mode": ("服务半径依据", "Service radius from"),
    "modes": {"standard": ("按服务标准", "Service standard"), "radius": ("自定半径", "Custom radius"),
              "minutes": ("按通行时间", "Travel time")},
    "radius": ("半径(米,所有所选类别)", "Radius (m, every chosen kind)"),
    "minutes": ("通行时间(分钟)", "Travel time (min)"),
    "union": ("另算所选设施合计覆盖(各用自己的半径)", "Also compute the chosen kinds together (each with its own radius)"),
    "pick_kind": ("请选择至少一类设施。", "Choose at least one facility kind."),
    "demo_hidden": ("演示数据已隐藏,可在侧栏打开“显示演示数据(非真实)”查看示意结果。",
                    "Demo data are hidden; switch on 'Show demo data (not real)' in the sidebar to see an illustration."),
    "failed": ("覆盖分析无法完成,请检查所选设施类别、需求对象和半径。", "Coverage could not be computed; check the facility kinds, demand and radius."),
    "n_fac": ("已定位设施", "Located facilities"),
    "n_gaps": ("未完全覆盖的对象", "Objects not fully covered"),
    "chart": ("各乡镇覆盖率(%)", "Coverage by township (%)"),
    "chart_x": ("覆盖率(%)", "Covered (%)"),
    "result": ("分析", "Analysis"),
    "township": ("乡镇", "Township"),
    "gaps": ("覆盖缺口(每个需求对象一行)", "Coverage gaps (one row per demand object)"),
    "goto": ("在地图上定位缺口", "Show a gap on the map"),
    "none": ("(不定位)", "(none)"),
    "no_gaps": ("全部覆盖,无缺口。", "Everything is covered: no gap."),
    "sites": ("建议新增站点", "Suggested new sites"),
    "greedy": ("贪心最大覆盖;本例最优性差距 ≤ {g:.1%}。建议点由上述输入计算,输入为合成示意或近似位置时只作示意。",
               "Greedy maximal covering; optimality gap on this instance ≤ {g:.1%}. Computed from the inputs above: "
               "where they are synthetic or approximate, the sites are illustrations."),
    "no_claims": ("本辖区规划中没有可核验的覆盖目标。", "The plans of this jurisdiction state no coverage target to check."),
    "claims_note": ("达成率由下列设施位置计算;位置为合成示意时结论只作示意。", "Achieved shares come from the facility positions listed; "
                    "where these are synthetic the verdict is an illustration."),
    "water_note": ("“下游”按距水库 5 km 近似(离线无法判断流向);位置仅为县城中心占位的水库不作计算。",
                   "\"Downstream\" is approximated by 5 km from the reservoir (flow direction unknown offline); reservoirs "
                   "placed only at the county centre are not computed."),
    "cands": {"grid": ("规则格网(2km)", "Grid (2 km)"), "seats": ("乡镇驻地", "Township seats")},
}

lang, adcode, names, q, stamp, data = common.workspace()
crs = ui_cache.handle(adcode, stamp).metric_crs
cfg = cv.coverage_config()
st.title(f"{t('coverage_page', lang)} · {names[adcode]}")
banner_slot = st.container()

label = {k: pick((v["zh"], v["en"]), lang) for sec in ("facilities", "demand") for k, v in cfg[sec].items()}
ss["cov_fac"] = [f for f in ss.get("cov_fac", ["water_tank"]) if f in cfg["facilities"]]
for key, default in (("cov_dem", "forest_areas"), ("cov_mode", "standard"), ("cov_k", 3), ("cov_cand", "grid"), ("cov_union", False)):
    ss.setdefault(key, default)
if not ss.get("cov_radius") or ss["cov_radius"] < 100:
    ss["cov_radius"] = 2000
if not ss.get("cov_minutes") or ss["cov_minutes"] < 1:
    ss["cov_minutes"] = 15
c1, c2 = st.columns(2)
facilities = c1.multiselect(t("fac_kinds", lang), list(cfg["facilities"]), format_func=label.get, key="cov_fac")
demand = c2.selectbox(t("demand_kind", lang), list(cfg["demand"]), format_func=label.get, key="cov_dem")
c3, c4, c5, c6 = st.columns([2, 1, 1, 1])
mode = c3.radio(pick(TX["mode"], lang), cv.MODES, format_func=lambda m: pick(TX["modes"][m], lang), horizontal=True, key="cov_mode")
value = None
if mode == "radius":
    value = c4.number_input(pick(TX["radius"], lang), min_value=100, max_value=50_000, step=250, key="cov_radius")
elif mode == "minutes":
    value = c4.number_input(pick(TX["minutes"], lang), min_value=1, max_value=120, step=5, key="cov_minutes")
k = c5.number_input(t("suggest_k", lang), min_value=0, max_value=20, key="cov_k")
cand = c6.selectbox(t("candidates", lang), ["grid", "seats"], key="cov_cand", format_func=lambda c: pick(TX["cands"][c], lang))
union = st.checkbox(pick(TX["union"], lang), key="cov_union", disabled=len(facilities) < 2)
inputs = sorted({src[0] for f in facilities for src in cfg["facilities"][f]["sources"]} | {cfg["demand"][demand]["source"][0]})
with banner_slot:
    common.banner(data, inputs, lang)
if not facilities:
    st.info(pick(TX["pick_kind"], lang))
    st.stop()

try:
    results = [cv.analyse_kind(data, crs, adcode, kind=f, demand=demand, mode=mode, value=value) for f in facilities]
    if k:
        results = [cv.suggest(r, data, crs, k=int(k), candidates=cand) for r in results]
    if union and len(facilities) > 1:
        results.append(cv.analyse_union(data, crs, adcode, kinds=facilities, demand=demand, mode=mode, value=value))
except GeoError as err:  # the message names the kind, mode or value and the fix
    log.warning("coverage failed for %s: %s", adcode, err)
    st.error(f"{pick(TX['failed'], lang)}\n\n{err}")
    st.stop()

def _hidden_inputs(r: cv.KindResult) -> bool:
    """True when the data-status switches hid the features this result lacks (say so, not just "none")."""
    stored = ui_cache.stored_frames(adcode, stamp)
    if r.status == "no_demand":
        return len(cv.demand_features(stored, r.demand_kind, crs)) > len(r.demand)
    return len(cv.facility_points(stored, list(r.radii), crs)) > len(r.facilities)


for r in results:
    st.subheader(r.title(lang))
    notes = [cv.radius_note(f, adcode, lang, mode=mode, value=value) for f in r.radii] if r.kind != "union" else [r.radius_text(lang)]
    st.caption(" · ".join(notes))
    name, figure = r.headline(lang)
    if r.status == "ok":
        m1, m2, m3 = st.columns(3)
        m1.metric(name, figure)
        m2.metric(pick(TX["n_fac"], lang), r.n_facilities)
        m3.metric(pick(TX["n_gaps"], lang), len(r.gaps))
    else:
        hidden = (("。" if lang == "zh" else ". ") + pick(TX["demo_hidden"], lang)) if q.hides_any and _hidden_inputs(r) else ""
        st.info((f"{name}:{figure}" if lang == "zh" else f"{name}: {figure}") + hidden)
    st.caption(r.inputs_note(lang))

ok = [r for r in results if r.status == "ok"]
gap_rows = [(r, i) for r in ok for i in range(len(r.gaps))]
if ss.get("cov_gap") is None or not -1 <= ss["cov_gap"] < len(gap_rows):
    ss["cov_gap"] = -1
chosen = st.selectbox(pick(TX["goto"], lang), range(-1, len(gap_rows)), key="cov_gap",
                      format_func=lambda i: pick(TX["none"], lang) if i < 0 else
                      f"{gap_rows[i][0].gaps.at[gap_rows[i][1], 'name']} · {gap_rows[i][0].title(lang)}")
goto = None
if chosen >= 0:
    r, i = gap_rows[chosen]
    goto = (float(r.gaps.at[i, "lat"]), float(r.gaps.at[i, "lon"]), str(r.gaps.at[i, "name"]))
ss["coverage_spec"] = {"results": {r.kind: {"radii": r.radii, "share": r.share, "headline": r.headline(lang), "gaps": len(r.gaps),
                                            "facilities": r.n_facilities, "sites": len(r.suggestions)} for r in results},
                       "goto": goto}

layers = cv.merge_layers([cv.result_layers(r, lang) for r in results])
shown = view.display_frames({**data, **layers}, ["county", "townships", *layers], lang=lang)
col_map, col_chart = st.columns([3, 2])
with col_map:
    fmap = build_map(shown, bounds=ui_cache.bounds(adcode, stamp), lang=lang,
                     center=goto[:2] if goto else None, zoom=13 if goto else None)
    if goto:
        folium.CircleMarker(goto[:2], radius=16, color="#ffd400", weight=5, fill=False,
                            tooltip=html.escape(goto[2])).add_to(fmap)
    st_folium(fmap, key="cov_map", height=560, use_container_width=True, returned_objects=[])
with col_chart:
    town = pd.concat([r.townships.assign(result=r.title(lang)) for r in ok], ignore_index=True) if ok else pd.DataFrame()
    if not town.empty:
        st.caption(pick(TX["chart"], lang))
        chart = alt.Chart(town).mark_bar().encode(
            x=alt.X("share_pct:Q", title=pick(TX["chart_x"], lang), scale=alt.Scale(domain=[0, 100])),
            y=alt.Y("township:N", title=pick(TX["township"], lang), sort="-x"), yOffset="result:N",
            color=alt.Color("result:N", title=pick(TX["result"], lang), legend=alt.Legend(orient="bottom")),
            tooltip=[alt.Tooltip("township:N", title=pick(TX["township"], lang)),
                     alt.Tooltip("share_pct:Q", title=pick(TX["chart_x"], lang), format=".1f")])
        st.altair_chart(chart.properties(height=max(300, 18 * len(town))), width="stretch")

st.subheader(pick(TX["gaps"], lang))
for r in ok:
    with st.expander(r.title(lang), expanded=len(ok) == 1):
        if r.gaps.empty:
            st.caption(pick(TX["no_gaps"], lang))
            continue
        table = cv.gap_table(r, lang)
        st.dataframe(table, width="stretch", hide_index=True)
        d1, d2 = st.columns(2)
        d1.download_button("CSV", csv_bytes(table), f"gaps_{adcode}_{r.kind}.csv", "text/csv", key=f"cov_csv_{r.kind}")
        d2.download_button("XLSX", xlsx_bytes(table), f"gaps_{adcode}_{r.kind}.xlsx", key=f"cov_xlsx_{r.kind}")
        if len(r.suggestions):
            st.markdown(f"**{pick(TX['sites'], lang)}**")
            st.caption(pick(TX["greedy"], lang).format(g=r.optimality_gap or 0.0))
            st.dataframe(cv.suggestions_table(r, lang), width="stretch", hide_index=True)

st.subheader(t("claims", lang))
claims = cv.claims_table(cv.check_claims(data, crs, adcode, lang), lang)
if claims.empty:
    st.caption(pick(TX["no_claims"], lang))
else:
    st.caption(pick(TX["claims_note"], lang))
    st.dataframe(claims, width="stretch", hide_index=True)
st.subheader(t("water_view", lang))
st.caption(pick(TX["water_note"], lang))
w1, w2 = st.columns(2)
w1.dataframe(cv.water_table(cv.reservoirs_downstream(data, crs), lang), width="stretch", hide_index=True)
w2.dataframe(cv.flood_table(cv.flood_areas_nearest_station(data, crs), lang), width="stretch", hide_index=True)
