"""The documented, editable model parameters in ``data/`` (risk levels, weights and colours)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from layers.catalog.registry import DATA_DIR

RISK_CONFIG = DATA_DIR / "risk.toml"


def risk_config(path: Path = RISK_CONFIG) -> dict:
    """The documented, editable risk parameters."""
    with path.open("rb") as fh:
        return tomllib.load(fh)
