"""AppTest of the coverage page."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.usefixtures("built_workspaces")
PAGE = str(Path(__file__).resolve().parents[2] / "ui" / "coverage.py")


def test_coverage_page_runs_and_reacts_to_radius() -> None:
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception
    spec = at.session_state["coverage_spec"]
    assert spec["facilities"] == 26 + 4 + 3 + 10 + 1 and spec["sites"] == 3
    at.number_input(key="cov_radius").set_value(10_000).run()
    assert at.session_state["coverage_spec"]["share"] >= spec["share"]
    assert at.session_state["coverage_spec"]["gaps"] <= spec["gaps"]
