"""Page 风险区划: per-hazard and composite township zoning, density surface, user rasters,
township risk card and table, project-site screening."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st
from streamlit_folium import st_folium

from geo import tables
from geo.dms import parse_angle
from geo.errors import CoordinateError, GeoError
from layers.analysis import screen
from layers.catalog.i18n import pick, t
from layers.catalog.quality import QualityOptions
from layers.render.webmap import assemble_map, compile_map
from layers.views import riskview
from ui import common, ui_cache

UPLOAD_MB = 50  # as server.maxUploadSize; geo/raster.py also refuses rasters over 100 million cells
INPUT_LAYERS = [*riskview.MAP_LAYERS, "geohazards", "facilities", "forest_fire", "projects"]  # what the results rest on
PAGE = {
    "town": ("乡镇", "Township"),
    "how": ("得分如何算出", "How the score adds up"),
    "levels": ("各灾种得分与等级(固定阈值)", "Score and level per hazard (fixed thresholds)"),
    "counts": ("乡镇内要素(位置已知)", "Features in the township (known positions)"),
    "click": ("点击地图上的乡镇:切换风险卡并填入筛查坐标", "Click a township on the map to show its card and fill the screening point"),
    "bad_angle": ("无法识别{what}“{value}”:请输入十进制度(如 107.35)或度分秒(如 107°21'30\")。",
                  "Cannot read the {what} “{value}”: enter decimal degrees (107.35) or degrees-minutes-seconds (107°21'30\")."),
    "need_point": ("请先填写经纬度,或在地图上点击一个位置。", "Enter a longitude and a latitude, or click the map."),
    "unknown_projects": ("{n} 个规划项目中 {k} 个位置未知(县城中心占位),未筛查。",
                         "{k} of {n} plan projects have no known position (county-centre placeholder) and were not screened."),
}
ss = st.session_state


@st.cache_data(show_spinner=False, max_entries=16)
def _kde(adcode: str, stamp: ui_cache.Stamp, q: QualityOptions) -> tuple[str, tuple[float, float, float, float]] | None:
    """The density of the hazard points the user sees (switches applied), not of every stored point."""
    return riskview.kde_overlay(ui_cache.frames(adcode, stamp, q), ui_cache.handle(adcode, stamp).metric_crs)


@st.cache_data(show_spinner=False, max_entries=4)
def _upload_overlay(raw: bytes, name: str) -> tuple[str, tuple[float, float, float, float]]:
    """The uploaded raster warped once per file, not again on every rerun (a 6000² file takes seconds)."""
    return riskview.raster_overlay(raw, cmap="viridis", name=name)


def _on_click(out: dict | None, risk) -> None:  # noqa: ANN001
    """A new click on the map fills the screening point and switches the card (before those widgets exist)."""
    fill = riskview.click_fill((out or {}).get("last_clicked"), risk)
    if fill is None or ss.get("_risk_click") == (fill.lon, fill.lat):
        return
    ss["_risk_click"] = (fill.lon, fill.lat)
    ss["scr_lon"], ss["scr_lat"] = fill.lon, fill.lat
    if fill.town is not None:
        ss["risk_town"] = fill.town


def _card(risk, choice: str, scheme: str, lang: str):  # noqa: ANN001, ANN202
    """The township card beside the map; returns the township shown and how its score adds up."""
    names = list(riskview.township_table(risk, choice=choice, lang=lang).iloc[:, 0])
    if ss.get("risk_town") not in names:
        ss["risk_town"] = names[0]
    town = st.selectbox(pick(PAGE["town"], lang), names, key="risk_town")
    ex = riskview.explain(risk, town, choice=choice, scheme=scheme)
    level = riskview.level_names(lang)[ex.level - 1]
    st.metric(f"{town} · {pick(riskview.CHOICE_LABELS[choice], lang)}", f"{level} {ex.score:.2f}")
    for line in riskview.card_lines(ex, choice=choice, scheme=scheme, lang=lang):
        st.text(line)
    st.caption(pick(PAGE["levels"], lang))
    st.dataframe(riskview.levels_table(risk, town, lang), width="stretch", hide_index=True)
    st.caption(pick(PAGE["counts"], lang))
    st.dataframe(riskview.counts_table(risk, town, lang), width="stretch", hide_index=True)
    for hz, text in riskview.advice(risk, town, lang):
        st.info(f"{hz}: {text}")
    ss["risk_card"] = {"town": town, "score": ex.score, "level": ex.level}
    return town, ex


def _how(ex, town: str, choice: str, lang: str) -> None:  # noqa: ANN001
    """How the card's score adds up, full width under the map (six columns do not fit beside it)."""
    st.caption(f"{town} · {pick(riskview.CHOICE_LABELS[choice], lang)}: {pick(PAGE['how'], lang)}")
    st.dataframe(riskview.card_table(ex, choice=choice, lang=lang), width="stretch", hide_index=True)


def _screening(data, adcode: str, lang: str) -> None:  # noqa: ANN001
    st.subheader(t("screening", lang))
    s1, s2, s3, s4 = st.columns([2, 2, 1, 1])
    lon_text = s1.text_input(t("lon", lang), key="scr_lon", placeholder="107.35 / 107°21'")
    lat_text = s2.text_input(t("lat", lang), key="scr_lat", placeholder="30.33 / 30°20'")
    datum = s3.selectbox(t("datum", lang), ("wgs84", "gcj02", "cgcs2000"), key="scr_datum")
    if s4.button(t("run_screen", lang), key="scr_run"):
        ss.pop("screen_result", None)
        if not (lon_text.strip() and lat_text.strip()):
            st.error(pick(PAGE["need_point"], lang))
        else:
            _screen(data, adcode, lon_text, lat_text, datum, lang)
    if "screen_result" in ss:
        st.dataframe(screen.checklist_frame(ss["screen_result"], lang), width="stretch", hide_index=True)


def _screen(data, adcode: str, lon_text: str, lat_text: str, datum: str, lang: str) -> None:  # noqa: ANN001
    try:
        lon = parse_angle(lon_text, axis="lon")
        lat = parse_angle(lat_text, axis="lat")
    except CoordinateError:
        bad, what = (lat_text, t("lat", lang)) if _parses(lon_text, "lon") else (lon_text, t("lon", lang))
        st.error(pick(PAGE["bad_angle"], lang).format(what=what, value=bad))
        return
    try:
        ss["screen_result"] = screen.screen_point(data, ui_cache.current(adcode)[1].metric_crs, lon, lat, datum=datum)
    except screen.OutsideAreaError as err:
        st.error(screen.error_text(err, lang))
    except GeoError as err:
        st.error(str(err))


def _parses(text: str, axis: str) -> bool:
    try:
        parse_angle(text, axis=axis)
    except CoordinateError:
        return False
    return True


lang, adcode, names, q, stamp, data = common.workspace()
st.title(f"{t('risk_page', lang)} · {names[adcode]}")
common.banner(data, INPUT_LAYERS, lang)

c1, c2 = st.columns(2)
choice = c1.radio(t("risk_layer", lang), riskview.CHOICES, format_func=lambda c: pick(riskview.CHOICE_LABELS[c], lang),
                  horizontal=True, key="risk_choice")
scheme = c2.radio(t("scheme", lang), tuple(riskview.SCHEME_LABELS), horizontal=True, key="risk_scheme",
                  format_func=lambda s: pick(riskview.SCHEME_LABELS[s], lang))
u1, u2 = st.columns([1, 2])
ss.setdefault("risk_kde", False)
show_kde = u1.checkbox(t("kde", lang), key="risk_kde")
risk = riskview.reclassify(data["risk_townships"], choice=choice, scheme=scheme, lang=lang)
shown = riskview.map_frames(data, risk, lang=lang)
images = []
upload = u2.file_uploader(t("user_raster", lang), type=["tif", "tiff"], key="risk_upload", max_upload_size=UPLOAD_MB)
user_raster = None
if upload is not None:
    raw = upload.getvalue()  # read in memory: no temporary file another session could open by name
    try:
        images.append((*_upload_overlay(raw, upload.name), upload.name))
        user_raster = raw
    except GeoError as err:
        st.error(riskview.raster_error_text(err, upload.name, lang))
if show_kde and (kde := _kde(adcode, stamp, q)):
    images.append((*kde, t("kde", lang)))
parts = compile_map(shown, lang=lang)
parts = replace(parts, legend=riskview.with_legend_block(parts.legend, riskview.legend_block(risk, choice=choice, scheme=scheme, lang=lang)))
fmap = assemble_map(parts, bounds=ui_cache.bounds(adcode, stamp), images=images)
ss["risk_spec"] = {"choice": choice, "scheme": scheme, "levels": sorted(set(risk["level"])), "images": len(images),
                   "colours": dict(zip(shown["risk_townships"]["name"], shown["risk_townships"]["_c"], strict=True)),
                   "legend": riskview.legend_title(choice, scheme, lang)}
col_map, col_card = st.columns([3, 2])
with col_map:
    out = st_folium(fmap, key="risk_map", height=560, use_container_width=True, returned_objects=["last_clicked"])
    _on_click(out, risk)
    legend = riskview.class_legend(risk, choice=choice, scheme=scheme, lang=lang, drawn_only=True)
    st.caption(f"{riskview.legend_title(choice, scheme, lang)}: " + " · ".join(f"{name} {rng}" for _, name, rng in legend))
    st.caption(" ".join(x for x in (riskview.not_drawn(data, lang), pick(PAGE["click"], lang)) if x))
with col_card:
    st.subheader(t("card", lang))
    town, explained = _card(risk, choice, scheme, lang)
_how(explained, town, choice, lang)

st.subheader(t("table", lang))
table = riskview.township_table(risk, choice=choice, lang=lang)
st.dataframe(table, width="stretch", hide_index=True)
st.caption(riskview.inputs_text(data, choice, lang))
d1, d2 = st.columns(2)
d1.download_button("CSV", tables.csv_bytes(table), f"risk_{adcode}_{choice}_{scheme}.csv", "text/csv", key="dl_csv", on_click="ignore")
d2.download_button("XLSX", tables.xlsx_bytes(table), f"risk_{adcode}_{choice}_{scheme}.xlsx", key="dl_xlsx", on_click="ignore")
if user_raster is not None:
    try:
        st.dataframe(riskview.user_raster_summary(user_raster, risk, lang=lang, name=upload.name), width="stretch", hide_index=True)
    except GeoError as err:
        st.error(riskview.raster_error_text(err, upload.name, lang))

_screening(data, adcode, lang)
with st.expander(t("screen_all", lang)):
    projects = ui_cache.project_screening(adcode, stamp, q)
    n_unknown = int(projects["position"].eq("placeholder").sum())
    st.caption(pick(PAGE["unknown_projects"], lang).format(n=len(projects), k=n_unknown))
    st.dataframe(screen.projects_table(projects, lang), width="stretch", hide_index=True)
