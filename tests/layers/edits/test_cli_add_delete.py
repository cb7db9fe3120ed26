"""``python -m layers add|delete|restore`` in-process: the new feature's fid and changeset (text and
JSON), a deleted feature gone from the map data and back after restore, and refusals as exit status 2
with the message (field, value, fix), never a traceback or a path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from layers.__main__ import main
from layers.store.workspace import open_workspace

ADCODE, RES = "500231", "dj21-018"


@pytest.fixture
def cli(private_workspaces: Path, capsys: pytest.CaptureFixture):  # noqa: ANN201
    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err
    return run


def _fids(layer: str) -> set[str]:
    return set(open_workspace(ADCODE).layer(layer)["fid"].astype(str))


def test_add_delete_restore(cli) -> None:  # noqa: ANN001
    rev = open_workspace(ADCODE).revision
    code, out, err = cli("add", ADCODE, "--layer", "facilities", "--lon", "107.40", "--lat", "30.30", "--set", "name=新避难场所",
                         "--set", "kind=shelter", "--user", "张三", "--reason", "新建", "--json")
    assert code == 0, err
    added = json.loads(out)
    fid = added["fid"]
    assert fid.startswith(f"edit-{ADCODE}-") and (added["action"], added["user"], added["revision"]) == ("add", "张三", rev + 1)
    row = open_workspace(ADCODE).layer("facilities").set_index("fid").loc[fid]
    assert (row["name"], row["kind"], row["geometry_quality"]) == ("新避难场所", "shelter", "surveyed")
    assert abs(row.geometry.x - 107.40) < 1e-6 and abs(row.geometry.y - 30.30) < 1e-6
    code, out, _ = cli("delete", ADCODE, "--layer", "reservoirs", "--fid", RES, "--user", "张三", "--reason", "重复")
    assert (code, out) == (0, f"delete reservoirs {RES}: changeset {added['id'] + 1}, revision {rev + 2}\n")
    assert RES not in _fids("reservoirs")
    code, out, _ = cli("restore", ADCODE, "--layer", "reservoirs", "--fid", RES, "--user", "张三", "--reason", "误删", "--json")
    assert code == 0 and json.loads(out)["action"] == "restore" and json.loads(out)["fid"] == RES
    assert RES in _fids("reservoirs")


def test_add_by_gauss_kruger_coordinates(cli) -> None:  # noqa: ANN001
    code, out, err = cli("add", ADCODE, "--layer", "reservoirs", "--x", "3356874.677", "--y", "36437491.796", "--set", "name=新水库",
                         "--user", "张三", "--reason", "新建")
    assert code == 0, err
    assert out.startswith(f"add reservoirs edit-{ADCODE}-1: changeset ")


@pytest.mark.parametrize(("args", "message"), [
    (("add", ADCODE, "--layer", "facilities", "--set", "name=x", "--set", "kind=shelter"), "error: add 需要位置：--lon/--lat 或 --x/--y"),
    (("add", ADCODE, "--layer", "facilities", "--lon", "107.4", "--lat", "30.3", "--set", "name=x"),
     "error: 类别（kind）必须填写，收到空值：请填写类别"),
    (("add", ADCODE, "--layer", "facilities", "--lon", "107.4", "--lat", "30.3", "--set", "name=x", "--set", "kind=boat"),
     "error: 类别（kind）不能取“boat”：请从 shelter、material_depot"),
    (("add", ADCODE, "--layer", "facilities", "--lon", "108.9", "--lat", "30.33", "--set", "name=x", "--set", "kind=shelter"), "在垫江县界外"),
    (("add", ADCODE, "--layer", "county", "--lon", "107.4", "--lat", "30.3", "--set", "name=x"), "error: 图层“county”不能在此编辑"),
    (("add", ADCODE, "--layer", "facilities", "--lon", "107.4", "--set", "name=x"), "error: --lon --lat 需要同时给出"),
    (("delete", ADCODE, "--layer", "reservoirs", "--fid", "nope"), "error: 图层 水库 中没有要素“nope”：请核对编号"),
    (("restore", ADCODE, "--layer", "reservoirs", "--fid", RES), f"error: 水库 中的要素“{RES}”没有被删除，无需恢复"),
    (("delete", ADCODE, "--layer", "reservoirs", "--fid", RES, "--reason", " "), "error: 原因（reason）为空：请写明为什么做这个修改"),
])
def test_refusals_are_exit_2_with_the_message(cli, args: tuple[str, ...], message: str, private_workspaces: Path) -> None:  # noqa: ANN001
    extra = () if "--reason" in args else ("--reason", "r")
    code, out, err = cli(*args, "--user", "张三", *extra)
    assert code == 2 and message in err, err
    assert out == "" and "Traceback" not in err and str(private_workspaces) not in err
    assert len(open_workspace(ADCODE).changesets()) == 1  # only the build
