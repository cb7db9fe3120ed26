"""Local accounts kept in the store: argon2id password hashes (never the password), a role and scope,
disabling, and failed-login throttling (``MAX_FAILURES`` wrong passwords lock the account for
``LOCK_MINUTES``). ``login`` is the one check of a password; every other function manages accounts."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import unicodedata
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from geo.errors import OptionError, PermissionDeniedError, UnknownNameError
from layers.accounts._sql import COLUMNS, Database, database
from layers.accounts.scope import Grant, check_layers, parse_list

MAX_FAILURES = 5
LOCK_MINUTES = 15
MIN_PASSWORD = 8
_HASHER = PasswordHasher()  # argon2id, salted, with the library's recommended cost
WRONG = (f"用户名或密码错误：请重新输入（连续 {MAX_FAILURES} 次错误将锁定账户 {LOCK_MINUTES} 分钟）。 / wrong user name or password: "
         f"try again ({MAX_FAILURES} wrong tries in a row lock the account for {LOCK_MINUTES} min).")
"""The same for an unknown name and a wrong password: names cannot be probed."""


@dataclass(frozen=True)
class Account:
    """One account as listed (the password hash is never part of it)."""

    name: str
    role: str
    layers: tuple[str, ...]
    townships: tuple[str, ...]
    disabled: bool
    created: str
    updated: str
    failed: int
    locked_until: str | None
    has_password: bool

    @property
    def grant(self) -> Grant:
        return Grant(self.role, self.layers, self.townships)

    def as_dict(self) -> dict[str, object]:
        return {"name": self.name, "role": self.role, "layers": list(self.layers), "townships": list(self.townships),
                "disabled": self.disabled, "created": self.created, "updated": self.updated, "failed": self.failed,
                "locked_until": self.locked_until}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _iso(t: dt.datetime) -> str:
    return t.astimezone(dt.UTC).isoformat(timespec="seconds")


def check_name(name: object) -> str:
    """An account name: 1-64 printable characters, no commas (names appear in lists and logs)."""
    text = unicodedata.normalize("NFC", str(name or "")).strip()
    bad = any(unicodedata.category(c).startswith("C") for c in text) or "," in text
    if not text or len(text) > 64 or bad:
        raise OptionError(f"账户名 {text[:40]!r} 不可用：应为 1–64 个可见字符，不含逗号和控制字符 / account name {text[:40]!r} cannot be "
                          "used: give 1-64 printable characters without commas or control characters")
    return text


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise OptionError(f"密码太短（{len(password)} 个字符）：至少 {MIN_PASSWORD} 个字符 / the password is too short "
                          f"({len(password)} characters): use at least {MIN_PASSWORD}")
    return password


def _row(r: tuple) -> Account:
    d = dict(zip(COLUMNS, r, strict=True))
    return Account(d["name"], d["role"], parse_list(d["layers"]), parse_list(d["townships"]), bool(d["disabled"]),
                   d["created"], d["updated"], int(d["failed"] or 0), d["locked_until"], bool(d["password_hash"]))


class Accounts:
    """The accounts of one store (``Accounts.of(store())``)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @classmethod
    def of(cls, store: object) -> Accounts:
        return cls(database(store))

    def any(self) -> bool:
        """Whether any account exists (then every write is checked, with auth on or off)."""
        return self.db.exists() and bool(self.db.run("SELECT COUNT(*) FROM {t}")[0][0])

    def list(self) -> list[Account]:
        if not self.db.exists():
            return []
        return [_row(r) for r in self.db.run(f"SELECT {', '.join(COLUMNS)} FROM {{t}} ORDER BY name")]

    def find(self, name: str) -> Account | None:
        if not self.db.exists():
            return None
        rows = self.db.run(f"SELECT {', '.join(COLUMNS)} FROM {{t}} WHERE name = ?", (str(name).strip(),))
        return _row(rows[0]) if rows else None

    def get(self, name: str) -> Account:
        found = self.find(name)
        if found is None:
            known = "、".join(a.name for a in self.list()) or "无 none"
            raise UnknownNameError(f"没有账户“{name}”（现有：{known}）：用 python -m layers user add 添加 / no account {name!r} "
                                   f"(there are: {known}); add it with python -m layers user add")
        return found

    def add(self, name: str, grant: Grant, password: str | None) -> Account:
        """A new account; ``password`` None: one that logs in through the identity server only."""
        who = check_name(name)
        if self.find(who) is not None:
            raise OptionError(f"账户“{who}”已存在：改角色用 user role，改密码用 user passwd / account {who!r} exists: change its role "
                              "with user role, its password with user passwd")
        hashed = None if password is None else _HASHER.hash(check_password(password))
        now = _iso(_now())
        self.db.run("INSERT INTO {t} (name, role, layers, townships, disabled, password_hash, created, updated, failed) "
                    "VALUES (?, ?, ?, ?, 0, ?, ?, ?, 0)",
                    (who, grant.role, ",".join(check_layers(grant.layers)), ",".join(grant.townships), hashed, now, now))
        return self.get(who)

    def set_password(self, name: str, password: str) -> Account:
        """A new password (also unlocks the account and clears its failures)."""
        acc = self.get(name)
        self.db.run("UPDATE {t} SET password_hash = ?, failed = 0, locked_until = NULL, updated = ? WHERE name = ?",
                    (_HASHER.hash(check_password(password)), _iso(_now()), acc.name))
        self.close_sessions_of(acc.name)  # a new password logs every browser out
        return self.get(acc.name)

    def set_role(self, name: str, grant: Grant) -> Account:
        acc = self.get(name)
        if grant.role != "admin":
            self._keep_an_admin(acc)
        self.db.run("UPDATE {t} SET role = ?, layers = ?, townships = ?, updated = ? WHERE name = ?",
                    (grant.role, ",".join(check_layers(grant.layers)), ",".join(grant.townships), _iso(_now()), acc.name))
        return self.get(acc.name)

    def set_disabled(self, name: str, disabled: bool = True) -> Account:
        acc = self.get(name)
        if disabled:
            self._keep_an_admin(acc)
        self.db.run("UPDATE {t} SET disabled = ?, updated = ? WHERE name = ?", (int(disabled), _iso(_now()), acc.name))
        if disabled:
            self.close_sessions_of(acc.name)
        return self.get(acc.name)

    def _keep_an_admin(self, acc: Account) -> None:
        """Refuse to demote or disable the last enabled admin who logs in here (nobody could manage local
        accounts afterwards); with an identity server the claims decide, not this store."""
        admins = [a.name for a in self.list() if a.role == "admin" and not a.disabled and a.has_password]
        if admins == [acc.name]:
            raise OptionError(f"“{acc.name}”是唯一启用的管理员，不能降级或停用：请先添加或启用另一个管理员。 / "
                              f"{acc.name} is the only enabled admin and cannot be demoted or disabled: add or enable another admin first")

    def sync(self, name: str, grant: Grant) -> Account:
        """The account of someone the identity server logged in, with the role its claim gives (made on
        first login, without a password; a disabled one stays disabled and is refused)."""
        acc = self.find(name)
        if acc is None:
            return self.add(name, grant, None)
        if acc.disabled:
            raise PermissionDeniedError(f"账户“{acc.name}”已停用：请联系管理员。 / account {acc.name} is disabled: ask an admin.")
        return acc if acc.grant == grant else self.set_role(acc.name, grant)

    def login(self, name: str, password: str, *, now: dt.datetime | None = None) -> Account:
        """The account when ``password`` is right; otherwise :class:`PermissionDeniedError` (the same
        message for an unknown name and a wrong password; a locked account says until when)."""
        now = now or _now()
        rows = self.db.run(f"SELECT {', '.join(COLUMNS)} FROM {{t}} WHERE name = ?", (str(name).strip(),))
        if not rows:
            _HASHER.hash(password or "-")  # about the time of a wrong password
            raise PermissionDeniedError(WRONG)
        acc, hashed = _row(rows[0]), dict(zip(COLUMNS, rows[0], strict=True))["password_hash"]
        _locked(acc, now)
        if acc.disabled:
            raise PermissionDeniedError(f"账户“{acc.name}”已停用：请联系管理员。 / account {acc.name} is disabled: ask an admin.")
        try:
            ok = bool(hashed) and _HASHER.verify(hashed, password)
        except (VerificationError, InvalidHashError):
            ok = False
        if not ok:
            self._failed(acc, now)
        self.db.run("UPDATE {t} SET failed = 0, locked_until = NULL WHERE name = ?", (acc.name,))
        return self.get(acc.name)

    def open_session(self, name: str, *, idle_minutes: float | None = None, now: dt.datetime | None = None) -> str:
        """A new login of ``name`` that survives a reload: a random token for the browser's cookie; the
        store keeps only its SHA-256. Logins idle for more than ``idle_minutes`` are purged first."""
        now = now or _now()
        acc = self.get(name)
        if idle_minutes is not None:
            self.db.run("DELETE FROM {s} WHERE seen < ?", (_iso(now - dt.timedelta(minutes=idle_minutes)),))
        token = secrets.token_urlsafe(32)
        self.db.run("INSERT INTO {s} (token_hash, name, created, seen) VALUES (?, ?, ?, ?)", (_digest(token), acc.name, _iso(now), _iso(now)))
        return token

    def resume(self, token: str, idle_minutes: float, *, now: dt.datetime | None = None) -> tuple[Account | None, str]:
        """The account of the login ``token`` and ``""`` while it is live (its idle time restarts);
        ``(None, "expired")`` once it was idle more than ``idle_minutes`` (then it is closed); ``(None, "")``
        for an unknown token, a closed login or a disabled or removed account."""
        now = now or _now()
        if not token or len(token) > 128:
            return None, ""
        rows = self.db.run("SELECT name, seen FROM {s} WHERE token_hash = ?", (_digest(token),))
        if not rows:
            return None, ""
        name, seen = rows[0]
        if now - dt.datetime.fromisoformat(seen) > dt.timedelta(minutes=idle_minutes):
            self.close_session(token)
            return None, "expired"
        acc = self.find(name)
        if acc is None or acc.disabled:
            self.close_session(token)
            return None, ""
        self.touch_session(token, now=now)
        return acc, ""

    def touch_session(self, token: str, *, now: dt.datetime | None = None) -> None:
        """The login ``token`` was used at ``now`` (its idle time counts from here)."""
        self.db.run("UPDATE {s} SET seen = ? WHERE token_hash = ?", (_iso(now or _now()), _digest(token)))

    def close_session(self, token: str) -> None:
        """Log out the login ``token`` (other browsers of the same account stay logged in)."""
        self.db.run("DELETE FROM {s} WHERE token_hash = ?", (_digest(token),))

    def close_sessions_of(self, name: str) -> None:
        """Log out every login of ``name``."""
        self.db.run("DELETE FROM {s} WHERE name = ?", (name,))

    def _failed(self, acc: Account, now: dt.datetime) -> None:
        self.db.run("UPDATE {t} SET failed = failed + 1 WHERE name = ?", (acc.name,))
        failed = self.get(acc.name).failed
        if failed >= MAX_FAILURES:
            until = now + dt.timedelta(minutes=LOCK_MINUTES)
            self.db.run("UPDATE {t} SET locked_until = ?, failed = 0 WHERE name = ?", (_iso(until), acc.name))
            _locked(self.get(acc.name), now)
        raise PermissionDeniedError(WRONG)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _locked(acc: Account, now: dt.datetime) -> None:
    if acc.locked_until and dt.datetime.fromisoformat(acc.locked_until) > now:
        until = dt.datetime.fromisoformat(acc.locked_until).astimezone()
        minutes = max(1, round((dt.datetime.fromisoformat(acc.locked_until) - now).total_seconds() / 60))
        raise PermissionDeniedError(
            f"账户“{acc.name}”因连续 {MAX_FAILURES} 次密码错误已锁定，{until:%H:%M} 解锁（约 {minutes} 分钟后）：请稍后再试，或请管理员重设密码。 / "
            f"account {acc.name} is locked after {MAX_FAILURES} wrong passwords until {until:%H:%M} (in about {minutes} min): "
            "try again then, or ask an admin to reset the password.")
