"""Streamlit page of the naive baseline (see naive.py): no caching, map rebuilt every rerun."""

import sys
from pathlib import Path

import streamlit as st
from streamlit_folium import st_folium

sys.path[:0] = [str(Path(__file__).resolve().parent)]
from naive import DEFAULT, naive_map  # noqa: E402

from layers.store.workspace import layer_ids  # noqa: E402

adcode = st.query_params.get("adcode", "500000")
shown = [lid for lid in layer_ids(adcode) if st.sidebar.checkbox(f"naive {lid}", value=lid in DEFAULT, key=f"n_{lid}")]
hazard = st.sidebar.selectbox("hazard_type", ["(all)", "滑坡", "崩塌", "泥石流"], key="n_hazard")
st_folium(naive_map(adcode, shown, None if hazard == "(all)" else hazard), key="naive", height=640, use_container_width=True)
