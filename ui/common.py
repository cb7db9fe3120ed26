"""Sidebar shared by every page: language and jurisdiction (same widget keys on each page, so
the choice survives page switches)."""

from __future__ import annotations

import streamlit as st

from layers.i18n import t
from ui import ui_cache


def sidebar() -> tuple[str, str, dict[str, str]]:
    """Render the language and jurisdiction pickers; returns (lang, adcode, names by adcode)."""
    lang = st.sidebar.radio(t("language", "zh"), ["zh", "en"], format_func=lambda v: "中文" if v == "zh" else "English",
                            horizontal=True, key="lang")
    spaces = ui_cache.workspaces()
    if not spaces:
        st.error(t("no_workspace", lang))
        st.stop()
    names = {a: (zh if lang == "zh" else en) for a, zh, en in spaces}
    wanted = st.query_params.get("adcode", "500231")  # ?adcode=500000 opens a workspace directly
    default = list(names).index(wanted) if wanted in names else 0
    adcode = st.sidebar.selectbox(t("jurisdiction", lang), list(names), format_func=lambda a: f"{names[a]} ({a})",
                                  key="adcode", index=default)
    return lang, adcode, names
