"""The one error hierarchy: every error class is a GeoError and keeps the built-in a caller may catch."""

from __future__ import annotations

import inspect

import pytest

from geo import errors
from geo.errors import (
    ConflictError,
    CoordinateError,
    CRSError,
    DatabaseError,
    GeoError,
    GeometryError,
    NotARasterError,
    NotPermittedError,
    OptionError,
    PermissionDeniedError,
    Problem,
    RasterTooLargeError,
    SourceReadError,
    UnknownNameError,
    ValidationError,
)

BUILT_IN = {  # each error and the built-in it also is, so `except ValueError` in older callers keeps working
    CRSError: ValueError, CoordinateError: ValueError, SourceReadError: OSError, NotARasterError: OSError,
    RasterTooLargeError: ValueError, OptionError: ValueError, GeometryError: ValueError, ConflictError: RuntimeError, DatabaseError: OSError,
    NotPermittedError: PermissionError, PermissionDeniedError: PermissionError, UnknownNameError: KeyError,
    ValidationError: ValueError,
}


def test_every_error_class_in_the_module_is_a_geo_error() -> None:
    classes = [c for _, c in inspect.getmembers(errors, inspect.isclass) if issubclass(c, BaseException)]
    assert set(classes) == {GeoError, *BUILT_IN}
    assert all(issubclass(c, GeoError) for c in classes)


@pytest.mark.parametrize(("cls", "builtin"), list(BUILT_IN.items()), ids=lambda v: v.__name__)
def test_each_error_also_inherits_its_built_in(cls: type[GeoError], builtin: type[Exception]) -> None:
    assert issubclass(cls, GeoError) and issubclass(cls, builtin)


def test_raster_errors_come_from_geo_errors() -> None:
    from geo import raster

    assert raster.RasterTooLargeError is RasterTooLargeError and raster.NotARasterError is NotARasterError
    assert RasterTooLargeError.__module__ == NotARasterError.__module__ == "geo.errors"
    assert issubclass(NotARasterError, SourceReadError)


def test_raster_too_large_names_the_file_the_sizes_and_the_fix() -> None:
    err = RasterTooLargeError("dem.tif", 20_000, 10_000, 2, 800_000_000, limit=100_000_000, limit_bytes=1 << 30)
    assert (err.name, err.width, err.height, err.bands, err.limit, err.limit_bytes) == ("dem.tif", 20_000, 10_000, 2, 100_000_000, 1 << 30)
    with pytest.raises(RasterTooLargeError, match=r"dem\.tif is 20000 x 10000 pixels \(2 band\(s\), 0\.7 GiB to decode\); "
                       r"the limit is 100,000,000 pixels and 1 GiB\. Add overviews \(gdaladdo dem\.tif"):
        raise err


def test_unknown_name_error_reads_as_its_message_not_a_quoted_key() -> None:
    assert str(UnknownNameError("No layer 'x'; known: ['a'].")) == "No layer 'x'; known: ['a']."


def test_validation_error_lists_every_problem_with_where_it_is() -> None:
    err = ValidationError("pts.csv", [Problem(3, "lon", "lon is empty."), Problem(None, None, "no rows.")])
    assert str(err) == "2 problem(s) in pts.csv:\npts.csv, row 3, field 'lon': lon is empty.\npts.csv: no rows."
