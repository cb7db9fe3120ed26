"""A position as people type or copy it: decimal or 度分秒 lon/lat in WGS84/CGCS2000, GCJ-02 (copied
from a phone map app), BD-09, or Gauss-Krüger X/Y (zone detected from the prefix or the county, X as
northing when it has 7 digits), turned into a point in EPSG:4490 with the reading in words."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
from shapely.geometry import Point, box
from shapely.geometry.base import BaseGeometry

from geo.crs import DATUMS, to_wgs84
from geo.dms import parse_angle
from geo.errors import CoordinateError, CRSError, GeoError
from layers.imports.locate import infer_crs

CHINA = box(73.0, 3.0, 136.0, 54.0)
"""The area a GK reading is scored in when no county is given (only a zone prefix settles the zone then)."""
DATUM_WORDS = {"wgs84": "WGS84", "cgcs2000": "CGCS2000", "gcj02": "GCJ-02（手机/高德地图）", "bd09": "BD-09（百度地图）"}
DATUM_WORDS_EN = {"wgs84": "WGS84", "cgcs2000": "CGCS2000", "gcj02": "GCJ-02 (phone / AMap)", "bd09": "BD-09 (Baidu)"}
_METRES = re.compile(r"^[+-]?\d+(\.\d*)?$")


@dataclass(frozen=True)
class Position:
    """A typed position read: the point (EPSG:4490), how it was read (``"中文 / English"``), the CRS label."""

    point: Point
    reading: str
    crs: str


def parse_position(first: str | float, second: str | float, *, datum: str = "wgs84", crs: str | None = None,
                   area: BaseGeometry | None = None) -> Position:
    """Read a position from two cells as typed: lon/lat (``datum`` wgs84|cgcs2000|gcj02|bd09) or, with
    ``crs="EPSG:N"`` or ``crs="auto"``, GK X/Y (``area``, the county, settles the zone and the order).
    Raises CoordinateError / CRSError naming the value and the fix."""
    if crs is not None and str(crs).strip():
        return _projected(first, second, str(crs).strip(), area)
    return _lonlat(first, second, str(datum).strip().lower())


def _angle(value: str | float, axis: str) -> float:
    try:
        return parse_angle(value if isinstance(value, int | float) else str(value), axis=axis)
    except CoordinateError as err:
        zh, en = ("经度", "longitude") if axis == "lon" else ("纬度", "latitude")
        raise CoordinateError(f"无法把{zh}“{value}”读作角度：请写十进制度（如 107.408）或度分秒（如 107°24′30″、107度24分30秒）。 / "
                              f"cannot read the {en} {str(value)!r}: write decimal degrees (107.408) or degrees-minutes-seconds "
                              "(107°24'30\" or 107度24分30秒)") from err


def _lonlat(first: str | float, second: str | float, datum: str) -> Position:
    if datum not in DATUMS:
        raise CRSError(f"不认识的基准“{datum}”：请选 {'、'.join(DATUMS)}。 / unknown datum {datum!r}: use one of {', '.join(DATUMS)}")
    a, b = _angle(first, "lon"), _angle(second, "lat") if _lat_ok(second) else _angle(second, "lon")
    swapped = 3.0 <= a <= 54.0 and 73.0 <= b <= 136.0  # latitude typed first: unambiguous in China
    lon, lat = (b, a) if swapped else (a, b)
    if not -90.0 <= lat <= 90.0:
        raise CoordinateError(f"纬度“{second}”超出 -90–90 度：请核对是否把经纬度写反了。 / the latitude {str(second)!r} is outside "
                              "-90..90 degrees: check whether longitude and latitude are swapped")
    x, y = to_wgs84(np.array([lon]), np.array([lat]), datum=datum)  # type: ignore[arg-type]
    zh = f"经纬度，{DATUM_WORDS[datum]}" + ("；先写的是纬度，已对调" if swapped else "")
    en = f"lon/lat, {DATUM_WORDS_EN[datum]}" + ("; latitude came first, swapped" if swapped else "")
    label = {"wgs84": "EPSG:4326", "cgcs2000": "EPSG:4490", "gcj02": "GCJ-02", "bd09": "BD-09"}[datum]
    return Position(Point(float(x[0]), float(y[0])), f"{zh} / {en}", label)


def _lat_ok(value: str | float) -> bool:
    try:
        return abs(parse_angle(value if isinstance(value, int | float) else str(value), axis="lon")) <= 90.0
    except CoordinateError:
        return True  # the latitude reading names the problem


def _metres(value: str | float, which: str) -> float:
    text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "").replace(" ", "")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if not _METRES.match(text):
        raise CoordinateError(f"无法把 {which}“{value}”读作米制坐标：请写数字，如 3356874.68。 / cannot read {which} {str(value)!r} "
                              "as metres: write a number such as 3356874.68")
    return float(text)


def _northing_first(a: float, b: float, swapped: bool) -> bool:
    """Whether reading (a, b) with ``swapped`` makes the 7-digit number the northing (China's northings
    are 7 digits; eastings are 6, or 8 with the zone prefix): the tie-break when the scores agree."""
    north = a if swapped else b
    return 1e6 <= abs(north) < 1e7


def _projected(first: str | float, second: str | float, crs: str, area: BaseGeometry | None) -> Position:
    hint = "auto" if crs.lower() == "auto" else crs.upper()
    if hint != "auto" and not re.match(r"^EPSG:\d+$", hint):
        raise CRSError(f"不认识的坐标系“{crs}”：请写 EPSG 代码（如 EPSG:4524）或 auto。 / unknown CRS {crs!r}: give an EPSG code "
                       "(e.g. EPSG:4524) or auto")
    a, b = _metres(first, "X"), _metres(second, "Y")
    if area is None and hint == "auto" and 360.0 < max(abs(a), abs(b)) < 1e7:
        raise CRSError(f"只凭 X={first}、Y={second} 定不了投影带（没有带号）：请给出坐标系（如 EPSG:4545）。 / X={first}, Y={second} "
                       "carry no zone prefix, so the zone is not settled: name the CRS (e.g. EPSG:4545)")
    try:
        found = infer_crs(np.array([a]), np.array([b]), area=area if area is not None else CHINA, hint=hint)
    except GeoError as err:
        raise CRSError(f"无法按 {crs} 读出 X={first}、Y={second}：请核对两个数和坐标系（高斯-克吕格 X 为北坐标 7 位数，Y 为东坐标，"
                       f"可带带号）。 / cannot read X={first}, Y={second} as {crs}: check both numbers and the CRS (Gauss-Krüger X is "
                       f"the 7-digit northing, Y the easting, with or without the zone prefix). ({err})") from err
    best = min(found, key=lambda c: (-round(c.score, 6), not _northing_first(a, b, c.swapped)))
    if not (np.isfinite(best.lon[0]) and np.isfinite(best.lat[0])):
        raise CRSError(f"X={first}、Y={second} 按 {crs} 算不出位置：请核对两个数和坐标系。 / X={first}, Y={second} give no position "
                       f"in {crs}: check both numbers and the CRS")
    order = ("先北坐标 X、后东坐标 Y", "northing X first, easting Y second") if best.swapped else ("先东坐标、后北坐标", "easting first, northing second")
    inside = "" if area is None or best.score > 0 else "；此读法不在县域内，请核对"
    inside_en = "" if area is None or best.score > 0 else "; this reading lies outside the county, check it"
    reading = f"{best.label}（{order[0]}）{inside} / {best.label} ({order[1]}){inside_en}"
    return Position(Point(float(best.lon[0]), float(best.lat[0])), reading, best.label)


def moved_whole(geom: BaseGeometry, to: Point, metric_crs: object) -> BaseGeometry:
    """``geom`` (EPSG:4490) moved whole in ``metric_crs`` (no turn, no scaling) so that its
    representative point lands on ``to``: how a line or polygon placed at the wrong spot is moved by
    one click or one typed position."""
    import geopandas as gpd
    from shapely import affinity

    g = gpd.GeoSeries([geom, geom.representative_point(), to], crs=4490).to_crs(metric_crs)
    moved = affinity.translate(g.iloc[0], g.iloc[2].x - g.iloc[1].x, g.iloc[2].y - g.iloc[1].y)
    return gpd.GeoSeries([moved], crs=metric_crs).to_crs(4490).iloc[0]
