"""geo.dms: decimal degrees and degrees-minutes-seconds (度分秒) parsing."""

from __future__ import annotations

import pytest

from geo.dms import normalize_angle_text, parse_angle
from geo.errors import CoordinateError


@pytest.mark.parametrize(
    ("text", "axis", "expected"),
    [
        # 107 + 24/60 + 30/3600 = 107 + 0.4 + 0.0083333 = 107.4083333
        ("107°24'30\"E", "lon", 107.4083333333),
        ("107°24′30″E", "lon", 107.4083333333),
        ("107°24'30''", "lon", 107.4083333333),
        ("107度24分30秒", "lon", 107.4083333333),
        ("东经107度24分30秒", "lon", 107.4083333333),
        # 30 + 12/60 = 30.2
        ("北纬30度12分", "lat", 30.2),
        ("30:12:00 S", "lat", -30.2),
        ("南纬30度12分", "lat", -30.2),
        ("30°12'N", "lat", 30.2),
        ("N 30°12'", "lat", 30.2),
        # 107 + 30/60 = 107.5, west -> negative
        ("107°30'W", "lon", -107.5),
        ("西经107度30分", "lon", -107.5),
        # -3 - 30/60 = -3.5 (the docstring's own example)
        ("-3:30:00", "lon", -3.5),
        ("-107.5", "lon", -107.5),
        (" 107.408 ", "lon", 107.408),
        ("107°", "lon", 107.0),
    ],
)
def test_parse_angle_text(text: str, axis: str, expected: float) -> None:
    assert parse_angle(text, axis=axis) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize(("value", "expected"), [(107, 107.0), (107.408, 107.408), (-30.5, -30.5), (0, 0.0)])
def test_parse_angle_numbers(value: float, expected: float) -> None:
    assert parse_angle(value) == expected


@pytest.mark.parametrize("text", ["abc", "", "107°24'30\"X", "1O7.5", "107,5"])
def test_unreadable_text_raises(text: str) -> None:
    with pytest.raises(CoordinateError, match=r"Cannot read .* as an angle; write decimal degrees"):
        parse_angle(text)


@pytest.mark.parametrize("text", ["107°60'00\"", "107°24'60\"", "107度75分"])
def test_minutes_or_seconds_of_sixty_raise(text: str) -> None:
    with pytest.raises(CoordinateError, match="Minutes and seconds in .* must be below 60"):
        parse_angle(text)


@pytest.mark.parametrize(("value", "axis"), [(95, "lat"), ("95", "lat"), ("北纬95度", "lat"), (-90.5, "lat"), (181.0, "lon")])
def test_out_of_range_raises(value: str | float, axis: str) -> None:
    with pytest.raises(CoordinateError, match=rf"{axis} value .* is outside"):
        parse_angle(value, axis=axis)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), "nan"])
def test_non_finite_raises(value: str | float) -> None:
    with pytest.raises(CoordinateError, match="is outside -180..180 degrees"):
        parse_angle(value)


def test_latitude_range_is_not_applied_to_longitude() -> None:
    assert parse_angle(95, axis="lon") == 95.0


@pytest.mark.parametrize(("text", "expected"), [("东经107.5", 107.5), ("107.5E", 107.5), ("N30.5", 30.5)])
def test_decimal_degrees_with_hemisphere(text: str, expected: float) -> None:
    assert parse_angle(text) == pytest.approx(expected)


def test_degrees_colon_minutes() -> None:
    # 30 + 12/60 = 30.2
    assert parse_angle("30:12", axis="lat") == pytest.approx(30.2)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 107 + 21/60 + 15.3/3600 = 107 + 0.35 + 0.00425 = 107.35425
        ("107°21′15.3″", 107.35425),
        ("107度21分15.3秒", 107.35425),
        ("107°21’15.3”", 107.35425),  # the curly quotes of a Chinese input method
        ("１０７°２１′１５．３″", 107.35425),  # full width
        ("１０７度２１分１５．３秒", 107.35425),
        ("107-21-15.3", 107.35425),  # dashes between the parts
        ("107-21-15.3E", 107.35425),
        ("107-21", 107.35),
        ("１０７．３５４２５", 107.35425),
        ("107º21′15.3″", 107.35425),  # masculine ordinal typed for the degree sign
    ],
)
def test_habits_of_ledgers(text: str, expected: float) -> None:
    assert parse_angle(text) == pytest.approx(expected, abs=1e-9)


def test_dashes_with_a_leading_minus_are_refused_not_guessed() -> None:
    with pytest.raises(CoordinateError, match="Cannot read '-107-21-15.3' as an angle"):
        parse_angle("-107-21-15.3")


def test_normalize_angle_text() -> None:
    assert normalize_angle_text("１０７－２１－１５．３") == "107:21:15.3"
    assert normalize_angle_text(" 107°21’15.3” ") == "107°21′15.3″"
