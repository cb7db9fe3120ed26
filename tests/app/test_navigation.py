"""The whole app (app.py with its navigation): choices survive a page change, the URL opens a workspace."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.usefixtures("built_workspaces")
APP = str(Path(__file__).resolve().parents[2] / "app.py")


def test_language_jurisdiction_and_layers_survive_a_page_change() -> None:
    at = AppTest.from_file(APP, default_timeout=90).run()
    assert not at.exception
    at.sidebar.radio(key="lang").set_value("en").run()
    at.sidebar.selectbox(key="adcode").set_value("510821").run()
    at.sidebar.checkbox(key="lyr_facilities").check().run()
    at.sidebar.toggle(key="q_demo").set_value(True).run()
    at.switch_page("ui/risk.py").run()
    assert not at.exception
    assert at.session_state["lang"] == "en" and at.session_state["adcode"] == "510821"
    assert "旺苍" in at.title[0].value or "Wangcang" in at.title[0].value
    assert "Risk zoning" in at.title[0].value  # English survived
    at.switch_page("ui/map.py").run()
    assert not at.exception
    assert at.session_state["lyr_facilities"] is True and at.session_state["q_demo"] is True
    assert at.session_state["map_spec"]["adcode"] == "510821"
    assert "facilities" in at.session_state["map_spec"]["layers"]


def test_url_opens_jurisdiction_language_and_demo() -> None:
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["adcode"] = "510821"
    at.query_params["lang"] = "en"
    at.query_params["demo"] = "1"
    at.run()
    assert not at.exception
    assert at.session_state["adcode"] == "510821" and at.session_state["lang"] == "en"
    assert at.session_state["q_demo"] is True
    assert at.session_state["data_status"].get("demo", 0) > 0


def test_unknown_adcode_in_the_url_falls_back_with_the_default_jurisdiction() -> None:
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["adcode"] = "../x"
    at.run()
    assert not at.exception
    assert at.session_state["adcode"] == "500231"


@pytest.mark.parametrize("code", ["500232", "../x/500231"])
def test_an_unknown_code_in_the_link_is_an_error_not_another_map(code: str) -> None:
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["adcode"] = code
    at.run()
    assert not at.exception
    assert any(code in e.value and "没有对应的工作区" in e.value for e in at.error)
    assert not at.title  # no map of another jurisdiction is drawn under the error
    at.sidebar.selectbox(key="adcode").set_value("500110").run()  # choosing one clears the error
    assert not at.error and at.session_state["adcode"] == "500110"
