"""Broken submissions made by the tests themselves, from one clean sample workbook."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import SAMPLE_DIR
from openpyxl import load_workbook

PERIOD, UNIT = "2026-Q3", "SCT"
CLEAN = SAMPLE_DIR / PERIOD / f"{UNIT}.xlsx"


def clean_copy(folder: Path, name: str = f"{UNIT}.xlsx", period: str = PERIOD, source: Path = CLEAN) -> Path:
    target = folder / period / name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target


def edit(path: Path, change) -> Path:
    """Open with openpyxl, let ``change(wb, ws)`` alter it, save in place."""
    wb = load_workbook(path)
    change(wb, wb["BaoCao"] if "BaoCao" in wb.sheetnames else wb.worksheets[0])
    wb.save(path)
    return path


def row_of(path: Path, code: str) -> int:
    ws = load_workbook(path, read_only=True)["BaoCao"]
    for r, row in enumerate(ws.iter_rows(values_only=True), start=1):
        if len(row) > 1 and row[1] == code:
            return r
    raise KeyError(code)
