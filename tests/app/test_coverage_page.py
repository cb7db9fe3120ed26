"""AppTest of the coverage page: one result per kind with its own standard, exclusive radius modes,
gaps per demand object with zoom-to, the jurisdiction's own citations, one language throughout."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.usefixtures("built_workspaces")
PAGE = str(Path(__file__).resolve().parents[2] / "ui" / "coverage.py")
RAW_IDS = ("distance_m", "achieved_share", "township", "water_tank", "camera", "shelter", "planned", "approximate",
           "placeholder", "synthetic", "flood_key_area", "uncovered_share", "nearest_station", "geometry_quality")


def _page(**state: object) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=90)
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def _texts(at: AppTest) -> list[str]:
    out = [e.value for e in (*at.caption, *at.markdown, *at.info, *at.warning, *at.error, *at.subheader, *at.title)]
    out += [f"{m.label} {m.value}" for m in at.metric]
    for df in at.dataframe:
        out += [str(c) for c in df.value.columns] + [str(v) for v in df.value.astype(str).to_numpy().ravel()]
    return out


def test_tanks_and_cameras_give_one_result_each_with_its_own_standard() -> None:
    at = _page(cov_fac=["water_tank", "camera"])
    assert not at.exception
    res = at.session_state["coverage_spec"]["results"]
    assert set(res) == {"water_tank", "camera"}  # no union unless asked
    assert res["water_tank"]["radii"] == {"water_tank": 2000} and res["camera"]["radii"] == {"camera": 3000}
    labels = [m.label for m in at.metric]
    assert labels.count("森林区域面积覆盖率") == 2 and "全县覆盖率" not in labels
    assert not any("r = 2000 m" in s for s in _texts(at))
    captions = " ".join(c.value for c in at.caption)
    assert "垫江府发〔2025〕3号" in captions and "采用假设值 3000 m" in captions
    at.checkbox(key="cov_union").check().run()
    union = at.session_state["coverage_spec"]["results"]["union"]
    assert union["radii"] == {"water_tank": 2000, "camera": 3000}
    assert union["share"] >= max(res["water_tank"]["share"], res["camera"]["share"])
    assert any("森林消防蓄水池/取水点 2000 m、森林火情智能监控/瞭望 3000 m" in c.value for c in at.caption)


def test_radius_and_travel_time_are_one_choice() -> None:
    at = _page(cov_fac=["fire_crew"], cov_dem="hazard_points")
    keys = {n.key for n in at.number_input}
    assert "cov_radius" not in keys and "cov_minutes" not in keys
    at.radio(key="cov_mode").set_value("minutes").run()
    assert {n.key for n in at.number_input} >= {"cov_minutes"} and "cov_radius" not in {n.key for n in at.number_input}
    at.number_input(key="cov_minutes").set_value(10).run()
    assert at.session_state["coverage_spec"]["results"]["fire_crew"]["radii"] == {"fire_crew": 5000}  # 10 min x 30 km/h
    at.radio(key="cov_mode").set_value("radius").run()
    at.number_input(key="cov_radius").set_value(10_000).run()
    assert at.session_state["coverage_spec"]["results"]["fire_crew"]["radii"] == {"fire_crew": 10_000}
    assert "cov_minutes" not in {n.key for n in at.number_input}


def test_gap_rows_are_one_per_object_and_zoom_to_centres_the_map() -> None:
    at = _page(cov_fac=["water_tank"], cov_dem="forest_areas")
    gaps = at.dataframe[0].value
    assert list(gaps.columns) == ["名称", "乡镇", "未覆盖比例", "距最近设施(米)"]
    assert gaps["名称"].is_unique and gaps["乡镇"].ne("None").all()
    first = gaps.iloc[0]["名称"]
    at.selectbox(key="cov_gap").set_value(0).run()
    lat, lon, name = at.session_state["coverage_spec"]["goto"]
    assert name == first and 29.9 < lat < 30.6 and 107.1 < lon < 107.7  # inside 垫江


def test_wangcang_english_explains_every_missing_figure_and_cites_nothing_foreign() -> None:
    at = _page(adcode="510821", lang="en", cov_fac=["water_tank", "camera"])
    assert not at.exception
    texts = _texts(at)
    assert not any("垫江" in s or "綦江" in s for s in texts)
    assert not any(re.search(r"\b0\.0 ?%", s) for s in texts)
    infos = [i.value for i in at.info]
    assert "Forest area covered (by area): no located facility of this kind here (1 position unknown)" in infos
    assert "Forest area covered (by area): no facility of this kind here" in infos
    assert any("plans set no such standard; assumed value 2000 m" in c.value for c in at.caption)
    assert not any(re.search(r"[\u4e00-\u9fff]", str(c)) for df in at.dataframe for c in df.value.columns)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_raw_column_ids_or_values_shown(lang: str) -> None:
    at = _page(lang=lang, cov_fac=["shelter", "warning_station"], cov_dem="flood_key_areas", cov_k=2)
    assert not at.exception
    shown = _texts(at)
    for raw in RAW_IDS:
        assert not any(s == raw for s in shown), raw
    assert not any("greedy maximal covering" in s for s in shown) or lang == "en"
    if lang == "zh":
        assert any(s.startswith("贪心最大覆盖") for s in shown)
        assert "位置未知" in shown  # reservoirs at the county-centre placeholder get no downstream list


def test_each_result_says_how_many_inputs_are_not_real() -> None:
    at = _page(cov_fac=["water_tank"], cov_dem="forest_areas")
    assert any("依据 44 个森林消防蓄水池/取水点,其中 1 个位置未知(县城中心占位)、43 个合成示意" in c.value for c in at.caption)
    assert at.warning and "合成" in at.warning[0].value  # the data-status banner under the title


def test_a_figure_missing_because_demo_data_is_hidden_says_so() -> None:
    at = _page(cov_fac=["water_tank"], cov_dem="hazard_points")  # every 垫江 hazard point is a 演示 point
    info = " ".join(i.value for i in at.info)
    assert "本辖区无该类需求对象" in info and "演示数据已隐藏" in info
    at = _page(cov_fac=["water_tank"], cov_dem="hazard_points", q_demo=True)
    assert not any("演示数据已隐藏" in i.value for i in at.info)
