"""Export controls shown under the map: map sheets, interactive HTML, data downloads, atlas."""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from layers.dataexport import DATA_FORMATS
from layers.i18n import t


def render(adcode: str, name: str, visible: list[str], lang: str, view_ll: tuple[float, float, float, float] | None = None) -> None:
    """Widgets that call the same export functions as the CLI; results offered as downloads. The
    panel's content is only built while it is open (nothing to send or draw on a first paint)."""
    box = st.expander(t("export", lang), key="export_open", on_change="rerun")
    if not box.open:
        return
    with box:
        c1, c2, c3, c4 = st.columns(4)
        title = c1.text_input(t("title", lang), value=f"{name}风险一张图" if lang == "zh" else f"{name} risk map", key="ex_title")
        footer = c2.text_input(t("footer", lang), value="", placeholder="内部资料 / 仅供会议使用", key="ex_footer")
        paper = c3.selectbox(t("paper", lang), ["A4", "A3"], key="ex_paper")
        orient = c4.selectbox(t("orientation", lang), ["landscape", "portrait"], key="ex_orient")
        dpi = st.radio("DPI", [150, 300], horizontal=True, key="ex_dpi")
        st.checkbox(t("current_view", lang), value=False, key="ex_view", disabled=view_ll is None)
        fmt = st.radio(t("format", lang), ["png", "pdf", "html", *DATA_FORMATS], horizontal=True, key="ex_fmt")
        if st.button(t("make_export", lang), key="ex_go"):
            from layers import exportcli  # matplotlib is imported only when an export is asked for
            with st.spinner("…"), tempfile.TemporaryDirectory() as tmp:
                suffix = "zip" if fmt == "shp" or (fmt in ("geojson", "csv") and len(visible) > 1) else fmt
                path = exportcli.export(adcode, fmt, Path(tmp) / f"{adcode}.{suffix}", layers=visible, title=title, paper=paper,
                                        orientation=orient, dpi=int(dpi), footer=footer, lang=lang,
                                        view_ll=view_ll if st.session_state.get("ex_view") else None)
                st.session_state["export_file"] = (path.name, path.read_bytes())
        if "export_file" in st.session_state:
            fname, data = st.session_state["export_file"]
            st.download_button(f"⬇ {fname}", data, fname, key="ex_dl")
        if st.button(t("atlas", lang), key="ex_atlas"):
            from layers import exportcli
            bar = st.progress(0.0, text=t("atlas", lang))
            with tempfile.TemporaryDirectory() as tmp:
                path = exportcli.atlas(adcode, Path(tmp) / f"atlas_{adcode}.pdf", footer=footer,
                                       progress=lambda i, n, town: bar.progress(i / n, text=f"{i}/{n} {town}"))
                st.session_state["atlas_file"] = (path.name, path.read_bytes())
        if "atlas_file" in st.session_state:
            fname, data = st.session_state["atlas_file"]
            st.download_button(f"⬇ {fname}", data, fname, key="ex_atlas_dl")
