"""The risk model's memo: keyed by the bytes of its inputs, so a moved feature is never served a
stale result; and the vectorised drivers name the largest contributions first."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point, box

from layers.analysis import _memo
from layers.analysis.risk import _share, drivers, risk_config


def test_share_is_recomputed_when_a_part_moves_and_reused_when_nothing_did() -> None:
    _memo.clear()
    cells = gpd.GeoSeries([box(0, 0, 10, 10), box(10, 0, 20, 10)], crs=3857)
    parts = gpd.GeoSeries([box(0, 0, 5, 10)], crs=3857)
    assert list(_share(cells, parts)) == [0.5, 0.0]
    moved = gpd.GeoSeries([box(10, 0, 20, 5)], crs=3857)  # same object count, other place
    assert list(_share(cells, moved)) == [0.0, 0.5]
    calls = []
    _memo.memo(("probe",), lambda: calls.append(1) or 1)
    _memo.memo(("probe",), lambda: calls.append(1) or 1)
    assert calls == [1]


def test_digest_tells_one_metre_apart() -> None:
    assert _memo.digest(gpd.GeoSeries([Point(0, 0)])) != _memo.digest(gpd.GeoSeries([Point(0, 1)]))
    assert _memo.digest(gpd.GeoSeries([Point(0, 0)])) == _memo.digest(gpd.GeoSeries([Point(0, 0)]))


def test_drivers_name_the_three_largest_contributions_and_none_when_all_are_zero() -> None:
    cfg = risk_config()
    cols = [k for hz in ("geological", "flood", "forest_fire") for k in cfg[hz]["weights"]]
    ind = pd.DataFrame(0.0, index=[0, 1, 2], columns=cols)
    ind.loc[0, "people_threatened"] = 100.0  # township 0 is the only one with people threatened
    ind.loc[1, "river_share"] = 0.9
    out = drivers(ind, cfg)
    assert out[0] == "威胁人数"
    assert out[1] == "临河区域占比"
    assert out[2] == "无突出因素"


def test_the_warm_up_computes_the_reusable_parts_once_per_workspace(private_workspaces, monkeypatch) -> None:  # noqa: ANN001
    """Opening a workspace starts one background computation of its risk; the first saved change then
    finds the projected layers and the township counts in the memo, and what is alive is frozen out of
    the collector's full passes."""
    from layers.analysis import riskstore
    from layers.store.workspace import open_workspace

    monkeypatch.setenv("ONEMAP_RISK_WARM", "1")
    monkeypatch.setattr(riskstore, "_warmed", set())
    _memo.clear()
    ws = open_workspace("500231")
    thread = riskstore.warm(ws, delay_s=0)
    assert thread is not None
    thread.join(60)
    import gc

    frozen = gc.get_freeze_count()
    gc.unfreeze()  # the warm-up froze this test process's objects: give them back to the collector
    assert frozen > 0  # what was alive after the warm-up left the collector's full passes
    kinds = {k[0] for k in _memo._store}
    assert {"metric", "count", "within", "share", "cells"} <= kinds
    assert riskstore.warm(open_workspace("500231"), delay_s=0) is None  # once per workspace and process
    monkeypatch.setenv("ONEMAP_RISK_WARM", "0")
    monkeypatch.setattr(riskstore, "_warmed", set())
    assert riskstore.warm(ws, delay_s=0) is None
