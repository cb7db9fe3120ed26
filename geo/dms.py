"""Parse angles written as decimal degrees or degrees-minutes-seconds (度分秒)."""

from __future__ import annotations

import math
import re
import unicodedata

from geo.errors import CoordinateError

_ALLOWED = re.compile(r"^[-+]?[\s\d.°度:'′分\"″秒NSEWnsew东西南北经纬]+$")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_NEGATIVE = set("SWsw南西")
_WORDS = {"北纬": "N", "南纬": "S", "东经": "E", "西经": "W"}
_QUOTES = str.maketrans({"’": "′", "‘": "′", "”": "″", "“": "″", "〃": "″", "º": "°", "˚": "°"})
_DASHED = re.compile(r"^(\d+)-(\d+)(?:-(\d+(?:\.\d+)?))?([NSEWnsew]?)$")


def normalize_angle_text(raw: str) -> str:
    """``raw`` with full-width characters made half-width (NFKC: ``１０７．５`` -> ``107.5``), the curly
    quotes a Chinese input method types for minutes and seconds (``’ ”``) made primes, and dashes
    between degrees, minutes and seconds (``107-21-15.3``) made colons."""
    s = unicodedata.normalize("NFKC", raw.translate(_QUOTES)).replace("′′", "″").strip()
    dashed = _DASHED.match(s)
    if dashed:
        d, m, sec, hemi = dashed.groups()
        s = ":".join(p for p in (d, m, sec) if p is not None) + hemi
    return s


def parse_angle(text: str | float | int, *, axis: str = "lon") -> float:
    """Return decimal degrees from ``text``: ``107.4``, ``107.5E``, ``107°24'30.5"E``,
    ``北纬30度12分``, ``30:12`` (degrees:minutes), ``-3:30:00``, ``107-24-30.5``, and the same in
    full-width characters or with curly quotes (``107°24’30.5”``), see :func:`normalize_angle_text`.

    ``axis`` ("lon" or "lat") sets the valid range (|lon|<=180, |lat|<=90).
    """
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        value = float(text)
    else:
        value = _parse_text(str(text))
    limit = 180.0 if axis == "lon" else 90.0
    if not math.isfinite(value) or abs(value) > limit:
        raise CoordinateError(
            f"{axis} value {text!r} is outside -{limit:g}..{limit:g} degrees; "
            "check for swapped lon/lat columns."
        )
    return value


def _parse_text(raw: str) -> float:
    s = normalize_angle_text(raw)
    for word, letter in _WORDS.items():
        s = s.replace(word, letter)
    try:
        return float(s)
    except ValueError:
        pass
    numbers = _NUMBER.findall(s)
    if not s or not _ALLOWED.match(s) or not 1 <= len(numbers) <= 3:
        raise CoordinateError(
            f"Cannot read {raw!r} as an angle; write decimal degrees (107.408) or "
            "degrees-minutes-seconds (107°24'30\" or 107度24分30秒)."
        )
    deg, minutes, seconds = (float(n) for n in [*numbers, "0", "0"][:3])
    if minutes >= 60 or seconds >= 60:
        raise CoordinateError(f"Minutes and seconds in {raw!r} must be below 60.")
    value = deg + minutes / 60.0 + seconds / 3600.0
    if s.startswith("-") or any(c in _NEGATIVE for c in s):
        value = -value
    return value
