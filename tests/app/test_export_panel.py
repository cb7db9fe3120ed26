"""AppTest of the export panel: options in the user's language, exactly the visible layers, the
user's data-status switches and filters, the user's title for the atlas, errors without paths."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from layers.catalog.quality import QualityOptions
from layers.exports import service as exportcli
from layers.views.mapview import Filters

SCRIPT = """
import streamlit as st
from ui import export_panel
export_panel.render("500231", st.session_state.get("_name", "垫江县"), ["county", "townships"], st.session_state.get("_lang", "zh"))
"""


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict]]:
    seen: list[tuple[str, dict]] = []

    def fake_export(adcode: str, fmt: str, out: Path, **kw: object) -> Path:
        seen.append(("export", {"adcode": adcode, "fmt": fmt, **kw}))
        out.write_bytes(b"x")
        return out

    def fake_atlas(adcode: str, out: Path, **kw: object) -> Path:
        seen.append(("atlas", {"adcode": adcode, **kw}))
        out.write_bytes(b"x")
        return out

    monkeypatch.setattr(exportcli, "export", fake_export)
    monkeypatch.setattr(exportcli, "atlas", fake_atlas)
    return seen


def _run(**state: object) -> AppTest:
    at = AppTest.from_string(SCRIPT, default_timeout=30)
    at.session_state["export_open"] = True
    for k, v in state.items():
        at.session_state[k] = v
    return at.run()


@pytest.mark.parametrize(("lang", "orient", "fmt", "dpi"), [("zh", ["横向", "纵向"], "PDF 文档", "分辨率(DPI)"),
                                                            ("en", ["Landscape", "Portrait"], "PDF document", "Resolution (DPI)")])
def test_options_are_in_the_users_language(lang: str, orient: list[str], fmt: str, dpi: str) -> None:
    at = _run(_lang=lang)
    assert not at.exception
    assert at.selectbox(key="ex_orient").options == orient
    assert fmt in at.radio(key="ex_fmt").options and at.radio(key="ex_dpi").label == dpi
    assert not {"landscape", "portrait", "png", "pdf"} & set(at.selectbox(key="ex_orient").options + at.radio(key="ex_fmt").options)


def test_export_passes_the_visible_layers_switches_and_filters(calls: list) -> None:
    f = Filters(hazard_types=("monitoring",))
    at = _run(q_demo=True, q_synth=True, filters=f)
    at.button(key="ex_go").click().run()
    kind, kw = calls[-1]
    assert kind == "export" and kw["layers"] == ["county", "townships"]
    assert kw["quality"] == QualityOptions(show_synthetic=True, show_demo=True) and kw["filters"] == f
    assert kw["title"] == "垫江县风险一张图" and kw["lang"] == "zh" and kw["orientation"] == "landscape"
    at.session_state["q_synth"] = False  # synthetic off hides demo too, as in the sidebar
    at.button(key="ex_go").click().run()
    assert calls[-1][1]["quality"] == QualityOptions(show_synthetic=False, show_demo=False)


def test_atlas_uses_the_users_title_language_and_switches(calls: list) -> None:
    at = _run(_lang="en", _name="Dianjiang County")
    assert at.text_input(key="ex_title").value == "Dianjiang County risk map"
    at.text_input(key="ex_title").set_value("Flood meeting").run()
    at.button(key="ex_atlas").click().run()
    kind, kw = calls[-1]
    assert kind == "atlas" and kw["title"] == "Flood meeting" and kw["lang"] == "en"
    assert kw["quality"] == QualityOptions(show_synthetic=True, show_demo=False) and kw["filters"] is None


def test_errors_are_in_the_users_language_and_never_show_a_server_path(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_layers(*a: object, **kw: object) -> Path:
        raise exportcli.ExportError("没有可导出的图层:请先在图层列表中勾选至少一个图层。", "No layer to export: tick at least one layer first.")

    monkeypatch.setattr(exportcli, "export", no_layers)
    at = _run()
    at.button(key="ex_go").click().run()
    assert at.error[0].value == "没有可导出的图层:请先在图层列表中勾选至少一个图层。"

    def disk(*a: object, **kw: object) -> Path:
        raise OSError("[Errno 28] No space left on device: '/srv/onemap/tmp/x.pdf'")

    monkeypatch.setattr(exportcli, "export", disk)
    at = _run(_lang="en")
    at.button(key="ex_go").click().run()
    msg = at.error[0].value
    assert msg.startswith("Could not make the export file") and "/srv" not in msg and "Errno" not in msg
