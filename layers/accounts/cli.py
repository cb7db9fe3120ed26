"""``python -m layers user add|passwd|role|disable|enable|list``: the accounts of the configured store
from the shell (whoever runs it can read the store's files, so these commands need no account; the
first admin is made here). Passwords come from standard input only, never from the command line."""

from __future__ import annotations

import argparse
import json
import sys

from geo.errors import OptionError
from layers.accounts.accounts import Account, Accounts
from layers.accounts.scope import ROLES, Grant, department_layers, parse_list


def _accounts() -> Accounts:
    from layers.store.workspace import store  # the store is opened when a command runs, not when --help is asked

    return Accounts.of(store())


def _password(args: argparse.Namespace) -> str:
    if not args.password_stdin:
        raise OptionError("密码只从标准输入读取：请加 --password-stdin（如 echo 'S3cret-pass' | python -m layers user add ...） / the "
                          "password is read from standard input only: add --password-stdin (e.g. printf '%s\\n' \"$PW\" | python -m "
                          "layers user add ...)")
    return sys.stdin.readline().rstrip("\r\n")


def _grant(args: argparse.Namespace) -> Grant:
    layers = parse_list(args.layers)
    if args.dept:
        layers = (*department_layers(args.dept), *layers)
    return Grant(args.role, layers, parse_list(args.townships))


def _show(acc: Account, verb: str) -> None:
    state = " (disabled)" if acc.disabled else ""
    print(f"{verb} {acc.name}: {acc.grant.describe('en')}{state}")


def _add(args: argparse.Namespace) -> int:
    grant = _grant(args)
    _show(_accounts().add(args.name, grant, _password(args)), "added")
    return 0


def _passwd(args: argparse.Namespace) -> int:
    accounts = _accounts()
    accounts.get(args.name)
    _show(accounts.set_password(args.name, _password(args)), "password set for")
    return 0


def _role(args: argparse.Namespace) -> int:
    _show(_accounts().set_role(args.name, _grant(args)), "role of")
    return 0


def _disable(args: argparse.Namespace) -> int:
    _show(_accounts().set_disabled(args.name, args.command_user == "disable"), f"{args.command_user}d")
    return 0


def _list(args: argparse.Namespace) -> int:
    found = _accounts().list()
    if args.json:
        print(json.dumps([a.as_dict() for a in found], ensure_ascii=False, indent=1))
        return 0
    for a in found:
        lock = f" locked until {a.locked_until}" if a.locked_until else ""
        print(f"{a.name}\t{a.grant.describe('en')}{' (disabled)' if a.disabled else ''}{lock}")
    if not found:
        print("no accounts: anyone can write (add the first admin: python -m layers user add NAME --role admin --password-stdin)")
    return 0


def _scope_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--layers", help="editor: layers it may write, comma-separated (facilities:fire = the fire facilities only)")
    p.add_argument("--townships", help="editor: only features in these townships, comma-separated (default: every township)")
    p.add_argument("--dept", help="editor: a department's layers (林业局/forestry, 水利局/water, 规划和自然资源局/natural_resources)")


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``user`` and its subcommands to the ``python -m layers`` parser."""
    u = sub.add_parser("user", help="accounts: add, passwd, role, disable, enable, list")
    us = u.add_subparsers(dest="command_user", required=True)
    a = us.add_parser("add", help="a new account (password from stdin)")
    a.add_argument("name")
    a.add_argument("--role", required=True, choices=ROLES)
    _scope_options(a)
    a.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    a.set_defaults(func=_add)
    pw = us.add_parser("passwd", help="set a new password (from stdin); also unlocks the account")
    pw.add_argument("name")
    pw.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    pw.set_defaults(func=_passwd)
    r = us.add_parser("role", help="change the role and scope of an account")
    r.add_argument("name")
    r.add_argument("role", choices=ROLES)
    _scope_options(r)
    r.set_defaults(func=_role)
    for verb in ("disable", "enable"):
        d = us.add_parser(verb, help=f"{verb} an account (kept with its history)")
        d.add_argument("name")
        d.set_defaults(func=_disable)
    ls = us.add_parser("list", help="every account with its role and scope (never a password hash)")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=_list)
