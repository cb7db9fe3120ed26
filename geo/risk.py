"""Scoring and classification for township risk (pure functions on pandas objects)."""

from __future__ import annotations

from collections.abc import Mapping

import mapclassify
import numpy as np
import pandas as pd

from geo.errors import OptionError, UnknownNameError

SCHEMES = ("fixed", "natural_breaks", "quantiles")
N_LEVELS = 4


def normalise(values: pd.Series) -> pd.Series:
    """Min-max scale to 0..1 (a constant series becomes all zeros)."""
    v = values.astype(float).fillna(0.0)
    span = v.max() - v.min()
    return (v - v.min()) / span if span > 0 else v * 0.0


def weighted_score(indicators: pd.DataFrame, weights: Mapping[str, float]) -> pd.Series:
    """Weighted mean of normalised indicator columns; weights are renormalised to sum to 1."""
    missing = [k for k in weights if k not in indicators.columns]
    if missing:
        raise UnknownNameError(f"Indicators {missing} have weights but no values; columns are {list(indicators.columns)}. "
                               "Remove those weights or add the columns.")
    total = float(sum(weights.values()))
    if total <= 0:
        raise OptionError(f"Weights {dict(weights)} sum to {total}; give at least one positive weight.")
    return sum((normalise(indicators[k]) * (w / total) for k, w in weights.items()), start=pd.Series(0.0, index=indicators.index))


def class_upper_bounds(values: pd.Series, *, scheme: str, thresholds: tuple[float, float, float]) -> list[float]:
    """Upper bounds of the 4 classes, lowest class first (the last bound is the maximum)."""
    v = values.astype(float).to_numpy()
    vmax = float(v.max()) if v.size else 1.0
    if scheme == "fixed":
        l1, l2, l3 = thresholds
        return [l3, l2, l1, max(vmax, l1)]
    if scheme not in SCHEMES:
        raise OptionError(f"Unknown classification scheme {scheme!r}; use one of {list(SCHEMES)}.")
    k = min(N_LEVELS, len(np.unique(v)))
    if k < 2:
        return [vmax] * N_LEVELS
    cls = mapclassify.NaturalBreaks(v, k=k) if scheme == "natural_breaks" else mapclassify.Quantiles(v, k=k)
    bins = [float(b) for b in cls.bins]
    return [bins[0]] * (N_LEVELS - len(bins)) + bins


def classify(values: pd.Series, *, scheme: str, thresholds: tuple[float, float, float]) -> pd.Series:
    """Risk level per value: 1 = 重大 (highest) ... 4 = 低, by ``scheme``.

    ``fixed`` uses ``thresholds`` = (level1, level2, level3) lower bounds; ``natural_breaks``
    (Jenks) and ``quantiles`` come from mapclassify with k = 4.
    """
    bounds = class_upper_bounds(values, scheme=scheme, thresholds=thresholds)
    if scheme == "fixed":
        l1, l2, l3 = thresholds
        lv = np.select([values >= l1, values >= l2, values >= l3], [1, 2, 3], default=4)
        return pd.Series(lv, index=values.index, dtype=int)
    idx = np.searchsorted(np.asarray(bounds[:-1]), values.to_numpy(dtype=float), side="left")
    return pd.Series(N_LEVELS - idx, index=values.index, dtype=int)
