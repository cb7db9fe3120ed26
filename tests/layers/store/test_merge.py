"""schema.merge on hand-made frames: which plan features users supersede or delete, what is appended,
in which order (every expected row written out by hand below)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from layers.store.schema import conform, merge

LAYER = "reservoirs"


def _plan() -> gpd.GeoDataFrame:
    """Four plan reservoirs p1..p4 on a line, each cited to its own document section."""
    gdf = gpd.GeoDataFrame({
        "fid": ["p1", "p2", "p3", "p4"], "name": ["甲", "乙", "丙", "丁"], "kind": "reservoir",
        "source_doc": ["doc A", "doc A", "doc B", "doc B"], "source_section": ["§1", "§2", "§3", "§4"],
    }, geometry=[shapely.Point(107.0 + i / 10, 30.0) for i in range(4)], crs=4490)
    return conform(LAYER, gdf)


def _user(rows: list[tuple[str, str | None, int, float]]) -> gpd.GeoDataFrame:
    """Current user versions as the store reads them: (fid, supersedes, deleted, lon)."""
    gdf = gpd.GeoDataFrame({"fid": [r[0] for r in rows], "name": [f"user {r[0]}" for r in rows], "kind": "reservoir",
                            "source_doc": "survey 2025"},
                           geometry=[shapely.Point(r[3], 30.5) for r in rows], crs=4490)
    out = conform(LAYER, gdf)
    out["supersedes"] = [r[1] for r in rows]
    out["rev_from"], out["rev_to"], out["changeset"] = 2, None, 1
    out["deleted"] = [r[2] for r in rows]
    return out


# p2 edited in place (same fid), p3 stood for by a new fid, p4 deleted, one new feature, one deleted user-only feature
USER_ROWS = [("p2", "p2", 0, 108.2), ("u-9", "p3", 0, 108.3), ("p4", "p4", 1, 108.4), ("u-new", None, 0, 108.5),
             ("u-gone", None, 1, 108.6)]


@pytest.fixture
def merged() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    return merge(LAYER, _plan(), _user(USER_ROWS))


def test_plan_rows_first_then_live_user_rows(merged: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]) -> None:
    out, _ = merged
    # p1 is the only plan row left; then the live user versions in their order (p4 and u-gone are deleted)
    assert list(out["fid"]) == ["p1", "p2", "u-9", "u-new"]
    assert list(out["name"]) == ["甲", "user p2", "user u-9", "user u-new"]
    assert list(out.index) == [0, 1, 2, 3]
    assert out.crs.to_epsg() == 4490
    assert list(out.columns) == list(_plan().columns)


def test_user_row_with_a_plan_fid_replaces_the_plan_row(merged: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]) -> None:
    out, _ = merged
    p2 = out[out["fid"] == "p2"]
    assert len(p2) == 1
    assert p2.geometry.iloc[0].equals(shapely.Point(108.2, 30.5))
    assert p2["source_doc"].iloc[0] == "survey 2025"
    assert out.loc[out["fid"] == "p1"].geometry.iloc[0].equals(shapely.Point(107.0, 30.0))


def test_superseded_plan_rows_keep_their_citation(merged: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]) -> None:
    _, sup = merged
    assert list(sup["fid"]) == ["p2", "p3", "p4"]  # plan order
    assert list(sup["superseded_by"]) == ["p2", "u-9", "p4"]  # a deletion is listed as superseded by the deleting version
    assert list(sup["source_doc"]) == ["doc A", "doc B", "doc B"]
    assert list(sup["source_section"]) == ["§2", "§3", "§4"]
    assert sup.geometry.iloc[1].equals(shapely.Point(107.2, 30.0))  # the plan's own position, not the user's


def test_deleted_user_version_hides_the_plan_feature(merged: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]) -> None:
    out, _ = merged
    assert "p4" not in set(out["fid"])
    assert "u-gone" not in set(out["fid"])


@pytest.mark.parametrize(("rows", "fids", "superseded"), [
    ([], ["p1", "p2", "p3", "p4"], []),
    ([("u-new", None, 0, 108.5)], ["p1", "p2", "p3", "p4", "u-new"], []),
    ([("p1", None, 1, 108.1)], ["p1", "p2", "p3", "p4"], []),  # a deletion naming no plan fid hides nothing of the plan
    ([("p3", "p3", 1, 108.3)], ["p1", "p2", "p4"], ["p3"]),
    ([("u-1", "p1", 0, 108.1), ("u-2", "p2", 0, 108.2)], ["p3", "p4", "u-1", "u-2"], ["p1", "p2"]),
], ids=["no-user", "append", "delete-without-supersedes", "delete-plan", "two-stand-ins"])
def test_counts_and_order(rows: list, fids: list[str], superseded: list[str]) -> None:
    out, sup = merge(LAYER, _plan(), _user(rows))
    assert list(out["fid"]) == fids
    assert list(sup["fid"]) == superseded
    assert "superseded_by" in sup.columns
    assert len(out) + len(sup) == 4 + sum(1 for r in rows if not r[2])  # every plan row once, plus the live user rows


def test_no_user_frame_returns_the_plan() -> None:
    plan = _plan()
    out, sup = merge(LAYER, plan, None)
    pd.testing.assert_frame_equal(out, plan)
    assert sup.empty and "superseded_by" in sup.columns
