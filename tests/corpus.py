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


DATA_PART = "xl/worksheets/sheet1.xml"  # the data sheet BaoCao, as openpyxl writes the sample


def rezip(path: Path, change, compresslevel: int = 6) -> Path:
    """Rewrite the data sheet's XML with ``change(bytes) -> bytes``; every other part is copied as it was."""
    import zipfile

    with zipfile.ZipFile(path) as src:
        parts = [(i.filename, src.read(i.filename)) for i in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as z:
        for name, data in parts:
            z.writestr(name, change(data) if name == DATA_PART else data)
    return path


def with_rows(extra: bytes):
    """A ``rezip`` change that appends ``extra`` (raw <row> elements) to the sheet's data."""
    return lambda data: data.replace(b"</sheetData>", extra + b"</sheetData>")
