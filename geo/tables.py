"""Tables handed to people as files: CSV and XLSX bytes in which no cell can run as a formula.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by Excel,
WPS and LibreOffice as a formula (``=HYPERLINK(...)`` in a feature name becomes a live link). Such
cells get a leading apostrophe, the spreadsheet convention for "this is text"; numbers stay numbers.
"""

from __future__ import annotations

import io

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutral_text(value: object) -> object:
    """``value`` with a leading apostrophe if it is text that a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def spreadsheet_safe(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells and headers cannot be read as formulas."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].astype(object).map(neutral_text)
    out.columns = [neutral_text(str(c)) for c in out.columns]
    return out


def csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 CSV with a BOM (Excel on Chinese Windows opens it correctly), formulas neutralised."""
    return spreadsheet_safe(df).to_csv(index=False).encode("utf-8-sig")


def xlsx_bytes(df: pd.DataFrame, *, sheet: str = "Sheet1") -> bytes:
    """One-sheet XLSX, formulas neutralised."""
    buf = io.BytesIO()
    spreadsheet_safe(df).to_excel(buf, index=False, sheet_name=sheet[:31])
    return buf.getvalue()
