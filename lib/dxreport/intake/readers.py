"""Cell values of a submission's data sheet as a grid (list of rows), whatever the file type.

Two readers for .xlsx: python-calamine (Rust, the default: about 20× faster than
openpyxl for plain values) and openpyxl read-only (kept for comparison and as a
fallback). A .csv is the data sheet saved as CSV: every cell is text, and the
numbers are parsed later the Vietnamese way. Empty cells are ``None``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

Grid = list[list[Any]]
ENGINES = ("calamine", "openpyxl")


class ReadError(Exception):
    """The reader could not read the file; ``str()`` is a Vietnamese explanation."""


def _blank_to_none(rows) -> Grid:
    return [[None if v == "" else v for v in row] for row in rows]


def read_xlsx(path: Path, sheet: str, engine: str = "calamine") -> Grid:
    try:
        if engine == "calamine":
            from python_calamine import CalamineWorkbook

            wb = CalamineWorkbook.from_path(str(path))
            rows = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
            return _blank_to_none(rows)
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
        try:
            return _blank_to_none(wb[sheet].iter_rows(values_only=True))
        finally:
            wb.close()
    except Exception as e:  # both readers raise many kinds of error for a damaged file
        raise ReadError(f"không đọc được nội dung trang '{sheet}' ({type(e).__name__})") from None


def read_csv(path: Path) -> Grid:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ReadError("tệp CSV không ở bảng mã UTF-8") from None
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)  # Excel in a Vietnamese locale separates with ';'
    return _blank_to_none(csv.reader(io.StringIO(text), delimiter=delimiter))
