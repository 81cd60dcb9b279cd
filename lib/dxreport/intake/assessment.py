"""The assessment sheet (phiếu tự đánh giá và thẩm định): items of a city index that are assessed, not reported.

Some items of a city's index are not figures a unit reports each quarter but
judgements: a plan issued, a regulation in force, reports sent on time and
right, staff trained. Cities run them as a self-assessment the office then
verifies. One sheet per framework, unit and period holds them:

- the title block: framework, unit, period, who verified (người thẩm định) and
  when, and the template version;
- one row per assessed item (``input: {assessed: …}`` in the framework, bonus and
  penalty items included): the unit's self-assessed value and its evidence
  (tài liệu kiểm chứng), then the office's verified value and its note.

A unit fills 'Tự đánh giá' and 'Tài liệu kiểm chứng' and sends the file; the
office fills 'Thẩm định', its name and the date and ingests it again (a new
revision). A verified cell left blank accepts the self-assessed value; an item
the framework marks ``evidence_required`` scores 0 at verification without
evidence, whatever was entered (:mod:`dxreport.compute.unit_index`).
Validation is pure, over a grid of cells as :mod:`dxreport.intake.validate`
does it, and every problem names the file, sheet, row and column.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Border, PatternFill, Protection, Side
from openpyxl.worksheet.datavalidation import DataValidation

from dxreport.domain import fmt
from dxreport.domain.frameworks import ASSESSED_LABELS, RULE_LABELS, Component, Framework
from dxreport.domain.periods import Period, PeriodError
from dxreport.domain.problems import Problem
from dxreport.intake.numbers import NumberError, parse_number, parse_share
from dxreport.intake.sheetlayout import finish_sheet, font, use_default_font
from dxreport.intake.workbook import CITY_PROPERTY, save_stable
from dxreport.intake.xlsxfile import column_letters

TEMPLATE_VERSION = "dxreport-danh-gia-1"
SHEET = "DanhGia"
HELP_SHEET = "HuongDanDanhGia"
TITLE = "PHIẾU TỰ ĐÁNH GIÁ VÀ THẨM ĐỊNH CHỈ SỐ CHUYỂN ĐỔI SỐ"
META_ROWS = {  # label in column A → key; value in column C
    "Bộ chỉ số": "framework",
    "Mã đơn vị": "unit",
    "Tên đơn vị": "unit_name",
    "Kỳ đánh giá": "period",
    "Người thẩm định": "assessor",
    "Ngày thẩm định": "assessed_on",
    "Phiên bản biểu mẫu": "template_version",
}
META_FIRST_ROW = 3
META_ROW = {key: META_FIRST_ROW + i for i, key in enumerate(META_ROWS.values())}
META_COL = 3
HEADER_ROW = META_FIRST_ROW + len(META_ROWS) + 1
HEADERS = ["Mã tiêu chí", "Tiêu chí", "Cách chấm", "Điểm tối đa", "Tự đánh giá", "Tài liệu kiểm chứng", "Thẩm định",
           "Ghi chú thẩm định"]
COL_CODE, COL_NAME, COL_RULE, COL_POINTS, COL_SELF, COL_EVIDENCE, COL_VERIFIED, COL_NOTE = range(1, 9)
WIDTHS = (10, 46, 16, 9, 12, 30, 12, 26)
YES, NO = "Có", "Chưa"
_YES_NO_WORDS = {"có": 1, "co": 1, "chưa": 0, "chua": 0, "không": 0, "khong": 0}
ITEM_COLUMNS = ["item", "self_value", "evidence", "verified_value", "note", "sheet", "row"]


def value_kind(c: Component) -> str:
    """How an item's value is written: ``yesno`` (Có/Chưa), ``share`` (a percentage), ``points`` or ``number``."""
    if c.rule == "yesno":
        return "yesno"
    if c.rule == "points":
        return "points"
    low, high = c.value_range()
    return "share" if (low, high) == (0.0, 1.0) else "number"


def how_scored(c: Component) -> str:
    """The rule in a few words, for the sheet's 'Cách chấm' column."""
    kind = value_kind(c)
    if kind == "yesno":
        return f"{YES}/{NO}"
    if kind == "points":
        return f"chấm điểm (0–{fmt.number_auto(c.points)})"
    if c.rule == "step":
        return "bậc: " + "; ".join(f"≥{_show_value(c, s.at_least)}: {fmt.number_auto(s.points)}" for s in c.steps or [])
    if c.rule == "linear" and c.target is not None:
        return f"đủ điểm khi đạt {_show_value(c, c.target)}"
    if c.rule == "threshold" and c.threshold is not None:
        return f"đủ điểm khi {'≥' if c.direction == 'at_least' else '≤'} {_show_value(c, c.threshold)}"
    return RULE_LABELS.get(c.rule or "", "")


def _show_value(c: Component, value: float) -> str:
    return fmt.percent(value, 0) if value_kind(c) == "share" else fmt.number_auto(value)


# Writing ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemRow:
    """One item's entries; ``None`` leaves the cell blank."""

    item: str
    self_value: float | None = None
    evidence: str = ""
    verified_value: float | None = None
    note: str = ""


_thin = Side(style="thin", color="808080")
_border = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
_unit_fill = PatternFill("solid", fgColor="FFF8DC")  # what the unit fills
_office_fill = PatternFill("solid", fgColor="DDEBF7")  # what the office fills
_header_fill = PatternFill("solid", fgColor="E7E6E6")
_open = Protection(locked=False)


def instructions() -> list[str]:
    return [
        "HƯỚNG DẪN ĐIỀN PHIẾU TỰ ĐÁNH GIÁ VÀ THẨM ĐỊNH",
        "",
        f"1. Đơn vị điền các ô nền vàng của trang {SHEET}: cột 'Tự đánh giá' (cột E) và 'Tài liệu kiểm chứng' (cột F): "
        "số, ngày văn bản, đường dẫn hoặc tên tệp kèm theo. Mục có ghi (*) bắt buộc có tài liệu kiểm chứng: thiếu tài "
        "liệu, mục đó được 0 điểm khi thẩm định.",
        f"2. Mục {YES}/{NO}: chọn {YES} hoặc {NO} trong danh sách. Mục tỷ lệ: nhập phần trăm có dấu %, ví dụ 85%. "
        "Mục chấm điểm: nhập số điểm, không vượt điểm tối đa.",
        "3. Cơ quan thẩm định điền các ô nền xanh: cột 'Thẩm định' (cột G), 'Ghi chú thẩm định' (cột H), người thẩm định "
        "và ngày thẩm định. Để trống ô 'Thẩm định' nghĩa là đồng ý với kết quả tự đánh giá.",
        "4. Các mục do cơ quan chuyên môn đánh giá (điểm thưởng, điểm trừ, chất lượng báo cáo…) chỉ cơ quan thẩm định điền.",
        "5. Không đổi tên trang tính, không thêm hoặc xóa dòng, không dùng công thức. Gửi lại cả tệp khi sửa; hệ thống "
        "giữ lại lần gửi trước.",
    ]


def _validation(c: Component) -> DataValidation:
    kind = value_kind(c)
    if kind == "yesno":
        dv = DataValidation(type="list", formula1=f'"{YES},{NO}"', allow_blank=True)
        dv.error = f"Chọn {YES} hoặc {NO} trong danh sách."
    elif kind == "share":
        dv = DataValidation(type="decimal", operator="between", formula1="0", formula2="1", allow_blank=True)
        dv.error = "Nhập tỷ lệ từ 0% đến 100%, có dấu %, ví dụ 85%."
    elif kind == "points":
        dv = DataValidation(type="decimal", operator="between", formula1="0", formula2=repr(float(c.points or 0)),
                            allow_blank=True)
        dv.error = f"Nhập số điểm từ 0 đến {fmt.number_auto(c.points)}."
    else:
        dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
        dv.error = "Nhập số từ 0 trở lên."
    dv.errorTitle = "Giá trị không hợp lệ"
    dv.showErrorMessage = True
    return dv


def _written(c: Component, value: float | None) -> Any:
    if value is None:
        return None
    if value_kind(c) == "yesno":
        return YES if value >= 0.5 else NO
    return value


def write_assessment(path: Path, *, framework: Framework, unit: str, unit_name: str, period: str,
                     rows: list[ItemRow] | None = None, assessor: str = "", assessed_on: date | None = None,
                     city: str | None = None) -> Path:
    """Write the assessment sheet of ``unit`` for ``period``; without ``rows`` it is a blank template.

    ``city``: the code of the city it belongs to, stamped as on the units' workbooks. The same sheet gives the
    same bytes.
    """
    given = {r.item: r for r in rows or []}
    wb = Workbook()
    use_default_font(wb)
    ws = wb.active
    ws.title = SHEET
    for letter, width in zip("ABCDEFGH", WIDTHS):
        ws.column_dimensions[letter].width = width
    ws.cell(1, 1, TITLE).font = font(13, bold=True)
    meta = {"framework": framework.id, "unit": unit, "unit_name": unit_name, "period": period, "assessor": assessor or None,
            "assessed_on": assessed_on, "template_version": TEMPLATE_VERSION}
    for label, key in META_ROWS.items():
        r = META_ROW[key]
        ws.cell(r, 1, label).font = font(bold=True)
        cell = ws.cell(r, META_COL, meta[key])
        if key == "framework":
            ws.cell(r, META_COL + 1, framework.name).font = font(italic=True)
        if key in ("assessor", "assessed_on"):
            cell.fill, cell.protection, cell.border = _office_fill, _open, _border
        if key == "assessed_on":
            cell.number_format = "DD/MM/YYYY"
    for c, title in enumerate(HEADERS, start=1):
        cell = ws.cell(HEADER_ROW, c, title)
        cell.font, cell.fill, cell.border = font(bold=True), _header_fill, _border
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    r = HEADER_ROW
    for item in framework.assessed_items():
        r += 1
        entry = given.get(item.code, ItemRow(item.code))
        block = framework.index_of(item.code)
        name = item.name + (" (*)" if item.evidence_required else "")
        if item.assessed == "office":
            name += f" [{ASSESSED_LABELS['office']}]"
        values = [item.code, f"{name} — {block.name}", how_scored(item), item.points,
                  _written(item, entry.self_value), entry.evidence or None, _written(item, entry.verified_value), entry.note or None]
        for c, value in enumerate(values, start=1):
            cell = ws.cell(r, c, value)
            cell.border = _border
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for c, fill in ((COL_SELF, _unit_fill), (COL_EVIDENCE, _unit_fill), (COL_VERIFIED, _office_fill), (COL_NOTE, _office_fill)):
            ws.cell(r, c).fill, ws.cell(r, c).protection = fill, _open
        for c in (COL_SELF, COL_VERIFIED):
            if value_kind(item) == "share":
                ws.cell(r, c).number_format = "0.0%"
            dv = _validation(item)
            ws.add_data_validation(dv)
            dv.add(ws.cell(r, c))
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)
    finish_sheet(ws, r, len(HEADERS), title_rows=f"{HEADER_ROW}:{HEADER_ROW}", header_left=f"{unit_name} ({unit})",
                 header_right=fmt.period_label(period))
    ws.protection.sheet = True
    ws.protection.formatRows = False
    ws.protection.formatColumns = False
    help_ws = wb.create_sheet(HELP_SHEET)
    for n, line in enumerate(instructions(), start=1):
        help_ws.cell(n, 1, line).alignment = Alignment(wrap_text=True, vertical="top")
    help_ws["A1"].font = font(12, bold=True)
    help_ws.column_dimensions["A"].width = 100
    finish_sheet(help_ws, len(instructions()), 1, header_left=f"{unit_name} ({unit})", header_right=fmt.period_label(period))
    wb.properties.creator = "dxreport"
    wb.properties.title = f"Phiếu đánh giá {framework.id} {unit} {period}"
    stamp = datetime(2000, 1, 1)
    wb.properties.created = stamp
    wb.properties.modified = stamp
    if city:
        wb.custom_doc_props.append(StringProperty(name=CITY_PROPERTY, value=city))
    path.parent.mkdir(parents=True, exist_ok=True)
    save_stable(wb, path)
    return path


# Reading and checking ---------------------------------------------------------------------------


@dataclass
class Parsed:
    framework: str = ""
    unit: str = ""
    period: str = ""
    assessor: str | None = None
    assessed_on: date | None = None
    template_version: str = ""
    records: list[dict] = field(default_factory=list)  # ITEM_COLUMNS
    problems: list[Problem] = field(default_factory=list)


def _text(value: Any) -> str:
    return unicodedata.normalize("NFC", str(value)).strip() if value is not None else ""


def _cell(grid: list[list[Any]], row: int, col: int) -> Any:
    if row - 1 < len(grid) and col - 1 < len(grid[row - 1]):
        return grid[row - 1][col - 1]
    return None


def is_assessment(grid: list[list[Any]]) -> bool:
    """A grid (a CSV's cells) that is an assessment sheet: its first cell is the sheet's title."""
    return _text(_cell(grid, 1, 1)).upper() == TITLE


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for form in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, form).date()
        except ValueError:
            continue
    return None


def parse_value(c: Component, raw: Any) -> tuple[float | None, str | None, str | None]:
    """(value, problem, hint) of one entry for item ``c``; a blank cell is ``(None, None, None)``."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, None, None
    kind = value_kind(c)
    if isinstance(raw, bool) or isinstance(raw, (datetime, date)):
        return None, f"'{_text(raw)}' không phải là số", "nhập số, hoặc chọn trong danh sách của ô"
    if kind == "yesno":
        word = _text(raw).casefold()
        if word in _YES_NO_WORDS:
            return float(_YES_NO_WORDS[word]), None, None
        if isinstance(raw, (int, float)) and raw in (0, 1):
            return float(raw), None, None
        return None, f"'{_text(raw)}' không phải {YES} hoặc {NO}", f"chọn {YES} hoặc {NO} trong danh sách của ô"
    if isinstance(raw, (int, float)):
        value = float(raw)
        if math.isnan(value) or math.isinf(value):
            return None, "giá trị không phải là số hữu hạn", "nhập lại"
    else:
        try:
            value = float(parse_share(_text(raw)) if kind == "share" else parse_number(_text(raw)))
        except NumberError as e:
            return None, f"giá trị không hợp lệ: {e}", ("ghi tỷ lệ dạng 85%" if kind == "share" else "ghi số, ví dụ 12 hoặc 12,5")
    low, high = c.value_range()
    if not low <= value <= high:
        if kind == "share":
            return None, f"tỷ lệ '{_text(raw)}' nằm ngoài khoảng 0%–100%", "nhập tỷ lệ từ 0% đến 100%, có dấu %"
        if kind == "points":
            return None, f"{fmt.number_auto(value)} điểm vượt điểm tối đa {fmt.number_auto(high)} của mục", \
                f"nhập số điểm từ 0 đến {fmt.number_auto(high)}"
        return None, f"'{_text(raw)}' nằm ngoài khoảng cho phép", "kiểm tra lại số liệu"
    return value, None, None


class _Report:
    def __init__(self, file: str, sheet: str | None):
        self.file, self.sheet, self.items = file, sheet, []

    def __call__(self, message: str, row: int | None = None, col: int | None = None, hint: str | None = None) -> None:
        self.items.append(Problem(self.file, message, self.sheet, row, column_letters(col) if col else None, hint))


def _meta(grid, parsed: Parsed, path: Path, expected, report: _Report) -> Framework | None:
    if not is_assessment(grid):
        report(f"dòng 1 không phải tiêu đề '{TITLE}' (cấu trúc phiếu bị thay đổi)", 1, 1, "dùng lại phiếu gốc")
    for label, key in META_ROWS.items():
        if _text(_cell(grid, META_ROW[key], 1)) != label:
            report(f"thiếu nhãn '{label}' (cấu trúc phiếu bị thay đổi)", META_ROW[key], 1, "dùng lại phiếu gốc, không thêm hoặc xóa dòng")
    value = lambda key: _cell(grid, META_ROW[key], META_COL)  # noqa: E731
    parsed.template_version = _text(value("template_version"))
    if parsed.template_version != TEMPLATE_VERSION:
        report(f"phiên bản phiếu '{parsed.template_version}' không được hỗ trợ" if parsed.template_version
               else "không thấy phiên bản phiếu", META_ROW["template_version"], META_COL, f"dùng phiếu phiên bản {TEMPLATE_VERSION}")
    parsed.framework = _text(value("framework"))
    fw = expected.frameworks.get(parsed.framework)
    if fw is None:
        known = ", ".join(sorted(expected.frameworks)) or "không có"
        report(f"bộ chỉ số '{parsed.framework}' không phải bộ chỉ số của thành phố (hiện có: {known})",
               META_ROW["framework"], META_COL, "dùng phiếu được cấp, không sửa ô bộ chỉ số")
    parsed.unit = _text(value("unit")).upper()
    if parsed.unit not in expected.units.index:
        report(f"mã đơn vị '{parsed.unit}' không có trong danh mục đơn vị", META_ROW["unit"], META_COL, "ghi đúng mã đơn vị được cấp")
    try:
        parsed.period = Period.parse(_text(value("period"))).id
    except PeriodError as e:
        report(str(e), META_ROW["period"], META_COL)
    if parsed.unit in expected.units.index and parsed.period:
        if parsed.unit not in expected.active(parsed.period):
            report(f"đơn vị '{parsed.unit}' không còn tồn tại (hoặc chưa thành lập) vào cuối kỳ {parsed.period}",
                   META_ROW["unit"], META_COL, "kiểm tra lại mã đơn vị và kỳ đánh giá")
        elif fw is not None and expected.units.loc[parsed.unit, "kind"] not in fw.audience:
            report(f"đơn vị '{parsed.unit}' không thuộc đối tượng của bộ chỉ số {fw.id}", META_ROW["framework"], META_COL,
                   "dùng phiếu của bộ chỉ số dành cho loại đơn vị này")
    parsed.assessor = _text(value("assessor")) or None
    raw_day = value("assessed_on")
    parsed.assessed_on = _date(raw_day)
    if raw_day not in (None, "") and parsed.assessed_on is None:
        report(f"ngày thẩm định '{_text(raw_day)}' không đúng dạng", META_ROW["assessed_on"], META_COL,
               "ghi ngày dạng ngày/tháng/năm, ví dụ 10/10/2026")
    folder, stem = path.parent, path.stem.upper()
    for part in (folder.name, folder.parent.name):
        try:
            folder_period = Period.parse(part).id
        except PeriodError:
            continue
        if parsed.period and folder_period != parsed.period:
            report(f"tệp nằm trong thư mục kỳ {folder_period} nhưng ghi kỳ đánh giá {parsed.period}", META_ROW["period"], META_COL,
                   "sửa kỳ đánh giá trong tệp hoặc chuyển tệp sang đúng thư mục")
        break
    if stem in expected.units.index and parsed.unit and stem != parsed.unit:
        report(f"tên tệp là của đơn vị {stem} nhưng nội dung ghi mã đơn vị {parsed.unit}", META_ROW["unit"], META_COL,
               "đặt tên tệp bằng mã đơn vị được đánh giá")
    return fw


def validate(grid: list[list[Any]], path: Path, sheet: str | None, expected) -> Parsed:
    """Parse and check one assessment sheet; ``parsed.problems`` is empty when it can be stored.

    ``expected`` is :class:`dxreport.intake.validate.Expected` with the city's ``frameworks``.
    """
    report = _Report(str(path), sheet)
    parsed = Parsed()
    grid = [[unicodedata.normalize("NFC", v) if isinstance(v, str) else v for v in row] for row in grid]
    fw = _meta(grid, parsed, Path(path), expected, report)
    found = [_text(_cell(grid, HEADER_ROW, c)) for c in range(1, len(HEADERS) + 1)]
    for c, (want, got) in enumerate(zip(HEADERS, found), start=1):
        if want != got:
            report(f"tiêu đề cột là '{got}', phiếu ghi '{want}' (cấu trúc phiếu bị thay đổi)", HEADER_ROW, c,
                   "dùng lại phiếu gốc, không sửa dòng tiêu đề")
    if fw is None:
        parsed.problems = report.items
        return parsed
    items = {c.code: c for c in fw.leaves()}
    seen: dict[str, int] = {}
    verified_any = False
    for r in range(HEADER_ROW + 1, len(grid) + 1):
        row = grid[r - 1]
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
            continue
        raw_code = _cell(grid, r, COL_CODE)
        code = _text(raw_code)
        if isinstance(raw_code, float) and raw_code.is_integer():
            code = str(int(raw_code))
        if not code:
            report("dòng có nội dung nhưng không có mã tiêu chí", r, COL_CODE, "không thêm dòng vào phiếu")
            continue
        if code in seen:
            report(f"tiêu chí {code} bị lặp (đã có ở dòng {seen[code]})", r, COL_CODE, "xóa dòng lặp")
            continue
        seen[code] = r
        item = items.get(code)
        if item is None:
            report(f"mã tiêu chí '{code}' không có trong bộ chỉ số {fw.id}", r, COL_CODE, "không sửa cột 'Mã tiêu chí'; dùng phiếu gốc")
            continue
        entries = {}
        for col, key in ((COL_SELF, "self_value"), (COL_VERIFIED, "verified_value")):
            value, message, hint = parse_value(item, _cell(grid, r, col))
            if message:
                report(f"tiêu chí {code}, cột '{HEADERS[col - 1]}': {message}", r, col, hint)
            entries[key] = value
        verified_any = verified_any or entries["verified_value"] is not None
        if item.assessed == "self" and entries["self_value"] is None and _cell(grid, r, COL_SELF) in (None, ""):
            report(f"tiêu chí {code} chưa có kết quả tự đánh giá", r, COL_SELF,
                   "đơn vị ghi kết quả tự đánh giá của mình (và tài liệu kiểm chứng) trước khi gửi")
        parsed.records.append({"item": code, **entries, "evidence": _text(_cell(grid, r, COL_EVIDENCE)),
                               "note": _text(_cell(grid, r, COL_NOTE)), "sheet": sheet or "", "row": r})
    for item in fw.assessed_items():
        if item.code not in seen:
            report(f"thiếu dòng của tiêu chí {item.code} ({item.name})", None, COL_CODE, "dùng phiếu gốc của kỳ này, không xóa dòng")
    if verified_any and not parsed.assessor:
        report("có điểm thẩm định nhưng chưa ghi người thẩm định", META_ROW["assessor"], META_COL,
               "ghi họ tên, chức vụ người thẩm định (cơ quan chuyên môn)")
    if verified_any and parsed.assessed_on is None and _cell(grid, META_ROW["assessed_on"], META_COL) in (None, ""):
        report("có điểm thẩm định nhưng chưa ghi ngày thẩm định", META_ROW["assessed_on"], META_COL,
               "ghi ngày dạng ngày/tháng/năm, ví dụ 10/10/2026")
    parsed.problems = report.items
    return parsed
