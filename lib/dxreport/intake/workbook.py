"""The submission workbook: the Excel file a unit fills in, prints, signs and sends each quarter.

One layout, versioned by :data:`TEMPLATE_VERSION`. Intake reads the current
version and the earlier ones in :data:`META_VALUE_COL` (they differ only in
where the title block keeps its values) and refuses any other. The same module
writes blank templates and the sample data, so the sample submissions always
have the shape a department receives.

The data sheet, top to bottom:

- rows 1–8, the title block: title, unit and period, five labelled values
  (labels merged over columns A:B, values in column C), a legend;
- row :data:`HEADER_ROW` and below, the table the validator guards: one row per
  indicator; only 'Giá trị' and 'Ghi chú' are open to input; each value cell has
  a Vietnamese prompt, yes/no items are chosen as 'Có'/'Chưa' (stored as 1/0),
  last period's value sits beside it and the cell turns orange when the new
  value jumps from it;
- under the table, the signature block: place and date, 'Người lập biểu' and
  'Thủ trưởng đơn vị' with room to sign and stamp, and the preparer's name and
  phone (column C, read by intake). It leaves columns B and E empty, so the
  table's row rules read over it unchanged.

Fonts, row heights and the printed page come from :mod:`dxreport.intake.sheetlayout`, which any
other sheet of this workbook (help now, programme tasks later) uses the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Iterable

from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Border, PatternFill, Protection, Side
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from dxreport.domain import fmt
from dxreport.domain.config import Indicator
from dxreport.intake.sheetlayout import (
    StyleCache,
    chars_for_pt,
    column_width_pt,
    finish_sheet,
    font,
    text_width_pt,
    use_default_font,
)

TEMPLATE_VERSION = "dxreport-bieu-mau-2"
META_VALUE_COL = {  # version → column of the title block's values (1-based); labels are in column A
    "dxreport-bieu-mau-1": 2,
    TEMPLATE_VERSION: 3,
}
DATA_SHEET = "BaoCao"
HELP_SHEET = "HuongDan"
META_ROWS = {  # label in column A → key; value in column META_VALUE_COL[version]
    "Mã đơn vị": "unit",
    "Tên đơn vị": "unit_name",
    "Kỳ báo cáo": "period",
    "Ngày gửi": "submitted_on",
    "Phiên bản biểu mẫu": "template_version",
}
META_FIRST_ROW = 3
HEADER_ROW = 9
HEADERS = ["STT", "Mã chỉ tiêu", "Tên chỉ tiêu", "Đơn vị tính", "Giá trị", "Kỳ trước", "Ghi chú, tài liệu kiểm chứng"]
COL_CODE, COL_VALUE, COL_PREVIOUS, COL_NOTE = 2, 5, 6, 7  # 1-based column numbers
LAST_COL = len(HEADERS)
COLUMN_LETTERS = {"code": "B", "value": "E", "previous": "F", "note": "G"}
WIDTHS = (5, 12, 54, 10, 13, 13, 28)  # characters, columns A–G; B widens to its longest code
YES, NO = "Có", "Chưa"  # what a unit picks for a yes/no item; stored as 1 and 0
SIGNERS = ("NGƯỜI LẬP BIỂU", "THỦ TRƯỞNG ĐƠN VỊ")
PREPARER_ROWS = {  # label in column A (under the table) → key; value in column C
    "Họ và tên:": "preparer_name",
    "Điện thoại:": "preparer_phone",
}
COL_PREPARER = 3
SIGNATURE_SPACE_PT = 76  # about 27 mm, 22 mm or more on paper: a signature over a 36 mm round stamp's upper part, as signed forms leave


@dataclass(frozen=True)
class JumpWarning:
    """When the value cell turns orange: the same rule as the data-quality report's jumps (the city's ``jumps`` rule, ``domain.config.JumpRule``)."""

    relative: float = 0.5
    min_absolute: float = 10
    share_points: float = 0.3

    def text(self) -> str:
        return (f"số đếm thay đổi trên {fmt.percent(self.relative, 0)} và từ {fmt.number_auto(self.min_absolute)} trở lên, "
                f"tỷ lệ thay đổi trên {fmt.number_auto(self.share_points * 100)} điểm phần trăm")


def instructions(version_col: int = META_VALUE_COL[TEMPLATE_VERSION], jump: JumpWarning = JumpWarning()) -> list[str]:
    """The help sheet, line by line."""
    date_cell = f"{chr(64 + version_col)}{META_FIRST_ROW + list(META_ROWS.values()).index('submitted_on')}"
    return [
        "HƯỚNG DẪN ĐIỀN BIỂU BÁO CÁO SỐ LIỆU CHUYỂN ĐỔI SỐ",
        "",
        f"1. Chỉ nhập vào các ô nền vàng của trang {DATA_SHEET}: cột 'Giá trị' (cột E), cột 'Ghi chú, tài liệu kiểm chứng' "
        f"(cột G), ô ngày gửi ({date_cell}), họ tên và số điện thoại người lập biểu (cuối trang); các ô khác đã được khóa. "
        "Khi chọn một ô nhập, Excel hoặc LibreOffice hiện lời nhắc: đơn vị tính, giới hạn cho phép, cách tính tỷ lệ.",
        f"2. Ghi ngày gửi báo cáo vào ô {date_cell} (dạng ngày/tháng/năm).",
        "3. Số lượng (hồ sơ, người, trạm...) nhập số nguyên; nếu có dấu phân cách hàng nghìn thì dùng dấu chấm (1.234), "
        "dấu phẩy chỉ dùng cho phần thập phân.",
        "4. Chỉ tiêu có đơn vị tính '%' nhập tỷ lệ phần trăm, ví dụ 85% hoặc 85,5%; không nhập 85 (thiếu dấu %).",
        f"5. Chỉ tiêu có/chưa chọn '{YES}' hoặc '{NO}' trong danh sách của ô (hệ thống ghi {YES} là 1, {NO} là 0); "
        "biểu mẫu cũ ghi 1 hoặc 0 vẫn được nhận.",
        f"6. Cột 'Kỳ trước' là số liệu đơn vị đã gửi kỳ trước. Ô 'Giá trị' chuyển màu cam khi số mới chênh nhiều so với kỳ "
        f"trước ({jump.text()}): kiểm tra lại số liệu, nếu đúng thì ghi lý do ở cột Ghi chú.",
        "7. Không đổi tên trang tính, không thêm hoặc xóa dòng, không gộp ô, không dùng công thức.",
        "8. Dùng bảng mã Unicode (không dùng TCVN3/ABC hoặc VNI) khi ghi chú bằng tiếng Việt.",
        "9. In trang BaoCao (khổ A4, đã đặt sẵn vùng in và cỡ trang), người lập biểu và thủ trưởng đơn vị ký, đóng dấu; "
        "gửi tệp Excel đã điền kèm bản ký (nếu được yêu cầu).",
        "10. Nếu cần sửa số liệu đã gửi, gửi lại toàn bộ tệp; hệ thống giữ lại lần gửi trước.",
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
_header_fill = PatternFill("solid", fgColor="E7E6E6")
_jump_fill = PatternFill("solid", fgColor="F8CBAD", bgColor="F8CBAD")
_open = Protection(locked=False)
_VI = "[$-42A]"  # Vietnamese number locale: LibreOffice then groups 1.234 and writes 85,5% whatever its own locale


def _number_format(indicator: Indicator) -> str:
    return {"share": f"{_VI}0.0%", "count": f"{_VI}#,##0", "yesno": "General", "index": f"{_VI}0.0000"}[indicator.kind]


_CODED_ANSWER = re.compile(r"\s*\(\s*1\s*=\s*có\s*;\s*0\s*=\s*chưa\s*\)\s*$", re.IGNORECASE)


def shown_name(indicator: Indicator) -> str:
    """The indicator's name as the workbook shows it: a yes/no item loses its '(1 = có; 0 = chưa)', since the
    unit now picks the words (the list and the prompt say so)."""
    return _CODED_ANSWER.sub("", indicator.name) if indicator.kind == "yesno" else indicator.name


def yes_no_word(value: float | int | None) -> str | None:
    """1 → 'Có', 0 → 'Chưa' (what the unit sees and picks); anything else unchanged."""
    if value is None:
        return None
    return {1: YES, 0: NO}.get(value, value)  # type: ignore[return-value]


def _prompt(indicator: Indicator, previous: float | int | None, bound: Indicator | None) -> tuple[str, str]:
    """(title, message) shown when the value cell is selected; Excel allows 32 and 255 characters."""
    kind = indicator.kind
    if kind == "yesno":
        body = (f"Chọn {YES} hoặc {NO} trong danh sách. {YES}: đã có, đã làm đến cuối kỳ; {NO}: chưa có. "
                f"Hệ thống ghi {YES} là 1, {NO} là 0.")
        shown_before = yes_no_word(previous)
    elif kind == "share":
        body = ("Tỷ lệ phần trăm: phần đạt ÷ tổng số × 100%, tính đến cuối kỳ. "
                "Nhập từ 0% đến 100%, có dấu %, ví dụ 85% hoặc 85,5%.")
        shown_before = fmt.percent(previous) if previous is not None else None
    elif kind == "index":
        body = "Chỉ số từ 0 đến 1 (không phải phần trăm), dấu phẩy thập phân, ví dụ 0,8123."
        shown_before = fmt.index(previous) if previous is not None else None
    else:
        body = f"Đơn vị tính: {indicator.unit_of_measure or 'số lượng'}. Nhập số nguyên từ 0 trở lên, ví dụ 1234 hoặc 1.234."
        if bound is not None:
            body += f" Không lớn hơn {bound.code} ({bound.name})."
        shown_before = fmt.number_auto(previous) if previous is not None else None
    if shown_before is not None:
        body += f" Kỳ trước: {shown_before}."
    if len(body) > 255:
        body = body[:254] + "…"
    return indicator.code[:32], body


def _validation(indicator: Indicator, previous: float | int | None, bound: Indicator | None) -> DataValidation:
    if indicator.kind == "yesno":
        dv = DataValidation(type="list", formula1=f'"{YES},{NO}"', allow_blank=True)
        dv.error = f"Chọn {YES} hoặc {NO} trong danh sách."
    elif indicator.kind in ("share", "index"):
        dv = DataValidation(type="decimal", operator="between", formula1="0", formula2="1", allow_blank=True)
        dv.error = ("Nhập chỉ số từ 0 đến 1, ví dụ 0,8123." if indicator.kind == "index"
                    else "Nhập tỷ lệ từ 0% đến 100%, có dấu %, ví dụ 85%.")
    else:
        dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
        dv.error = "Nhập số nguyên từ 0 trở lên."
    dv.errorTitle = "Giá trị không hợp lệ"
    dv.showErrorMessage = True
    dv.promptTitle, dv.prompt = _prompt(indicator, previous, bound)
    dv.showInputMessage = True
    return dv


def _help_prompt(title: str, text: str) -> DataValidation:
    """An input prompt only (any value allowed)."""
    dv = DataValidation(allow_blank=True, showInputMessage=True)
    dv.promptTitle, dv.prompt = title[:32], text[:255]
    return dv


def _jump_rule(r: int, kind: str, jump: JumpWarning) -> FormulaRule | None:
    e, f = f"E{r}", f"F{r}"
    known = f"ISNUMBER({e}),ISNUMBER({f})"
    if kind == "count":
        formula = (f"AND({known},ABS({e}-{f})>={jump.min_absolute:g},"
                   f"OR({f}=0,ABS({e}-{f})>{jump.relative:g}*ABS({f})))")
    elif kind == "share":
        formula = f"AND({known},ABS({e}-{f})>{jump.share_points:g})"
    else:
        return None
    return FormulaRule(formula=[formula], fill=_jump_fill, font=font(bold=True, color="9C0006"), stopIfTrue=True)


def place_name(kind: str, name: str, city_place: str | None) -> str:
    """The place written before the date (địa danh, NĐ 30/2020): a commune's or ward's own name, else the city's."""
    if kind in ("ward", "commune", "district"):
        for prefix in ("Phường ", "Xã ", "Đặc khu ", "Thị trấn ", "Quận ", "Huyện ", "Thị xã "):
            if name.startswith(prefix):
                return name[len(prefix):]
        return name
    return city_place or "…………"


def _centred(ws: Worksheet, row: int, col: int, text: str, **style) -> None:
    """Text centred in one cell. Not over several: LibreOffice turns 'centre across selection' into merged
    cells when it saves, and intake refuses merged cells from the header row down."""
    cell = ws.cell(row, col, text)
    cell.font = font(**style)
    cell.alignment = Alignment(horizontal="center", vertical="center")


def signing_lines(place: str) -> list[tuple[str, dict]]:
    """What the head of unit's column holds, with its style: place and date, title, what to do."""
    return [(f"{place}, ngày …… tháng …… năm ……", {"italic": True}), (SIGNERS[1], {"bold": True}),
            ("(Ký tên, đóng dấu, ghi rõ họ tên)", {"italic": True})]


def _title_block(ws: Worksheet, meta: dict, unit_name: str, period: str) -> None:
    col = META_VALUE_COL[TEMPLATE_VERSION]
    ws.cell(1, 1, "BIỂU BÁO CÁO SỐ LIỆU CHUYỂN ĐỔI SỐ").font = font(14, bold=True)
    ws.cell(2, 1, f"{unit_name} — {fmt.period_label(period)}").font = font(12, bold=True)
    for r in (1, 2):
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=LAST_COL)
        ws.cell(r, 1).alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for offset, (label, key) in enumerate(META_ROWS.items()):
        r = META_FIRST_ROW + offset
        ws.cell(r, 1, label).font = font(bold=True)
        ws.cell(r, 1).alignment = Alignment(vertical="center")
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=col - 1)
        cell = ws.cell(r, col, meta[key])
        cell.alignment = Alignment(horizontal="left", vertical="center")
        if key == "submitted_on":
            cell.number_format = "DD/MM/YYYY"
            cell.protection = _open
            cell.fill = _input_fill
            cell.border = _border
            dv = _help_prompt("Ngày gửi", "Ghi ngày gửi báo cáo, dạng ngày/tháng/năm, ví dụ 06/10/2026.")
            ws.add_data_validation(dv)
            dv.add(cell)
        elif key == "template_version":
            cell.font = font(9, color="595959")
    legend = ws.cell(HEADER_ROW - 1, 1, (
        "Ô nền vàng là ô cần điền (chọn ô để xem hướng dẫn); ô 'Giá trị' chuyển màu cam khi chênh nhiều so với "
        "'Kỳ trước': kiểm tra lại, nếu đúng thì ghi lý do ở cột Ghi chú."))
    legend.font = font(10, italic=True)
    legend.alignment = Alignment(wrap_text=True, vertical="center")
    ws.merge_cells(start_row=HEADER_ROW - 1, start_column=1, end_row=HEADER_ROW - 1, end_column=LAST_COL)


def _cell_style(c: int, indicator: Indicator) -> dict:
    """The style of column ``c`` in an indicator's row."""
    style = {
        "border": _border,
        "font": font(),
        "alignment": Alignment(vertical="center", wrap_text=c in (3, COL_NOTE),
                               horizontal={1: "center", 4: "center", COL_VALUE: "right", COL_PREVIOUS: "right"}.get(c)),
    }
    if c in (COL_VALUE, COL_PREVIOUS):
        style["number_format"] = _number_format(indicator)
    if c in (COL_VALUE, COL_NOTE):
        style.update(protection=_open, fill=_input_fill)
    return style


def _table(ws: Worksheet, rows: list[Row], jump: JumpWarning) -> int:
    styles = StyleCache()
    for c, title in enumerate(HEADERS, start=1):
        cell = ws.cell(HEADER_ROW, c, title)
        cell.font = font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        cell.border = _border
        cell.fill = _header_fill
    by_code = {row.indicator.code: row.indicator for row in rows}
    r = HEADER_ROW
    for n, row in enumerate(rows, start=1):
        r = HEADER_ROW + n
        i = row.indicator
        value, previous = row.value, row.previous
        if i.kind == "yesno":
            value, previous = yes_no_word(value), yes_no_word(previous)
        values = [n, i.code, shown_name(i), i.unit_of_measure or None, value, previous, row.note or None]
        for c, v in enumerate(values, start=1):
            styles.apply(ws.cell(r, c, v), (c, i.kind), lambda: _cell_style(c, i))
        dv = _validation(i, row.previous, by_code.get(i.not_above or ""))
        ws.add_data_validation(dv)
        dv.add(ws.cell(r, COL_VALUE))
        rule = _jump_rule(r, i.kind, jump)
        if rule is not None:
            ws.conditional_formatting.add(f"E{r}", rule)
    if rows:
        note = _help_prompt("Ghi chú", "Ghi chú về số liệu, lý do thay đổi lớn so với kỳ trước, hoặc tài liệu kiểm chứng: "
                                       "số, ký hiệu văn bản hay đường dẫn.")
        ws.add_data_validation(note)
        note.add(f"G{HEADER_ROW + 1}:G{r}")
    return r


def _signature_block(ws: Worksheet, first: int, place: str, preparer: tuple[str | None, str | None]) -> tuple[int, int]:
    """Place and date, the two signers, room to sign, the preparer's name and phone; (last row, signature row).

    The preparer signs in column C (the name and phone under the signature), the head of unit in column G.
    """
    for offset, (text, style) in enumerate(signing_lines(place)):
        _centred(ws, first + offset, COL_NOTE, text, **style)
    _centred(ws, first + 1, COL_PREPARER, SIGNERS[0], bold=True)
    _centred(ws, first + 2, COL_PREPARER, "(Ký, ghi rõ họ tên)", italic=True)
    space = first + 3
    ws.row_dimensions[space].height = SIGNATURE_SPACE_PT
    prompts = {
        "preparer_name": ("Người lập biểu", "Họ và tên người lập biểu: Văn phòng (Trung tâm) Chuyển đổi số liên hệ người này khi cần làm rõ số liệu."),
        "preparer_phone": ("Điện thoại", "Số điện thoại liên hệ của người lập biểu, ví dụ 0905 123 456 hoặc 0236 3822 123."),
    }
    r = space
    for offset, ((label, key), value) in enumerate(zip(PREPARER_ROWS.items(), preparer), start=1):
        r = space + offset
        ws.cell(r, 1, label).font = font(bold=True)
        ws.cell(r, 1).alignment = Alignment(vertical="center")
        cell = ws.cell(r, COL_PREPARER, value)
        cell.protection = _open
        cell.fill = _input_fill
        cell.border = _border
        cell.number_format = "@"  # a phone keeps its leading 0
        cell.alignment = Alignment(horizontal="center", vertical="center")
        dv = _help_prompt(*prompts[key])
        ws.add_data_validation(dv)
        dv.add(cell)
    return r, space


def write_workbook(
    path: Path,
    *,
    unit: str,
    unit_name: str,
    period: str,
    rows: Iterable[Row],
    submitted_on: date | None = None,
    place: str | None = None,
    preparer_name: str | None = None,
    preparer_phone: str | None = None,
    jump: JumpWarning = JumpWarning(),
    city: str | None = None,
    tasks: "list | None" = None,
) -> None:
    """Write a unit's workbook for ``period``; blank values make it a template.

    ``place`` is written before the signing date (see :func:`place_name`). ``city``: the code of the
    city whose configuration the workbook follows, stamped in its document properties
    (:data:`CITY_PROPERTY`) for intake to read. ``tasks``: the programme tasks the unit leads
    (:class:`dxreport.intake.tasksheet.TaskRow`), listed on a second sheet when there are any.
    """
    rows = list(rows)
    wb = Workbook()
    use_default_font(wb)
    ws = wb.active
    ws.title = DATA_SHEET
    meta = {
        "unit": unit,
        "unit_name": unit_name,
        "period": period,
        "submitted_on": submitted_on,
        "template_version": TEMPLATE_VERSION,
    }
    widths = list(WIDTHS)
    codes = max((text_width_pt(row.indicator.code) for row in rows), default=0)
    labels = max(text_width_pt(label, bold=True) for label in META_ROWS) - column_width_pt(widths[0])
    widths[COL_CODE - 1] = max(widths[COL_CODE - 1], min(chars_for_pt(max(codes, labels)), 24))
    place = place or "…………"
    signing = max(text_width_pt(text, bold=style.get("bold", False), italic=style.get("italic", False))
                  for text, style in signing_lines(place))
    widths[COL_NOTE - 1] = max(widths[COL_NOTE - 1], min(chars_for_pt(signing), 44))
    for letter, width in zip("ABCDEFG", widths):
        ws.column_dimensions[letter].width = width
    _title_block(ws, meta, unit_name, period)
    last_data = _table(ws, rows, jump)
    ws.row_dimensions[last_data + 1].height = 8  # a little air between the table and the signatures
    last, signature_row = _signature_block(ws, last_data + 2, place, (preparer_name, preparer_phone))
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)
    finish_sheet(ws, last, LAST_COL, title_rows=f"{HEADER_ROW}:{HEADER_ROW}",
                 header_left=f"{unit_name} ({unit})", header_right=fmt.period_label(period), keep_heights={last_data + 1, signature_row})
    ws.protection.sheet = True
    ws.protection.formatRows = False
    ws.protection.formatColumns = False

    if tasks:
        from dxreport.intake.tasksheet import write_task_sheet

        write_task_sheet(wb, list(tasks), unit=unit, unit_name=unit_name, period=period)
    help_ws = wb.create_sheet(HELP_SHEET)
    lines = instructions(jump=jump)
    for r, line in enumerate(lines, start=1):
        cell = help_ws.cell(r, 1, line)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    help_ws["A1"].font = font(12, bold=True)
    help_ws.column_dimensions["A"].width = 100
    finish_sheet(help_ws, len(lines), 1, header_left=f"{unit_name} ({unit})", header_right=fmt.period_label(period))
    help_ws.protection.sheet = True
    wb.security = WorkbookProtection(lockStructure=True)  # no sheet renamed, added or removed
    wb.properties.creator = "dxreport"
    wb.properties.title = f"Biểu báo cáo {unit} {period}"
    stamp = datetime(2000, 1, 1)  # fixed, so regenerating a workbook gives the same content
    wb.properties.created = stamp
    wb.properties.modified = stamp
    if city:
        wb.custom_doc_props.append(StringProperty(name=CITY_PROPERTY, value=city))
    path.parent.mkdir(parents=True, exist_ok=True)
    save_stable(wb, path)


CITY_PROPERTY = "dxreport-city"


def save_stable(wb: Workbook, path: Path) -> None:
    """Save with fixed times, so the same workbook gives the same bytes (openpyxl stamps the clock)."""
    import io
    import re
    import zipfile

    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl writes the clock into 'modified' on every save
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>2000-01-01T00:00:00Z\g<2>", data)
            dst.writestr(fixed, data)
    path.write_bytes(out.getvalue())


def blank_rows(
    indicators: Iterable[Indicator], previous: dict[str, float | int | None] | None = None
) -> list[Row]:
    """Rows of a blank template: no value, last period's value shown beside it for reference."""
    previous = previous or {}
    return [Row(i, None, previous.get(i.code)) for i in indicators]
