"""The checks the write funnels call (edit commit, import commit, undo/revert, build, risk recompute).

They enforce when ``ONEMAP_AUTH`` is set or any account exists in the store; then the ``user`` of a
write must name an enabled account whose role and scope cover every feature the write touches, as it
is before and as it will be after (its layer, kind and township). Otherwise nothing is checked and
``user`` stays a free-text name, as in the single-user ``make run``."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence

import geopandas as gpd

from geo.errors import OptionError, PermissionDeniedError
from layers.accounts.accounts import Account, Accounts
from layers.accounts.scope import DEPARTMENTS, Grant, check_layers, parse_list
from layers.catalog.specs import get_spec
from layers.store.workspace import UserChange, Workspace

AUTH_MODES = ("local", "oidc")
NOTHING = "没有写入任何内容。 / "


def auth_mode() -> str:
    """``local``, ``oidc`` or "" (off) from ``ONEMAP_AUTH``."""
    mode = os.environ.get("ONEMAP_AUTH", "").strip().lower()
    if mode in ("", "off", "none", "0"):
        return ""
    if mode not in AUTH_MODES:
        raise OptionError(f"ONEMAP_AUTH={mode!r} 不可用：可选 local 或 oidc，留空为不登录 / ONEMAP_AUTH={mode!r} is not known: use "
                          "local or oidc, or leave it unset for no login")
    return mode


def session_minutes() -> float:
    """Idle minutes after which a login expires (``ONEMAP_SESSION_MINUTES``, default 60)."""
    text = os.environ.get("ONEMAP_SESSION_MINUTES", "60")
    try:
        minutes = float(text)
    except ValueError:
        minutes = -1.0
    if not minutes > 0:
        raise OptionError(f"ONEMAP_SESSION_MINUTES={text!r} 应为正数（分钟），如 60 / ONEMAP_SESSION_MINUTES={text!r} must be a "
                          "positive number of minutes, e.g. 60")
    return minutes


def expired(last_seen: float, now: float) -> bool:
    """Whether a session last used at ``last_seen`` (seconds) has expired at ``now``."""
    return now - last_seen > session_minutes() * 60


def enforcing(store: object) -> bool:
    return bool(auth_mode()) or Accounts.of(store).any()


def acting(store: object, user: object) -> Account | None:
    """The enabled account named ``user``; None when nothing is enforced. Refused for no, an unknown or a
    disabled account."""
    if not enforcing(store):
        return None
    name = str(user or "").strip()
    acc = Accounts.of(store).find(name) if name else None
    if acc is None:
        who = f"没有账户“{name}”" if name else "没有给出账户"
        raise PermissionDeniedError(f"{who}：写入需要以已有账户操作（页面上登录，命令行用 --user 账户名），管理员可用 python -m layers user add "
                                    f"添加账户。{NOTHING}{'no account ' + repr(name) if name else 'no account given'}: writes need an "
                                    "existing account (log in on the pages, --user NAME on the command line); an admin adds one with "
                                    "python -m layers user add. Nothing was written.")
    if acc.disabled:
        raise PermissionDeniedError(f"账户“{acc.name}”已停用，不能写入：请联系管理员。{NOTHING}account {acc.name} is disabled and cannot "
                                    "write: ask an admin. Nothing was written.")
    return acc


def require_admin(store: object, user: object, what: tuple[str, str]) -> None:
    """Refused unless ``user`` is an admin (when enforcing); ``what`` says what was asked (zh, en)."""
    acc = acting(store, user)
    if acc is not None and acc.role != "admin":
        raise PermissionDeniedError(f"账户“{acc.name}”（{acc.grant.describe('zh')}）不能{what[0]}：这需要管理员（admin）。{NOTHING}"
                                    f"account {acc.name} ({acc.grant.describe('en')}) cannot {what[1]}: that needs an admin. "
                                    "Nothing was written.")


def require_undo(ws: Workspace, user: object, owner: str, changeset_id: int) -> None:
    """Undo of one's own change needs the right to its features (checked at the commit); of another
    account's change, an admin."""
    if str(user or "").strip() != owner:
        require_admin(ws.store, user, (f"撤销 {owner} 的变更集 #{changeset_id}", f"undo changeset #{changeset_id} of {owner}"))


def require_change(ws: Workspace, changes: Sequence[UserChange], *, user: object) -> None:
    """Refused unless ``user`` may write every feature ``changes`` touch, before and after."""
    acc = acting(ws.store, user)
    if acc is None or acc.role == "admin":
        return
    towns = _Towns(ws)
    for ch in changes:
        spec = get_spec(ch.layer)
        if acc.role == "viewer":
            raise PermissionDeniedError(
                f"账户“{acc.name}”（查看）只能查看和导出，不能修改 {spec.zh}：请管理员授予编辑权限（账户管理页，或 python -m layers user role "
                f"{acc.name} editor --layers {ch.layer}）。{NOTHING}account {acc.name} (viewer) may look and export but not change "
                f"{spec.en}: ask an admin for the editor role (Accounts page, or python -m layers user role {acc.name} editor "
                f"--layers {ch.layer}). Nothing was written.")
        for row in _touched(ws, ch):
            kind, town = row.get("kind"), towns.of(ch.layer, row)
            if not acc.grant.allows(ch.layer, kind, town):
                raise _out_of_scope(acc, ch.layer, row, kind, town)


def _out_of_scope(acc: Account, layer: str, row: Mapping, kind: object, town: object) -> PermissionDeniedError:
    spec = get_spec(layer)
    k = spec.kind(str(kind)) if kind else None
    what_zh = "、".join(x for x in (f"类别 {k.zh}" if k else "", f"乡镇 {town}" if town else "乡镇不明") if x)
    what_en = ", ".join(x for x in (f"kind {k.id}" if k else "", f"township {town}" if town else "township unknown") if x)
    name = f"{row.get('name') or ''}（{row.get('fid')}）"
    return PermissionDeniedError(
        f"账户“{acc.name}”（{acc.grant.describe('zh')}）无权修改 {spec.zh} 中的要素 {name}（{what_zh}）：请管理员扩大范围（账户管理页，或 "
        f"python -m layers user role {acc.name} editor --layers ...），或换用有权限的账户。{NOTHING}account {acc.name} "
        f"({acc.grant.describe('en')}) may not change feature {row.get('fid')} of {spec.id} ({what_en}): ask an admin to widen "
        f"its scope (Accounts page, or python -m layers user role {acc.name} editor --layers ...), or use an account that may. "
        "Nothing was written.")


def _records(frame: gpd.GeoDataFrame | None) -> list[dict]:
    if frame is None or not len(frame):
        return []
    return [{**r, "geometry": g} for r, g in zip(frame.drop(columns=frame.geometry.name).to_dict("records"), frame.geometry,
                                                  strict=True)]


def _touched(ws: Workspace, ch: UserChange) -> Iterator[dict]:
    """Every feature ``ch`` touches as it is now (shown, deleted or plan version) and as it will be."""
    shown = ws.frames().get(ch.layer)
    sources = [shown, ws.user_features(ch.layer), ws.plan_features(ch.layer)]
    by_fid: dict[str, dict] = {}
    for frame in sources:
        for r in _records(frame):
            by_fid.setdefault(str(r.get("fid")), r)
    if ch.replace_all:
        yield from _records(ws.user_features(ch.layer))
    yield from (by_fid[f] for f in dict.fromkeys(ch.fids) if f in by_fid)
    yield from _records(ch.upsert)
    yield from _records(ch.restore)
    plan = {str(r.get("fid")): r for r in _records(ws.plan_features(ch.layer))}
    yield from (plan[f] for f in ch.retire if f in plan)


class _Towns:
    """The township of a feature: its township field, a township's own name, else where it lies."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    def of(self, layer: str, row: Mapping) -> str | None:
        if layer == "townships":
            return str(row.get("name") or "") or None
        given = row.get("township")
        if isinstance(given, str) and given.strip():
            return given.strip()
        return self.ws.township_at(row.get("geometry"))


# --- identity server ---------------------------------------------------------------------------------------
def oidc_claim() -> str:
    return os.environ.get("ONEMAP_OIDC_ROLE_CLAIM", "groups").strip() or "groups"


def grant_from_claims(claims: Mapping[str, object], claim: str | None = None) -> Grant:
    """The role the identity server's ``claim`` (default ``ONEMAP_OIDC_ROLE_CLAIM`` or ``groups``) gives:
    ``admin``; ``editor:LAYER[;LAYER...]`` or a department (林业局/forestry, 水利局/water, 规划和自然资源局/natural_resources)
    for an editor (scopes of several values add up); else a viewer. A group path keeps its last part."""
    raw = claims.get(claim or oidc_claim())
    values = parse_list(raw.replace(" ", ",") if isinstance(raw, str) else [str(v) for v in raw] if isinstance(raw, list | tuple) else ())
    names = [v.rstrip("/").rsplit("/", 1)[-1].removeprefix("onemap-").removeprefix("onemap:") for v in values]
    if "admin" in names:
        return Grant("admin")
    layers: list[str] = []
    for v in names:
        dept = next((lay for zh, (en, lay) in DEPARTMENTS.items() if v in (zh, en)), None)
        if dept:
            layers += dept
        elif v.startswith("editor:"):
            layers += check_layers(v.removeprefix("editor:").replace(";", ",").split(","))
    return Grant("editor", check_layers(layers)) if layers else Grant("viewer")
