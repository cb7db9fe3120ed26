"""The hazard-density GeoTIFF beside a workspace is published after the commit that computed it. A
writer killed between the two leaves the store at the new revision and the file at the old one; the
next change must not take the township means from that stale file (it says which points it was
computed from, and the change recomputes it when they are not the current ones)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from shapely.geometry import Point

from geo.raster import read_tags
from layers.analysis.risk import compute_risk, density_key
from layers.analysis.riskstore import recompute_risk
from layers.edits import edit
from layers.store import kde
from layers.store.workspace import open_workspace

ADCODE = "500231"
RES = "dj21-018"


def test_a_density_file_left_behind_by_a_killed_writer_is_not_reused(private_workspaces: Path, tmp_path: Path,
                                                                    monkeypatch) -> None:  # noqa: ANN001
    recompute_risk(ADCODE)  # publishes the surface of the built workspace
    ws = open_workspace(ADCODE)
    published = kde.kde_path(ws.store.path(ADCODE), "geohazard")
    before = published.read_bytes()
    town = ws.layer("townships").iloc[0]
    spot = town.geometry.representative_point()
    with monkeypatch.context() as m:  # the writer dies after its commit, before the file is published
        m.setattr(kde.KdeOutput, "publish", lambda self: None)
        for i in range(3):
            ws = open_workspace(ADCODE)
            edit.add_feature(ws, "geohazards", geometry=Point(spot.x + 0.002 * i, spot.y),
                             values={"name": f"新隐患点{i}", "kind": "hazard_point"}, user="张三", reason="排查")
    assert published.read_bytes() == before  # the old surface, from before the three points
    ws = open_workspace(ADCODE)
    assert read_tags(published).get("onemap_density_of") != density_key(ws.frames(), ws.metric_crs)
    # a change that moves no hazard point: the means must come from the current points, not the old file
    edit.edit_feature(ws, "reservoirs", RES, geometry=ws.layer("townships").iloc[1].geometry.representative_point(),
                      user="张三", reason="核实")
    ws = open_workspace(ADCODE)
    fresh = compute_risk(ws.frames(), ws.metric_crs, kde_path=tmp_path / "fresh.tif").townships
    stored = ws.layer("risk_townships").set_index("name")["kde_mean"]
    expected = fresh.set_index("name")["kde_mean"]
    assert np.allclose(stored[expected.index], expected, atol=1e-4)
    assert stored[town["name"]] > 0
    # and the file is current again, saying so
    assert read_tags(published)["onemap_density_of"] == density_key(ws.frames(), ws.metric_crs)
