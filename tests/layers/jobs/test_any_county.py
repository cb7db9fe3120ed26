"""Any county from its plan: ``build ADCODE --plan FILE.csv`` for 城口县 (500229), which has no entry in
jurisdictions.toml, takes its boundary from the county dataset and its townships from the snapshot and
the gazetteer; the inventory (written here) is a new document; a row tied to a township that is not in
the list is listed as not drawn, with the reason. A reviewed inventory saved for an existing workspace is
added by the normal build, and user content stays."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from shapely.geometry import Point

from layers.__main__ import main
from layers.jobs.build import build_workspace
from layers.jobs.planfiles import doc_key, plan_folder, save_plan, saved_documents
from layers.plans.inventory import INVENTORY_COLUMNS
from layers.store.workspace import open_workspace

ADCODE = "500229"
DOC = "城口府发〔2026〕1号"
ROWS = [  # fid, layer, kind, name, count, township, action, year, budget, section
    ("new-001", "reservoirs", "reservoir", "双河水库", "1", "双河乡", "除险加固", "2026", "500", "三、(一)1"),
    ("new-002", "facilities", "material_depot", "县级应急物资储备库", "1", "葛城街道", "新建", "2027", "1200", "三、(二)"),
    ("new-003", "forest_fire", "water_tank", "森林消防蓄水池", "12", "修齐镇", "新建", "2026-2030", "", "三、(三)"),
    ("new-004", "geohazards", "hazard_site", "黄泥坡滑坡", "1", "青龙镇", "治理", "2026", "", "三、(四)"),
]


def _inventory(rows: list[tuple[str, ...]] = ROWS) -> pd.DataFrame:
    df = pd.DataFrame([dict(zip(("fid", "layer", "kind", "name", "count", "township", "action", "year", "budget_wan",
                                 "source_section"), r, strict=True)) for r in rows])
    for c in INVENTORY_COLUMNS:
        df[c] = df[c] if c in df else ""
    df["status"] = "planned"
    return df[list(INVENTORY_COLUMNS)]


@pytest.fixture
def empty_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "workspaces"
    folder.mkdir()
    monkeypatch.setenv("ONEMAP_WORKSPACES", str(folder))
    return folder


def test_a_county_without_configuration_is_built_from_its_plan(empty_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    csv = tmp_path / "城口十五五.csv"
    _inventory().to_csv(csv, index=False)
    assert main(["build", ADCODE, "--plan", str(csv), "--doc-number", DOC, "--title", "城口县应急管理“十五五”规划"]) == 0
    out = capsys.readouterr().out
    assert f"plans/{ADCODE}/{doc_key(DOC)}.csv: 4 rows" in out and str(tmp_path) not in out.splitlines()[0]
    assert "new-004" not in out and f"{doc_key(DOC)}-004 黄泥坡滑坡" in out and "青龙镇" in out  # listed with the reason

    ws = open_workspace(ADCODE)
    assert (ws.name, ws.name_en) == ("城口县", "Chengkou (500229)")
    towns = ws.layer("townships")
    assert len(towns) == 25 and {"葛城街道", "双河乡", "修齐镇"} <= set(towns["name"])  # 22 gazetteer seats, 3 synthetic
    assert (towns["geometry_quality"] == "synthetic").sum() == 3
    county = ws.layer("county")
    assert towns.union_all().symmetric_difference(county.union_all()).area < 1e-4 * county.union_all().area  # cells tile the county
    res = ws.layer("reservoirs")
    assert res[["name", "source_doc", "geometry_quality"]].values.tolist() == [["双河水库", DOC, "approximate"]]
    seat = towns.loc[towns["name"] == "双河乡", ["seat_lon", "seat_lat"]].iloc[0]
    assert res.geometry.iloc[0].distance(Point(seat["seat_lon"], seat["seat_lat"])) < 1e-5  # at its township seat
    assert (ws.layer("forest_fire")["source_doc"] == DOC).sum() == 12
    assert ws.layer("geohazards").empty  # no demo inventory for a county built from its plan
    unmapped = ws.unmapped()
    assert unmapped[["fid", "layer", "name", "source_doc"]].values.tolist() == [[f"{doc_key(DOC)}-004", "geohazards", "黄泥坡滑坡", DOC]]
    assert "青龙镇" in unmapped["reason"].iloc[0] and "township" in unmapped["reason"].iloc[0]
    assert ws.changesets()[-1].reason == f"规划入图 {DOC}"


def test_saving_the_same_document_again_replaces_its_inventory(empty_store: Path) -> None:
    save_plan(ADCODE, _inventory(), doc_number=DOC, title="t")
    saved = save_plan(ADCODE, _inventory(ROWS[:2]), doc_number=DOC, title="t")
    assert saved.rows == 2 and saved.path == plan_folder(ADCODE) / f"{doc_key(DOC)}.csv"
    assert list(saved_documents(ADCODE)["doc_number"]) == [DOC]
    assert pd.read_csv(saved.path, dtype=str)["fid"].tolist() == [f"{doc_key(DOC)}-001", f"{doc_key(DOC)}-002"]


@pytest.mark.parametrize(("adcode", "fragment"), [("510802", "510802"), ("12345", "6位数字")])
def test_a_county_outside_the_datasets_is_refused_with_the_known_codes(empty_store: Path, tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture, adcode: str, fragment: str) -> None:
    csv = tmp_path / "plan.csv"
    _inventory().to_csv(csv, index=False)
    assert main(["build", adcode, "--plan", str(csv)]) == 2
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err
    assert not (empty_store / "plans" / adcode).exists()


def test_a_bad_inventory_names_the_file_row_and_field(empty_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    bad = _inventory()
    bad.loc[1, "kind"] = "仓库"
    csv = tmp_path / "坏清单.csv"
    bad.to_csv(csv, index=False)
    assert main(["build", ADCODE, "--plan", str(csv)]) == 2
    err = capsys.readouterr().err
    assert "坏清单.csv, row 3, field 'kind'" in err and str(tmp_path) not in err
    assert not list(empty_store.glob("*.gpkg"))


def test_a_saved_inventory_adds_to_an_existing_workspace_and_user_content_stays(private_workspaces: Path) -> None:
    rows = _inventory([("x-001", "reservoirs", "reservoir", "新桥水库", "1", "沙坪镇", "新建", "2027", "", "二、(一)")])
    before = open_workspace("500231")
    n_res = len(before.layer("reservoirs"))
    save_plan("500231", rows, doc_number="垫江府发〔2026〕2号", title="2026年工作要点")
    build_workspace("500231")
    after = open_workspace("500231")
    res = after.layer("reservoirs")
    assert len(res) == n_res + 1
    new = res[res["source_doc"] == "垫江府发〔2026〕2号"]
    assert new[["fid", "name", "township"]].values.tolist() == [[f"{doc_key('垫江府发〔2026〕2号')}-001", "新桥水库", "沙坪镇"]]
    assert len(after.layer("townships")) == len(before.layer("townships"))


def test_extract_writes_an_inventory_that_build_takes(empty_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    pytest.importorskip("layers.plans.extract")
    plan = tmp_path / "城口规划.txt"
    plan.write_text(f"城口县应急管理“十五五”规划\n{DOC}\n一、防汛抗旱\n（一）水库安全\n1. 实施双河乡双河水库除险加固，2026年完成。\n"
                    "二、森林防火\n在修齐镇新建森林消防蓄水池12口。\n", encoding="utf-8")
    out = tmp_path / "inv.csv"
    assert main(["extract", str(plan), "--adcode", ADCODE, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert DOC in printed and f"build {ADCODE} --plan" in printed
    rows = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(rows.columns) == list(INVENTORY_COLUMNS) and "双河水库" in set(rows["name"])
    assert "实施" not in out.read_text(encoding="utf-8-sig")  # no sentence in the inventory
    assert main(["extract", str(plan), "--adcode", ADCODE, "--json"]) == 0
    import json

    data = json.loads(capsys.readouterr().out)
    assert data["doc_number"] == DOC and {"span_start", "span_end", "matched"} <= set(data["rows"][0])
    assert main(["extract", str(plan), "--adcode", ADCODE, "--out", str(out)]) == 2  # no overwrite unless --force
    assert main(["build", ADCODE, "--plan", str(out), "--doc-number", DOC]) == 0
    assert "双河水库" in set(open_workspace(ADCODE).layer("reservoirs")["name"])
