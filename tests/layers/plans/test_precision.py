"""What is not a row (SCHEMA.md, "What a row is"): names inside a document's title, verbs and cut-off
words in front of a name, generic words of construction, on short texts written here (invented county
and names)."""

from __future__ import annotations

import pandas as pd
import pytest

from layers.plans.extract import extract_plan

HEAD = "示例县人民政府\n示例府发〔2026〕4号\n关于印发示例县应急管理规划的通知\n"


def _rows(body: str) -> pd.DataFrame:
    return extract_plan(HEAD + body).rows


def _names(body: str) -> set[str]:
    return set(_rows(body)["name"])


def test_a_thing_named_only_in_the_title_of_a_document_is_no_row() -> None:
    body = "一、消防\n制定《示例县政府专职消防队伍建设管理办法》,印发《青岭应急避难场所管理规定》。新建白鹭消防站。\n"
    assert _names(body) == {"白鹭消防站"}
