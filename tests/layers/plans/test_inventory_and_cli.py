"""Plan inventory validation, the registry, and the command line (build, dump, check)."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point

from geo.errors import SourceReadError, UnknownNameError, ValidationError
from layers.__main__ import main
from layers.catalog.registry import dataset
from layers.plans.inventory import INVENTORY_COLUMNS, read_inventory

HEADER = ",".join(INVENTORY_COLUMNS)


def _inventory(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "xx21.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_every_committed_inventory_is_valid() -> None:
    folder = dataset("plan_inventory").path
    total = sum(len(read_inventory(p)) for p in sorted(folder.glob("*.csv")) if p.name != "documents.csv")
    assert total > 400


def test_inventory_errors_are_all_reported_with_row_and_field(tmp_path: Path) -> None:
    path = _inventory(
        tmp_path,
        "xx-001,reservoirs,dam,某水库,1,,,,,,,planned,,四、(二)10,",
        "xx-002,forest_fire,water_tank,蓄水池,zero,,,,,,,planned,,五、(三),",
        "xx-003,roads,road,某路,1,,,,,,,planned,,五、(三),",
        "xx-001,facilities,shelter,避难场所,2,,,,,abc,,planned,,,",
    )
    with pytest.raises(ValidationError) as err:
        read_inventory(path)
    text = str(err.value)
    assert "xx21.csv, row 2, field 'kind': 第2行 kind:“dam”不是 reservoirs(水库)图层的类型,请改为 reservoir 之一 / " \
           "'dam' is not a kind of reservoirs; use one of ['reservoir']." in text
    assert "row 3, field 'count': 第3行 count:“zero”不是不小于 1 的整数" in text and "/ 'zero' is not a whole number" in text
    assert "row 4, field 'layer': 第4行 layer:“roads”不是规划图层" in text and "/ 'roads' is not a plan layer" in text
    assert "row 5, field 'budget_wan': 第5行 budget_wan:“abc”不是万元数" in text and "/ 'abc' is not a number of 万元" in text
    assert "row 5, field 'source_section': 第5行 source_section:值为空,请填写 / value is empty; fill it in." in text
    assert "row 5, field 'fid': 第5行 fid:编号“xx-001”重复,请改为未用过的编号 / duplicate fid 'xx-001'" in text
    assert len(err.value.problems) == 6
    assert all(" / " in p.message for p in err.value.problems)  # every message is 中文 / English


def test_inventory_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("fid,layer\nx,rivers\n", encoding="utf-8")
    why = r"bad.csv, field 'kind': 缺少“kind”列,请按 data/plans/SCHEMA.md 补上 / column is missing; see data/plans/SCHEMA.md"
    with pytest.raises(ValidationError, match=why):
        read_inventory(path)


@pytest.mark.parametrize(("content", "why"), [(b"", "No columns to parse"), (b"fid,layer\n\xff\xfe,x\n", "can't decode")])
def test_an_inventory_that_is_not_a_csv_is_a_source_read_error(tmp_path: Path, content: bytes, why: str) -> None:
    path = tmp_path / "broken.csv"
    path.write_bytes(content)
    zh, en = rf"无法按 CSV 表读取\(.*{why}.*\),请另存为 UTF-8 CSV", rf"cannot read as a CSV table \(.*{why}.*\); save it as UTF-8 CSV"
    with pytest.raises(SourceReadError, match=rf"broken\.csv: {zh}.* / {en}"):
        read_inventory(path)


def test_registry_lists_known_names() -> None:
    with pytest.raises(UnknownNameError, match=r"No dataset named 'roads'.*known datasets: \['boundaries'"):
        dataset("roads")


@pytest.mark.usefixtures("built_workspaces")
def test_cli_dump_writes_geojson_in_wgs84(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dump", "500231", "--out", str(tmp_path)]) == 0
    files = sorted(p.name for p in tmp_path.glob("*.geojson"))
    assert "reservoirs.geojson" in files and "townships.geojson" in files and "risk_townships.geojson" in files and len(files) == 11
    data = json.loads((tmp_path / "reservoirs.geojson").read_text(encoding="utf-8"))
    props = data["features"][0]["properties"]
    assert {"name", "source_doc", "source_section", "geometry_quality", "geometry_source", "action"} <= set(props)
    assert gpd.read_file(tmp_path / "reservoirs.geojson").crs.to_epsg() == 4326


@pytest.mark.usefixtures("built_workspaces")
def test_cli_unknown_workspace_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dump", "999999", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "没有工作区 999999" in err and "no workspace 999999" in err and "Traceback" not in err


def _reservoir_file(tmp_path: Path, lon: float, lat: float, *, status: str = "planned") -> Path:
    gdf = gpd.GeoDataFrame([{
        "fid": "u1", "name": "测试水库", "kind": "reservoir", "status": status, "plan_count": 1,
        "source_doc": "用户数据", "source_section": "n/a", "geometry_quality": "authoritative",
        "geometry_source": "survey", "geometry": Point(lon, lat),
    }], crs=4490)
    path = tmp_path / "res.geojson"
    gdf.to_file(path, driver="GeoJSON")
    return path


def test_cli_check_accepts_a_valid_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _reservoir_file(tmp_path, 107.35, 30.33)
    assert main(["check", str(path), "--layer", "reservoirs", "--adcode", "500231"]) == 0
    assert "OK, 1 features valid for layer reservoirs" in capsys.readouterr().out


def test_cli_check_reports_every_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _reservoir_file(tmp_path, 106.70, 29.00, status="maybe")  # a Qijiang point, not Dianjiang
    assert main(["check", str(path), "--layer", "reservoirs", "--adcode", "500231"]) == 2
    err = capsys.readouterr().err
    assert "res.geojson, row 1, field 'status': value 'maybe' is not one of" in err
    assert "res.geojson, row 1, field 'geometry': lies outside the jurisdiction" in err
