"""Layer specs: the per-layer facts every module reads (draw order, tooltip and details fields, filters,
look, atlas tables) are complete and consistent, and a spec naming a field it lacks is refused."""

from __future__ import annotations

import dataclasses

import pytest

from geo.errors import UnknownNameError
from layers.catalog.specs import ANALYSIS_SPECS, DRAW_ORDER, NAME_LABELS, SPECS, TITLE, LayerSpec, Look, in_draw_order
from layers.catalog.style import RULES, value_text

ALL = {**SPECS, **ANALYSIS_SPECS}


def test_draw_order_lists_every_layer_once() -> None:
    assert sorted(DRAW_ORDER) == sorted(ALL)
    assert DRAW_ORDER.index("townships") < DRAW_ORDER.index("county") < DRAW_ORDER.index("geohazards") < DRAW_ORDER.index("rivers")


def test_in_draw_order_puts_unknown_layers_on_top_in_their_order() -> None:
    assert in_draw_order(["reservoirs", "zz", "townships", "aa"]) == ["townships", "reservoirs", "zz", "aa"]
    assert in_draw_order({"county": 1, "risk_townships": 2}) == ["risk_townships", "county"]


@pytest.mark.parametrize("spec", list(ALL.values()), ids=list(ALL))
def test_tooltip_popup_filters_and_atlas_columns_name_fields_of_the_layer(spec: LayerSpec) -> None:
    fields = [f.name for f in spec.fields]
    assert spec.tooltip and spec.tooltip[0] == "name"
    assert set(spec.tooltip) - {TITLE} <= set(fields)
    assert set(spec.popup) <= set(fields) and spec.popup[:2] == ("fid", "name")  # the details panel shows the id
    assert {c for flt in spec.filters for c in flt.fields} <= set(fields)
    if spec.atlas_table:
        assert set(spec.atlas_table.columns) - {"_pos"} <= set(fields)
        assert len(spec.atlas_table.widths) == len(spec.atlas_table.columns)
        assert sum(spec.atlas_table.widths) == pytest.approx(1.0)
    assert spec.look.rule in ("", *RULES)
    assert spec.name_labels in NAME_LABELS


def test_popup_defaults_to_every_field_in_order() -> None:
    spec = SPECS["townships"]
    assert spec.popup == tuple(f.name for f in spec.fields)


@pytest.mark.parametrize("facts", [{"tooltip": ("name", "nope")}, {"popup": ("nope",)}])
def test_a_spec_naming_a_field_it_lacks_is_refused_with_the_fields(facts: dict) -> None:
    base = SPECS["reservoirs"]
    with pytest.raises(UnknownNameError, match=r"'reservoirs'.*\['nope'\].*fields"):
        dataclasses.replace(base, **facts)


def test_name_labels_must_be_a_known_way() -> None:
    with pytest.raises(ValueError, match="name_labels 'sometimes'"):
        dataclasses.replace(SPECS["reservoirs"], name_labels="sometimes")


def test_sidebar_filters_are_the_fields_of_the_map_filters() -> None:
    from layers.views.mapview import FILTERED_LAYERS, Filters

    keys = [flt.key for s in SPECS.values() for flt in s.filters]
    assert sorted(keys) == sorted(f.name for f in dataclasses.fields(Filters))  # one spec filter per sidebar filter
    assert set(FILTERED_LAYERS) == {"geohazards", "projects", "facilities"}


def test_only_the_county_outline_is_not_picked_and_only_hazards_have_map_classes() -> None:
    assert [k for k, s in ALL.items() if not s.pickable] == ["county"]
    assert [k for k, s in ALL.items() if s.class_filter] == ["geohazards"]
    assert Look().fill_opacity == 0.25 and SPECS["county"].look.fill_opacity == 0.0


@pytest.mark.parametrize(("layer", "field", "value", "lang", "text"), [
    ("facilities", "kind", "shelter", "zh", "避难场所"),
    ("facilities", "kind", "shelter", "en", "Shelter"),
    ("facilities", "kind", "no_such_kind", "en", "no_such_kind"),
    ("projects", "status", "planned", "en", "Planned"),
    ("reservoirs", "action", "建设", "zh", "在建/新建"),
    ("reservoirs", "action", "演示", "en", "演示"),
    ("geohazards", "hazard_type", "滑坡", "en", "Landslide"),
    ("geohazards", "hazard_type", "滑坡", "zh", "滑坡"),
    ("geohazards", "risk_level", "较高", "en", "Fairly high"),
    ("risk_townships", "level", 1, "zh", "重大"),
    ("risk_townships", "flood_level", 4, "en", "Low"),
    ("townships", "n_villages", 12, "zh", "12"),
    ("reservoirs", "geometry_quality", "approximate", "zh", "近似位置"),
])
def test_values_read_as_people_read_them(layer: str, field: str, value: object, lang: str, text: str) -> None:
    assert value_text(layer, field, value, lang) == text


@pytest.mark.parametrize("missing", [None, float("nan")])
def test_a_missing_value_has_no_text(missing: object) -> None:
    assert value_text("reservoirs", "action", missing, "zh") is None
