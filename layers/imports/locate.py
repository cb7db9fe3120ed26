"""Which CRS and datum a file's coordinates are in: every plausible reading, scored by the share of
points that fall inside the jurisdiction, best first, each with the reason in words.

Readings tried: lon/lat (either order) as WGS84/CGCS2000, GCJ-02 or BD-09; projected x/y (either
order) as CGCS2000 Gauss-Krüger 3- or 6-degree zones with or without the zone prefix (the central
meridian from the prefix, or from the county's extent), and Web Mercator; the CRS the file declares;
the CRS the user names. What this will not do: tell GCJ-02 from WGS84 by the points alone. Inside a
county the shift (~500 m) moves almost no point across the boundary, so the datum is decided only by
a consistent offset to reference points (features of known position matched by name) or by the
user; without them WGS84/CGCS2000 stays first and every reason says so.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pyproj
import shapely
from pyproj import CRS, Transformer
from shapely.geometry.base import BaseGeometry

from geo.crs import CGCS2000, Datum, GKCandidate, from_wgs84, gk_candidates, to_wgs84
from geo.errors import CoordinateError, CRSError, OptionError

FloatArray = npt.NDArray[np.float64]

TOLERANCE_M = 100.0  # a point this close outside the boundary still counts as inside
LOW_SCORE = 0.5  # below this share inside, the reason warns that the reading is probably wrong
DECLARED_BONUS = 0.10  # ranking bonus of the CRS the file declares (.prj, GeoJSON crs)
DEFAULT_DATUM_BONUS = 0.05  # WGS84/CGCS2000 stays first among datums unless another scores clearly better
REFERENCE_BONUS = 0.50  # the datum whose offset to the reference points is clearly smallest
HINT_BONUS = 2.0  # the datum the user names comes first
MIN_REFERENCES = 3  # fewer reference points cannot show a consistent offset
HINTS = ("auto", "EPSG:N", "wgs84", "cgcs2000", "gcj02", "bd09")
CHINA_LON, CHINA_LAT = (73.0, 136.0), (3.0, 54.0)
MERCATOR_X, MERCATOR_Y = (8_100_000.0, 15_200_000.0), (300_000.0, 7_200_000.0)  # China in EPSG:3857
_LABEL: dict[str, str] = {"wgs84": "EPSG:4326", "cgcs2000": "EPSG:4490", "gcj02": "GCJ-02", "bd09": "BD-09"}
_DATUM_WORDS: dict[str, str] = {"wgs84": "WGS84", "cgcs2000": "CGCS2000", "gcj02": "GCJ-02", "bd09": "BD-09"}


@dataclass(frozen=True, eq=False)
class Candidate:
    """One reading of the coordinates, with the points converted to CGCS2000/WGS84 degrees.

    ``label`` is what a report shows (``"EPSG:4524"``, ``"GCJ-02"``, ``"BD-09"``, ``"EPSG:4490"``),
    ``crs`` the CRS of the numbers as read (``"EPSG:N"``, or WKT when the file's CRS has no code),
    ``datum`` one of wgs84/cgcs2000/gcj02/bd09, ``swapped`` whether the two columns were read in the
    other order, ``score`` the share of points with coordinates that fall inside the area (0-1)."""

    label: str
    crs: str
    datum: str
    swapped: bool
    score: float
    lon: FloatArray
    lat: FloatArray
    reason: str


@dataclass
class _Draft:
    label: str
    crs: str
    datum: str
    swapped: bool
    lon: FloatArray
    lat: FloatArray
    notes: list[tuple[str, str]] = field(default_factory=list)  # (中文, English)
    bonus: float = 0.0


def infer_crs(
    a: npt.ArrayLike,
    b: npt.ArrayLike,
    *,
    area: BaseGeometry,
    declared: CRS | None = None,
    hint: str = "auto",
    reference: Mapping[int, tuple[float, float]] | None = None,
) -> list[Candidate]:
    """Every plausible CRS/datum reading of the coordinate columns ``a``, ``b``, best first.

    Parameters
    ----------
    a, b
        The two coordinate columns in the file's order (NaN where a row has none).
    area
        The jurisdiction in EPSG:4490; the score is the share of points inside it (+ ``TOLERANCE_M``).
    declared
        The CRS the file declares (``.prj``, GeoJSON ``crs``): offered with a ranking bonus.
    hint
        ``"auto"``; ``"EPSG:N"`` to read the numbers in that CRS only (both column orders, still
        scored); or a datum of lon/lat: ``"wgs84"``, ``"cgcs2000"``, ``"gcj02"``, ``"bd09"``.
    reference
        Row position in ``a``/``b`` -> known (lon, lat) in CGCS2000 of the same feature (matched
        by name); at least ``MIN_REFERENCES`` of them decide the datum by a consistent offset.
    """
    a_, b_ = _columns(a, b)
    if hint.upper().startswith("EPSG:"):
        drafts = _hinted_drafts(a_, b_, hint)
    elif _looks_like_degrees(a_, b_):
        drafts = _degree_drafts(a_, b_, _hint_datum(hint))
    else:
        drafts = _projected_drafts(a_, b_, area, hint)
    if declared is not None:
        _declare(drafts, declared, a_, b_)
    if reference:
        _judge_by_reference(drafts, reference)
    else:
        _note_datum_ambiguity(drafts, area)
    return _rank(drafts, area)


def _columns(a: npt.ArrayLike, b: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    a_, b_ = np.asarray(a, dtype=float).ravel(), np.asarray(b, dtype=float).ravel()
    if a_.shape != b_.shape:
        raise CoordinateError(f"The coordinate columns have {a_.size} and {b_.size} values; give one pair per row.")
    if not (np.isfinite(a_) & np.isfinite(b_)).any():
        raise CoordinateError(f"None of the {a_.size} rows has two numeric coordinates; check the coordinate columns.")
    return a_, b_


def _share(v: FloatArray, bounds: tuple[float, float]) -> float:
    ok = np.isfinite(v)
    return float(np.mean((v[ok] > bounds[0]) & (v[ok] < bounds[1]))) if ok.any() else 0.0


def _looks_like_degrees(a: FloatArray, b: FloatArray) -> bool:
    return _share(a, (-180.0, 180.0)) >= 0.5 and _share(b, (-180.0, 180.0)) >= 0.5


def _hint_datum(hint: str) -> Datum | None:
    if hint == "auto":
        return None
    for datum in ("wgs84", "cgcs2000", "gcj02", "bd09"):
        if hint.lower() == datum:
            return datum  # type: ignore[return-value]
    raise OptionError(f"Unknown CRS hint {hint!r}; use one of {', '.join(HINTS)} (e.g. EPSG:4545).")


def _degree_drafts(a: FloatArray, b: FloatArray, hinted: Datum | None) -> list[_Draft]:
    """Lon/lat in either order (the order whose values lie in China) x the three datums."""
    orders = [s for s in (False, True) if _in_china(*((b, a) if s else (a, b)))] or [False]
    first: Datum = "wgs84" if hinted == "wgs84" else "cgcs2000"
    drafts = []
    for swapped in orders:
        lon, lat = (b, a) if swapped else (a, b)
        for datum in (first, "gcj02", "bd09"):
            wlon, wlat = to_wgs84(lon, lat, datum=datum)
            d = _Draft(_LABEL[datum], "EPSG:4326" if datum == "wgs84" else CGCS2000, datum, swapped, wlon, wlat)
            if swapped:
                d.notes.append(("两列按先纬度后经度读(经纬度写反)", "columns read as latitude, longitude (lat/lon swapped)"))
            if hinted == datum:
                d.bonus += HINT_BONUS
                d.notes.append((f"按指定的基准 {_DATUM_WORDS[datum]}", f"datum {_DATUM_WORDS[datum]} as given"))
            elif hinted is None and datum == first:
                d.bonus += DEFAULT_DATUM_BONUS
            drafts.append(d)
    return drafts


def _in_china(lon: FloatArray, lat: FloatArray) -> bool:
    return _share(lon, CHINA_LON) >= 0.5 and _share(lat, CHINA_LAT) >= 0.5


def _projected_drafts(a: FloatArray, b: FloatArray, area: BaseGeometry, hint: str) -> list[_Draft]:
    if _hint_datum(hint) in ("gcj02", "bd09"):
        raise CRSError(
            f"The coordinates are metres ({_range(a)}, {_range(b)}), but the datum {hint} is one of lon/lat degrees; "
            "choose the datum auto or cgcs2000, or name the CRS (e.g. EPSG:4545)."
        )
    west, _, east, _ = area.bounds
    drafts = [_gk_draft(c, a, b, (west, east)) for c in gk_candidates(a, b, lon_extent=(west, east))]
    if _share(a, MERCATOR_X) >= 0.5 and _share(b, MERCATOR_Y) >= 0.5:
        lon, lat = _transform(CRS.from_epsg(3857), a, b)
        note = ("Web 墨卡托米制坐标(网络地图、GeoJSON 导出)", "Web Mercator metres (web maps, GeoJSON exports)")
        drafts.append(_Draft("EPSG:3857", "EPSG:3857", "wgs84", False, lon, lat, [note]))
    if not drafts:
        raise CRSError(
            f"The coordinates ({_range(a)}, {_range(b)}) are neither lon/lat degrees nor Gauss-Krüger metres "
            "(northing 0-6,000,000 m, easting 100,000-900,000 m or with a zone prefix 13-45); "
            "check the coordinate columns or name the CRS (e.g. EPSG:4545)."
        )
    return drafts


def _reason(notes: list[tuple[str, str]]) -> str:
    """The notes as one "中文 / English" sentence (the pages show one language, the CLI both)."""
    return "；".join(zh for zh, _ in notes) + " / " + "; ".join(en for _, en in notes)


def _range(v: FloatArray) -> str:
    return f"{np.nanmin(v):.0f}..{np.nanmax(v):.0f}"


def _gk_draft(c: GKCandidate, a: FloatArray, b: FloatArray, extent: tuple[float, float]) -> _Draft:
    east, north = (b, a) if c.swapped else (a, b)
    lon, lat = _transform(CRS.from_epsg(c.epsg), east, north)
    if c.prefixed:
        where = (f"东坐标带带号 {c.zone}", f"easting with zone prefix {c.zone}")
    else:
        where = (f"东坐标不带带号,中央经线按县域范围({extent[0]:.2f}°E–{extent[1]:.2f}°E)确定",
                 f"easting without zone prefix, central meridian from the county's extent ({extent[0]:.2f}E-{extent[1]:.2f}E)")
    notes = [(f"CGCS2000 {c.width}度带高斯-克吕格第 {c.zone} 带(中央经线 {c.central_meridian:g}°E),{where[0]}",
              f"CGCS2000 {c.width}-degree Gauss-Krüger zone {c.zone} (central meridian {c.central_meridian:g}E), {where[1]}")]
    if c.swapped:
        notes.append(("第一列按北坐标(测绘习惯的X)、第二列按东坐标(Y)读", "first column read as the northing (surveyors' X), second as the easting (Y)"))
    return _Draft(c.crs, c.crs, "cgcs2000", c.swapped, lon, lat, notes)


def _transform(crs: CRS, x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    lon, lat = Transformer.from_crs(crs, CGCS2000, always_xy=True).transform(x, y)
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def _hinted_drafts(a: FloatArray, b: FloatArray, hint: str) -> list[_Draft]:
    """The CRS the user names, in both column orders (the given order wins a tie)."""
    try:
        crs = CRS.from_user_input(hint.upper())
    except pyproj.exceptions.CRSError as err:
        raise CRSError(f"Unknown CRS {hint!r}; name an EPSG code such as EPSG:4545 (CGCS2000 3-degree GK, 108E).") from err
    label, text, datum = describe_crs(crs)
    drafts = []
    for swapped in (False, True):
        lon, lat = _transform(crs, *((b, a) if swapped else (a, b)))
        d = _Draft(label, text, datum, swapped, lon, lat, [(f"按指定的 {label}({crs.name})", f"{label} as given ({crs.name})")])
        if swapped:
            d.notes.append(("两列按相反顺序读", "the two columns read in the other order"))
        drafts.append(d)
    return drafts


def describe_crs(crs: CRS) -> tuple[str, str, str]:
    """(label, crs text, datum) of a pyproj CRS: ``EPSG:N`` when it has a code, else its name and WKT."""
    code = crs.to_epsg(min_confidence=70)
    text = f"EPSG:{code}" if code else crs.to_wkt()
    name = crs.datum.name if crs.datum else ""
    datum = "wgs84" if "1984" in name else "cgcs2000" if "2000" in name else name
    return (text if code else crs.name), text, datum


def _declare(drafts: list[_Draft], declared: CRS, a: FloatArray, b: FloatArray) -> None:
    """Give the declared CRS its bonus, adding it as a reading when no draft is that CRS yet."""
    label, text, datum = describe_crs(declared)
    lonlat = declared.is_geographic and datum in ("wgs84", "cgcs2000")
    matches = [d for d in drafts if d.label == label or (lonlat and d.label in ("EPSG:4326", "EPSG:4490"))]
    if not matches:
        lon, lat = _transform(declared, a, b)
        matches = [_Draft(label, text, datum, False, lon, lat)]
        drafts.append(matches[0])
    for d in matches:
        d.bonus += DECLARED_BONUS
        d.notes.append((f"文件声明为 {label}({declared.name}),因此加 {DECLARED_BONUS:.2f} 分",
                        f"the file declares {label} ({declared.name}); ranked +{DECLARED_BONUS:.2f} for that"))


def _judge_by_reference(drafts: list[_Draft], reference: Mapping[int, tuple[float, float]]) -> None:
    """Note each reading's consistent offset to the reference points; a clear winner gets the bonus."""
    rows = np.fromiter(reference.keys(), dtype=int)
    known = np.array(list(reference.values()), dtype=float).reshape(-1, 2)
    n = drafts[0].lon.size
    if np.any((rows < 0) | (rows >= n)):
        bad = [int(r) for r in rows if not 0 <= r < n]
        raise OptionError(f"Reference points name rows {bad[:5]}, but there are only {n} rows (0-{n - 1}); give row positions in the columns.")
    offsets = [_offset_m(d.lon[rows], d.lat[rows], known) for d in drafts]
    for d, off in zip(drafts, offsets, strict=True):
        d.notes.append((f"与 {rows.size} 个参照点的一致偏移 {off:.0f} 米", f"consistent offset to {rows.size} reference point(s): {off:.0f} m"))
    if rows.size < MIN_REFERENCES:
        for d in drafts:
            d.notes.append((f"参照点太少,无法判断基准(至少 {MIN_REFERENCES} 个)",
                            f"too few reference points to decide the datum (need {MIN_REFERENCES})"))
        return
    order = sorted(range(len(drafts)), key=lambda i: offsets[i])
    if len(order) > 1 and offsets[order[0]] < 0.5 * offsets[order[1]]:
        best = drafts[order[0]]
        best.bonus += REFERENCE_BONUS
        best.notes.append((f"最接近参照点({offsets[order[0]]:.0f} 米,次优读法 {offsets[order[1]]:.0f} 米)",
                           f"closest to the reference points ({offsets[order[0]]:.0f} m vs {offsets[order[1]]:.0f} m for the next reading)"))


def _offset_m(lon: FloatArray, lat: FloatArray, known: npt.NDArray[np.float64]) -> float:
    """Length of the median offset vector (metres) from the points to their known positions."""
    ok = np.isfinite(lon) & np.isfinite(lat)
    if not ok.any():
        return math.inf
    k = known[ok]
    east = (k[:, 0] - lon[ok]) * 111_320.0 * np.cos(np.radians(k[:, 1]))
    north = (k[:, 1] - lat[ok]) * 110_574.0
    return float(math.hypot(float(np.median(east)), float(np.median(north))))


def _note_datum_ambiguity(drafts: list[_Draft], area: BaseGeometry) -> None:
    datums = {d.datum for d in drafts}
    if not {"gcj02", "bd09"} & datums or not {"wgs84", "cgcs2000"} & datums:
        return
    c = area.centroid
    here = np.array([c.x]), np.array([c.y])
    gcj, bd = (_offset_m(*here, np.column_stack(from_wgs84(*here, datum=d))) for d in ("gcj02", "bd09"))
    note = (
        f"GCJ-02 在此处使点偏移约 {gcj:.0f} 米,BD-09 约 {bd:.0f} 米;在一个县内,没有参照点(按名称对上的已知位置要素)就无法与 "
        "WGS84/CGCS2000 区分;未指定基准时优先 WGS84/CGCS2000",
        f"GCJ-02 moves points by about {gcj:.0f} m here and BD-09 by about {bd:.0f} m, so inside a county the datum "
        "cannot be told apart from WGS84/CGCS2000 without reference points (features of known position matched by name); "
        "unless the datum is given, WGS84/CGCS2000 is kept first",
    )
    for d in drafts:
        if d.label in _LABEL.values():
            d.notes.append(note)


def _rank(drafts: list[_Draft], area: BaseGeometry) -> list[Candidate]:
    """Score every draft by the share of points inside the buffered area; best (score + bonus) first."""
    lat_max = max(abs(area.bounds[1]), abs(area.bounds[3]))
    zone = shapely.buffer(area, TOLERANCE_M / (111_320.0 * math.cos(math.radians(min(lat_max, 85.0)))))
    shapely.prepare(zone)
    scored = []
    for d in drafts:
        ok = np.isfinite(d.lon) & np.isfinite(d.lat)
        inside = int(np.count_nonzero(shapely.contains_xy(zone, d.lon[ok], d.lat[ok])))
        score = inside / max(int(ok.sum()), 1)
        notes = [(f"{int(ok.sum())} 个点中 {inside} 个在县域内(容差 {TOLERANCE_M:.0f} 米)",
                  f"{inside} of {int(ok.sum())} points inside the county (within {TOLERANCE_M:.0f} m)")]
        if score < LOW_SCORE:
            notes.append((f"只有 {score:.0%} 在县内:这种读法多半不对", f"only {score:.0%} inside: this reading is probably wrong"))
        scored.append((score + d.bonus, Candidate(d.label, d.crs, d.datum, d.swapped, score, d.lon, d.lat, _reason(notes + d.notes))))
    scored.sort(key=lambda rc: -rc[0])
    return [c for _, c in scored]
