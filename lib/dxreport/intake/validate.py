"""Validation of a submission's data sheet: every problem, not just the first.

Input is a grid of cell values (from any reader) and what the office expects
(units, indicators); output is the parsed submission and the list of problems.
Pure: no file access, so every rule is tested on small hand-made grids.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from dxreport.domain import fmt
from dxreport.domain.config import Indicator
from dxreport.domain.frameworks import Framework
from dxreport.domain.periods import Period, PeriodError
from dxreport.domain.problems import Problem
from dxreport.domain.tasks import Task
from dxreport.domain.units import active_on, indicators_for
from dxreport.intake.encoding import detect_legacy
from dxreport.intake.numbers import NumberError, parse_number, parse_share
from dxreport.intake.workbook import (
    COL_CODE,
    COL_NOTE,
    COL_PREPARER,
    COL_VALUE,
    HEADER_ROW,
    HEADERS,
    META_FIRST_ROW,
    META_ROWS,
    META_VALUE_COL,
    NO,
    PREPARER_ROWS,
    TEMPLATE_VERSION,
    YES,
)
from dxreport.intake.xlsxfile import column_letters

META_ROW = {key: META_FIRST_ROW + i for i, key in enumerate(META_ROWS.values())}
# What a unit may write for a yes/no item, compared casefolded: the words the list offers, the same
# without diacritics, 'không', and the 1/0 of earlier templates (parsed as numbers).
YES_NO_WORDS = {YES.casefold(): 1, "co": 1, NO.casefold(): 0, "chua": 0, "không": 0, "khong": 0}
YES_NO_HINT = f"chọn {YES} hoặc {NO} trong danh sách của ô (hoặc ghi 1 là có, 0 là chưa)"
_PHONE_DIGITS = 8  # the fewest digits of a Vietnamese phone number with its area code
_PERIOD_IN_NAME = re.compile(r"(?<![0-9A-Za-z])((?:19|20)\d{2}(?:-[QH][1-4])?)(?![0-9A-Za-z])")


@dataclass(frozen=True)
class Expected:
    """What the office expects: its units (units.csv), indicators (indicators.yaml) and index frameworks
    (for assessment sheets, :mod:`dxreport.intake.assessment`)."""

    units: pd.DataFrame
    indicators: dict[str, Indicator]
    frameworks: dict[str, Framework] = field(default_factory=dict)
    tasks: dict[str, Task] = field(default_factory=dict)  # the programme's tasks, by code (the NhiemVu sheet)
    _active: dict[str, frozenset[str]] = field(default_factory=dict, compare=False, repr=False)
    _wanted: dict[str, list[Indicator]] = field(default_factory=dict, compare=False, repr=False)

    def active(self, period: str) -> frozenset[str]:
        """Codes of the units that exist at the end of ``period`` (cached: asked once per file)."""
        if period not in self._active:
            self._active[period] = frozenset(active_on(self.units, Period.parse(period).end).index)
        return self._active[period]

    def wanted(self, unit: str) -> list[Indicator]:
        """The indicators ``unit`` reports, in template order (cached)."""
        if unit not in self._wanted:
            self._wanted[unit] = indicators_for(unit, self.units, self.indicators)
        return self._wanted[unit]


@dataclass
class Parsed:
    unit: str = ""
    period: str = ""
    submitted_on: date | None = None
    template_version: str = ""
    preparer_name: str | None = None  # under the table, 'Người lập biểu' (templates from version 2)
    preparer_phone: str | None = None
    records: list[dict] = field(default_factory=list)  # indicator, value, note, sheet, row
    task_records: list[dict] | None = None  # the NhiemVu sheet (intake.tasksheet); None when the file has none
    problems: list[Problem] = field(default_factory=list)


def text(value: Any) -> str:
    return unicodedata.normalize("NFC", str(value)).strip() if value is not None else ""


def cell(grid: list[list[Any]], row: int, col: int) -> Any:
    """The value at 1-based (row, col), ``None`` outside the grid."""
    if row - 1 < len(grid):
        r = grid[row - 1]
        if col - 1 < len(r):
            return r[col - 1]
    return None


class _Report:
    def __init__(self, file: str, sheet: str | None):
        self.file, self.sheet, self.items = file, sheet, []

    def __call__(self, message: str, row: int | None = None, col: int | None = None, hint: str | None = None) -> None:
        self.items.append(Problem(self.file, message, self.sheet, row, column_letters(col) if col else None, hint))


def _legacy_cells(grid, report: _Report) -> None:
    for r, row in enumerate(grid, start=1):
        for c, v in enumerate(row, start=1):
            if isinstance(v, str) and not v.isascii():
                found = detect_legacy(v)
                if found:
                    report(f"chữ được gõ bằng bảng mã cũ {found.encoding} ('{found.word}', có lẽ là '{found.decoded}')", r, c,
                           "gõ lại bằng bảng mã Unicode hoặc chuyển mã (Unikey: Công cụ chuyển mã, từ "
                           f"{found.encoding} sang Unicode)")


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text(value))
        if m:
            try:
                return date(int(m[3]), int(m[2]), int(m[1]))
            except ValueError:
                return None
    return None


def _version(grid) -> tuple[str, int | None]:
    """The template version written in the title block, and the column its values are in (``None``: unknown version)."""
    r = META_ROW["template_version"]
    for version, col in META_VALUE_COL.items():
        if text(cell(grid, r, col)) == version:
            return version, col
    found = next((text(cell(grid, r, c)) for c in sorted(set(META_VALUE_COL.values())) if text(cell(grid, r, c))), "")
    return found, None


def _meta(grid, parsed: Parsed, expected: Expected, report: _Report) -> int:
    """Read the title block into ``parsed``; returns the column its values are in."""
    for label, key in META_ROWS.items():
        r = META_ROW[key]
        if text(cell(grid, r, 1)) != label:
            report(f"thiếu nhãn '{label}' (cấu trúc biểu mẫu bị thay đổi)", r, 1, "dùng lại biểu mẫu gốc, không thêm hoặc xóa dòng")
    parsed.template_version, col = _version(grid)
    if col is None:
        # Read on where the unit's code is, so the other lines still say something useful.
        col = next((c for c in sorted(set(META_VALUE_COL.values()), reverse=True) if text(cell(grid, META_ROW["unit"], c))),
                   META_VALUE_COL[TEMPLATE_VERSION])
        older = ", ".join(v for v in META_VALUE_COL if v != TEMPLATE_VERSION)
        what = (f"phiên bản biểu mẫu '{parsed.template_version}' không được hỗ trợ" if parsed.template_version
                else "không thấy phiên bản biểu mẫu (ô bị xóa hoặc không phải biểu mẫu của hệ thống)")
        report(what, META_ROW["template_version"], col,
               f"tải và dùng biểu mẫu phiên bản {TEMPLATE_VERSION} (hệ thống vẫn nhận biểu mẫu cũ {older})")
    parsed.unit = text(cell(grid, META_ROW["unit"], col)).upper()
    if parsed.unit not in expected.units.index:
        report(f"mã đơn vị '{parsed.unit}' không có trong danh mục đơn vị", META_ROW["unit"], col, "ghi đúng mã đơn vị đã được cấp trong biểu mẫu")
    raw_period = cell(grid, META_ROW["period"], col)
    try:
        parsed.period = Period.parse(text(raw_period)).id
    except PeriodError as e:
        report(str(e), META_ROW["period"], col)
    raw_day = cell(grid, META_ROW["submitted_on"], col)
    parsed.submitted_on = _date(raw_day)
    if parsed.submitted_on is None:
        what = "chưa ghi ngày gửi" if raw_day is None else f"ngày gửi '{text(raw_day)}' không đúng dạng"
        report(what, META_ROW["submitted_on"], col, "ghi ngày dạng ngày/tháng/năm, ví dụ 06/10/2026")
    if parsed.unit in expected.units.index and parsed.period:
        if parsed.unit not in expected.active(parsed.period):
            report(f"đơn vị '{parsed.unit}' không còn tồn tại (hoặc chưa thành lập) vào cuối kỳ {parsed.period}", META_ROW["unit"], col,
                   "kiểm tra lại mã đơn vị và kỳ báo cáo")
    return col


def _against_path(path: Path, parsed: Parsed, expected: Expected, report: _Report, col: int) -> None:
    """The folder ``<period>/`` and file name ``<unit>.xlsx`` must agree with what the file says."""
    folder, stem = path.parent.name, path.stem
    try:
        folder_period = Period.parse(folder).id
    except PeriodError:
        folder_period = None
    if folder_period and parsed.period and folder_period != parsed.period:
        report(f"tệp nằm trong thư mục kỳ {folder_period} nhưng ghi kỳ báo cáo {parsed.period}", META_ROW["period"], col,
               "sửa kỳ báo cáo trong tệp hoặc chuyển tệp sang đúng thư mục")
    m = _PERIOD_IN_NAME.search(stem)
    if m and parsed.period and m[1] != (parsed.period if "-" in m[1] else parsed.period[:4]):
        report(f"tên tệp ghi kỳ {m[1]} nhưng nội dung ghi kỳ báo cáo {parsed.period}", META_ROW["period"], col,
               "đặt tên tệp theo đúng kỳ báo cáo")
    name_unit = stem.upper()
    if name_unit in expected.units.index and parsed.unit and name_unit != parsed.unit:
        report(f"tên tệp là của đơn vị {name_unit} nhưng nội dung ghi mã đơn vị {parsed.unit}", META_ROW["unit"], col,
               "đặt tên tệp bằng mã đơn vị gửi báo cáo")


def _header(grid, report: _Report) -> None:
    found = [text(cell(grid, HEADER_ROW, c)) for c in range(1, len(HEADERS) + 1)]
    for c, (want, got) in enumerate(zip(HEADERS, found), start=1):
        if want != got:
            report(f"tiêu đề cột là '{got}', biểu mẫu ghi '{want}' (cấu trúc biểu mẫu bị thay đổi)", HEADER_ROW, c,
                   "dùng lại biểu mẫu gốc, không sửa dòng tiêu đề")


def _number(value: Any, indicator: Indicator) -> tuple[float | None, str | None, str | None]:
    """(value, problem, hint) for one cell of column 'Giá trị'."""
    kind = indicator.kind
    if isinstance(value, bool):
        return None, f"giá trị '{value}' là kiểu đúng/sai, không phải số", "nhập số"
    if isinstance(value, (datetime, date)):
        return None, f"Excel đã hiểu giá trị là ngày tháng ({value:%d/%m/%Y})", "định dạng ô là Số rồi nhập lại"
    if isinstance(value, (int, float)):
        number = float(value)
        if math.isnan(number) or math.isinf(number):
            return None, "giá trị không phải là số hữu hạn", "nhập lại số liệu"
        typed = True
    elif kind == "yesno" and text(value).casefold() in YES_NO_WORDS:
        return float(YES_NO_WORDS[text(value).casefold()]), None, None
    else:
        raw = text(value)
        try:
            number = float(parse_share(raw) if kind == "share" else parse_number(raw))
        except NumberError as e:
            if kind == "yesno":
                return None, f"'{raw}' không phải {YES} hoặc {NO}", YES_NO_HINT
            hint = {"share": "ghi tỷ lệ dạng 85% hoặc 85,5%", "count": "ghi số nguyên, ví dụ 1234 hoặc 1.234",
                    "index": "ghi chỉ số từ 0 đến 1, ví dụ 0,8123"}[kind]
            return None, f"giá trị không hợp lệ: {e}", hint
        typed = False
    if kind == "count" and (number < 0 or not number.is_integer()):
        return None, f"'{_show(value)}' không phải số nguyên không âm ({indicator.unit_of_measure or 'số lượng'})", "nhập số nguyên ≥ 0"
    if kind == "yesno" and number not in (0, 1):
        return None, f"'{_show(value)}' không phải {YES} hoặc {NO} (1 hoặc 0)", YES_NO_HINT
    if kind == "share" and not 0 <= number <= 1:
        hint = "nhập tỷ lệ từ 0% đến 100%"
        if typed and 1 < number <= 100:
            hint = f"ô đã định dạng %, nhập {_show(value)}% (có dấu %) thay vì {_show(value)}"
        return None, f"tỷ lệ '{_show(value)}' nằm ngoài khoảng 0%–100%", hint
    if kind == "index" and not 0 <= number <= 1:
        return None, f"chỉ số '{_show(value)}' nằm ngoài khoảng 0–1", "ghi chỉ số từ 0 đến 1 với dấu phẩy thập phân, ví dụ 0,8123"
    return number, None, None


def _show(value: Any) -> str:
    """A number as the unit should have typed it (Vietnamese form, through fmt); text as it was."""
    return fmt.number_auto(value, 6) if isinstance(value, float) else text(value)


def _rows(grid, parsed: Parsed, expected: Expected, sheet: str | None, report: _Report) -> None:
    catalogue = expected.indicators
    wanted = expected.wanted(parsed.unit) if parsed.unit in expected.units.index else None
    wanted_codes = {i.code for i in wanted} if wanted is not None else None
    seen: dict[str, int] = {}
    values: dict[str, tuple[float, int]] = {}
    for r in range(HEADER_ROW + 1, len(grid) + 1):
        row = grid[r - 1]
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
            continue
        code = text(cell(grid, r, COL_CODE)).upper()
        raw = cell(grid, r, COL_VALUE)
        if not code:
            if raw is not None:
                report("dòng có giá trị nhưng không có mã chỉ tiêu", r, COL_CODE, "không thêm dòng vào biểu mẫu; ghi số liệu vào đúng dòng của chỉ tiêu")
            continue
        if code in seen:
            report(f"chỉ tiêu {code} bị lặp (đã có ở dòng {seen[code]})", r, COL_CODE, "xóa dòng lặp, mỗi chỉ tiêu chỉ ghi một lần")
            continue
        seen[code] = r
        indicator = catalogue.get(code)
        if indicator is None:
            report(f"mã chỉ tiêu '{code}' không có trong danh mục", r, COL_CODE, "không sửa cột 'Mã chỉ tiêu'; dùng biểu mẫu gốc")
            continue
        if wanted_codes is not None and code not in wanted_codes:
            report(f"chỉ tiêu {code} không thuộc danh mục đơn vị {parsed.unit} phải báo cáo", r, COL_CODE,
                   "dùng biểu mẫu được cấp cho đúng đơn vị")
            continue
        value = None
        if raw is not None and not (isinstance(raw, str) and not raw.strip()):
            value, message, hint = _number(raw, indicator)
            if message:
                report(f"chỉ tiêu {code}: {message}", r, COL_VALUE, hint)
        if value is not None:
            values[code] = (value, r)
        note = text(cell(grid, r, COL_NOTE))
        parsed.records.append({"indicator": code, "value": value, "note": note, "sheet": sheet, "row": r})
    if wanted is not None:
        for i in wanted:
            if i.code not in seen:
                report(f"thiếu dòng của chỉ tiêu {i.code} ({i.name})", None, COL_CODE, "dùng biểu mẫu gốc của kỳ này, không xóa dòng")
    for code, (value, r) in values.items():
        bound = catalogue[code].not_above
        if bound and bound in values and value > values[bound][0]:
            report(f"chỉ tiêu {code} ({_show(value)}) lớn hơn chỉ tiêu {bound} ({_show(values[bound][0])}) ở dòng {values[bound][1]}",
                   r, COL_VALUE, f"số liệu {code} là một phần của {bound} nên không thể lớn hơn; kiểm tra lại hai số")


def _phone(value: Any) -> str:
    """A phone number as written; one Excel stored as a number gets back the leading 0 it dropped."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        digits = str(int(value))
        return "0" + digits if len(digits) == 9 else digits
    return text(value)


def _preparer(grid, parsed: Parsed, report: _Report) -> None:
    """The preparer's name and phone, on the rows labelled in column A under the table (none in version 1)."""
    for r in range(HEADER_ROW + 1, len(grid) + 1):
        key = PREPARER_ROWS.get(text(cell(grid, r, 1)))
        if key is None:
            continue
        raw = cell(grid, r, COL_PREPARER)
        value = (_phone(raw) if key == "preparer_phone" else text(raw)) if raw is not None else ""
        if key == "preparer_phone" and value and sum(ch.isdigit() for ch in value) < _PHONE_DIGITS:
            report(f"số điện thoại người lập biểu '{value}' không đúng dạng", r, COL_PREPARER,
                   "ghi số điện thoại liên hệ có mã vùng, ví dụ 0905 123 456 hoặc 0236 3822 123")
            value = ""
        setattr(parsed, key, value or None)


def validate(grid: list[list[Any]], path: Path, sheet: str | None, expected: Expected) -> Parsed:
    """Parse and check one data sheet; ``parsed.problems`` is empty when the sheet can be stored."""
    report = _Report(str(path), sheet)
    parsed = Parsed()
    grid = [[unicodedata.normalize("NFC", v) if isinstance(v, str) else v for v in row] for row in grid]
    _legacy_cells(grid, report)
    col = _meta(grid, parsed, expected, report)
    _against_path(path, parsed, expected, report, col)
    _header(grid, report)
    _rows(grid, parsed, expected, sheet, report)
    _preparer(grid, parsed, report)
    parsed.problems = report.items
    return parsed
