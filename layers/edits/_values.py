"""Values as people type them, checked and typed by the layer spec; the refusal of a change with
every problem named (field, value, fix) in Chinese, then English."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping

import pandas as pd

from geo.errors import Problem, ValidationError
from layers.catalog.specs import Field, LayerSpec

SYSTEM_FIELDS = ("fid", "source_doc", "source_section", "geometry_quality", "geometry_source")
"""Fields an edit writes itself (the id and the provenance of the position): never set by hand."""
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


class EditRefused(ValidationError):
    """A change refused before anything was written: every problem, in Chinese then English."""

    def __init__(self, source: str, problems: list[tuple[str | None, str, str]]) -> None:
        super().__init__(source, [Problem(None, f, f"{zh} / {en}") for f, zh, en in problems])
        self.text = "；".join(zh.rstrip("。") for _, zh, _ in problems) + "。 / " + "; ".join(en.rstrip(".") for _, _, en in problems) + "."

    def __str__(self) -> str:
        return self.text


def need_who_and_why(user: object, reason: object, source: str) -> tuple[str, str]:
    """``user`` and ``reason`` stripped; :class:`EditRefused` when either is empty."""
    who, why = str(user or "").strip(), str(reason or "").strip()
    problems = []
    if not who:
        problems.append(("user", "操作人（user）为空：请填写您的姓名", "user is empty: enter your name"))
    if not why:
        problems.append(("reason", "原因（reason）为空：请写明为什么做这个修改", "reason is empty: say why you make this change"))
    if problems:
        raise EditRefused(source, problems)
    return who, why


def _label(f: Field) -> tuple[str, str]:
    return f"{f.zh}（{f.name}）", f.name


def _missing(value: object) -> bool:
    if value is None or value is pd.NA:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _number(value: object, f: Field) -> tuple[float | int | None, tuple[str, str] | None]:
    """``value`` as the field's number, or why it is not one."""
    zh, en = _label(f)
    whole = f.dtype == "int"
    if isinstance(value, bool):
        num: float | None = None
    elif isinstance(value, int | float):
        num = float(value)
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "")
        num = float(text) if _NUMBER.match(text) else None
    if num is None or not math.isfinite(num) or (whole and not num.is_integer()):
        kind = ("整数", "a whole number", "3") if whole else ("数字", "a number", "12.5")
        return None, (f"{zh}应为{kind[0]}，收到“{value}”：请填写{kind[0]}，如 {kind[2]}",
                      f"{en} must be {kind[1]}, got {str(value)!r}: enter {kind[1]} such as {kind[2]}")
    return (int(num) if whole else num), None


def _choice(value: object, f: Field, choices: tuple[str, ...]) -> tuple[str | None, tuple[str, str] | None]:
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if choices and text not in choices:
        zh, en = _label(f)
        return None, (f"{zh}不能取“{value}”：请从 {'、'.join(choices)} 中选一个",
                      f"{en} cannot be {str(value)!r}: pick one of {', '.join(choices)}")
    return text, None


def typed_values(spec: LayerSpec, values: Mapping[str, object], source: str) -> dict[str, object]:
    """``values`` (field -> value as typed) typed by ``spec``: numbers read (full-width digits and
    thousands commas allowed), text stripped, choices checked (a layer's ``kind`` from its kinds),
    empty values None; :class:`EditRefused` naming every bad field, its value and the fix."""
    by_name = {f.name: f for f in spec.fields}
    out: dict[str, object] = {}
    problems: list[tuple[str | None, str, str]] = []
    for name, value in values.items():
        f = by_name.get(str(name))
        if f is None:
            names = ", ".join(n for n in by_name if n not in SYSTEM_FIELDS)
            problems.append((str(name), f"图层 {spec.zh} 没有字段“{name}”：可填写的字段有 {names}",
                             f"layer {spec.id} has no field {str(name)!r}: the fields are {names}"))
            continue
        zh, en = _label(f)
        if f.name in SYSTEM_FIELDS:
            problems.append((f.name, f"{zh}由系统记录，不能手工填写：修改位置或其他字段即可",
                             f"{en} is recorded by the system and cannot be set by hand: change the position or other fields"))
            continue
        if _missing(value):
            if f.required:
                problems.append((f.name, f"{zh}必须填写，收到空值：请填写{f.zh}", f"{en} is required, got an empty value: fill it in"))
            else:
                out[f.name] = None
            continue
        if f.dtype in ("int", "float"):
            typed, why = _number(value, f)
        else:
            typed, why = _choice(value, f, f.choices or (tuple(k.id for k in spec.kinds) if f.name == "kind" else ()))
        if why is not None:
            problems.append((f.name, *why))
        else:
            out[f.name] = typed
    if problems:
        raise EditRefused(source, problems)
    return out
