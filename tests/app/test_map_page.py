"""AppTest of the map page: runs the real page script against real (temporary) workspaces."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.usefixtures("built_workspaces")
PAGE = str(Path(__file__).resolve().parents[2] / "ui" / "map.py")


def _run(**state: object) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    for k, v in state.items():
        at.session_state[k] = v
    return at.run()


def test_page_runs_and_draws_the_default_layers() -> None:
    at = _run()
    assert not at.exception
    spec = at.session_state["map_spec"]
    assert spec["adcode"] == "500231" and spec["basemap"] == "none"
    assert spec["layers"]["townships"] == 26 and spec["layers"]["geohazards"] == 384 - 120  # the 120 demo points are off
    assert "facilities" not in spec["layers"]  # off by default
    labels = [c.label for c in at.sidebar.checkbox]
    assert "乡镇(街道) (26)" in labels and "水库 (13)" in labels


def test_demo_switch_brings_the_demo_points_back_and_the_banner_counts_them() -> None:
    at = _run()
    assert "演示数据" not in at.warning[0].value  # no demo feature shown by default
    at.sidebar.toggle(key="q_demo").set_value(True).run()
    assert at.session_state["map_spec"]["layers"]["geohazards"] == 384
    assert at.session_state["data_status"]["demo"] == 120
    assert "演示数据" in at.warning[0].value and "不是真实位置" in at.warning[0].value
    at.sidebar.toggle(key="q_synth").set_value(False).run()  # synthetic off hides demo too
    assert at.session_state["map_spec"]["layers"]["geohazards"] == 17  # plan items the plan places approximately, and those it does not place (county centre)
    assert "demo" not in at.session_state["data_status"]
    assert at.session_state["data_status"]["synthetic"] == 3  # the three township cells whose seat is not in the gazetteer stay


def test_jurisdiction_picker_reloads_layers() -> None:
    at = _run()
    at.sidebar.selectbox(key="adcode").set_value("510821").run()
    assert not at.exception
    assert at.session_state["map_spec"]["adcode"] == "510821"
    assert at.session_state["map_spec"]["layers"]["townships"] == 17
    assert "旺苍县" in at.title[0].value


def test_toggling_a_layer_changes_the_map_spec() -> None:
    at = _run()
    at.sidebar.checkbox(key="lyr_geohazards").uncheck().run()
    assert "geohazards" not in at.session_state["map_spec"]["layers"]
    at.sidebar.checkbox(key="lyr_facilities").check().run()
    assert at.session_state["map_spec"]["layers"]["facilities"] > 0


def test_filter_limits_projects_by_status() -> None:
    at = _run()
    at.sidebar.checkbox(key="lyr_projects").check().run()
    total = at.session_state["map_spec"]["layers"]["projects"]
    assert not at.sidebar.multiselect  # the filter panel builds its widgets only once opened
    at.session_state["filters_open"] = True
    at.run()
    at.sidebar.multiselect(key="f_status").set_value(["completed"]).run()
    filtered = at.session_state["map_spec"]["layers"]["projects"]
    assert 0 < filtered < total
    at.session_state["filters_open"] = False  # closing the panel keeps the filter
    at.run()
    assert not at.sidebar.multiselect and at.session_state["map_spec"]["layers"]["projects"] == filtered
    at.session_state["filters_open"] = True  # and reopening shows it
    at.run()
    assert at.sidebar.multiselect(key="f_status").value == ["completed"]
    assert at.session_state["map_spec"]["layers"]["projects"] == filtered


def test_search_selects_feature_and_details_show_provenance() -> None:
    at = _run()
    at.text_input(key="search").input("全胜水库").run()
    assert not at.exception
    assert at.session_state["selected"][0] == "reservoirs"
    table = at.table[0].value
    text = table.to_string()
    assert "垫江府发〔2022〕9号" in text and "四、(二)10" in text and "近似位置" in text
    assert at.session_state["goto"][1] == 15  # zoomed to a point


def test_english_switch_labels_layers_in_english() -> None:
    at = _run(lang="en")
    assert not at.exception
    labels = [c.label for c in at.sidebar.checkbox]
    assert "Townships (26)" in labels and "Reservoirs (13)" in labels


def test_export_panel_makes_a_png() -> None:
    at = _run()
    assert not [b for b in at.button if b.key == "ex_go"]  # built only once the panel is opened
    at.session_state["export_open"] = True
    at.run()
    at.button(key="ex_go").click().run()
    assert not at.exception
    name, data = at.session_state["export_file"]
    assert name == "500231.png" and data[:8] == b"\x89PNG\r\n\x1a\n"


def test_empty_layers_are_listed_empty_disabled_and_not_drawn() -> None:
    at = _run(adcode="510821")
    boxes = {c.key: c for c in at.sidebar.checkbox}
    for key, label in (("lyr_rivers", "河流水系 (无数据)"), ("lyr_rules", "空间管控规则 (无数据)")):
        assert boxes[key].label == label and boxes[key].disabled and boxes[key].value is False
    assert not {"rivers", "rules"} & set(at.session_state["map_spec"]["layers"])


def test_sidebar_counts_show_what_the_filters_let_through() -> None:
    at = _run()
    at.sidebar.checkbox(key="lyr_projects").check().run()
    at.session_state["filters_open"] = True
    at.run()
    at.sidebar.multiselect(key="f_status").set_value(["completed"]).run()
    n = at.session_state["map_spec"]["layers"]["projects"]
    assert next(c.label for c in at.sidebar.checkbox if c.key == "lyr_projects") == f"规划项目 ({n})"


def test_a_selection_goes_when_its_layer_is_hidden() -> None:
    at = _run()
    at.text_input(key="search").input("全胜水库").run()
    assert at.session_state["selected"][0] == "reservoirs"
    at.sidebar.checkbox(key="lyr_reservoirs").uncheck().run()
    assert at.session_state["selected"] is None
    assert not at.table  # the details panel no longer shows it
    at.sidebar.checkbox(key="lyr_reservoirs").check().run()  # the search does not come back by itself
    assert at.session_state["selected"] is None


def test_details_give_the_position_source_in_chinese() -> None:
    from layers import load_layer
    from layers.catalog.sourcetext import source_text

    at = _run()
    at.text_input(key="search").input("全胜水库").run()
    stored = load_layer("500231", "reservoirs").set_index("name").at["全胜水库", "geometry_source"]
    shown = at.table[0].value.to_string()
    assert source_text(stored, "zh") in shown and stored not in shown


def test_the_url_chooses_layers_and_view() -> None:
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.query_params["layers"] = "townships,facilities"
    at.query_params["view"] = "30.3,107.4,12"
    at.run()
    assert set(at.session_state["map_spec"]["layers"]) == {"townships", "facilities"}
    assert at.session_state["goto"] == ((30.3, 107.4), 12.0)
