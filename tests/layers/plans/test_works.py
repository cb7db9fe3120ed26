"""Projects of a 重点工程 section read from what its works sentences build (lists of systems,
platforms, databases and centres), on short texts written here (invented county and names)."""

from __future__ import annotations

import pandas as pd

from layers.plans.extract import extract_plan

HEAD = "示例县人民政府\n示例府发〔2026〕4号\n关于印发示例县应急管理规划的通知\n"


def _projects(body: str) -> set[str]:
    rows: pd.DataFrame = extract_plan(HEAD + body).rows
    return set(rows.loc[rows["layer"] == "projects", "name"])


def test_the_objects_a_works_sentence_of_a_重点工程_section_builds_are_projects() -> None:
    body = (
        "一、主要任务\n推进甲乙预警系统建设。\n二、重点工程\n(一)监测预警工程\n"
        "推进山火智能识别系统、洪水预报平台和灾情数据库建设。\n持续推进青峰地震台站建设。\n"
    )
    found = _projects(body)
    assert {"山火智能识别系统", "洪水预报平台", "灾情数据库", "青峰地震台站"} <= found
    assert "甲乙预警系统" not in found  # a task of the 主要任务 section, not a listed project
    assert "监测预警工程" not in found  # the heading groups the projects under it


def test_a_facility_built_in_a_重点工程_section_is_also_a_project() -> None:
    body = "一、重点工程\n(一)救援能力工程\n建设白鹭应急气象保障中心,提升保障能力。\n"
    rows = extract_plan(HEAD + body).rows
    assert set(rows.loc[rows["name"] == "白鹭应急气象保障中心", "layer"]) == {"facilities", "projects"}


def test_the_objects_of_a_paragraph_led_by_a_project_name_are_its_parts() -> None:
    body = "一、重点工程\n(一)信息化工程\n指挥平台建设。建设灾情数据库和会商研判系统。\n"
    assert _projects(body) == {"指挥平台建设"}
