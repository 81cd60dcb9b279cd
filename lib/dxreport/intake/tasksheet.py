"""The workbook's second sheet, ``NhiemVu``: a unit's progress on the programme tasks it leads.

One row per task the unit leads (domain.tasks), the plan's columns locked (code, name,
deadline, funds allocated) and the unit's columns open: status (a dropdown of
:data:`~dxreport.domain.tasks.REPORTED_STATUSES`), percent done, date completed, evidence,
difficulties, proposals, funds disbursed in the quarter. :func:`write_task_sheet` adds it to a
workbook being written; :func:`validate_tasks` checks a filled one (pure, on a grid of cell
values) with a Vietnamese message naming sheet, row and column for every problem:

- a status that is not one of the three; a percent outside 0–100; a completed task without its
  date or its evidence; a date that is not a real date, or after the day the file was sent;
- a disbursement below 0, on a task with no funds, or above the task's allocation;
- a task code that is not in the plan, not led by this unit, or repeated.

A workbook without the sheet (made before tasks existed) is still read: its unit's tasks then
count as not reported (chưa báo cáo).
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Iterable

from openpyxl.styles import Alignment, Border, PatternFill, Protection, Side
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation

from dxreport.domain import fmt
from dxreport.domain.problems import Problem
from dxreport.domain.tasks import MONEY_UNIT, RECURRING, REPORTED_DONE, REPORTED_NOT_STARTED, REPORTED_STATUSES, SHEET, Task
from dxreport.intake.encoding import detect_legacy
from dxreport.intake.numbers import NumberError, parse_number
from dxreport.intake.sheetlayout import StyleCache, finish_sheet, font

HEADER_ROW = 4
HEADERS = ["STT", "Mã nhiệm vụ", "Tên nhiệm vụ, sản phẩm", "Thời hạn", f"Kinh phí được giao ({MONEY_UNIT})",
           "Tình trạng", "Tỷ lệ hoàn thành (%)", "Ngày hoàn thành", "Tài liệu kiểm chứng (số, ngày văn bản hoặc đường dẫn)",
           "Khó khăn, vướng mắc", "Đề xuất, kiến nghị", f"Giải ngân trong kỳ ({MONEY_UNIT})"]
COL = {"code": 2, "name": 3, "deadline": 4, "allocated": 5, "status": 6, "percent": 7, "completed_on": 8,
       "evidence": 9, "difficulties": 10, "proposals": 11, "disbursed": 12}
OPEN_COLUMNS = ("status", "percent", "completed_on", "evidence", "difficulties", "proposals", "disbursed")
WIDTHS = (5, 9, 40, 13, 11, 14, 10, 11, 24, 22, 22, 11)
RECORD_COLUMNS = ["task", "status", "percent", "completed_on", "evidence", "difficulties", "proposals", "disbursed",
                  "sheet", "row"]

_thin = Side(style="thin", color="808080")
_border = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
_input_fill = PatternFill("solid", fgColor="FFF8DC")
_header_fill = PatternFill("solid", fgColor="E7E6E6")
_VI = "[$-42A]"


@dataclass(frozen=True)
class TaskRow:
    """One task's line: the plan's task and what the unit reports on it (all blank in a template)."""

    task: Task
    status: str | None = None
    percent: float | None = None
    completed_on: date | None = None
    evidence: str = ""
    difficulties: str = ""
    proposals: str = ""
    disbursed: float | None = None


def deadline_text(task: Task) -> str:
    """The deadline as a unit reads it: a date, a period label, or 'Thường xuyên'."""
    if isinstance(task.deadline, date):
        return fmt.date_short(task.deadline)
    if task.recurring:
        return fmt.sentence_case(RECURRING)
    return fmt.period_label(task.deadline)


def _prompt(title: str, text: str) -> DataValidation:
    dv = DataValidation(allow_blank=True, showInputMessage=True)
    dv.promptTitle, dv.prompt = title[:32], text[:255]
    return dv


def write_task_sheet(wb: Workbook, rows: list[TaskRow], *, unit: str, unit_name: str, period: str) -> None:
    """Add the ``NhiemVu`` sheet listing ``rows`` to ``wb`` (before its structure is locked)."""
    ws = wb.create_sheet(SHEET, 1)
    last_col = len(HEADERS)
    ws.cell(1, 1, "BÁO CÁO TIẾN ĐỘ THỰC HIỆN NHIỆM VỤ CHUYỂN ĐỔI SỐ").font = font(14, bold=True)
    ws.cell(2, 1, f"{unit_name} — {fmt.period_label(period)} (nhiệm vụ đơn vị chủ trì)").font = font(12, bold=True)
    ws.cell(3, 1, ("Chọn tình trạng trong danh sách của ô. Nhiệm vụ hoàn thành ghi ngày hoàn thành và tài liệu kiểm chứng; "
                   "giải ngân ghi số tiền giải ngân trong kỳ, không vượt kinh phí được giao.")).font = font(10, italic=True)
    for r in (1, 2, 3):
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=last_col)
        ws.cell(r, 1).alignment = Alignment(horizontal="center" if r < 3 else "left", vertical="center", wrap_text=True)
    for c, title in enumerate(HEADERS, start=1):
        cell = ws.cell(HEADER_ROW, c, title)
        cell.font = font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        cell.border = _border
        cell.fill = _header_fill
    styles = StyleCache()
    open_cols = {COL[k] for k in OPEN_COLUMNS}
    formats = {COL["allocated"]: f"{_VI}#,##0", COL["disbursed"]: f"{_VI}#,##0", COL["percent"]: "0",
               COL["completed_on"]: "DD/MM/YYYY"}

    def style(c: int) -> dict:
        out = {"border": _border, "font": font(),
               "alignment": Alignment(vertical="center", wrap_text=c in (3, 9, 10, 11),
                                      horizontal={1: "center", 4: "center", 6: "center", 8: "center"}.get(c))}
        if c in formats:
            out["number_format"] = formats[c]
        if c in open_cols:
            out.update(protection=Protection(locked=False), fill=_input_fill)
        return out

    r = HEADER_ROW
    for n, row in enumerate(rows, start=1):
        r = HEADER_ROW + n
        t = row.task
        name = t.name + (f". Sản phẩm: {t.product}" if t.product else "")
        values = [n, t.code, name, deadline_text(t), t.funds.allocated if t.funds else None, row.status, row.percent,
                  row.completed_on, row.evidence or None, row.difficulties or None, row.proposals or None, row.disbursed]
        for c, v in enumerate(values, start=1):
            styles.apply(ws.cell(r, c, v), c, lambda c=c: style(c))
    if rows:
        first = HEADER_ROW + 1
        status = DataValidation(type="list", formula1='"' + ",".join(REPORTED_STATUSES) + '"', allow_blank=True)
        status.error, status.errorTitle, status.showErrorMessage = "Chọn tình trạng trong danh sách.", "Tình trạng", True
        status.promptTitle, status.prompt, status.showInputMessage = "Tình trạng", "Chọn: " + ", ".join(REPORTED_STATUSES) + ".", True
        percent = DataValidation(type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True)
        percent.error, percent.showErrorMessage = "Nhập số từ 0 đến 100.", True
        percent.promptTitle, percent.prompt, percent.showInputMessage = "Tỷ lệ hoàn thành", "Phần trăm khối lượng đã làm, từ 0 đến 100.", True
        day = DataValidation(type="date", operator="greaterThan", formula1="36526", allow_blank=True)
        day.error, day.showErrorMessage = "Nhập ngày dạng ngày/tháng/năm.", True
        day.promptTitle, day.prompt, day.showInputMessage = "Ngày hoàn thành", "Chỉ ghi khi đã hoàn thành, dạng ngày/tháng/năm.", True
        money = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
        money.error, money.showErrorMessage = "Nhập số tiền từ 0 trở lên.", True
        money.promptTitle, money.prompt, money.showInputMessage = "Giải ngân", f"Số tiền giải ngân trong kỳ ({MONEY_UNIT}).", True
        evidence = _prompt("Tài liệu kiểm chứng", "Số, ký hiệu, ngày văn bản hoặc đường dẫn chứng minh kết quả; bắt buộc khi hoàn thành.")
        for dv, key in ((status, "status"), (percent, "percent"), (day, "completed_on"), (money, "disbursed"), (evidence, "evidence")):
            ws.add_data_validation(dv)
            letter = chr(64 + COL[key])
            dv.add(f"{letter}{first}:{letter}{r}")
    for c, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[chr(64 + c)].width = width
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)
    finish_sheet(ws, r, last_col, title_rows=f"{HEADER_ROW}:{HEADER_ROW}", header_left=f"{unit_name} ({unit})",
                 header_right=fmt.period_label(period))
    ws.protection.sheet = True
    ws.protection.formatRows = False
    ws.protection.formatColumns = False


# --- reading a filled sheet -------------------------------------------------------------------------------------

def _text(value: Any) -> str:
    return unicodedata.normalize("NFC", str(value)).strip() if value is not None else ""


def _cell(grid: list[list[Any]], row: int, col: int) -> Any:
    if row - 1 < len(grid):
        r = grid[row - 1]
        if col - 1 < len(r):
            return r[col - 1]
    return None


def _letter(col: int) -> str:
    return chr(64 + col)


_STATUS_WORDS = {s.casefold(): s for s in REPORTED_STATUSES}
_STATUS_WORDS.update({"chua trien khai": REPORTED_NOT_STARTED, "dang thuc hien": REPORTED_STATUSES[1],
                      "hoan thanh": REPORTED_DONE, "đã hoàn thành": REPORTED_DONE})


def _day(value: Any) -> tuple[date | None, bool]:
    """(date, ok): a real date from a date cell or 'dd/mm/yyyy' text; ok is False for anything else."""
    if isinstance(value, datetime):
        return value.date(), True
    if isinstance(value, date):
        return value, True
    m = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", _text(value))
    if m:
        try:
            return date(int(m[3]), int(m[2]), int(m[1])), True
        except ValueError:
            return None, False
    return None, False


def _amount(value: Any) -> float | None:
    """A number from a number cell or Vietnamese text ('1.234,5'); raises NumberError otherwise."""
    if isinstance(value, bool):
        raise NumberError("giá trị đúng/sai không phải số")
    if isinstance(value, (int, float)):
        if math.isnan(value) or math.isinf(value):
            raise NumberError("không phải số hữu hạn")
        return float(value)
    text = _text(value).removesuffix("%").strip()
    return float(parse_number(text))


def validate_tasks(grid: list[list[Any]], file: str, *, unit: str, tasks: dict[str, Task], submitted_on: date | None
                   ) -> tuple[list[dict], list[Problem]]:
    """(records, problems) of a filled ``NhiemVu`` sheet for ``unit``; a record per task row the unit filled in."""
    problems: list[Problem] = []

    def report(message: str, row: int | None, col: int | None, hint: str | None = None) -> None:
        problems.append(Problem(file, message, SHEET, row, _letter(col) if col else None, hint))

    grid = [[unicodedata.normalize("NFC", v) if isinstance(v, str) else v for v in row] for row in grid]
    for r, row in enumerate(grid, start=1):  # text typed in a legacy Vietnamese encoding (TCVN3, VNI)
        for c, v in enumerate(row, start=1):
            found = detect_legacy(v) if isinstance(v, str) and not v.isascii() else None
            if found:
                report(f"chữ được gõ bằng bảng mã cũ {found.encoding} ('{found.word}', có lẽ là '{found.decoded}')", r, c,
                       f"gõ lại bằng bảng mã Unicode hoặc chuyển mã (Unikey: Công cụ chuyển mã, từ {found.encoding} sang Unicode)")
    for c, want in enumerate(HEADERS, start=1):
        got = _text(_cell(grid, HEADER_ROW, c))
        if got != want:
            report(f"tiêu đề cột là '{got}', biểu mẫu ghi '{want}' (cấu trúc trang nhiệm vụ bị thay đổi)", HEADER_ROW, c,
                   "dùng lại biểu mẫu gốc, không sửa dòng tiêu đề")
    if problems:
        return [], problems
    records: list[dict] = []
    seen: dict[str, int] = {}
    for r in range(HEADER_ROW + 1, len(grid) + 1):
        filled = {k: _cell(grid, r, COL[k]) for k in OPEN_COLUMNS}
        filled = {k: v for k, v in filled.items() if v is not None and not (isinstance(v, str) and not v.strip())}
        code = _text(_cell(grid, r, COL["code"]))
        if not code:
            if filled:
                report("dòng có số liệu nhưng không có mã nhiệm vụ", r, COL["code"], "ghi tiến độ vào đúng dòng của nhiệm vụ, không thêm dòng")
            continue
        if code in seen:
            report(f"nhiệm vụ {code} bị lặp (đã có ở dòng {seen[code]})", r, COL["code"], "xóa dòng lặp")
            continue
        seen[code] = r
        task = tasks.get(code)
        if task is None:
            report(f"mã nhiệm vụ '{code}' không có trong kế hoạch", r, COL["code"], "không sửa cột 'Mã nhiệm vụ'; dùng biểu mẫu gốc")
            continue
        if task.lead != unit:
            report(f"nhiệm vụ {code} do đơn vị {task.lead} chủ trì, không phải {unit}", r, COL["code"],
                   "chỉ báo cáo nhiệm vụ đơn vị chủ trì; dùng biểu mẫu được cấp cho đơn vị")
            continue
        if not filled:
            continue  # not reported this quarter
        rec = {"task": code, "status": None, "percent": None, "completed_on": None,
               "evidence": _text(filled.get("evidence")), "difficulties": _text(filled.get("difficulties")),
               "proposals": _text(filled.get("proposals")), "disbursed": None, "sheet": SHEET, "row": r}
        raw = filled.get("status")
        if raw is None:
            report(f"nhiệm vụ {code}: chưa chọn tình trạng", r, COL["status"], "chọn " + ", ".join(REPORTED_STATUSES))
        else:
            rec["status"] = _STATUS_WORDS.get(_text(raw).casefold())
            if rec["status"] is None:
                report(f"nhiệm vụ {code}: tình trạng '{_text(raw)}' không hợp lệ", r, COL["status"],
                       "chọn " + ", ".join(REPORTED_STATUSES) + " trong danh sách của ô")
        if "percent" in filled:
            try:
                pct = _amount(filled["percent"])
            except NumberError:
                pct = None
                report(f"nhiệm vụ {code}: tỷ lệ hoàn thành '{_text(filled['percent'])}' không phải số", r, COL["percent"],
                       "ghi số từ 0 đến 100")
            if pct is not None and not 0 <= pct <= 100:
                report(f"nhiệm vụ {code}: tỷ lệ hoàn thành {fmt.number_auto(pct, 2)} nằm ngoài khoảng 0–100", r, COL["percent"],
                       "ghi số từ 0 đến 100")
            elif pct is not None:
                rec["percent"] = pct
        if "completed_on" in filled:
            day, ok = _day(filled["completed_on"])
            if not ok:
                report(f"nhiệm vụ {code}: ngày hoàn thành '{_text(filled['completed_on'])}' không phải ngày hợp lệ", r,
                       COL["completed_on"], "ghi ngày dạng ngày/tháng/năm, ví dụ 30/09/2026")
            elif submitted_on is not None and day > submitted_on:
                report(f"nhiệm vụ {code}: ngày hoàn thành {fmt.date_short(day)} sau ngày gửi báo cáo "
                       f"({fmt.date_short(submitted_on)})", r, COL["completed_on"], "ghi ngày đã hoàn thành thực tế")
            else:
                rec["completed_on"] = day
        if rec["status"] == REPORTED_DONE:
            if "completed_on" not in filled:
                report(f"nhiệm vụ {code} đã hoàn thành nhưng chưa ghi ngày hoàn thành", r, COL["completed_on"],
                       "ghi ngày hoàn thành dạng ngày/tháng/năm")
            if not rec["evidence"]:
                report(f"nhiệm vụ {code} đã hoàn thành nhưng chưa có tài liệu kiểm chứng", r, COL["evidence"],
                       "ghi số, ký hiệu, ngày văn bản hoặc đường dẫn đến kết quả")
            if rec["percent"] is not None and rec["percent"] < 100:
                report(f"nhiệm vụ {code} đã hoàn thành nhưng tỷ lệ hoàn thành là {fmt.number_auto(rec['percent'], 2)}", r,
                       COL["percent"], "ghi 100, hoặc chọn tình trạng Đang thực hiện")
            if rec["percent"] is None:
                rec["percent"] = 100.0
        elif rec["status"] is not None and "completed_on" in filled:
            report(f"nhiệm vụ {code}: có ngày hoàn thành nhưng tình trạng là '{rec['status']}'", r, COL["completed_on"],
                   "chọn tình trạng Hoàn thành, hoặc xóa ngày hoàn thành")
        if "disbursed" in filled:
            try:
                amount = _amount(filled["disbursed"])
            except NumberError:
                amount = None
                report(f"nhiệm vụ {code}: số giải ngân '{_text(filled['disbursed'])}' không phải số", r, COL["disbursed"],
                       f"ghi số tiền ({MONEY_UNIT}), ví dụ 1.250")
            if amount is not None:
                if task.funds is None:
                    report(f"nhiệm vụ {code} không có kinh phí được giao nhưng ghi giải ngân {fmt.number_auto(amount, 2)} {MONEY_UNIT}",
                           r, COL["disbursed"], "để trống ô giải ngân")
                elif amount < 0:
                    report(f"nhiệm vụ {code}: số giải ngân âm ({fmt.number_auto(amount, 2)})", r, COL["disbursed"], "ghi số từ 0 trở lên")
                elif amount > task.funds.allocated:
                    report(f"nhiệm vụ {code}: giải ngân {fmt.number_auto(amount, 2)} {MONEY_UNIT} vượt kinh phí được giao "
                           f"({fmt.number_auto(task.funds.allocated, 2)} {MONEY_UNIT})", r, COL["disbursed"],
                           "kiểm tra lại số tiền (ghi số giải ngân trong kỳ, đơn vị triệu đồng)")
                else:
                    rec["disbursed"] = amount
        records.append(rec)
    return records, problems


def led_by(tasks: Iterable[Task], unit: str) -> list[Task]:
    """The tasks ``unit`` leads, in the plan's order."""
    return [t for t in tasks if t.lead == unit]
