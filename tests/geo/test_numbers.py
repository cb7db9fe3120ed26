"""geo.numbers: cells of bureau tables read as numbers and angles, with a message for each problem."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo.dms import parse_angle
from geo.errors import CoordinateError
from geo.numbers import combine_dms, parse_angle_cell, parse_int, parse_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("107.35", 107.35),
        ("107,35", 107.35),  # comma decimal
        ("1,234", 1234.0),  # thousands separator
        ("3,456,789.12", 3456789.12),
        ("１０７．３５", 107.35),  # full width
        ("１０７，３５", 107.35),
        ("12户", 12.0),  # unit after the number
        ("50 万元", 50.0),
        ("-12", -12.0),
        ("－１２", -12.0),
        (" 7 ", 7.0),
        (3.5, 3.5),
        ("0,5", 0.5),
    ],
)
def test_parse_number(text: object, expected: float) -> None:
    assert parse_number(text) == (pytest.approx(expected), None)


@pytest.mark.parametrize("text", [None, "", "  ", "-", "—", "/", "无", "－", float("nan")])
def test_empty_cells_are_none_without_a_problem(text: object) -> None:
    assert parse_number(text) == (None, None)


@pytest.mark.parametrize("text", ["abc", "约12", "12-15", "12户3人", "1.2.3", "1,23,4", "12,345,67", "inf"])
def test_unreadable_numbers(text: str) -> None:
    assert parse_number(text) == (
        None, f"“{text}”不是数字，请改成数字（如 12 或 107.35） / {text!r} is not a number; write a number such as 12 or 107.35.")


@pytest.mark.parametrize(("text", "expected"), [("12", 12), ("12.0", 12), ("12人", 12), ("1,234", 1234), ("１２", 12)])
def test_parse_int(text: str, expected: int) -> None:
    value, problem = parse_int(text)
    assert (value, problem) == (expected, None) and isinstance(value, int)


def test_parse_int_refuses_fractions_and_words() -> None:
    assert parse_int("12.5") == (None, "“12.5”不是整数，请填写整数（如 12） / '12.5' is not a whole number; write a whole number such as 12.")
    assert parse_int("十二")[1] is not None and parse_int("十二")[1].startswith("“十二”不是数字")  # type: ignore[union-attr]
    assert parse_int("") == (None, None)


@pytest.mark.parametrize(
    ("text", "axis", "expected"),
    [
        # 107 + 21/60 + 15.3/3600 = 107.35425; 29 + 45/60 + 36/3600 = 29.76
        ("107°21′15.3″", "lon", 107.35425),
        ("107度21分15.3秒", "lon", 107.35425),
        ("107-21-15.3", "lon", 107.35425),
        ("１０７°２１′１５．３″", "lon", 107.35425),
        ("107.35425", "lon", 107.35425),
        ("107,35425", "lon", 107.35425),  # comma decimal
        ("北纬29°45′36″", "lat", 29.76),
        ("29°45’36”", "lat", 29.76),
    ],
)
def test_parse_angle_cell(text: str, axis: str, expected: float) -> None:
    assert parse_angle_cell(text, axis=axis) == (pytest.approx(expected, abs=1e-9), None)


def test_parse_angle_cell_messages() -> None:
    assert parse_angle_cell("") == (None, None)
    assert parse_angle_cell("107°61′") == (None, "“107°61′”的分或秒不小于60，请改正 / Minutes and seconds in '107°61′' must be below 60.")
    assert parse_angle_cell("107.35", axis="lat") == (
        None, "“107.35”超出纬度范围（-90～90度），请检查经纬度两列是否写反 / lat value '107.35' is outside -90..90 degrees; "
        "check for swapped lon/lat columns.")
    value, problem = parse_angle_cell("一百零七度")
    assert value is None and problem is not None
    assert problem.startswith("“一百零七度”不能读作经度：请写十进制度（如 107.35425）或度分秒（如 107°21′15.3″、107度21分15.3秒） / Cannot read")


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("107", "21", "15.3"), 107.35425),
        (("107", "21", ""), 107.35),
        (("107", "", ""), 107.0),
        (("１０７", "２１", "１５．３"), 107.35425),
        (("107", "21", "15,3"), 107.35425),
        (("-3", "30", "0"), -3.5),
    ],
)
def test_combine_dms(parts: tuple[str, str, str], expected: float) -> None:
    assert combine_dms(*parts) == (pytest.approx(expected, abs=1e-9), None)


def test_combine_dms_messages() -> None:
    assert combine_dms("", "", "") == (None, None)
    assert combine_dms("107", "75", "3") == (None, "分“75”须在0～60之间（不含60） / minutes '75' must be at least 0 and below 60.")
    assert combine_dms("107", "21", "60") == (None, "秒“60”须在0～60之间（不含60） / seconds '60' must be at least 0 and below 60.")
    assert combine_dms("", "21", "3") == (None, "有分秒而没有度，请填写度 / minutes or seconds without degrees; fill in the degrees.")
    assert combine_dms("107", "x", "3") == (
        None, "分：“x”不是数字，请改成数字（如 12 或 107.35） / 'x' is not a number; write a number such as 12 or 107.35.")
    assert combine_dms("95", "0", "0", axis="lat") == (
        None, "95度0分0秒超出纬度范围（-90～90度），请检查经纬度是否写反 / lat 95 is outside -90..90 degrees; check for swapped lon/lat columns.")


@given(d=st.integers(0, 200), m=st.integers(0, 70), s=st.decimals(0, 70, places=2), mark=st.sampled_from(["°′″", "度分秒"]),
       axis=st.sampled_from(["lon", "lat"]))
def test_usual_cells_read_as_the_full_reading_does(d: int, m: int, s: object, mark: str, axis: str) -> None:
    """The quick path for the usual ways of writing (decimal degrees, 度分秒 with its marks) gives what
    :func:`geo.dms.parse_angle` gives, problems included (minutes of 60, a latitude of 95)."""
    for text in (f"{d}{mark[0]}{m}{mark[1]}{s}{mark[2]}", f"{d}.{m}{str(s).replace('.', '')}", str(d)):
        try:
            expected: tuple[float | None, bool] = (parse_angle(text, axis=axis), False)
        except CoordinateError:
            expected = (None, True)
        value, problem = parse_angle_cell(text, axis=axis)
        assert (value, problem is not None) == expected
