"""geo.validate: every kind of problem is found, and all of them travel in one ValidationError."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, Polygon, box

from geo.errors import GeoError, Problem, ValidationError
from geo.validate import FieldRule, check_fields, check_geometry, check_unique, raise_if_problems, validate_frame

EXTENT = box(107.0, 29.7, 108.0, 30.7)  # roughly 垫江县, EPSG:4490
GOOD = box(107.30, 30.30, 107.31, 30.31)
BOW_TIE = Polygon([(107.3, 30.3), (107.4, 30.4), (107.4, 30.3), (107.3, 30.4)])  # self-crossing
RULES = (
    FieldRule("id", "str", required=True),
    FieldRule("kind", "str", required=True, choices=("河流", "道路")),
    FieldRule("level", "int"),
    FieldRule("area", "float"),
)


def _frame(rows: dict[str, list[object]], geoms: list[object], crs: str | None = "EPSG:4490") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=gpd.GeoSeries(geoms), crs=crs)


def _clean() -> gpd.GeoDataFrame:
    return _frame({"id": ["a", "b"], "kind": ["河流", "道路"], "level": [1, 2], "area": [1.5, 2]}, [GOOD, GOOD])


def _messages(problems: list[Problem]) -> list[tuple[int | None, str | None, str]]:
    return [(p.row, p.field, p.message) for p in problems]


def test_clean_frame_passes() -> None:
    validate_frame(_clean(), source="clean.gpkg", rules=RULES, geom_types=["Polygon"], id_field="id", extent=EXTENT)


def test_rules_may_be_a_mapping() -> None:
    validate_frame(_clean(), source="clean.gpkg", rules={r.name: r for r in RULES}, geom_types=["Polygon"])


# --- one test per message ---------------------------------------------------------------------------
def test_missing_required_column() -> None:
    gdf = _clean().drop(columns=["kind"])
    assert _messages(check_fields(gdf, RULES)) == [
        (None, "kind", "required column is missing; add a 'kind' column (str).")
    ]


def test_missing_optional_column_is_fine() -> None:
    assert check_fields(_clean().drop(columns=["area", "level"]), RULES) == []


def test_extra_column() -> None:
    gdf = _clean().assign(note=["x", "y"])
    (problem,) = check_fields(gdf, RULES)
    assert (problem.row, problem.field) == (None, "note")
    assert problem.message == "unexpected column; remove it or rename it to one of ['area', 'id', 'kind', 'level']."


def test_extra_column_allowed() -> None:
    assert check_fields(_clean().assign(note=["x", "y"]), RULES, allow_extra=True) == []


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("level", "x", "value 'x' is not of type int."),
        ("level", 2.5, "value 2.5 is not of type int."),
        ("level", True, "value True is not of type int."),
        ("area", "1,5", "value '1,5' is not of type float."),
        ("id", 7, "value 7 is not of type str."),
    ],
)
def test_wrong_type(column: str, value: object, message: str) -> None:
    gdf = _clean()
    gdf[column] = gdf[column].astype(object)
    gdf.loc[1, column] = value
    assert _messages(check_fields(gdf, RULES)) == [(2, column, message)]


def test_whole_numbers_pass_as_int_and_float() -> None:
    # 2.0 in an int column (pandas turns ints into floats next to a NaN) and 3 in a float column
    gdf = _clean()
    gdf["level"] = [np.nan, 2.0]
    gdf["area"] = [3, 4]
    assert check_fields(gdf, RULES) == []


@pytest.mark.parametrize("empty", [None, "", "   ", np.nan])
def test_empty_required_value(empty: object) -> None:
    gdf = _clean()
    gdf["id"] = gdf["id"].astype(object)
    gdf.loc[0, "id"] = empty
    assert _messages(check_fields(gdf, RULES)) == [(1, "id", "value is empty; fill it in.")]


def test_empty_optional_value_is_fine() -> None:
    gdf = _clean()
    gdf["level"] = [None, 2]
    assert check_fields(gdf, RULES) == []


def test_bad_choice() -> None:
    gdf = _clean()
    gdf.loc[1, "kind"] = "湖泊"
    assert _messages(check_fields(gdf, RULES)) == [(2, "kind", "value '湖泊' is not one of ['河流', '道路'].")]


def test_empty_geometry() -> None:
    gdf = _clean().set_geometry(gpd.GeoSeries([GOOD, Polygon()], crs="EPSG:4490"))
    assert _messages(check_geometry(gdf, geom_types=["Polygon"])) == [
        (2, "geometry", "geometry is empty; give the feature a location.")
    ]


def test_missing_geometry() -> None:
    gdf = _clean().set_geometry(gpd.GeoSeries([None, GOOD], crs="EPSG:4490"))
    assert [p.row for p in check_geometry(gdf, geom_types=["Polygon"])] == [1]


def test_invalid_geometry_bow_tie() -> None:
    assert not BOW_TIE.is_valid
    gdf = _clean().set_geometry(gpd.GeoSeries([GOOD, BOW_TIE], crs="EPSG:4490"))
    assert _messages(check_geometry(gdf, geom_types=["Polygon"])) == [
        (2, "geometry", "geometry is invalid (self-intersection?); repair it, e.g. with make_valid.")
    ]


def test_wrong_geometry_type() -> None:
    line = LineString([(107.3, 30.3), (107.4, 30.4)])
    gdf = _clean().set_geometry(gpd.GeoSeries([line, GOOD], crs="EPSG:4490"))
    assert _messages(check_geometry(gdf, geom_types=["Polygon", "MultiPolygon"])) == [
        (1, "geometry", "LineString is not allowed here; use ['MultiPolygon', 'Polygon'].")
    ]


def test_outside_extent() -> None:
    # Chongqing's main city (106.55, 29.56) is south-west of the 垫江 extent box
    far = Point(106.55, 29.56).buffer(0.001)
    gdf = _clean().set_geometry(gpd.GeoSeries([GOOD, far], crs="EPSG:4490"))
    (problem,) = check_geometry(gdf, geom_types=["Polygon"], extent=EXTENT, extent_name="垫江县")
    assert (problem.row, problem.field) == (2, "geometry")
    assert problem.message.startswith("lies outside 垫江县 (at 106.55")
    assert "check the CRS (GCJ-02? swapped lon/lat?)" in problem.message


def test_touching_extent_is_inside() -> None:
    edge = box(108.0, 30.0, 108.1, 30.1)  # shares the extent's east edge
    gdf = _clean().set_geometry(gpd.GeoSeries([GOOD, edge], crs="EPSG:4490"))
    assert check_geometry(gdf, geom_types=["Polygon"], extent=EXTENT) == []


def test_missing_crs() -> None:
    gdf = _clean().set_crs(None, allow_override=True)
    assert _messages(check_geometry(gdf, geom_types=["Polygon"])) == [
        (None, "geometry", "the data has no CRS; declare one (e.g. EPSG:4490).")
    ]


def test_duplicate_ids() -> None:
    df = pd.DataFrame({"id": ["a", "b", "a", "c", "b"]})
    assert _messages(check_unique(df, "id")) == [
        (3, "id", "duplicate id 'a' (first at row 1); ids must be unique."),
        (5, "id", "duplicate id 'b' (first at row 2); ids must be unique."),
    ]


def test_unique_on_missing_column_is_silent() -> None:
    assert check_unique(pd.DataFrame({"x": [1, 1]}), "id") == []


# --- everything at once -----------------------------------------------------------------------------
def test_all_problems_collected_in_one_error() -> None:
    line = LineString([(107.3, 30.3), (107.4, 30.4)])
    far = Point(106.55, 29.56).buffer(0.001)
    rules = (*RULES, FieldRule("source", "str", required=True))
    gdf = _frame(
        {
            "id": ["a", "a", "", "d", "e"],
            "kind": ["河流", "湖泊", "河流", None, "道路"],
            "level": [1, "x", 2.5, 3, 4],
            "note": ["", "", "", "", ""],  # extra column; required 'source' and optional 'area' are missing
        },
        [GOOD, Polygon(), BOW_TIE, line, far],
    )
    with pytest.raises(ValidationError, match=r"^12 problem\(s\) in roads\.gpkg:") as info:
        validate_frame(gdf, source="roads.gpkg", rules=rules, geom_types=["Polygon"], id_field="id", extent=EXTENT)
    err = info.value
    # missing 'source' + extra 'note' + id row 3 + kind rows 2, 4 + level rows 2, 3 + geometry rows 2-5 + duplicate row 2 = 12
    assert len(err.problems) == 12
    assert [(p.row, p.field) for p in err.problems] == [
        (None, "source"),
        (None, "note"),
        (3, "id"),
        (2, "kind"),
        (4, "kind"),
        (2, "level"),
        (3, "level"),
        (2, "geometry"),
        (3, "geometry"),
        (4, "geometry"),
        (5, "geometry"),
        (2, "id"),
    ]
    text = str(err)
    assert len(text.splitlines()) == 13  # header + one line per problem
    assert "roads.gpkg, row 2, field 'id': duplicate id 'a' (first at row 1)" in text
    assert "roads.gpkg, field 'source': required column is missing" in text
    assert err.source == "roads.gpkg"


def test_missing_crs_collected_with_field_problems() -> None:
    gdf = _clean().set_crs(None, allow_override=True)
    gdf.loc[0, "kind"] = "湖泊"
    with pytest.raises(ValidationError, match=r"2 problem\(s\) in x\.shp") as info:
        validate_frame(gdf, source="x.shp", rules=RULES, geom_types=["Polygon"])
    assert [(p.row, p.field) for p in info.value.problems] == [(1, "kind"), (None, "geometry")]


def test_raise_if_problems() -> None:
    raise_if_problems("ok.csv", [])
    with pytest.raises(ValidationError, match=r"1 problem\(s\) in bad\.csv:\nbad\.csv, row 4: broken"):
        raise_if_problems("bad.csv", [Problem(4, None, "broken")])


def test_validation_error_is_value_error_and_geo_error() -> None:
    with pytest.raises(ValueError, match="problem"):
        raise_if_problems("bad.csv", [Problem(None, None, "broken")])
    assert issubclass(ValidationError, GeoError)


def test_markup_in_text_is_reported_as_a_warning_naming_row_and_field() -> None:
    from geo.validate import MarkupWarning, check_markup

    gdf = _frame({"id": ["a", "b", "c"], "name": ["全胜水库", "<img src=x onerror=alert(1)>", "a < b > c"]}, [GOOD, GOOD, GOOD])
    problems = check_markup(gdf)
    assert [(p.row, p.field) for p in problems] == [(2, "name")]  # a lone "<" is not markup
    assert "<img src=x onerror=alert(1)>" in problems[0].message and "shown as text" in problems[0].message
    assert issubclass(MarkupWarning, UserWarning)


def test_check_file_warns_about_markup_but_accepts_the_file(tmp_path) -> None:  # noqa: ANN001
    from geo.validate import MarkupWarning
    from layers.catalog.specs import get_spec
    from layers.imports.check import check_file

    values = {"str": "x", "int": 1, "float": 1.0, "bool": True}
    row = {r.name: r.choices[0] if r.choices else values[r.dtype] for r in get_spec("reservoirs").rules if r.required}
    row["name"] = "<script>alert(1)</script>水库"
    gdf = gpd.GeoDataFrame([row], geometry=[Point(107.35, 30.33)], crs=4490)
    path = tmp_path / "res.geojson"
    gdf.to_file(path, driver="GeoJSON")
    with pytest.warns(MarkupWarning, match=r"row 1, field 'name'.*<script>alert\(1\)</script>水库.*shown as text"):
        out = check_file(path, layer="reservoirs")
    assert out["name"].iloc[0] == "<script>alert(1)</script>水库"  # stored as written
