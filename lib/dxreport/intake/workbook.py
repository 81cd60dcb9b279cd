"""The submission workbook: the Excel file a unit fills in each quarter.

One layout, versioned by :data:`TEMPLATE_VERSION`; intake refuses a workbook of
another version. The same module writes blank templates and the sample data, so
the sample submissions always have the shape a department receives.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Iterable

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from dxreport.domain import fmt
from dxreport.domain.config import Indicator

TEMPLATE_VERSION = "dxreport-bieu-mau-1"
DATA_SHEET = "BaoCao"
HELP_SHEET = "HuongDan"
META_ROWS = {  # label in column A → key; value in column B
    "Mã đơn vị": "unit",
    "Tên đơn vị": "unit_name",
    "Kỳ báo cáo": "period",
    "Ngày gửi": "submitted_on",
    "Phiên bản biểu mẫu": "template_version",
}
META_FIRST_ROW = 3
HEADER_ROW = 9
HEADERS = ["STT", "Mã chỉ tiêu", "Tên chỉ tiêu", "Đơn vị tính", "Giá trị", "Kỳ trước", "Ghi chú, tài liệu kiểm chứng"]
COL_CODE, COL_VALUE, COL_NOTE = 2, 5, 7  # 1-based column numbers
COLUMN_LETTERS = {"code": "B", "value": "E", "note": "G"}

INSTRUCTIONS = [
    "HƯỚNG DẪN ĐIỀN BIỂU BÁO CÁO SỐ LIỆU CHUYỂN ĐỔI SỐ",
    "",
    "1. Chỉ nhập số liệu vào cột 'Giá trị' (cột E) và 'Ghi chú, tài liệu kiểm chứng' (cột G) của trang BaoCao; các ô khác đã được khóa.",
    "2. Ghi ngày gửi báo cáo vào ô B6 (dạng ngày/tháng/năm).",
    "3. Số lượng (hồ sơ, người, trạm...) nhập số nguyên; nếu có dấu phân cách hàng nghìn thì dùng dấu chấm (1.234), dấu phẩy chỉ dùng cho phần thập phân.",
    "4. Chỉ tiêu có đơn vị tính '%' nhập tỷ lệ phần trăm, ví dụ 85% hoặc 85,5%; không nhập 85 (thiếu dấu %).",
    "5. Chỉ tiêu có/không nhập 1 (có) hoặc 0 (chưa).",
    "6. Không đổi tên trang tính, không thêm hoặc xóa dòng, không gộp ô, không dùng công thức.",
    "7. Dùng bảng mã Unicode (không dùng TCVN3/ABC hoặc VNI) khi ghi chú bằng tiếng Việt.",
    "8. Nếu cần sửa số liệu đã gửi, gửi lại toàn bộ tệp; hệ thống giữ lại lần gửi trước.",
]


@dataclass(frozen=True)
class Row:
    indicator: Indicator
    value: float | int | None
    previous: float | int | None = None
    note: str = ""


_thin = Side(style="thin", color="808080")
_border = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
_input_fill = PatternFill("solid", fgColor="FFF8DC")


def _number_format(indicator: Indicator) -> str:
    return {"share": "0.0%", "count": "#,##0", "yesno": "0"}[indicator.kind]


def _validation(indicator: Indicator) -> DataValidation:
    if indicator.kind == "yesno":
        dv = DataValidation(type="list", formula1='"0,1"', allow_blank=True)
    elif indicator.kind == "share":
        dv = DataValidation(type="decimal", operator="between", formula1="0", formula2="1", allow_blank=True)
    else:
        dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
    dv.error = "Giá trị không hợp lệ cho chỉ tiêu này (xem trang HuongDan)."
    dv.errorTitle = "Sai kiểu dữ liệu"
    dv.showErrorMessage = True
    return dv


def write_workbook(
    path: Path,
    *,
    unit: str,
    unit_name: str,
    period: str,
    rows: Iterable[Row],
    submitted_on: date | None = None,
) -> None:
    """Write a unit's workbook for ``period``; blank values make it a template."""
    wb = Workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    ws["A1"] = "BIỂU BÁO CÁO SỐ LIỆU CHUYỂN ĐỔI SỐ"
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"] = f"{unit_name} — {fmt.period_label(period)}"
    meta = {
        "unit": unit,
        "unit_name": unit_name,
        "period": period,
        "submitted_on": submitted_on,
        "template_version": TEMPLATE_VERSION,
    }
    for offset, (label, key) in enumerate(META_ROWS.items()):
        r = META_FIRST_ROW + offset
        ws.cell(r, 1, label).font = Font(bold=True)
        cell = ws.cell(r, 2, meta[key])
        if key == "submitted_on":
            cell.number_format = "DD/MM/YYYY"
            cell.protection = Protection(locked=False)
            cell.fill = _input_fill
    for c, title in enumerate(HEADERS, start=1):
        cell = ws.cell(HEADER_ROW, c, title)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        cell.border = _border
    validations: dict[str, DataValidation] = {}
    for n, row in enumerate(rows, start=1):
        r = HEADER_ROW + n
        i = row.indicator
        values = [n, i.code, i.name, i.unit_of_measure, row.value, row.previous, row.note or None]
        for c, v in enumerate(values, start=1):
            cell = ws.cell(r, c, v)
            cell.border = _border
            if c == 3:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        for c in (COL_VALUE, 6):
            ws.cell(r, c).number_format = _number_format(i)
        for c in (COL_VALUE, COL_NOTE):
            ws.cell(r, c).protection = Protection(locked=False)
            ws.cell(r, c).fill = _input_fill
        dv = validations.setdefault(i.kind, _validation(i))
        dv.add(ws.cell(r, COL_VALUE))
    for dv in validations.values():
        ws.add_data_validation(dv)
    for letter, width in zip("ABCDEFG", (6, 16, 60, 12, 14, 14, 40)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)
    ws.protection.sheet = True
    ws.protection.formatRows = False
    ws.protection.formatColumns = False

    help_ws = wb.create_sheet(HELP_SHEET)
    for r, line in enumerate(INSTRUCTIONS, start=1):
        help_ws.cell(r, 1, line)
    help_ws["A1"].font = Font(bold=True)
    help_ws.column_dimensions["A"].width = 120
    help_ws.protection.sheet = True
    wb.security = WorkbookProtection(lockStructure=True)  # no sheet renamed, added or removed
    wb.properties.creator = "dxreport"
    wb.properties.title = f"Biểu báo cáo {unit} {period}"
    stamp = datetime(2000, 1, 1)  # fixed, so regenerating a workbook gives the same content
    wb.properties.created = stamp
    wb.properties.modified = stamp
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def blank_rows(
    indicators: Iterable[Indicator], previous: dict[str, float | int | None] | None = None
) -> list[Row]:
    """Rows of a blank template: no value, last period's value shown beside it for reference."""
    previous = previous or {}
    return [Row(i, None, previous.get(i.code)) for i in indicators]
