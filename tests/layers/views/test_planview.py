"""The review table of 规划入图 (layers/views/planview.py): Chinese or English labels in the layer and
kind columns, ids again in the group keys and in the saved inventory, with rows made here."""

from __future__ import annotations

import pandas as pd
import pytest

from layers.plans.inventory import INVENTORY_COLUMNS
from layers.views import planview as pv

TEXT = "实施青石水库除险加固。新建避难场所3个。"


def _rows() -> pd.DataFrame:
    base = {c: "" for c in INVENTORY_COLUMNS}
    return pd.DataFrame([
        {**base, "fid": "new-001", "layer": "reservoirs", "kind": "reservoir", "name": "青石水库", "count": 1,
         "source_section": "一、", "span_start": 0, "span_end": 11},
        {**base, "fid": "new-002", "layer": "facilities", "kind": "shelter", "name": "避难场所", "count": 3,
         "source_section": "二、", "span_start": 11, "span_end": 20},
    ])


@pytest.mark.parametrize(("lang", "layers", "kinds"), [
    ("zh", ["水库", "应急设施"], ["水库", "避难场所"]),
    ("en", ["Reservoirs", "Facilities"], None),
])
def test_the_table_shows_layer_and_kind_labels_in_the_language(lang: str, layers: list[str], kinds: list[str] | None) -> None:
    review = pv.review_frame(_rows(), TEXT, lang)
    assert review["layer"].tolist() == layers
    assert kinds is None or review["kind"].tolist() == kinds
    assert "reservoirs" not in review["layer"].tolist()


def test_groups_and_the_saved_inventory_use_the_ids() -> None:
    review = pv.review_frame(_rows(), TEXT, "zh")
    assert pv.group_values(review, "layer") == ["facilities", "reservoirs"]
    review = pv.set_group(review, "layer", "reservoirs", True)
    assert review[pv.ACCEPT].tolist() == [True, False]
    saved = pv.reviewed_inventory(pv.set_group(review, "layer", None, True))
    assert saved[["layer", "kind"]].values.tolist() == [["reservoirs", "reservoir"], ["facilities", "shelter"]]
    assert list(saved.columns) == list(INVENTORY_COLUMNS)


def test_a_cell_edited_to_an_id_or_an_english_label_is_saved_as_the_id() -> None:
    review = pv.set_group(pv.review_frame(_rows(), TEXT, "zh"), "layer", None, True)
    review.loc[0, "layer"], review.loc[1, "kind"] = "Reservoirs", "material_depot"
    saved = pv.reviewed_inventory(review)
    assert saved[["layer", "kind"]].values.tolist() == [["reservoirs", "reservoir"], ["facilities", "material_depot"]]


def test_an_unknown_layer_or_kind_stays_as_typed_for_the_inventory_check() -> None:
    assert (pv.layer_id("湖泊"), pv.kind_id("reservoirs", "大坝")) == ("湖泊", "大坝")
    assert pv.layer_options("zh")[:1] == [pv.layer_label("rivers", "zh")]
