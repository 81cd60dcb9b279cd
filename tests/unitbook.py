"""Unit workbooks as a unit's staff get and fill them: the 2026-Q4 templates of the sample city."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from conftest import CITY_DIR
from dxreport.cli import main
from dxreport.domain.config import load_indicators
from dxreport.intake.workbook import (
    COL_NOTE,
    COL_PREPARER,
    COL_PREVIOUS,
    COL_VALUE,
    DATA_SHEET,
    HEADER_ROW,
    META_FIRST_ROW,
    META_ROWS,
    META_VALUE_COL,
    PREPARER_ROWS,
    TEMPLATE_VERSION,
    YES,
)
from openpyxl import load_workbook

PERIOD = "2026-Q4"
DEPARTMENT, WARD = "SNV", "P-HCH"
NAME, PHONE = "Nguyễn Thị Lan", "0905 123 456"
JUMP_CODE = "HS_TONG"  # filled at three times last quarter's value: the cell must turn orange
JUMP_NOTE = "Tăng do nhận thêm thủ tục đất đai"
KINDS = {code: i.kind for code, i in load_indicators(CITY_DIR).items()}


def template(out_dir: Path, unit: str, db: Path) -> Path:
    """``dxreport template`` for one unit, with last quarter's values from ``db``."""
    assert main(["template", "--city", "danang", "--period", PERIOD, "--unit", unit, "--out", str(out_dir), "--db", str(db)]) == 0
    return out_dir / f"{unit}.xlsx"


def meta_cell(key: str) -> str:
    col = META_VALUE_COL[TEMPLATE_VERSION]
    return f"{chr(64 + col)}{META_FIRST_ROW + list(META_ROWS.values()).index(key)}"


def fill(source: Path, target: Path, *, name: str | None = NAME, phone: str | None = PHONE, yes_no: str = YES) -> dict[str, object]:
    """Fill every open cell of a template as its staff would (openpyxl); returns what went into each value cell."""
    wb = load_workbook(source)
    ws = wb[DATA_SHEET]
    ws[meta_cell("submitted_on")] = date(2026, 12, 18)
    filled: dict[str, object] = {}
    for r in range(HEADER_ROW + 1, ws.max_row + 1):
        code, previous = ws.cell(r, 2).value, ws.cell(r, COL_PREVIOUS).value
        label = ws.cell(r, 1).value
        if not code:
            if label in PREPARER_ROWS:
                ws.cell(r, COL_PREPARER).value = {"preparer_name": name, "preparer_phone": phone}[PREPARER_ROWS[label]]
            continue
        kind = KINDS[code]
        if kind == "yesno":
            value: object = yes_no
        elif kind == "share":
            value = round(min(1.0, (previous or 0.5) + 0.02), 4)
        else:
            base = previous if isinstance(previous, (int, float)) else 100
            value = int(base * 3) if code == JUMP_CODE else int(base * 1.05)
        ws.cell(r, COL_VALUE).value = value
        if code == JUMP_CODE:
            ws.cell(r, COL_NOTE).value = JUMP_NOTE
        filled[code] = value
    target.parent.mkdir(parents=True, exist_ok=True)
    wb.save(target)
    return filled
