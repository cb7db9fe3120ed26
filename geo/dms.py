"""Parse angles written as decimal degrees or degrees-minutes-seconds (度分秒)."""

from __future__ import annotations

import math
import re

from geo.errors import CoordinateError

_NUM = r"(\d+(?:\.\d+)?)"
_DMS = re.compile(
    rf"^\s*(?P<sign>[-+])?\s*(?P<hemi1>[NSEW东西南北])?\s*{_NUM}\s*(?:°|度|:|\s)\s*"
    rf"(?:{_NUM}\s*(?:'|′|分|:|\s)\s*)?(?:{_NUM}\s*(?:\"|″|''|秒)?\s*)?"
    r"(?P<hemi2>[NSEW东西南北])?\s*(?:经|纬)?\s*$",
    re.IGNORECASE,
)
_NEGATIVE = {"S", "W", "南", "西"}


def parse_angle(text: str | float | int, *, axis: str = "lon") -> float:
    """Return decimal degrees from ``text``: ``107.4``, ``107°24'30.5"E``, ``北纬30度12分``, ``-3:30:00``.

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
    s = raw.strip().replace("北纬", "N").replace("南纬", "S").replace("东经", "E").replace("西经", "W")
    try:
        return float(s)
    except ValueError:
        pass
    m = _DMS.match(s)
    if not m or not m.group(3):
        raise CoordinateError(
            f"Cannot read {raw!r} as an angle; write decimal degrees (107.408) or "
            "degrees-minutes-seconds (107°24'30\" or 107度24分30秒)."
        )
    deg, minutes, seconds = (float(g) if g else 0.0 for g in m.group(3, 4, 5))
    if minutes >= 60 or seconds >= 60:
        raise CoordinateError(f"Minutes and seconds in {raw!r} must be below 60.")
    value = deg + minutes / 60.0 + seconds / 3600.0
    hemis = {h.upper() for h in (m.group("hemi1"), m.group("hemi2")) if h}
    if m.group("sign") == "-" or hemis & _NEGATIVE:
        value = -value
    return value
