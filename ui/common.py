"""What every page shares: the sidebar (language, jurisdiction, data-status switches), the data-status
banner, and the choices that survive a page change and travel in the URL."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import geopandas as gpd
import streamlit as st

from layers.catalog.i18n import t
from layers.catalog.quality import QualityOptions, data_status, status_line
from layers.catalog.quality import text as qtext
from ui import ui_cache

ss = st.session_state
# widget keys whose value survives a page change (Streamlit drops the state of a widget that the page
# being shown does not draw; `keep_state` re-files them as plain session state on every run). Buttons,
# uploads and downloads cannot be set this way and are never listed.
PERSISTED = ("lang", "adcode", "q_synth", "q_demo", "basemap", "editor",
             "risk_choice", "risk_scheme", "risk_kde", "risk_town", "scr_datum",
             "cov_fac", "cov_dem", "cov_mode", "cov_radius", "cov_minutes", "cov_k", "cov_cand", "cov_union",
             "ex_title", "ex_footer", "ex_paper", "ex_orient", "ex_dpi", "ex_fmt", "ex_view")
PERSISTED_PREFIXES = ("lyr_",)  # one checkbox per layer on the map page


def keep_state() -> None:
    """Re-file the persisted widget values so a page that does not draw them keeps them (app.py calls
    this before the page runs)."""
    for key in list(ss.keys()):
        if key in PERSISTED or str(key).startswith(PERSISTED_PREFIXES):
            ss[key] = ss[key]


def _from_url(names: Mapping[str, str]) -> None:
    """First run of a session: the URL's choices (``?adcode=510821&lang=en&demo=1``) become the defaults."""
    if "_url_read" in ss:
        return
    ss["_url_read"] = True
    q = st.query_params
    if q.get("lang") in ("zh", "en"):
        ss.setdefault("lang", q["lang"])
    if q.get("adcode") in names:
        ss.setdefault("adcode", q["adcode"])
    elif q.get("adcode"):
        ss["_bad_adcode"] = str(q["adcode"])[:40]  # shown as an error until the user picks one
    if q.get("demo") in ("0", "1"):
        ss.setdefault("q_demo", q["demo"] == "1")
    if q.get("synthetic") in ("0", "1"):
        ss.setdefault("q_synth", q["synthetic"] == "1")


def sidebar() -> tuple[str, str, dict[str, str]]:
    """Render the language and jurisdiction pickers; returns (lang, adcode, names by adcode)."""
    spaces = ui_cache.workspaces()
    _from_url({a: a for a, _, _ in spaces})
    ss.setdefault("lang", "zh")
    lang = st.sidebar.radio(t("language", "zh"), ["zh", "en"], format_func=lambda v: "中文" if v == "zh" else "English",
                            horizontal=True, key="lang")
    if not spaces:
        st.error(t("no_workspace", lang))
        st.stop()
    names = {a: (zh if lang == "zh" else en) for a, zh, en in spaces}
    if ss.get("adcode") not in names:
        ss["adcode"] = "500231" if "500231" in names else next(iter(names))
    adcode = st.sidebar.selectbox(t("jurisdiction", lang), list(names), format_func=lambda a: f"{names[a]} ({a})", key="adcode",
                                  on_change=lambda: ss.pop("_bad_adcode", None))
    if "_bad_adcode" in ss:
        known = "、".join(f"{names[a]}({a})" for a in names)
        st.error(t("unknown_adcode", lang).format(code=ss["_bad_adcode"], known=known))
        st.stop()
    st.query_params["adcode"] = adcode
    st.query_params["lang"] = lang
    return lang, adcode, names


def quality_options(lang: str) -> QualityOptions:
    """The two data-status switches in the sidebar (demo data off unless asked for)."""
    ss.setdefault("q_synth", True)
    ss.setdefault("q_demo", False)
    st.sidebar.caption(qtext("status", lang))
    synth = st.sidebar.toggle(qtext("show_synthetic", lang), key="q_synth")
    demo = st.sidebar.toggle(qtext("show_demo", lang), key="q_demo", disabled=not synth)
    return QualityOptions(show_synthetic=synth, show_demo=demo and synth)


def workspace() -> tuple[str, str, dict[str, str], QualityOptions, ui_cache.Stamp, Mapping[str, gpd.GeoDataFrame]]:
    """Sidebar + the frames the user sees: (lang, adcode, names, switches, stamp, frames)."""
    lang, adcode, names = sidebar()
    q = quality_options(lang)
    stamp, _ = ui_cache.current(adcode)
    return lang, adcode, names, q, stamp, ui_cache.frames(adcode, stamp, q)


def banner(frames: Mapping[str, gpd.GeoDataFrame], layers: Iterable[str], lang: str) -> None:
    """The data-status banner: features shown by position class, and a warning when any is not real."""
    status = data_status(frames, layers)
    ss["data_status"] = status.counts
    if status.not_real:
        st.warning(status_line(status, lang))
    else:
        st.caption(status_line(status, lang))
