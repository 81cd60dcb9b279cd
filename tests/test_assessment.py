"""The assessment sheet (phiếu tự đánh giá và thẩm định): written, checked like a submission, stored with revisions."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import pytest
from dxreport import store
from dxreport.domain import frameworks
from dxreport.intake import assessment
from dxreport.intake import submissions as intake
from dxreport.intake.assessment import ItemRow, write_assessment
from openpyxl import load_workbook


@pytest.fixture(scope="module")
def fw(root):
    return frameworks.load("danang-dvi-so", root)


@pytest.fixture(scope="module")
def expected(city_dir):
    return intake.expected_for(city_dir)


GOOD_ROWS = [ItemRow("2.1", 1, "Kế hoạch số 12/KH-SNV ngày 10/01/2026"), ItemRow("2.2", 1, "Quyết định số 3/QĐ-SNV"),
             ItemRow("3.1", 0.9, "Danh sách máy tính"), ItemRow("4.2.1", 0.8, "Trích xuất hệ thống"),
             ItemRow("4.2.2", None, "", 1), ItemRow("6.1", 0.7, "", 0.5, "Thiếu giấy chứng nhận"),
             ItemRow("T.1", None, "", 1), ItemRow("T.2", None, "", 0), ItemRow("TR.1", None, "", 2), ItemRow("TR.2", None, "", 0)]


def _write(folder: Path, fw, unit="SNV", rows=GOOD_ROWS, **kw) -> Path:
    kw.setdefault("assessor", "Nguyễn Văn A")
    kw.setdefault("assessed_on", date(2026, 10, 1))
    return write_assessment(folder / "2026-Q3" / "danh-gia" / f"{unit}.xlsx", framework=fw, unit=unit,
                            unit_name="Sở Nội vụ", period="2026-Q3", rows=rows, **kw)


def test_a_filled_sheet_is_checked_clean_and_read_back(tmp_path, fw, expected):
    path = _write(tmp_path, fw)
    checked = intake.check_file(path, expected)
    assert checked.ok, [p.line() for p in checked.problems]
    assert checked.is_assessment
    sheet = checked.parsed
    assert (sheet.framework, sheet.unit, sheet.period, sheet.assessor, sheet.assessed_on) == (
        "danang-dvi-so", "SNV", "2026-Q3", "Nguyễn Văn A", date(2026, 10, 1))
    by_item = {r["item"]: r for r in sheet.records}
    assert [r["item"] for r in sheet.records] == [c.code for c in fw.assessed_items()]
    assert by_item["2.1"]["self_value"] == 1 and by_item["2.1"]["evidence"].startswith("Kế hoạch số 12")
    assert by_item["6.1"]["verified_value"] == 0.5 and by_item["6.1"]["note"] == "Thiếu giấy chứng nhận"
    assert by_item["4.2.2"]["self_value"] is None and by_item["TR.1"]["verified_value"] == 2
    wb = load_workbook(path)
    assert wb.sheetnames == [assessment.SHEET, assessment.HELP_SHEET]
    cells = wb[assessment.SHEET]
    assert cells.cell(assessment.HEADER_ROW, 5).value == "Tự đánh giá" and cells.cell(assessment.HEADER_ROW + 1, 5).value == "Có"
    assert "(*)" in cells.cell(assessment.HEADER_ROW + 1, 2).value  # evidence required, marked on the sheet


def _grid(path: Path) -> list[list]:
    return [list(r) for r in load_workbook(path)[assessment.SHEET].iter_rows(values_only=True)]


def test_every_problem_is_named_with_row_and_column(tmp_path, fw, expected):
    path = _write(tmp_path, fw)
    wb = load_workbook(path)
    ws = wb[assessment.SHEET]
    first = assessment.HEADER_ROW + 1
    ws.cell(first, 5, "Đã có")  # 2.1 yes/no: neither Có nor Chưa
    ws.cell(first + 2, 5, "120%")  # 3.1: a share above 100 %
    ws.cell(first + 8, 7, 7)  # TR.1: 7 penalty points, the item's maximum is 5
    ws.cell(first + 9, 1, "9.9")  # an item the framework does not have
    ws.cell(assessment.META_ROW["assessor"], assessment.META_COL).value = None
    wb.save(path)
    checked = intake.check_file(path, expected)
    lines = [p.line() for p in checked.problems]
    assert not checked.ok
    assert ("Tệp SNV.xlsx, trang 'DanhGia', dòng 7, cột C: có điểm thẩm định nhưng chưa ghi người thẩm định. "
            "Cách sửa: ghi họ tên, chức vụ người thẩm định (cơ quan chuyên môn)") in lines
    assert (f"Tệp SNV.xlsx, trang 'DanhGia', dòng {first}, cột E: tiêu chí 2.1, cột 'Tự đánh giá': 'Đã có' không phải Có "
            "hoặc Chưa. Cách sửa: chọn Có hoặc Chưa trong danh sách của ô") in lines
    assert any(f"dòng {first + 2}, cột E: tiêu chí 3.1" in line and "nằm ngoài khoảng 0%–100%" in line for line in lines)
    assert any(f"dòng {first + 8}, cột G: tiêu chí TR.1" in line and "7 điểm vượt điểm tối đa 5" in line for line in lines)
    assert any(f"dòng {first + 9}, cột A: mã tiêu chí '9.9' không có trong bộ chỉ số danang-dvi-so" in line for line in lines)
    assert any("thiếu dòng của tiêu chí TR.2" in line for line in lines)


def test_a_sheet_for_the_wrong_unit_kind_or_folder_is_refused(tmp_path, fw, expected):
    ward = _write(tmp_path, fw, unit="P-TKH")  # wards are scored by danang-dvi-xa
    assert any("không thuộc đối tượng của bộ chỉ số danang-dvi-so" in p.message for p in intake.check_file(ward, expected).problems)
    moved = tmp_path / "2026-Q2" / "danh-gia" / "SNV.xlsx"
    moved.parent.mkdir(parents=True)
    shutil.copy(_write(tmp_path, fw), moved)
    assert any("thư mục kỳ 2026-Q2" in p.message for p in intake.check_file(moved, expected).problems)


def test_a_resubmitted_sheet_is_a_new_revision_and_the_latest_counts(tmp_path, fw, root):
    db = tmp_path / "store.duckdb"
    first = _write(tmp_path / "a", fw)
    result = intake.ingest([first], db, root=root, city_dir=root / "data" / "cities" / "danang",
                           received_at=datetime(2026, 10, 2))
    assert result.counts == {"added": 1, "skipped": 0, "rejected": 0}
    again = intake.ingest([first], db, root=root, city_dir=root / "data" / "cities" / "danang")
    assert again.counts == {"added": 0, "skipped": 1, "rejected": 0}
    rows = list(GOOD_ROWS)
    rows[5] = ItemRow("6.1", 0.7, "Giấy chứng nhận bổ sung", None)  # evidence added, the office accepts 70 %
    second = _write(tmp_path / "b", fw, rows=rows)
    intake.ingest([second], db, root=root, city_dir=root / "data" / "cities" / "danang", received_at=datetime(2026, 10, 9))
    latest = store.load_assessments(db).set_index("item")
    assert latest.loc["6.1", "revision"] == 2 and latest.loc["6.1", "evidence"] == "Giấy chứng nhận bổ sung"
    assert latest.loc["6.1", "verified_value"] != latest.loc["6.1", "verified_value"]  # blank: NaN
    with store.connect(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM assessments").fetchone()[0] == 2  # the first stays queryable
        assert con.execute("SELECT count(*) FROM assessment_items").fetchone()[0] == 2 * len(GOOD_ROWS)
    before = store.fingerprint(db)
    third = _write(tmp_path / "c", fw, rows=rows, assessor="Trần Thị B")
    intake.ingest([third], db, root=root, city_dir=root / "data" / "cities" / "danang")
    assert store.fingerprint(db) != before  # a new sheet makes the reports that read the store stale


def test_sample_sheets_are_in_the_sample_store(sample_db):
    sheets = store.load_assessments(sample_db)
    q3 = sheets[sheets["period"] == "2026-Q3"]
    assert set(q3["framework"]) == {"danang-dvi-so", "danang-dvi-xa"}
    assert "SDL" not in set(q3["unit"]) and "X-BNA" not in set(q3["unit"])  # no report, no sheet
    assert q3["assessor"].str.contains("dữ liệu mẫu").all()


def test_blank_sheets_from_the_template_command_ask_for_the_self_assessment(tmp_path, root):
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "dxreport.cli", "template", "--city", "danang", "--period", "2026-Q4",
                           "--danh-gia", "--out", str(tmp_path)], capture_output=True, text=True, cwd=root)
    assert done.returncode == 0, done.stderr
    sheets = sorted((tmp_path / "danh-gia").glob("*.xlsx"))
    assert {p.stem for p in sheets} >= {"SCT", "P-TKH"} and "DN" not in {p.stem for p in sheets}
    checked = subprocess.run([sys.executable, "-m", "dxreport.cli", "check", str(tmp_path / "danh-gia" / "SCT.xlsx")],
                             capture_output=True, text=True, cwd=root)
    assert checked.returncode == 1
    assert ("Tệp SCT.xlsx, trang 'DanhGia', dòng 12, cột E: tiêu chí 2.1 chưa có kết quả tự đánh giá. Cách sửa: đơn vị "
            "ghi kết quả tự đánh giá của mình (và tài liệu kiểm chứng) trước khi gửi") in checked.stdout
