"""Downloads never carry a live formula: CSV and XLSX bytes from tables made in code."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd

from geo.tables import csv_bytes, spreadsheet_safe, xlsx_bytes

DF = pd.DataFrame({"name": ['=HYPERLINK("http://x","点我")', "+1", "-cmd", "@SUM(A1)", "正常名称"], "value": [-1.5, 2, 3, 4, 5]})


def test_text_cells_starting_a_formula_get_an_apostrophe_numbers_do_not() -> None:
    safe = spreadsheet_safe(DF)
    assert safe["name"].tolist() == ['\'=HYPERLINK("http://x","点我")', "'+1", "'-cmd", "'@SUM(A1)", "正常名称"]
    assert safe["value"].tolist() == [-1.5, 2, 3, 4, 5]


def test_xlsx_cells_are_text_not_formulas() -> None:
    ws = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(DF))).active
    cells = [ws.cell(row=r, column=1) for r in range(2, 7)]
    assert all(c.data_type == "s" for c in cells)
    assert cells[0].value.startswith("'=HYPERLINK")
    assert ws.cell(row=2, column=2).value == -1.5


def test_csv_has_bom_and_no_cell_starts_with_a_formula_character() -> None:
    text = csv_bytes(DF).decode("utf-8-sig")
    rows = [line.split(",")[0].strip('"') for line in text.splitlines()[1:]]
    assert not any(r.startswith(("=", "+", "-", "@")) for r in rows)
