"""Read one cell of a user's table as a number or an angle, the way bureaus type them.

Each parser returns ``(value, problem)``: the value, or None for an empty cell; and None, or a message
(Chinese first, then English) that repeats the cell and says how to fix it. Nothing is guessed: a cell
that can be read in two ways is a problem, not a value. Habits read: full-width digits (``１０７．３５``),
comma decimals (``107,35``), thousands separators (``1,234``), a unit after the number (``12户``,
``50万元``; the unit is dropped), and placeholders for "none" (``-``, ``—``, ``/``, ``无``) as empty.
"""

from __future__ import annotations

import math
import re
import unicodedata

from geo.dms import parse_angle
from geo.errors import CoordinateError

EMPTY = frozenset({"", "-", "--", "—", "——", "/", "无", "nan", "NaN", "None", "null"})
_NUMBER_UNIT = re.compile(r"([-+]?[\d.,]+)\s*([^\d\s.,+-][^\d]*)?")
_THOUSANDS = re.compile(r"[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?")
_COMMA_DECIMAL = re.compile(r"[-+]?\d+,\d+")
_AXIS_ZH = {"lon": "经度", "lat": "纬度"}
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_PLAIN_DEGREES = re.compile(r"[0-9]{1,3}(?:\.[0-9]+)?")
_PLAIN_DMS = re.compile(r"([0-9]{1,3})[°度]([0-9]{1,2})[′分]([0-9]{1,2}(?:\.[0-9]+)?)[″秒]")
_PARTS = (("度", "degrees"), ("分", "minutes"), ("秒", "seconds"))

Parsed = tuple[float | None, str | None]


def _clean(text: object) -> str | None:
    """``text`` made half-width and stripped; None for an empty cell or a placeholder."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return None
    s = unicodedata.normalize("NFKC", str(text)).strip()
    return None if s in EMPTY else s


def _not_a_number(text: object) -> str:
    return f"“{text}”不是数字，请改成数字（如 12 或 107.35） / {str(text)!r} is not a number; write a number such as 12 or 107.35."


def _number_part(s: str) -> str | None:
    """The number in ``s`` with a comma made a decimal point or dropped as a thousands separator;
    None when the commas could mean either."""
    if "," not in s:
        return s
    if _THOUSANDS.fullmatch(s.lstrip("+-")):
        return s.replace(",", "")
    if _COMMA_DECIMAL.fullmatch(s):
        return s.replace(",", ".")
    return None


def parse_number(text: object) -> Parsed:
    """``text`` as a float: ``"107,35"`` -> 107.35, ``"1,234"`` -> 1234.0, ``"１０７．３５"`` -> 107.35,
    ``"12户"`` -> 12.0, ``""``/``"-"``/``"无"`` -> None without a problem."""
    if type(text) is str and _PLAIN_NUMBER.fullmatch(text):  # most cells: what the full reading below gives
        return float(text), None
    s = _clean(text)
    if s is None:
        return None, None
    match = _NUMBER_UNIT.fullmatch(s)
    number = _number_part(match.group(1)) if match else None
    if number is None:
        return None, _not_a_number(text)
    try:
        value = float(number)
    except ValueError:
        return None, _not_a_number(text)
    if not math.isfinite(value):
        return None, _not_a_number(text)
    return value, None


def parse_int(text: object) -> tuple[int | None, str | None]:
    """``text`` as a whole number (``"12"``, ``"12.0"``, ``"12人"``, ``"1,234"``); ``"12.5"`` is a problem."""
    value, problem = parse_number(text)
    if value is None:
        return None, problem
    if not value.is_integer():
        return None, f"“{text}”不是整数，请填写整数（如 12） / {str(text)!r} is not a whole number; write a whole number such as 12."
    return int(value), None


def parse_angle_cell(text: object, *, axis: str = "lon") -> Parsed:
    """``text`` as decimal degrees: decimal (``107.35425``, ``107,35425``) or 度分秒 (``107°21′15.3″``,
    ``107度21分15.3秒``, ``107-21-15.3``), in full-width characters too; ``axis`` ("lon"/"lat") sets the range."""
    plain = _plain_angle(text, 180.0 if axis == "lon" else 90.0)
    if plain is not None:
        return plain, None
    s = _clean(text)
    if s is None:
        return None, None
    if _COMMA_DECIMAL.fullmatch(s):
        s = s.replace(",", ".")
    try:
        return parse_angle(s, axis=axis), None
    except CoordinateError as err:
        return None, _angle_problem(text, axis, str(err))


def _plain_angle(text: object, limit: float) -> float | None:
    """The degrees of a cell written the most usual ways (``107.35425``, ``107°21′15.3″``, ``107度21分15.3秒``)
    and within ``limit``, as :func:`geo.dms.parse_angle` reads them; None for every other cell."""
    if type(text) is not str:
        return None
    if _PLAIN_DEGREES.fullmatch(text):
        value = float(text)
    elif dms := _PLAIN_DMS.fullmatch(text):
        d, m, sec = (float(x) for x in dms.groups())
        if m >= 60 or sec >= 60:
            return None
        value = d + m / 60.0 + sec / 3600.0
    else:
        return None
    return value if value <= limit else None


def _angle_problem(text: object, axis: str, english: str) -> str:
    zh = _AXIS_ZH.get(axis, axis)
    if "must be below 60" in english:
        return f"“{text}”的分或秒不小于60，请改正 / {english}"
    if "is outside" in english:
        limit = 180 if axis == "lon" else 90
        return f"“{text}”超出{zh}范围（-{limit}～{limit}度），请检查经纬度两列是否写反 / {english}"
    return f"“{text}”不能读作{zh}：请写十进制度（如 107.35425）或度分秒（如 107°21′15.3″、107度21分15.3秒） / {english}"


def combine_dms(degrees: object, minutes: object, seconds: object, *, axis: str = "lon") -> Parsed:
    """Decimal degrees from 度, 分 and 秒 kept in three cells (empty 分/秒 count as 0; a negative 度 makes
    the whole angle negative): ``("107", "21", "15.3")`` -> 107.35425."""
    parts = [parse_number(p) for p in (degrees, minutes, seconds)]
    if all(value is None and problem is None for value, problem in parts):
        return None, None
    for (value, problem), (zh, en), raw in zip(parts, _PARTS, (degrees, minutes, seconds), strict=True):
        if problem:
            return None, f"{zh}：{problem}"
        if zh == "度" and value is None:
            return None, f"有分秒而没有度，请填写度 / minutes or seconds without {en}; fill in the degrees."
        if zh != "度" and value is not None and not 0 <= value < 60:
            return None, f"{zh}“{raw}”须在0～60之间（不含60） / {en} {str(raw)!r} must be at least 0 and below 60."
    d, m, s = (value or 0.0 for value, _ in parts)
    angle = math.copysign(abs(d) + m / 60.0 + s / 3600.0, d)
    limit = 180.0 if axis == "lon" else 90.0
    if abs(angle) > limit:
        zh = _AXIS_ZH.get(axis, axis)
        return None, (f"{degrees}度{minutes or 0}分{seconds or 0}秒超出{zh}范围（-{limit:g}～{limit:g}度），请检查经纬度是否写反 / "
                      f"{axis} {angle:g} is outside -{limit:g}..{limit:g} degrees; check for swapped lon/lat columns.")
    return angle, None
