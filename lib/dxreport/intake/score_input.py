"""Reading the index values a ``dxreport score`` run is given, and writing its result.

INPUT (CSV UTF-8, BOM tolerated, or XLSX) has a ``unit`` column and one column
per framework code, all at one level (components, main indices, pillars or the
total); every level above is computed. A mistake in INPUT or MAP is reported
with its file, row and column (exit 1), never as a traceback.
"""

from __future__ import annotations

import csv
import io
import math
import unicodedata
from pathlib import Path

import pandas as pd

from dxreport.domain.errors import DataError
from dxreport.domain.frameworks import LEVEL_LABELS, LEVELS, Framework

Rows = list[tuple[int, list]]


def _nfc(value) -> str:
    return "" if value is None else unicodedata.normalize("NFC", str(value)).strip()


def _read_xlsx(path: Path) -> tuple[list[str], Rows, str]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged or foreign file
        raise DataError(path, "không mở được tệp Excel (.xlsx).", hint="lưu lại tệp bằng Excel dạng .xlsx hoặc CSV UTF-8") from None
    ws = wb.worksheets[0]
    rows = [(n, list(r)) for n, r in enumerate(ws.iter_rows(values_only=True), start=1)]
    wb.close()
    rows = [(n, r) for n, r in rows if any(_nfc(v) for v in r)]
    if not rows:
        raise DataError(path, "tệp rỗng, không có dòng tiêu đề", sheet=ws.title)
    return [_nfc(v) for v in rows[0][1]], rows[1:], ws.title


def _read_csv(path: Path) -> tuple[list[str], Rows, None]:
    raw = path.read_bytes()
    if not raw.strip(b"\xef\xbb\xbf \t\r\n"):
        raise DataError(path, "tệp rỗng, không có dòng tiêu đề")
    if b"\x00" in raw or raw[:2] == b"PK":
        raise DataError(path, "không phải tệp CSV (tệp nhị phân).", hint="xuất bảng ra CSV UTF-8 hoặc dùng tệp .xlsx")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataError(path, "tệp CSV không ở mã UTF-8.", hint="trong Excel chọn Lưu dạng 'CSV UTF-8 (Comma delimited)'") from None
    first = text.splitlines()[0] if text else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: Rows = []
    try:
        for record in reader:
            if any(_nfc(v) for v in record):
                rows.append((reader.line_num, record))
    except csv.Error as e:
        raise DataError(path, f"không đọc được CSV: {e}", row=reader.line_num) from None
    if not rows:
        raise DataError(path, "tệp rỗng, không có dòng tiêu đề")
    return [_nfc(v) for v in rows[0][1]], rows[1:], None


def read_table(path: Path) -> tuple[list[str], Rows, str | None]:
    """Header, data rows with the row numbers the user sees, and the sheet (XLSX only)."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    return _read_csv(path)


def _cell(row: list, i: int):
    return row[i] if i < len(row) else None


def _number(path, sheet, row, column, value) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        x = float(value)
    else:
        text = _nfc(value).replace(" ", "")
        if "," in text and "." not in text:
            text = text.replace(",", ".")  # 0,8002 typed the Vietnamese way
        try:
            x = float(text)
        except ValueError:
            raise DataError(path, f"giá trị '{_nfc(value)}' không phải là số", sheet=sheet, row=row, column=column) from None
    if not math.isfinite(x):
        raise DataError(path, f"giá trị '{_nfc(value)}' không phải là số hữu hạn", sheet=sheet, row=row, column=column)
    return x


def _required(fw: Framework, level: str) -> list[str]:
    if level == "index":
        return [i.code for i in fw.indices if i.scored]
    if level == "component":  # bonus and penalty items may be left out: no entry is no bonus, no penalty
        return [c.code for c in fw.components()]
    return fw.codes(level)


def parse_input(path: Path, fw: Framework) -> tuple[pd.DataFrame, str]:
    """The values in INPUT (index: unit) and the level they are given at."""
    header, rows, sheet = read_table(path)
    if "unit" not in header:
        raise DataError(path, "thiếu cột 'unit' (mã đơn vị)", sheet=sheet, row=1, column="unit")
    seen: set[str] = set()
    for name in header:
        if name and name in seen:
            raise DataError(path, f"cột '{name}' xuất hiện hai lần", sheet=sheet, row=1, column=name)
        seen.add(name)
    codes = [h for h in header if h and h != "unit"]
    for name in codes:
        if fw.level_of(name) is None:
            raise DataError(path, f"mã '{name}' không có trong bộ chỉ số {fw.id}.", sheet=sheet, row=1, column=name,
                            hint="các mã hợp lệ: " + ", ".join(c for lv in LEVELS for c in fw.codes(lv)))
    col = {name: header.index(name) for name in header if name}
    filled = [c for c in codes if any(_nfc(_cell(r, col[c])) for _, r in rows)]
    levels = sorted({fw.level_of(c) for c in filled}, key=LEVELS.index)
    if not filled:
        raise DataError(path, f"không có giá trị nào cho các mã của bộ chỉ số {fw.id}", sheet=sheet, row=1)
    if len(levels) > 1:
        low = [c for c in filled if fw.level_of(c) == levels[0]]
        high = [c for c in filled if fw.level_of(c) != levels[0]]
        both = next((n for n, r in rows if any(_nfc(_cell(r, col[c])) for c in high)), 1)
        raise DataError(
            path,
            f"giá trị được nhập ở hai cấp: '{low[0]}' ({LEVEL_LABELS[levels[0]]}) và '{high[0]}' "
            f"({LEVEL_LABELS[fw.level_of(high[0])]}).",  # type: ignore[index]
            sheet=sheet, row=both, column=high[0],
            hint="chỉ nhập một cấp; các cấp trên được tính từ cấp đã nhập",
        )
    level = levels[0]
    given = [c for c in codes if fw.level_of(c) == level]
    for code in _required(fw, level):
        if code not in given:
            raise DataError(path, f"thiếu cột '{code}' ({LEVEL_LABELS[level]})", sheet=sheet, row=1, column=code)
    ranges = {c.code: c.value_range() for c in fw.leaves()}
    yesno = {c.code for c in fw.leaves() if c.rule == "yesno"}
    data: dict[str, dict[str, float]] = {}
    first_row: dict[str, int] = {}
    for n, r in rows:
        unit = _nfc(_cell(r, col["unit"]))
        if not unit:
            raise DataError(path, "thiếu mã đơn vị", sheet=sheet, row=n, column="unit")
        if unit in data:
            raise DataError(path, f"đơn vị '{unit}' xuất hiện hai lần (dòng {first_row[unit]} và dòng {n})",
                            sheet=sheet, row=n, column="unit")
        first_row[unit], data[unit] = n, {}
        for code in given:
            value = _cell(r, col[code])
            if not _nfc(value):
                if code in _required(fw, level):
                    raise DataError(path, "thiếu giá trị", sheet=sheet, row=n, column=code)
                data[unit][code] = math.nan
                continue
            x = _number(path, sheet, n, code, value)
            low, high = ranges.get(code, (0.0, 1.0))
            if not low <= x <= high:
                span = f"{low:g}..{high:g}" if math.isfinite(high) else f"từ {low:g} trở lên"
                raise DataError(path, f"giá trị {_nfc(value)} nằm ngoài khoảng cho phép {span}", sheet=sheet, row=n, column=code)
            if code in yesno and x not in (0, 1):
                raise DataError(path, f"giá trị {_nfc(value)} không hợp lệ: chỉ số có/không chỉ nhận 1 (có) hoặc 0 (không)",
                                sheet=sheet, row=n, column=code)
            data[unit][code] = x
    if not data:
        raise DataError(path, "không có dòng số liệu nào dưới dòng tiêu đề", sheet=sheet)
    values = pd.DataFrame.from_dict(data, orient="index", columns=given)
    values.index.name = "unit"
    return values, level


def parse_merge(path: Path, units: pd.Index) -> pd.DataFrame:
    """``unit,into`` pairs; a succession table (``predecessor,successor,…``) is read the same way and may split."""
    header, rows, sheet = read_table(path)
    if {"unit", "into"} <= set(header):
        a, b, splits = "unit", "into", False
    elif {"predecessor", "successor"} <= set(header):
        a, b, splits = "predecessor", "successor", True
    else:
        raise DataError(path, "cần hai cột 'unit' và 'into' (hoặc 'predecessor' và 'successor')", sheet=sheet, row=1)
    ia, ib = header.index(a), header.index(b)
    pairs: list[tuple[str, str]] = []
    first_row: dict[str, int] = {}
    for n, r in rows:
        unit, into = _nfc(_cell(r, ia)), _nfc(_cell(r, ib))
        for name, v in ((a, unit), (b, into)):
            if not v:
                raise DataError(path, "thiếu mã đơn vị", sheet=sheet, row=n, column=name)
        if unit in first_row and not splits:
            raise DataError(path, f"đơn vị '{unit}' xuất hiện hai lần (dòng {first_row[unit]} và dòng {n})",
                            sheet=sheet, row=n, column=a)
        if unit not in units:
            raise DataError(path, f"đơn vị '{unit}' không có trong tệp số liệu", sheet=sheet, row=n, column=a)
        first_row.setdefault(unit, n)
        pairs.append((unit, into))
    return pd.DataFrame(pairs, columns=["unit", "into"])
