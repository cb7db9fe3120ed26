"""A handle advanced to the newest revision equals one opened afresh, and reads only what changed."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point

from layers.edits import edit
from layers.store.refresh import advance
from layers.store.workspace import open_workspace


def _same(a: dict, b: dict) -> None:
    assert list(a) == list(b)
    for k in a:
        x, y = a[k].reset_index(drop=True), b[k].reset_index(drop=True)
        assert list(x.columns) == list(y.columns), k
        assert x.drop(columns="geometry").astype(str).equals(y.drop(columns="geometry").astype(str)), k
        assert list(x.geometry.to_wkb()) == list(y.geometry.to_wkb()), k


def test_advance_after_an_edit_equals_a_fresh_open_and_rereads_only_the_edited_layers(private_workspaces, monkeypatch) -> None:
    old = open_workspace("500231")
    old.frames()
    res = old.layer("reservoirs")
    fid = str(res.loc[res.geometry.geom_type == "Point", "fid"].iloc[0])
    edit.edit_feature(open_workspace("500231"), "reservoirs", fid, geometry=Point(107.41, 30.31), user="测试", reason="核实")
    asked = []
    real = old.store.read
    monkeypatch.setattr(old.store, "read", lambda *a, **k: asked.append(k.get("only")) or real(*a, **k))
    new = advance(old)
    assert asked == [["reservoirs", "risk_townships"]]
    fresh = open_workspace("500231")
    assert new.revision == fresh.revision == old.revision + 1
    _same(dict(new.frames()), dict(fresh.frames()))
    assert new.layer("reservoirs").set_index("fid").loc[fid].geometry.equals(Point(107.41, 30.31))
    assert old.layer("reservoirs").set_index("fid").loc[fid].geometry != Point(107.41, 30.31)  # the old handle is untouched
    _same({"s": new.superseded("reservoirs")}, {"s": fresh.superseded("reservoirs")})
    assert advance(new) is new


def test_advance_after_a_rebuild_reads_everything(private_workspaces) -> None:
    from layers.jobs.build import build_workspace

    old = open_workspace("500231")
    old.frames()
    build_workspace("500231")
    new = advance(old)
    assert new.revision == open_workspace("500231").revision
    assert isinstance(new.layer("townships"), gpd.GeoDataFrame)


def test_a_handle_pinned_to_a_revision_is_never_advanced(private_workspaces) -> None:
    ws = open_workspace("500231")
    pinned = open_workspace("500231", revision=ws.revision)
    assert advance(pinned) is pinned
    with pytest.raises(Exception, match="没有版本"):
        open_workspace("500231", revision=ws.revision + 5)


@pytest.mark.usefixtures("private_postgis")
def test_advance_on_the_postgresql_store_equals_a_fresh_open() -> None:
    old = open_workspace("500231")
    old.frames()
    res = old.layer("reservoirs")
    fid = str(res.loc[res.geometry.geom_type == "Point", "fid"].iloc[0])
    edit.edit_feature(open_workspace("500231"), "reservoirs", fid, geometry=Point(107.41, 30.31), user="测试", reason="核实")
    new, fresh = advance(old), open_workspace("500231")
    assert new.store.kind == "postgis" and new.revision == fresh.revision
    _same(dict(new.frames()), dict(fresh.frames()))
