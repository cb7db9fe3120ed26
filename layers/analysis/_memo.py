"""A small memo for the geometric parts of the risk model that a typical change leaves alone.

Moving one reservoir recomputes the township risk, yet the townships' metric geometry, the share of
each township near rivers, in susceptible zones and in forest, and the township means of the density
surface depend only on geometry the change did not touch. They are kept here keyed by a digest of
their inputs' bytes (never by object identity), so a changed input is always recomputed."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

import numpy as np
import shapely

T = TypeVar("T")
_SIZE = 96
_store: OrderedDict[Hashable, object] = OrderedDict()
_lock = threading.Lock()  # page runs and the warm-up thread share the memo (computing is done outside it)


def digest(geoms: object) -> str:
    """A digest of the WKB of ``geoms`` (a GeoSeries, array or one geometry; None and empty count)."""
    arr = np.atleast_1d(np.asarray(geoms, dtype=object))
    wkb = shapely.to_wkb(arr, include_srid=False)
    h = hashlib.blake2b(b"|".join(b if b is not None else b"-" for b in wkb), digest_size=16)
    h.update(np.array([len(b) if b is not None else -1 for b in wkb], dtype=np.int64).tobytes())  # where each one ends
    return h.hexdigest()


def mask_key(mask: np.ndarray) -> str:
    """A short digest of a boolean selection (which rows of a layer an input uses)."""
    m = np.asarray(mask, dtype=bool)
    return hashlib.blake2b(np.packbits(m).tobytes() + len(m).to_bytes(8, "little"), digest_size=12).hexdigest()


def memo(key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()`` once per ``key`` (the last ``_SIZE`` keys are kept); callers must not mutate the result."""
    with _lock:
        if key in _store:
            _store.move_to_end(key)
            return _store[key]  # type: ignore[return-value]
    value = compute()
    with _lock:
        _store[key] = value
        if len(_store) > _SIZE:
            _store.popitem(last=False)
    return value


def clear() -> None:
    with _lock:
        _store.clear()
