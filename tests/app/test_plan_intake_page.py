"""AppTest of the page 规划入图: a short plan of 城口县 (500229, a county with no workspace and no
configuration) written here is read, its rows are shown beside their sentences (place words in 【】, the
sentence escaped), accepted per group, saved and built through the normal build into a private copy of
the workspace folder; the new items are then in the workspace with the document as their source.
AppTest cannot drive st.file_uploader: the upload is put in ``session_state["plan_upload"]``."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from layers.views import planview as pv
from tests.app._pages import run_page

pytest.importorskip("layers.plans.extract")

PAGE = str(Path(__file__).resolve().parents[2] / "ui" / "plan_intake.py")
ADCODE = "500229"
DOC = "城口府发〔2026〕1号"
PLAN = f"""城口县应急管理“十五五”规划（2026—2030年）
{DOC}
一、防汛抗旱
（一）水库安全
1. 实施双河乡双河水库除险加固，2026年完成，投资500万元。
二、森林防火
（一）基础设施
在修齐镇新建森林消防蓄水池12口。
三、地质灾害
对黄泥坡滑坡<b>实施</b>工程治理。
"""


def _run(lang: str = "zh") -> AppTest:
    return run_page(PAGE, timeout=180, adcode="500231", lang=lang, pi_adcode=ADCODE,
                    plan_upload=("城口县十五五规划.txt", PLAN.encode("utf-8")))


def _review(at: AppTest):  # noqa: ANN202
    return at.session_state["pi_review"]


@pytest.mark.usefixtures("private_workspaces")
def test_rows_are_shown_beside_their_sentences_with_place_words_marked() -> None:
    at = _run()
    assert not at.exception and not at.error
    assert at.text_input(key=next(k for k in at.session_state if str(k).startswith("pi_doc_"))).value == DOC
    review = _review(at)
    names = set(review["name"])
    assert "双河水库" in names and any("蓄水池" in n for n in names)
    reservoir = review[review["name"] == "双河水库"].iloc[0]
    assert "【双河水库】" in reservoir["sentence"] and "【双河乡】" in reservoir["sentence"]
    assert not review["accept"].any()  # nothing goes into the inventory until a person accepts it
    assert at.button(key="pi_save").disabled
    html = next(h.proto.body for h in at.get("html"))
    assert "<b>实施</b>" not in html  # the file's text is escaped before the place words are marked
    assert "<mark>双河水库</mark>" in html


@pytest.mark.usefixtures("private_workspaces")
def test_accept_a_group_then_all_save_and_build_a_new_county(private_workspaces: Path) -> None:
    at = _run()
    at.radio(key="pi_by").set_value("layer").run()
    at.selectbox(key="pi_group").set_value("reservoirs").run()
    at.button(key="pi_acc").click().run()
    review = _review(at)
    assert set(review["layer"]) <= set(pv.layer_options("zh"))  # the table speaks the user's language (水库), not layer ids
    is_reservoir = review["layer"] == "水库"
    assert is_reservoir.any() and review.loc[is_reservoir, "accept"].all() and not review.loc[~is_reservoir, "accept"].any()
    at.selectbox(key="pi_group").set_value(None).run()
    at.button(key="pi_acc").click().run()
    assert _review(at)["accept"].all()
    at.text_input(key="pi_user").input("城口县应急局 李四").run()
    at.button(key="pi_save").click().run()
    assert not at.exception and not at.error
    assert DOC in at.success[0].value and "城口县" in at.success[0].value
    assert at.session_state["adcode"] == ADCODE  # the map page opens on the new county

    from layers.store.workspace import open_workspace

    ws = open_workspace(ADCODE)
    assert len(ws.layer("townships")) >= 20
    reservoirs = ws.layer("reservoirs")
    assert set(reservoirs.loc[reservoirs["source_doc"] == DOC, "name"]) == {"双河水库"}
    tanks = ws.layer("forest_fire")
    assert (tanks["source_doc"] == DOC).sum() == 12
    saved = (private_workspaces / "plans" / ADCODE).glob("w*.csv")
    assert all("实施" not in p.read_text(encoding="utf-8") for p in saved)  # sentences are never stored
    assert ws.changesets()[-1].user == "城口县应急局 李四"
