"""Bureau files made in code for the import tests: a hazard ledger as the 规划和自然资源局 keeps it
(a merged title row above the header, 度分秒 and decimal coordinates, a 合计 row at the bottom)."""

from __future__ import annotations

import io

import openpyxl

HAZARD_HEADER = ["序号", "统一编号", "隐患点名称", "乡镇(街道)", "灾害类型", "威胁人数", "经度", "纬度"]


def hazard_ledger_xlsx(rows: list[list[object]], header: list[str] = HAZARD_HEADER) -> bytes:
    """An XLSX 一览表: sheet 隐患点, a merged title row, ``header``, ``rows``, then a 合计 row."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "隐患点"
    ws.append(["垫江县2025年地质灾害隐患点一览表"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    ws.append(header)
    for r in rows:
        ws.append(r)
    ws.append(["合计"] + [None] * (len(header) - 1))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
