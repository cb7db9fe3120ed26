"""``python -m layers build 500231`` then ``dump`` on both backends: the GeoJSON dumps of a GeoPackage
workspace and of a PostgreSQL one hold the same layers and, feature by feature, the same properties
and coordinates."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from tests.pg import PgServer, unique_name

ADCODE = "500231"
REPO = Path(__file__).resolve().parents[3]


def _layers(store: str | None, folder: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "ONEMAP_STORE"}
    env.update(ONEMAP_WORKSPACES=str(folder), PYTHONPATH=str(REPO), **({"ONEMAP_STORE": store} if store else {}))
    done = subprocess.run([sys.executable, "-m", "layers", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
                          check=False)
    assert done.returncode == 0, done.stderr
    return done


def _build_and_dump(store: str | None, root: Path) -> tuple[dict[str, list[dict]], float]:
    """Build into a fresh store, dump it; the features of every dumped layer and the build's time."""
    folder = root / "workspaces"
    folder.mkdir(parents=True)
    started = time.perf_counter()
    _layers(store, folder, "build", ADCODE)
    took = time.perf_counter() - started
    _layers(store, folder, "dump", ADCODE, "--out", str(root / "dump"))
    return {p.stem: json.loads(p.read_text(encoding="utf-8"))["features"] for p in sorted((root / "dump").glob("*.geojson"))}, took


def test_build_then_dump_gives_the_same_features_on_both_backends(pg_server: PgServer, tmp_path: Path) -> None:
    name = unique_name("build")
    url = pg_server.create_database(name)
    try:
        gpkg, gpkg_s = _build_and_dump(None, tmp_path / "gpkg")
        pg, pg_s = _build_and_dump(url, tmp_path / "postgis")
    finally:
        pg_server.drop_database(name)
    assert not (tmp_path / "postgis" / "workspaces" / f"{ADCODE}.gpkg").exists()
    assert list(pg) == list(gpkg) and len(gpkg) == 11
    for layer, features in gpkg.items():
        assert len(pg[layer]) == len(features) > 0, layer
        for a, b in zip(features, pg[layer], strict=True):
            assert b["properties"] == a["properties"], (layer, a["properties"].get("fid"))
            assert b["geometry"] == a["geometry"], (layer, a["properties"].get("fid"))
    print(f"build {ADCODE}: GeoPackage {gpkg_s:.1f} s, PostgreSQL {pg_s:.1f} s")
