"""The unit's workbook (template version 2) as written, read back by intake, and stored: no office suite needed.

What LibreOffice makes of it on paper is in test_workbook_print.py.
"""

from __future__ import annotations

import zipfile
from datetime import datetime
from pathlib import Path

import pytest
import unitbook
from conftest import CITY_DIR, ROOT
from corpus import CLEAN, clean_copy, edit
from dxreport import store
from dxreport.intake import sheetlayout
from dxreport.intake import submissions as intake
from dxreport.intake.validate import YES_NO_HINT
from dxreport.intake.workbook import (
    COL_VALUE,
    DATA_SHEET,
    HEADER_ROW,
    HEADERS,
    HELP_SHEET,
    LAST_COL,
    META_ROWS,
    NO,
    PREPARER_ROWS,
    SIGNERS,
    TEMPLATE_VERSION,
    YES,
    place_name,
    shown_name,
)
from openpyxl import load_workbook


@pytest.fixture(scope="module")
def templates(tmp_path_factory, sample_db) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("tpl") / unitbook.PERIOD
    return {u: unitbook.template(out, u, sample_db) for u in (unitbook.DEPARTMENT, unitbook.WARD)}


@pytest.fixture(scope="module")
def expected():
    return intake.expected_for(CITY_DIR)


def _data_rows(ws) -> list[int]:
    return [r for r in range(HEADER_ROW + 1, ws.max_row + 1) if ws.cell(r, 2).value]


# ---------------------------------------------------------------- how it is written


@pytest.mark.parametrize("unit", [unitbook.DEPARTMENT, unitbook.WARD])
def test_every_cell_names_times_new_roman_and_so_does_the_default_style(templates, unit):
    wb = load_workbook(templates[unit])
    for ws in wb.worksheets:
        ranges = ws.print_area if isinstance(ws.print_area, list) else [ws.print_area]
        assert ranges and ranges[0], f"{ws.title} has no print area"
        for row in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=ws.max_column):
            for c in row:
                assert c.font.name == "Times New Roman", (ws.title, c.coordinate, c.font.name)
    assert wb._fonts[0].name == "Times New Roman"  # font 0: what a cell nobody styled uses
    assert {s.name: s.font.name for s in wb._named_styles}["Normal"] == "Times New Roman"


@pytest.mark.parametrize("unit", [unitbook.DEPARTMENT, unitbook.WARD])
def test_print_setup_a4_one_page_wide_repeated_header_area_header_footer(templates, unit):
    wb = load_workbook(templates[unit])
    ws = wb[DATA_SHEET]
    ps = ws.page_setup
    assert ps.paperSize == 9 and ps.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ps.orientation == "landscape"  # seven columns: wider than a portrait page holds at a readable size
    assert ps.fitToHeight == 1  # both units fit one page at ≥ 80 %: the page they sign
    assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
    last = ws.max_row
    assert ws.print_area == f"'{DATA_SHEET}'!$A$1:$G${last}"
    assert ws.cell(last, 1).value == "Điện thoại:"  # the print area ends with the signature block
    name = {"SNV": "Sở Nội vụ", "P-HCH": "Phường Hải Châu"}[unit]
    assert ws.oddHeader.left.text == f"{name} ({unit})" and ws.oddHeader.right.text == "Quý IV/2026"
    assert "&P" in ws.oddFooter.center.text
    m = ws.page_margins
    assert (round(m.left * 25.4), round(m.right * 25.4), round(m.top * 25.4), round(m.bottom * 25.4)) == (30, 15, 20, 20)
    assert wb[HELP_SHEET].page_setup.fitToWidth == 1 and wb[HELP_SHEET].print_area


def test_labels_fit_their_cells(templates):
    """Nothing cut: each title-block label fits its merged A:B, each header its column (wrapped at most in two lines)."""
    ws = load_workbook(templates[unitbook.DEPARTMENT])[DATA_SHEET]
    widths = [sheetlayout.column_width_pt(ws.column_dimensions[chr(64 + c)].width) for c in range(1, LAST_COL + 1)]
    for label in META_ROWS:
        assert sheetlayout.text_width_pt(label, bold=True) + sheetlayout.CELL_PADDING_PT <= widths[0] + widths[1], label
    for c, title in enumerate(HEADERS):
        assert sheetlayout.wrapped_lines(title, widths[c], bold=True) <= 2, title
    for r in _data_rows(ws):
        assert sheetlayout.text_width_pt(ws.cell(r, 2).value) + sheetlayout.CELL_PADDING_PT <= widths[1], ws.cell(r, 2).value


def test_row_heights_hold_the_text_and_grow_with_a_typed_note(templates):
    """Every row has a height (LibreOffice does not fit rows when it opens an .xlsx); the rows a unit types in are
    not 'custom', so Excel and LibreOffice grow them for a longer note; the signature space is fixed."""
    wb = load_workbook(templates[unitbook.WARD])
    ws = wb[DATA_SHEET]
    line = sheetlayout.line_height_pt(sheetlayout.BODY_SIZE)
    assert ws.row_dimensions[1].height >= 14 * sheetlayout.LINE_FACTOR  # the 14 pt title with its Ể and Ố
    for r in range(1, ws.max_row + 1):
        assert ws.row_dimensions[r].height, r
    for r in _data_rows(ws):
        lines = sheetlayout.wrapped_lines(ws.cell(r, 3).value, sheetlayout.column_width_pt(ws.column_dimensions["C"].width))
        assert ws.row_dimensions[r].height >= lines * line
    with zipfile.ZipFile(templates[unitbook.WARD]) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    rows = {int(chunk.split('"', 1)[0]): chunk.split(">", 1)[0] for chunk in sheet.split('<row r="')[1:]}
    assert all("customHeight" not in rows[r] for r in _data_rows(ws))
    custom = [r for r, attrs in rows.items() if 'customHeight="1"' in attrs]
    assert len(custom) == 2 and max(ws.row_dimensions[r].height for r in custom) >= 70  # spacer, and room to sign


@pytest.mark.parametrize("unit", [unitbook.DEPARTMENT, unitbook.WARD])
def test_signature_block_and_preparer_fields(templates, unit):
    ws = load_workbook(templates[unit])[DATA_SHEET]
    texts = {str(c.value) for row in ws.iter_rows() for c in row if c.value is not None}
    assert set(SIGNERS) <= texts and "(Ký tên, đóng dấu, ghi rõ họ tên)" in texts
    place = "Đà Nẵng" if unit == "SNV" else "Hải Châu"
    assert f"{place}, ngày …… tháng …… năm ……" in texts
    # Nothing merged or centred across cells from the header row down (LibreOffice saves the latter as merges).
    assert all(rng.max_row < HEADER_ROW for rng in ws.merged_cells.ranges)
    assert not any(c.alignment.horizontal == "centerContinuous" for row in ws.iter_rows() for c in row)
    rows = {ws.cell(r, 1).value: r for r in range(HEADER_ROW, ws.max_row + 1) if ws.cell(r, 1).value in PREPARER_ROWS}
    assert list(rows) == list(PREPARER_ROWS)
    for r in rows.values():
        assert ws.cell(r, 3).protection.locked is False and ws.cell(r, 2).value is None and ws.cell(r, COL_VALUE).value is None


def test_place_name_follows_nd30():
    assert place_name("ward", "Phường Hải Châu", "Đà Nẵng") == "Hải Châu"
    assert place_name("commune", "Xã Bà Nà", "Đà Nẵng") == "Bà Nà"
    assert place_name("department", "Sở Nội vụ", "Đà Nẵng") == "Đà Nẵng"


def test_value_cells_prompt_in_vietnamese_and_offer_co_chua(templates):
    ws = load_workbook(templates[unitbook.WARD])[DATA_SHEET]
    kinds = unitbook.KINDS
    by_cell = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    seen = set()
    for r in _data_rows(ws):
        code = ws.cell(r, 2).value
        dv = by_cell[f"E{r}"]
        assert dv.showInputMessage and dv.promptTitle == code and len(dv.prompt) <= 255 and len(dv.promptTitle) <= 32
        kind = kinds[code]
        seen.add(kind)
        if kind == "yesno":
            assert dv.type == "list" and dv.formula1 == f'"{YES},{NO}"' and "1" in dv.prompt and "0" in dv.prompt
            assert ws.cell(r, 6).value in (YES, NO, None)  # last quarter's 1/0 shown as the words
            assert "(1 = có" not in ws.cell(r, 3).value
        elif kind == "count":
            assert dv.type == "whole" and ws.cell(r, 4).value in dv.prompt and "số nguyên" in dv.prompt
        if ws.cell(r, 6).value is not None:
            assert "Kỳ trước:" in dv.prompt
    assert seen == {"count", "yesno"}
    assert "Không lớn hơn HS_TONG" in by_cell[f"E{_data_rows(ws)[1]}"].prompt  # HS_TT, bounded by HS_TONG
    assert any("G" in key for key in by_cell)  # the note column has its prompt too


def test_share_prompt_says_what_the_rate_is(tmp_path, sample_db):
    path = unitbook.template(tmp_path, "SKHCN", sample_db)  # the department that reports shares
    ws = load_workbook(path)[DATA_SHEET]
    prompts = {dv.promptTitle: dv for dv in ws.data_validations.dataValidation}
    share = prompts["TB_SMART"]
    assert share.type == "decimal" and "phần đạt ÷ tổng số × 100%" in share.prompt and "85%" in share.prompt


def test_jump_warning_on_counts_and_shares_only(templates):
    ws = load_workbook(templates[unitbook.WARD])[DATA_SHEET]
    rules = {str(rng.sqref): rng.rules for rng in ws.conditional_formatting}
    for r in _data_rows(ws):
        code = ws.cell(r, 2).value
        if unitbook.KINDS[code] == "yesno":
            assert f"E{r}" not in rules
        else:
            (rule,) = rules[f"E{r}"]
            assert f"F{r}" in rule.formula[0] and ">=10" in rule.formula[0] and "0.5*ABS" in rule.formula[0]


def test_choose_page():
    wide, tall = 730.0, 2000.0
    assert sheetlayout.choose_page(400, 300) == sheetlayout.Page("portrait", 1.0, True)
    assert sheetlayout.choose_page(wide, 450).orientation == "landscape"
    long = sheetlayout.choose_page(wide, tall)
    assert long.orientation == "landscape" and not long.one_page and long.scale > 0.95


def test_text_is_measured_with_the_font():
    assert sheetlayout.text_width_pt("0", 10) == 5.0  # Liberation Serif's digit: 1024/2048 em, as Times New Roman's
    short, long = "Số thôn, tổ dân phố", "Tỷ lệ thủ tục hành chính đủ điều kiện được cung cấp dịch vụ công trực tuyến toàn trình"
    width = sheetlayout.column_width_pt(30)
    assert sheetlayout.wrapped_lines(short, width) == 1 and sheetlayout.wrapped_lines(long, width) == 3


def test_shown_name_drops_coded_answer_only_for_yes_no():
    from dxreport.domain.config import load_indicators

    indicators = load_indicators(CITY_DIR)
    assert shown_name(indicators["DAU_MOI"]) == "Có bộ phận hoặc cán bộ đầu mối về chuyển đổi số"
    assert shown_name(indicators["HS_TONG"]) == indicators["HS_TONG"].name


# ---------------------------------------------------------------- read back by intake


def test_filled_template_is_clean_and_yes_no_words_are_stored_as_1_and_0(templates, expected, tmp_path):
    target = tmp_path / unitbook.PERIOD / f"{unitbook.WARD}.xlsx"
    filled = unitbook.fill(templates[unitbook.WARD], target)
    checked = intake.check_file(target, expected)
    assert checked.problems == []
    sub = checked.submission()
    assert sub.template_version == TEMPLATE_VERSION and sub.submitted_on.isoformat() == "2026-12-18"
    assert (sub.preparer_name, sub.preparer_phone) == (unitbook.NAME, unitbook.PHONE)
    values = sub.observations.set_index("indicator")["value"]
    assert values["DAU_MOI"] == 1.0 and values["TO_CNS"] == 1.0 and values["HS_TONG"] == filled["HS_TONG"]


@pytest.mark.parametrize("answer, stored", [("Có", 1), ("Chưa", 0), ("chưa", 0), ("CO", 1), ("Không", 0), (1, 1), (0, 0), ("1", 1)])
def test_yes_no_answers_accepted(templates, expected, tmp_path, answer, stored):
    target = tmp_path / unitbook.PERIOD / f"{unitbook.WARD}.xlsx"
    unitbook.fill(templates[unitbook.WARD], target, yes_no=answer)
    sub = intake.check_file(target, expected).submission()
    assert sub.observations.set_index("indicator")["value"]["DAU_MOI"] == stored


def test_yes_no_other_words_rejected_with_the_words_to_use(templates, expected, tmp_path):
    target = tmp_path / unitbook.PERIOD / f"{unitbook.WARD}.xlsx"
    unitbook.fill(templates[unitbook.WARD], target, yes_no="Có rồi")
    problems = intake.check_file(target, expected).problems
    assert problems and all(p.column == "E" and "'Có rồi' không phải Có hoặc Chưa" in p.message for p in problems)
    assert problems[0].hint == YES_NO_HINT


def test_preparer_optional_phone_checked_and_leading_zero_restored(templates, expected, tmp_path):
    target = tmp_path / unitbook.PERIOD / f"{unitbook.WARD}.xlsx"
    unitbook.fill(templates[unitbook.WARD], target, name=None, phone=None)
    sub = intake.check_file(target, expected).submission()
    assert (sub.preparer_name, sub.preparer_phone) == (None, None)
    unitbook.fill(templates[unitbook.WARD], target, phone=905123456)  # typed where the cell lost its text format
    assert intake.check_file(target, expected).submission().preparer_phone == "0905123456"
    unitbook.fill(templates[unitbook.WARD], target, phone="gọi Lan")
    (p,) = intake.check_file(target, expected).problems
    assert p.column == "C" and "số điện thoại người lập biểu 'gọi Lan'" in p.message and p.row > HEADER_ROW


def test_version_1_workbooks_still_accepted(expected):
    checked = intake.check_file(CLEAN, expected)
    assert checked.ok and checked.submission().template_version == "dxreport-bieu-mau-1"
    assert checked.submission().preparer_name is None


def test_unknown_version_named_with_the_versions_accepted(templates, expected, tmp_path):
    target = tmp_path / unitbook.PERIOD / f"{unitbook.WARD}.xlsx"
    unitbook.fill(templates[unitbook.WARD], target)
    edit(target, lambda wb, ws: ws.__setitem__("C7", "dxreport-bieu-mau-9"))
    (p,) = intake.check_file(target, expected).problems
    assert "phiên bản biểu mẫu 'dxreport-bieu-mau-9' không được hỗ trợ" in p.message and (p.row, p.column) == (7, "C")
    assert TEMPLATE_VERSION in p.hint and "dxreport-bieu-mau-1" in p.hint
    old = edit(clean_copy(tmp_path / "v1"), lambda wb, ws: ws.__setitem__("B7", "dxreport-bieu-mau-0"))
    (p,) = intake.check_file(old, expected).problems
    assert "'dxreport-bieu-mau-0' không được hỗ trợ" in p.message and p.column == "B"


# ---------------------------------------------------------------- stored


def test_preparer_stored_and_old_stores_stay_readable(templates, tmp_path):
    db = tmp_path / "s.duckdb"
    assert intake.ingest([CLEAN], db, root=ROOT)["added"] == 1
    with store.connect(db) as con:  # a store written before the preparers table existed
        con.execute("DROP TABLE preparers")
    assert list(store.load_preparers(db).columns) == store.PREPARER_COLUMNS and store.load_preparers(db).empty
    assert len(store.load_observations(db)) > 0
    target = tmp_path / unitbook.PERIOD / f"{unitbook.WARD}.xlsx"
    unitbook.fill(templates[unitbook.WARD], target)
    result = intake.ingest([target], db, root=ROOT, received_at=datetime(2026, 12, 18, 9))  # writing migrates the store
    assert result["added"] == 1
    got = store.load_preparers(db)
    assert got[["unit", "period", "revision", "name", "phone"]].values.tolist() == [
        [unitbook.WARD, unitbook.PERIOD, 1, unitbook.NAME, unitbook.PHONE]]
    stored = store.load_observations(db, [unitbook.PERIOD]).set_index("indicator")["value"]
    assert stored["DAU_MOI"] == 1.0
