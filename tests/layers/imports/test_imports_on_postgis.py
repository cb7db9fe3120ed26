"""Importing a bureau's ledger into a workspace kept in PostgreSQL (``ONEMAP_STORE``): append, replace,
a plan made before another change of the same features refused, provenance and the change log as on
a GeoPackage."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from geo.errors import ConflictError
from layers.imports.importer import commit_import, plan_import
from layers.store.workspace import open_workspace, store
from tests.ledgers import hazard_ledger_xlsx

ADCODE = "500231"
ROWS = [[1, "500231010001", "黄家湾滑坡", "桂溪街道", "滑坡", 12, "107°21′15.3″", "30°19′48.0″"],
        [2, "500231010002", "石板沟崩塌", "沙坪镇", "崩塌", 5, "107度25分0秒", "30度15分0秒"],
        [3, None, "大堰塘不稳定斜坡", "新民镇", "不稳定斜坡", 3, 107.4, 30.4]]
pytestmark = pytest.mark.usefixtures("private_postgis")


def _ledger(tmp_path: Path) -> Path:
    path = tmp_path / "隐患点一览表.xlsx"
    path.write_bytes(hazard_ledger_xlsx(ROWS))
    return path


def test_a_ledger_appended_with_its_provenance_and_change_log(tmp_path: Path) -> None:
    assert store().kind == "postgis"
    path = _ledger(tmp_path)
    ws = open_workspace(ADCODE)
    done = commit_import(plan_import(ws, path, layer="geohazards"), user="规划局 张三", reason="2025年一览表")
    assert (done["features"], done["revision"]) == (3, ws.revision + 1)
    after = open_workspace(ADCODE)
    layer = after.layer("geohazards").set_index("fid")
    row = layer.loc["500231010001"]
    assert (row["hazard_type"], row["threatened_people"], row["geometry_quality"]) == ("滑坡", 12, "authoritative")
    assert abs(row.geometry.x - 107.35425) < 1e-9 and abs(row.geometry.y - 30.33) < 1e-9
    prov = json.loads(after.user_features("geohazards").set_index("fid").loc["500231010001", "provenance"])
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    assert (prov["file"], prov["sha256"], prov["row"], prov["user"]) == ("隐患点一览表.xlsx", sha, 3, "规划局 张三")
    cs = after.changesets()[-1]
    assert (cs.action, cs.source_name, cs.source_sha256, cs.counts["geohazards"]) == ("import", "隐患点一览表.xlsx", sha, {"added": 3})
    again = plan_import(open_workspace(ADCODE), path, layer="geohazards")
    assert not again.committable and [p.value for p in again.problems] == ["500231010001", "500231010002"]


def test_replace_hides_the_demo_points_and_a_stale_plan_is_refused(tmp_path: Path) -> None:
    path = _ledger(tmp_path)
    stale = plan_import(open_workspace(ADCODE), path, layer="geohazards", mode="replace")
    fresh = plan_import(open_workspace(ADCODE), path, layer="geohazards", mode="replace")
    before = open_workspace(ADCODE).layer("geohazards")
    first = commit_import(fresh, user="a")
    with pytest.raises(ConflictError, match=rf"在您打开的版本 {stale.base_revision} 之后已被他人修改：变更 #{first['changeset']}.*，a，import "
                                            r"geohazards.* / Workspace 500231 changed after revision"):
        commit_import(stale, user="b")
    after = open_workspace(ADCODE).layer("geohazards")
    assert (after["kind"] == "hazard_point").sum() == 0 and (after["kind"] == "hazard_site").sum() == 3
    assert (after["kind"] == "treatment_work").sum() == (before["kind"] == "treatment_work").sum()
    assert open_workspace(ADCODE).revision == first["revision"]
