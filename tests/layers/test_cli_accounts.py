"""``python -m layers user ...`` and ``--user`` on the write commands, run in-process through
``layers.__main__.main``: output, exit status and the messages on stderr (never a traceback or path)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from layers.__main__ import main
from layers.store.workspace import open_workspace

ADCODE, RES = "500231", "dj21-018"
PW = "S3cret-pass"


def _run(capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch, *args: str, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def cli(private_workspaces: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    return lambda *args, stdin="": _run(capsys, monkeypatch, *args, stdin=stdin)


def test_user_add_role_passwd_disable_list(cli, private_workspaces: Path) -> None:  # noqa: ANN001
    assert cli("user", "list")[1].startswith("no accounts: anyone can write")
    assert cli("user", "add", "root", "--role", "admin", "--password-stdin", stdin=PW + "\n") == (0, "added root: admin\n", "")
    assert PW not in (private_workspaces / "onemap_accounts.sqlite").read_text(errors="ignore")
    code, out, _ = cli("user", "add", "林业局 王五", "--role", "editor", "--dept", "林业局", "--townships", "桂溪街道,沙坪镇",
                       "--password-stdin", stdin=PW)
    assert (code, out) == (0, "added 林业局 王五: editor: forest_fire, facilities:fire; townships 桂溪街道、沙坪镇\n")
    assert cli("user", "role", "林业局 王五", "editor", "--layers", "reservoirs,rivers")[1] == "role of 林业局 王五: editor: reservoirs, rivers\n"
    assert cli("user", "passwd", "root", "--password-stdin", stdin="another-pass\n")[0] == 0
    assert cli("user", "disable", "林业局 王五")[1] == "disabled 林业局 王五: editor: reservoirs, rivers (disabled)\n"
    rows = json.loads(cli("user", "list", "--json")[1])
    assert [(r["name"], r["role"], r["layers"], r["disabled"]) for r in rows] == [
        ("root", "admin", [], False), ("林业局 王五", "editor", ["reservoirs", "rivers"], True)]
    assert all("password" not in k for r in rows for k in r)
    assert cli("user", "list")[1].splitlines() == ["root\tadmin", "林业局 王五\teditor: reservoirs, rivers (disabled)"]


@pytest.mark.parametrize(("args", "stdin", "message"), [
    (("user", "add", "x", "--role", "admin"), PW, "error: 密码只从标准输入读取：请加 --password-stdin"),
    (("user", "add", "x", "--role", "admin", "--password-stdin"), "short\n", "error: 密码太短（5 个字符）：至少 8 个字符"),
    (("user", "add", "x", "--role", "editor", "--password-stdin"), PW, "error: 编辑角色需要图层范围：请给出 --layers 或 --dept"),
    (("user", "add", "x", "--role", "editor", "--dept", "交通局", "--password-stdin"), PW, "error: 没有部门预设“交通局”"),
    (("user", "add", "x", "--role", "editor", "--layers", "county", "--password-stdin"), PW, "error: 范围中的图层“county”不能写入"),
    (("user", "passwd", "nobody", "--password-stdin"), PW, "error: 没有账户“nobody”（现有：无 none）"),
    (("user", "disable", "nobody"), "", "error: 没有账户“nobody”"),
])
def test_user_command_errors(cli, args: tuple[str, ...], stdin: str, message: str, private_workspaces: Path) -> None:  # noqa: ANN001
    code, out, err = cli(*args, stdin=stdin)
    assert code == 2 and err.startswith(message) and "Traceback" not in err and str(private_workspaces) not in err


@pytest.fixture
def with_accounts(cli):  # noqa: ANN001, ANN201
    cli("user", "add", "root", "--role", "admin", "--password-stdin", stdin=PW)
    cli("user", "add", "林业", "--role", "editor", "--dept", "forestry", "--password-stdin", stdin=PW)
    cli("user", "add", "看", "--role", "viewer", "--password-stdin", stdin=PW)
    return cli


@pytest.mark.parametrize(("args", "message"), [
    (("edit", ADCODE, "--layer", "reservoirs", "--fid", RES, "--set", "status=completed", "--user", "林业", "--reason", "r"),
     "error: 账户“林业”（编辑：forest_fire, facilities:fire）无权修改 水库 中的要素 全胜水库（dj21-018）"),
    (("edit", ADCODE, "--layer", "reservoirs", "--fid", RES, "--set", "status=completed", "--user", "张三", "--reason", "r"),
     "error: 没有账户“张三”：写入需要以已有账户操作"),
    (("delete", ADCODE, "--layer", "reservoirs", "--fid", RES, "--user", "看", "--reason", "r"),
     "error: 账户“看”（查看）只能查看和导出，不能修改 水库"),
    (("revert", ADCODE, "1", "--user", "林业", "--reason", "r"), "error: 账户“林业”（编辑：forest_fire, facilities:fire）不能回到版本 1：这需要管理员"),
    (("build", ADCODE), "error: 没有给出账户：写入需要以已有账户操作（页面上登录，命令行用 --user 账户名）"),
    (("build", ADCODE, "--user", "林业"), "error: 账户“林业”（编辑：forest_fire, facilities:fire）不能生成工作区或加入规划：这需要管理员"),
    (("risk", ADCODE, "--user", "看"), f"error: 账户“看”（查看）不能重算工作区 {ADCODE} 的乡镇风险"),
    (("risk", ADCODE), "error: 没有给出账户"),
    (("import", ADCODE, "nowhere.xlsx", "--layer", "geohazards"), "error: 没有给出账户"),
    (("import", ADCODE, "nowhere.xlsx", "--layer", "geohazards", "--user", "ghost"), "error: 没有账户“ghost”"),
])
def test_write_commands_check_the_account(with_accounts, args: tuple[str, ...], message: str, private_workspaces: Path) -> None:  # noqa: ANN001
    before = open_workspace(ADCODE).revision
    code, out, err = with_accounts(*args)
    assert code == 2 and err.startswith(message), err
    assert "Traceback" not in err and str(private_workspaces) not in err
    assert open_workspace(ADCODE).revision == before


def test_an_admin_and_an_editor_in_scope_write(with_accounts) -> None:  # noqa: ANN001
    code, out, err = with_accounts("edit", ADCODE, "--layer", "forest_fire", "--fid", "dj21-044", "--set", "status=ongoing", "--user", "林业",
                                   "--reason", "核实", "--json")
    assert code == 0, err
    first = json.loads(out)
    assert first["user"] == "林业"
    code, out, err = with_accounts("undo", ADCODE, str(first["id"]), "--user", "root")
    assert (code, out) == (0, f"undo: changeset {first['id'] + 1}, revision {first['revision'] + 1}\n"), err
    code, out, err = with_accounts("risk", ADCODE, "--user", "root")
    assert code == 0 and out.startswith(f"{ADCODE}: risk_townships recomputed with scheme=fixed"), err
