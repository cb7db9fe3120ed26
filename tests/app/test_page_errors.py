"""Where user input enters a page, a GeoError becomes an st.error naming the value and the fix: no
traceback, no server path."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
from affine import Affine
from streamlit.testing.v1 import AppTest

from geo.errors import NotPermittedError, OptionError
from layers.analysis import coverage as cv
from layers.exports import service as exportcli

UI = Path(__file__).resolve().parents[2] / "ui"
PANEL = """
import streamlit as st
from ui import export_panel
export_panel.render("500231", "垫江县", ["county"], st.session_state.get("_lang", "zh"))
"""


def _local_crs_tiff() -> bytes:
    with rasterio.MemoryFile() as mem:
        with mem.open(driver="GTiff", width=5, height=5, count=1, dtype="float32", crs='LOCAL_CS["site grid",UNIT["metre",1]]',
                      transform=Affine(1, 0, 0, 0, -1, 5)) as dst:
            dst.write(np.ones((1, 5, 5), dtype="float32"))
        return mem.read()


@pytest.mark.usefixtures("built_workspaces")
@pytest.mark.parametrize(("lang", "start"), [("zh", "site.tif 没有可用的坐标系"), ("en", "site.tif has no usable CRS")])
def test_risk_page_an_upload_in_a_local_crs_is_an_error_not_a_traceback(lang: str, start: str) -> None:
    at = AppTest.from_file(str(UI / "risk.py"), default_timeout=90)
    at.session_state["adcode"], at.session_state["lang"] = "500231", lang
    at.run()
    at.file_uploader(key="risk_upload").set_value(("site.tif", _local_crs_tiff(), "image/tiff"))
    at.run()
    assert not at.exception
    assert at.error[0].value.startswith(start) and "gdal_edit.py -a_srs EPSG:4545 site.tif" in at.error[0].value


@pytest.mark.usefixtures("built_workspaces")
def test_coverage_page_shows_the_geo_error_under_its_own_headline(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_a: object, **_kw: object) -> cv.KindResult:
        raise OptionError("Coverage mode 'radius' needs a value above 0 (got 0); enter metres or minutes.")

    monkeypatch.setattr(cv, "analyse_kind", refuse)
    at = AppTest.from_file(str(UI / "coverage.py"), default_timeout=90)
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception
    assert at.error[0].value == ("Coverage could not be computed; check the facility kinds, demand and radius.\n\n"
                                 "Coverage mode 'radius' needs a value above 0 (got 0); enter metres or minutes.")


@pytest.mark.parametrize(("lang", "expected"), [
    ("zh", "未能生成导出文件:不能写入 x.pdf"), ("en", "Could not make the export file: 不能写入 x.pdf"),
])
def test_export_panel_shows_a_refusal_with_its_reason(monkeypatch: pytest.MonkeyPatch, lang: str, expected: str) -> None:
    def refuse(*_a: object, **_kw: object) -> Path:
        raise NotPermittedError("不能写入 x.pdf")

    monkeypatch.setattr(exportcli, "export", refuse)
    at = AppTest.from_string(PANEL, default_timeout=30)
    at.session_state["export_open"], at.session_state["_lang"] = True, lang
    at.run()
    at.button(key="ex_go").click().run()
    assert not at.exception and at.error[0].value == expected
