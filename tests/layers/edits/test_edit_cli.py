"""``python -m layers edit|history|undo|revert`` in a subprocess: the same code path as the page, JSON
reports, and a refused change is exit status 2 with the message, never a traceback or a path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pyproj import Geod

ADCODE, RES = "500231", "dj21-018"
REPO = Path(__file__).resolve().parents[3]


def _run(folder: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "ONEMAP_WORKSPACES": str(folder), "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "layers", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=180,
                          check=False)


def test_edit_history_undo_by_command(private_workspaces: Path) -> None:
    done = _run(private_workspaces, "edit", ADCODE, "--layer", "reservoirs", "--fid", RES, "--x", "3356874.677", "--y", "36437491.796",
                "--set", "status=completed", "--user", "张三", "--reason", "现场核实", "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert (out["action"], out["fids"], out["user"], out["position"]["crs"]) == ("edit", [RES], "张三", "EPSG:4524")
    assert Geod(ellps="GRS80").inv(out["position"]["lon"], out["position"]["lat"], 107.35, 30.33)[2] < 1.0
    log = json.loads(_run(private_workspaces, "history", ADCODE, "--layer", "reservoirs", "--fid", RES, "--json").stdout)
    assert len(log) == 1 and {"id", "revision", "time", "user", "action", "layer", "fids", "reason"} <= set(log[0])
    assert (log[0]["id"], log[0]["reason"], log[0]["features"][0]["changed"][:2]) == (out["id"], "现场核实", ["geometry", "status"])
    undo = _run(private_workspaces, "undo", ADCODE, str(out["id"]), "--user", "李四", "--json")
    assert undo.returncode == 0, undo.stderr
    assert json.loads(undo.stdout)["reason"] == f"撤销变更集 #{out['id']} / undo of changeset #{out['id']}"
    again = _run(private_workspaces, "undo", ADCODE, str(out["id"]), "--user", "李四")
    assert again.returncode == 2 and f"变更集 #{out['id']} 不能撤销" in again.stderr and "Traceback" not in again.stderr
    text = _run(private_workspaces, "history", ADCODE, "--user", "李四").stdout.splitlines()
    assert len(text) == 1 and text[0].startswith(f"#{out['id'] + 1} rev {out['revision'] + 1} ") and " 李四 undo reservoirs" in text[0]


@pytest.mark.parametrize(("args", "message"), [
    (("--set", "status=done"), "状态（status）不能取“done”"),
    (("--set", "status"), "--set 应写成 字段=值，收到 'status'"),
    (("--lon", "107.35"), "--lon --lat 需要同时给出"),
    (("--lon", "abc", "--lat", "30.33"), "无法把经度“abc”读作角度"),
    (("--lon", "108.9", "--lat", "30.33"), "在垫江县界外"),
    (("--x", "3356874.677", "--y", "437491.796", "--crs", "4545"), "不认识的坐标系“4545”"),
])
def test_a_refused_edit_is_exit_2_with_the_message(private_workspaces: Path, args: tuple[str, ...], message: str) -> None:
    done = _run(private_workspaces, "edit", ADCODE, "--layer", "reservoirs", "--fid", RES, *args, "--user", "张三", "--reason", "r")
    assert done.returncode == 2 and message in done.stderr
    assert "Traceback" not in done.stderr and str(private_workspaces) not in done.stderr
