"""Scores and classes of the township risk model, with hand-checked numbers."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.errors import OptionError, UnknownNameError
from geo.risk import class_upper_bounds, classify, normalise, weighted_score

V = pd.Series([0.1, 0.2, 0.3, 0.5, 0.6, 0.8, 0.9, 0.95])
T = (0.7, 0.45, 0.25)


def test_normalise_min_max() -> None:
    assert normalise(pd.Series([2.0, 4.0, 6.0])).tolist() == [0.0, 0.5, 1.0]
    assert normalise(pd.Series([3.0, 3.0])).tolist() == [0.0, 0.0]


def test_weighted_score_and_weight_change() -> None:
    ind = pd.DataFrame({"a": [0.0, 10.0], "b": [5.0, 0.0]})
    # normalised a = [0, 1], b = [1, 0]; weights 3:1 -> [0.25, 0.75]
    assert weighted_score(ind, {"a": 3, "b": 1}).tolist() == [0.25, 0.75]
    # changing the weights to 1:3 swaps the result, as documented in data/risk.toml
    assert weighted_score(ind, {"a": 1, "b": 3}).tolist() == [0.75, 0.25]
    with pytest.raises(UnknownNameError, match=r"Indicators \['c'\] have weights but no values; columns are \['a', 'b'\]\. Remove"):
        weighted_score(ind, {"c": 1})
    with pytest.raises(OptionError, match=r"Weights \{'a': 0\} sum to 0\.0; give at least one positive weight"):
        weighted_score(ind, {"a": 0})


def test_fixed_thresholds() -> None:
    # >=0.7 -> 1, >=0.45 -> 2, >=0.25 -> 3, else 4
    assert classify(V, scheme="fixed", thresholds=T).tolist() == [4, 4, 3, 2, 2, 1, 1, 1]
    assert class_upper_bounds(V, scheme="fixed", thresholds=T) == [0.25, 0.45, 0.7, 0.95]


def test_quantiles_split_into_equal_counts() -> None:
    # 8 values, 4 classes of 2: upper bounds at the 25/50/75 % quantiles (linear interpolation)
    assert classify(V, scheme="quantiles", thresholds=T).tolist() == [4, 4, 3, 3, 2, 2, 1, 1]
    assert class_upper_bounds(V, scheme="quantiles", thresholds=T)[:3] == pytest.approx([0.275, 0.55, 0.825])


def test_natural_breaks_separate_clear_groups() -> None:
    groups = pd.Series([0.0, 0.01, 0.3, 0.31, 0.6, 0.61, 0.9, 0.91])
    assert classify(groups, scheme="natural_breaks", thresholds=T).tolist() == [4, 4, 3, 3, 2, 2, 1, 1]


def test_unknown_scheme() -> None:
    with pytest.raises(OptionError, match=r"Unknown classification scheme 'jenks'; use one of \['fixed', 'natural_breaks', 'quantiles'\]"):
        classify(V, scheme="jenks", thresholds=T)
