"""AppTest of the risk page: choropleth spec, scheme switch, township card, table, screening."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.usefixtures("built_workspaces")
PAGE = str(Path(__file__).resolve().parents[2] / "ui" / "risk.py")


def _run() -> AppTest:
    return AppTest.from_file(PAGE, default_timeout=60).run()


def test_risk_page_runs_with_four_levels_and_a_table() -> None:
    at = _run()
    assert not at.exception
    spec = at.session_state["risk_spec"]
    assert spec["choice"] == "composite" and spec["scheme"] == "fixed"
    assert len(at.dataframe[0].value) == 26  # one row per township


def test_quantile_scheme_uses_all_four_levels() -> None:
    at = _run()
    at.radio(key="risk_scheme").set_value("quantiles").run()
    assert at.session_state["risk_spec"]["levels"] == [1, 2, 3, 4]


def test_hazard_switch_and_kde_overlay() -> None:
    at = _run()
    at.radio(key="risk_choice").set_value("flood").run()
    at.checkbox(key="risk_kde").check().run()
    assert not at.exception
    assert at.session_state["risk_spec"]["choice"] == "flood" and at.session_state["risk_spec"]["images"] == 1


def test_screening_a_point_shows_the_checklist() -> None:
    at = _run()
    at.text_input(key="scr_lon").input("107°21'")
    at.text_input(key="scr_lat").input("30°20'")
    at.button(key="scr_run").click().run()
    assert not at.exception
    result = at.session_state["screen_result"]
    assert list(result["item"])[:2] == ["空间管控规则", "最近地灾隐患点"]
    assert result["flag"].any()


def test_screening_outside_the_county_is_a_clear_error() -> None:
    at = _run()
    at.text_input(key="scr_lon").input("106.7")
    at.text_input(key="scr_lat").input("29.0")
    at.button(key="scr_run").click().run()
    assert "lies outside 垫江县" in at.error[0].value
