"""A small memo for the geometric parts of the risk model that a typical change leaves alone.

Moving one reservoir recomputes the township risk, yet the townships' metric geometry, the share of
each township near rivers, in susceptible zones and in forest, and the township means of the density
surface depend only on geometry the change did not touch. They are kept here keyed by a digest of
their inputs' bytes (never by object identity), so a changed input is always recomputed."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

import numpy as np
import shapely

T = TypeVar("T")
_SIZE = 32
_store: OrderedDict[Hashable, object] = OrderedDict()


def digest(geoms: object) -> str:
    """A digest of the WKB of ``geoms`` (a GeoSeries, array or one geometry; None and empty count)."""
    arr = np.atleast_1d(np.asarray(geoms, dtype=object))
    h = hashlib.blake2b(digest_size=16)
    for b in shapely.to_wkb(arr, include_srid=False):
        h.update(b if b is not None else b"-")
        h.update(b"|")
    return h.hexdigest()


def memo(key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()`` once per ``key`` (the last ``_SIZE`` keys are kept); callers must not mutate the result."""
    if key in _store:
        _store.move_to_end(key)
        return _store[key]  # type: ignore[return-value]
    value = compute()
    _store[key] = value
    if len(_store) > _SIZE:
        _store.popitem(last=False)
    return value


def clear() -> None:
    _store.clear()
