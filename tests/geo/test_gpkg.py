"""geo.gpkg: atomic multi-layer GeoPackage writes and spatial-layer listing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import LineString, Point

from geo.errors import SourceReadError
from geo.gpkg import list_gpkg_layers, write_gpkg_atomic


def _seats() -> gpd.GeoDataFrame:
    # a text column called "fid" must survive (GDAL's own row id is renamed to gpkg_fid)
    return gpd.GeoDataFrame(
        {"fid": ["seat-1", "seat-2"], "name": ["垫江县", "綦江区"]},
        geometry=[Point(107.33, 30.33), Point(106.65, 29.03)],
        crs="EPSG:4490",
    )


def _rivers() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"fid": ["river-1"], "name": ["龙溪河"]},
        geometry=[LineString([(640_000.0, 3_350_000.0), (650_000.0, 3_340_000.0)])],
        crs="EPSG:4545",
    )


def _sources() -> pd.DataFrame:
    return pd.DataFrame({"source_id": ["plan-2023"], "title": ["垫江县突发事件总体应急预案"], "pages": [42]})


def test_layers_and_tables_are_readable(tmp_path: Path) -> None:
    path = write_gpkg_atomic(tmp_path / "store.gpkg", {"seats": _seats(), "rivers": _rivers()}, tables={"sources": _sources()})
    assert path == tmp_path / "store.gpkg"
    listed = {str(name): geom for name, geom in pyogrio.list_layers(path)}
    assert listed == {"seats": "Point", "rivers": "LineString", "sources": None}

    seats = pyogrio.read_dataframe(path, layer="seats")
    assert seats["fid"].tolist() == ["seat-1", "seat-2"]
    assert seats["name"].tolist() == ["垫江县", "綦江区"]
    assert seats.crs.to_epsg() == 4490
    assert seats.geometry.iloc[0].equals(Point(107.33, 30.33))
    rivers = pyogrio.read_dataframe(path, layer="rivers")
    assert rivers.crs.to_epsg() == 4545
    assert rivers.geometry.iloc[0].length == pytest.approx(10_000 * 2**0.5)  # 10 km east, 10 km south

    sources = pyogrio.read_dataframe(path, layer="sources", read_geometry=False)
    assert sources.to_dict("records") == [{"source_id": "plan-2023", "title": "垫江县突发事件总体应急预案", "pages": 42}]
    con = sqlite3.connect(path)
    try:
        contents = dict(con.execute("SELECT table_name, data_type FROM gpkg_contents").fetchall())
        rows = con.execute("SELECT source_id, title, pages FROM sources").fetchall()
    finally:
        con.close()
    assert contents == {"seats": "features", "rivers": "features", "sources": "attributes"}
    assert rows == [("plan-2023", "垫江县突发事件总体应急预案", 42)]


def test_list_gpkg_layers_excludes_attribute_tables(tmp_path: Path) -> None:
    path = write_gpkg_atomic(tmp_path / "store.gpkg", {"seats": _seats(), "rivers": _rivers()}, tables={"sources": _sources()})
    assert list_gpkg_layers(path) == ["seats", "rivers"]


def test_list_gpkg_layers_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SourceReadError, match=r"nothing\.gpkg: GeoPackage not found; build it first"):
        list_gpkg_layers(tmp_path / "nothing.gpkg")


def test_rewrite_replaces_old_content_and_leaves_no_temp(tmp_path: Path) -> None:
    path = tmp_path / "store.gpkg"
    write_gpkg_atomic(path, {"seats": _seats(), "rivers": _rivers()})
    write_gpkg_atomic(path, {"rivers": _rivers()})
    assert list_gpkg_layers(path) == ["rivers"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store.gpkg"]


def test_creates_missing_folder(tmp_path: Path) -> None:
    path = write_gpkg_atomic(tmp_path / "ws" / "500231" / "store.gpkg", {"seats": _seats()})
    assert list_gpkg_layers(path) == ["seats"]


def _fail_on_call(monkeypatch: pytest.MonkeyPatch, failing_call: int) -> list[int]:
    """Make GeoDataFrame.to_file raise on its ``failing_call``-th call (1-based)."""
    original = gpd.GeoDataFrame.to_file
    calls: list[int] = []

    def flaky(self: gpd.GeoDataFrame, *args: object, **kwargs: object) -> None:
        calls.append(1)
        if len(calls) == failing_call:
            raise RuntimeError("disk full (simulated)")
        original(self, *args, **kwargs)

    monkeypatch.setattr(gpd.GeoDataFrame, "to_file", flaky)
    return calls


def test_failure_mid_write_keeps_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "store.gpkg"
    write_gpkg_atomic(path, {"seats": _seats()}, tables={"sources": _sources()})
    before = path.read_bytes()

    calls = _fail_on_call(monkeypatch, failing_call=2)
    with pytest.raises(RuntimeError, match=r"disk full \(simulated\)"):
        write_gpkg_atomic(path, {"rivers": _rivers(), "seats": _seats()}, tables={"other": _sources()})
    assert len(calls) == 2  # the first layer was written to the temp file, the second failed

    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store.gpkg"]
    monkeypatch.undo()
    assert list_gpkg_layers(path) == ["seats"]


def test_failure_on_first_layer_creates_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fail_on_call(monkeypatch, failing_call=1)
    with pytest.raises(RuntimeError, match="simulated"):
        write_gpkg_atomic(tmp_path / "store.gpkg", {"seats": _seats()})
    assert list(tmp_path.iterdir()) == []


def test_failure_in_tables_keeps_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "store.gpkg"
    write_gpkg_atomic(path, {"seats": _seats()})
    before = path.read_bytes()

    def broken_to_sql(self: pd.DataFrame, *args: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError("database is locked (simulated)")

    monkeypatch.setattr(pd.DataFrame, "to_sql", broken_to_sql)
    with pytest.raises(sqlite3.OperationalError, match="simulated"):
        write_gpkg_atomic(path, {"rivers": _rivers()}, tables={"sources": _sources()})
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store.gpkg"]
