"""Data status: position classes, the hide switches and the sentences, on frames made in code."""

from __future__ import annotations

import geopandas as gpd
from shapely.geometry import Point

from layers.catalog.quality import (
    QualityOptions,
    apply_quality,
    class_counts,
    data_status,
    inputs_note,
    position_class,
    status_line,
)
from layers.plans.demo import SOURCE_DOC


def _frame() -> gpd.GeoDataFrame:
    rows = [
        ("a", "authoritative", "survey", "某局台账"),
        ("b", "approximate", "seat of 新民镇 (township named in the plan)", "垫江规划"),
        ("c", "approximate", "county centre: the plan states no location", "垫江规划"),
        ("d", "synthetic", "synthetic: the plan gives only a count (26)", "垫江规划"),
        ("e", "synthetic", "synthetic demo: seeded random point", SOURCE_DOC),
    ]
    return gpd.GeoDataFrame({"fid": [r[0] for r in rows], "geometry_quality": [r[1] for r in rows],
                             "geometry_source": [r[2] for r in rows], "source_doc": [r[3] for r in rows]},
                            geometry=[Point(107, 30)] * 5, crs=4490)


def test_position_class_separates_placeholder_and_demo() -> None:
    assert position_class(_frame()).tolist() == ["authoritative", "approximate", "placeholder", "synthetic", "demo"]


def test_switches_drop_demo_by_default_and_synthetic_on_request_but_never_base_layers() -> None:
    f = {"geohazards": _frame(), "townships": _frame()}
    assert apply_quality(f, QualityOptions())["geohazards"]["fid"].tolist() == ["a", "b", "c", "d"]
    assert apply_quality(f, QualityOptions(show_synthetic=False))["geohazards"]["fid"].tolist() == ["a", "b", "c"]
    assert apply_quality(f, QualityOptions(show_demo=True))["geohazards"]["fid"].tolist() == list("abcde")
    assert len(apply_quality(f, QualityOptions(show_synthetic=False))["townships"]) == 5


def test_status_shares_and_sentences() -> None:
    st = data_status({"geohazards": _frame()})
    assert st.total == 5 and st.not_real == 3
    assert st.shares()["demo"] == 0.2
    line = status_line(st, "zh")
    assert "当前显示 5 个要素" in line and "演示数据 20%" in line and "不是真实位置" in line
    assert "demo 20%" in status_line(st, "en")
    assert class_counts(_frame().iloc[:1]) == {"authoritative": 1}


def test_inputs_note_counts_what_is_not_real() -> None:
    note = inputs_note(_frame(), "zh", what=("隐患点", "hazard points"))
    assert note == "依据 5 个隐患点,其中 1 个近似位置、1 个位置未知(县城中心占位)、1 个合成示意、1 个演示数据"
    assert inputs_note(_frame().iloc[:1], "en", what=("隐患点", "hazard points")) == "based on 1 hazard points"


def test_status_line_never_calls_approximate_positions_real() -> None:
    approx = _frame().iloc[1:2]
    line = status_line(data_status({"townships": approx}), "zh")
    assert "近似位置 100%" in line and "不是测量位置" in line and "权威数据或地名库" not in line
    assert "All positions come from" in status_line(data_status({"county": _frame().iloc[:1]}), "en")
