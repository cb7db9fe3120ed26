"""County risk one-map: Streamlit entry point (wiring only)."""

import streamlit as st

from layers.catalog.i18n import t
from ui.auth import gate, touch
from ui.common import keep_state

st.set_page_config(page_title="县域风险一张图", layout="wide")  # no material icons: Streamlit fetches their SVGs from a CDN
keep_state()  # language, jurisdiction, layers and parameters survive a page change
lang = st.session_state.get("lang") or ("en" if st.query_params.get("lang") == "en" else "zh")
account = gate(lang)  # with ONEMAP_AUTH set: the login wall until someone logs in, then who and logout in the sidebar
admin = [st.Page("ui/accounts.py", title="账户管理" if lang == "zh" else "Accounts")] if account and account.role == "admin" else []
nav = st.navigation([
    st.Page("ui/map.py", title=t("map_page", lang), default=True),
    st.Page("ui/risk.py", title=t("risk_page", lang)),
    st.Page("ui/coverage.py", title=t("coverage_page", lang)),
    st.Page("ui/data_import.py", title=t("import_page", lang)),
    st.Page("ui/history.py", title=t("history_page", lang)),
    st.Page("ui/plan_intake.py", title="规划入图" if lang == "zh" else "Plan to map"),
    *admin,
])
nav.run()
touch()  # a long page run is not idle time
