"""County risk one-map: Streamlit entry point (wiring only)."""

import streamlit as st

from layers.i18n import t

st.set_page_config(page_title="县域风险一张图", page_icon="🗺️", layout="wide")
lang = st.session_state.get("lang", "zh")
nav = st.navigation([st.Page("pages/map.py", title=t("map_page", lang), icon="🗺️", default=True)])
nav.run()
