"""Export controls shown under the map: map sheets, interactive HTML, data downloads, atlas. They
export exactly the visible layers they are given, with the user's data-status switches and map
filters, in the user's language."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import streamlit as st

from geo.errors import GeoError
from layers.catalog.i18n import pick, t
from layers.catalog.quality import QualityOptions
from layers.exports.data import DATA_FORMATS, data_suffix

log = logging.getLogger(__name__)
ss = st.session_state
TEXT = {
    "dpi": ("分辨率(DPI)", "Resolution (DPI)"),
    "footer_hint": ("如:内部资料 / 仅供会议使用", "e.g. Internal / for the meeting only"),
    "working": ("正在生成…", "Working…"),
    "failed": ("未能生成{what}:请减少图层或换一种格式后重试;如仍失败,请联系系统管理员。",
               "Could not make the {what}: try fewer layers or another format; if it still fails, contact the administrator."),
    "refused": ("未能生成{what}:{why}", "Could not make the {what}: {why}"),
    "file": ("导出文件", "export file"),
    "atlas_file": ("一乡一图图集", "township atlas"),
}
ORIENTATIONS = {"landscape": ("横向", "Landscape"), "portrait": ("纵向", "Portrait")}
PAPERS = {"A4": ("A4(297×210 毫米)", "A4 (297 × 210 mm)"), "A3": ("A3(420×297 毫米)", "A3 (420 × 297 mm)")}
FORMATS = {
    "png": ("PNG 图片", "PNG image"), "pdf": ("PDF 文档", "PDF document"), "html": ("交互网页 HTML", "Interactive HTML"),
    "gpkg": ("GeoPackage 数据", "GeoPackage"), "geojson": ("GeoJSON 数据", "GeoJSON"), "shp": ("Shapefile(zip)", "Shapefile (zip)"),
    "csv": ("CSV 表格", "CSV table"), "xlsx": ("Excel 表格", "Excel table"),
}


def _auto_title(name: str, lang: str) -> str:
    return f"{name}风险一张图" if lang == "zh" else f"{name} risk map"


def _defaults(name: str, lang: str) -> None:
    """Persisted widget defaults set once; the title follows the jurisdiction and language until edited."""
    auto = _auto_title(name, lang)
    if ss.get("ex_title") in (None, ss.get("_ex_auto_title")):
        ss["ex_title"] = auto
    ss["_ex_auto_title"] = auto
    for key, value in (("ex_footer", ""), ("ex_paper", "A4"), ("ex_orient", "landscape"), ("ex_dpi", 150), ("ex_fmt", "png"),
                       ("ex_view", False)):
        ss.setdefault(key, value)


def user_choices() -> tuple[QualityOptions, object]:
    """The data-status switches and map filters the user set (the same state the map page reads)."""
    synth = bool(ss.get("q_synth", True))
    return QualityOptions(show_synthetic=synth, show_demo=bool(ss.get("q_demo", False)) and synth), ss.get("filters")


def _run(make, what: str, lang: str) -> tuple[str, bytes] | None:  # noqa: ANN001
    """Call ``make(tmpdir) -> Path``; errors become a message in the user's language (no path, no traceback)."""
    from layers.exports.service import ExportError

    try:
        with st.spinner(pick(TEXT["working"], lang)), tempfile.TemporaryDirectory() as tmp:
            path = make(Path(tmp))
            return path.name, path.read_bytes()
    except ExportError as err:
        st.error(err.text(lang))
    except GeoError as err:  # a refusal: the message names the layer, file or value and the fix, never a server path
        log.warning("export refused: %s", err)
        st.error(pick(TEXT["refused"], lang).format(what=pick(TEXT[what], lang), why=err))
    except OSError:  # the disk or the installation: details go to the log, not to the page
        log.exception("export failed")
        st.error(pick(TEXT["failed"], lang).format(what=pick(TEXT[what], lang)))
    return None


def render(adcode: str, name: str, visible: list[str], lang: str, view_ll: tuple[float, float, float, float] | None = None) -> None:
    """Widgets that call the same export functions as the CLI; results offered as downloads. The
    panel's content is only built while it is open (nothing to send or draw on a first paint)."""
    box = st.expander(t("export", lang), key="export_open", on_change="rerun")
    if not box.open:
        return
    _defaults(name, lang)
    with box:
        c1, c2, c3, c4 = st.columns(4)
        title = c1.text_input(t("title", lang), key="ex_title")
        footer = c2.text_input(t("footer", lang), placeholder=pick(TEXT["footer_hint"], lang), key="ex_footer")
        paper = c3.selectbox(t("paper", lang), list(PAPERS), format_func=lambda p: pick(PAPERS[p], lang), key="ex_paper")
        orient = c4.selectbox(t("orientation", lang), list(ORIENTATIONS), format_func=lambda o: pick(ORIENTATIONS[o], lang),
                              key="ex_orient")
        dpi = st.radio(pick(TEXT["dpi"], lang), [150, 300], horizontal=True, key="ex_dpi")
        st.checkbox(t("current_view", lang), key="ex_view", disabled=view_ll is None)
        fmt = st.radio(t("format", lang), ["png", "pdf", "html", *DATA_FORMATS], horizontal=True, key="ex_fmt",
                       format_func=lambda f: pick(FORMATS[f], lang))
        quality, filters = user_choices()
        if st.button(t("make_export", lang), key="ex_go"):
            from layers.exports import service as exportcli  # matplotlib is imported only when an export is asked for

            suffix = data_suffix(fmt, len(visible)) if fmt in DATA_FORMATS else fmt
            made = _run(lambda tmp: exportcli.export(
                adcode, fmt, tmp / f"{adcode}.{suffix}", layers=list(visible), title=title, paper=paper, orientation=orient,
                dpi=int(dpi), footer=footer, lang=lang, view_ll=view_ll if ss.get("ex_view") else None, quality=quality,
                filters=filters), "file", lang)
            if made:
                ss["export_file"] = made
        if "export_file" in ss:
            fname, data = ss["export_file"]
            st.download_button(f"⬇ {fname}", data, fname, key="ex_dl")
        if st.button(t("atlas", lang), key="ex_atlas"):
            from layers.exports import service as exportcli

            bar = st.progress(0.0, text=t("atlas", lang))
            made = _run(lambda tmp: exportcli.atlas(
                adcode, tmp / f"atlas_{adcode}.pdf", title=title, lang=lang, footer=footer, quality=quality, filters=filters,
                progress=lambda i, n, town: bar.progress(i / n, text=f"{i}/{n} {town}")), "atlas_file", lang)
            if made:
                ss["atlas_file"] = made
        if "atlas_file" in ss:
            fname, data = ss["atlas_file"]
            st.download_button(f"⬇ {fname}", data, fname, key="ex_atlas_dl")
