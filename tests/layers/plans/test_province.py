"""The Chongqing-wide workspace: counts, provenance, synthetic flags, gap-free simplification,
and the optimised map carrying the same features as the naive one."""

from __future__ import annotations

import os
from collections.abc import Iterator

import geopandas as gpd
import pytest
import shapely

from geo.display import display_frame
from layers import load_layer
from layers.catalog.specs import SPECS
from layers.jobs.build import build_workspace
from layers.render.webmap import _Points, _Shapes, build_map, parse_js_data
from layers.views import mapview as view


@pytest.fixture(scope="module")
def province(built_workspaces, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """The province workspace, in its own folder: the plan-workspace tests see only their three."""
    folder = tmp_path_factory.mktemp("province")
    os.environ["ONEMAP_WORKSPACES"] = str(folder)
    try:
        build_workspace("500000")
        yield view.load_frames("500000")
    finally:
        os.environ["ONEMAP_WORKSPACES"] = str(built_workspaces)


def test_province_counts_and_flags(province: dict) -> None:
    assert len(province["county"]) == 38 and set(province["county"]["geometry_quality"]) == {"authoritative"}
    assert 840 <= len(province["townships"]) <= 880  # ~870 GeoNames places in Chongqing, each a seat
    gh = province["geohazards"]
    assert len(gh) == 20_000 and set(gh["geometry_quality"]) == {"synthetic"} and gh["source_doc"].str.contains("演示").all()
    assert len(province["reservoirs"]) == 3000 and set(province["reservoirs"]["geometry_quality"]) == {"synthetic"}
    assert len(province["facilities"]) == 3000
    rivers = province["rivers"]
    assert len(rivers) > 50 and set(rivers["geometry_quality"]) == {"approximate"} and rivers["source_doc"].str.contains("WDB II").all()
    for layer_id, gdf in province.items():
        for col in ("source_doc", "source_section", "geometry_quality", "geometry_source"):
            assert gdf[col].notna().all(), (layer_id, col)
        assert gdf["fid"].is_unique, layer_id


def test_unmatched_gazetteer_places_are_drawn_under_their_pinyin_name(province: dict) -> None:
    towns = province["townships"]
    gaz = towns[towns["name_status"] == "gazetteer_only"]
    assert 80 <= len(gaz) <= 150 and (towns["name_status"] == "confirmed").sum() >= 740
    assert gaz["name"].str.fullmatch(r"[A-Za-z' ]+").all() and set(gaz["kind"]) == {"未知"} and gaz["n_villages"].isna().all()
    assert gaz["source_doc"].str.contains("GeoNames").all() and set(gaz["geometry_quality"]) == {"approximate"}
    assert not towns["name"].str.contains("未定位").any()  # every district has a seat now
    seats = province["township_seats"].to_crs(4545)
    is_gaz = (seats["name_status"] == "gazetteer_only").to_numpy()
    near = gpd.sjoin_nearest(seats[is_gaz], seats[~is_gaz], distance_col="d")
    assert near["d"].min() >= 2000  # a place closer to a matched seat is the same town under another spelling


def test_township_cells_stay_inside_their_district(province: dict) -> None:
    towns = province["townships"].to_crs(4545)
    county = province["county"].to_crs(4545)
    assert abs(towns.union_all().area / county.union_all().area - 1) < 0.001


def test_coverage_simplification_opens_no_gaps(province: dict) -> None:
    towns = province["townships"]
    original = towns.to_crs(4545).union_all()
    simplified = display_frame(towns, keep=["fid"], tolerance_deg=0.0024, coverage=True, precision_deg=1e-4).to_crs(4545)
    union = simplified.union_all()
    assert abs(union.area / original.area - 1) < 0.001  # union area equals the county area within 0.1 %
    # gaps between neighbours = holes inside the union that the original did not have
    holes = shapely.union_all([shapely.Polygon(r) for p in getattr(union, "geoms", [union]) for r in p.interiors])
    assert holes.area / original.area < 0.001
    # it removes vertices (few here: the source outlines are already generalised) and never adds any
    assert shapely.get_num_coordinates(simplified.geometry.values).sum() < shapely.get_num_coordinates(towns.geometry.values).sum()


def test_optimised_map_shows_the_same_features_as_the_naive_one(province: dict) -> None:
    visible = [k for k in province if SPECS[k].default_visible]
    shown = view.display_frames(province, visible, lang="zh", band=view.zoom_band(province))
    fmap = build_map(shown, bounds=view.bounds_of(province))
    fmap.get_root().render()
    drawn: dict[str, int] = {}
    fids: dict[str, set] = {}
    for el in _walk(fmap):
        if isinstance(el, (_Points, _Shapes)):
            data = parse_js_data(el.data)
            n = len(data["f"]) if "f" in data else len(data["g"]["features"])
            drawn[data["layer"]] = drawn.get(data["layer"], 0) + n
            if "g" in data:
                fids.setdefault(data["layer"], set()).update(f["properties"]["fid"] for f in data["g"]["features"])
    for layer_id in visible:
        stored = load_layer("500000", layer_id)
        assert drawn.get(layer_id, 0) == len(stored), layer_id  # naive draws every stored feature
    assert fids["townships"] == set(province["townships"]["fid"])


def _walk(el):  # noqa: ANN001, ANN202
    yield el
    for child in getattr(el, "_children", {}).values():
        yield from _walk(child)


def test_province_map_payload_is_small(province: dict) -> None:
    visible = [k for k in province if SPECS[k].default_visible]
    shown = view.display_frames(province, visible, lang="zh", band=view.zoom_band(province))
    html = build_map(shown, bounds=view.bounds_of(province)).get_root().render()
    assert len(html.encode()) < 3e6
    assert isinstance(province["townships"], gpd.GeoDataFrame)
