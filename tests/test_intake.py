"""Reading and checking submissions: a corpus of broken files, each reported in Vietnamese."""

from __future__ import annotations

import csv
import os
import time
import unicodedata

import pytest
from corpus import CLEAN, PERIOD, UNIT, clean_copy, edit, rezip, row_of, with_rows
from dxreport.domain.problems import Rejected
from dxreport.domain.units import indicators_for
from dxreport.intake import submissions as intake
from dxreport.intake import xlsxfile


@pytest.fixture(scope="module")
def expected(city_dir):
    return intake.expected_for(city_dir)


def problems(path, expected, engine="calamine"):
    checked = intake.check_file(path, expected, engine)
    return [p.line() for p in checked.problems]


def one(lines, *words):
    hits = [line for line in lines if all(w in line for w in words)]
    assert hits, f"no problem with {words} in:\n" + "\n".join(lines)
    return hits[0]


def test_clean_sample_has_no_problem_and_every_indicator(expected, tmp_path):
    path = clean_copy(tmp_path)
    checked = intake.check_file(path, expected)
    assert checked.ok, [p.line() for p in checked.problems]
    sub = checked.submission()
    assert (sub.unit, sub.period) == (UNIT, PERIOD)
    wanted = {i.code for i in indicators_for(UNIT, expected.units, expected.indicators)}
    assert set(sub.observations["indicator"]) == wanted
    assert sub.observations["row"].min() == 10


def test_both_readers_read_the_same_values(expected):
    a = intake.check_file(CLEAN, expected, "calamine").submission().observations
    b = intake.check_file(CLEAN, expected, "openpyxl").submission().observations
    assert a.equals(b)


def test_truncated_zip(expected, tmp_path):
    path = tmp_path / "SCT.xlsx"
    path.write_bytes(CLEAN.read_bytes()[:3000])
    one(problems(path, expected), "chưa được tải về hết")


def test_random_bytes_named_xlsx(expected, tmp_path):
    path = tmp_path / "SCT.xlsx"
    path.write_bytes(os.urandom(4096))
    one(problems(path, expected), "không phải là tệp Excel")


def test_empty_file(expected, tmp_path):
    path = tmp_path / "SCT.xlsx"
    path.touch()
    one(problems(path, expected), "tệp rỗng")


def test_encrypted_workbook_has_ole_header(expected, tmp_path):
    path = tmp_path / "SCT.xlsx"
    path.write_bytes(xlsxfile.OLE_MAGIC + bytes(504) + "EncryptionInfo".encode("utf-16-le") + bytes(1000))
    one(problems(path, expected), "mật khẩu", "Cách sửa")
    old = tmp_path / "old.xlsx"
    old.write_bytes(xlsxfile.OLE_MAGIC + bytes(2000))
    one(problems(old, expected), ".xls")


def test_file_over_50_mb_refused_before_opening(expected, tmp_path):
    path = tmp_path / "SCT.xlsx"
    with open(path, "wb") as f:
        f.truncate(xlsxfile.MAX_BYTES + 1)  # sparse: no 50 MB written
    started = time.perf_counter()
    assert xlsxfile.container_problem(path).message.startswith("tệp quá lớn")
    assert time.perf_counter() - started < 0.5


def test_one_cell_at_xfd1048576_is_refused_before_the_reader_allocates_it(expected, tmp_path):
    # The value reader allocates A1 to the farthest cell: 17 billion cells, a Rust abort (exit 134) of the process.
    path = edit(clean_copy(tmp_path), lambda wb, ws: ws.__setitem__("XFD1048576", 1))
    for engine in ("calamine", "openpyxl"):
        lines = problems(path, expected, engine)
        assert len(lines) == 1
        one(lines, "SCT.xlsx", "A1:XFD1048576", "1.048.576 dòng", "giới hạn 10.000 dòng, 100 cột", "Cách sửa")


def test_far_cell_behind_a_small_declared_dimension_is_found(expected, tmp_path):
    import re

    path = edit(clean_copy(tmp_path), lambda wb, ws: ws.__setitem__("XFD1048576", 1))
    rezip(path, lambda data: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:G15"', data))
    one(problems(path, expected), "dòng 1048576, cột XFD", "có ô XFD1048576", "vượt giới hạn")


def test_rows_without_references_are_counted(expected, tmp_path):
    path = rezip(clean_copy(tmp_path), with_rows(b"<row><c><v>1</v></c></row>" * (xlsxfile.MAX_ROWS + 5)))
    one(problems(path, expected), f"dòng {xlsxfile.MAX_ROWS + 1}", "vượt giới hạn 10.000 dòng")
    path = rezip(clean_copy(tmp_path / "wide"), with_rows(b"<row>" + b"<c><v>1</v></c>" * (xlsxfile.MAX_COLUMNS + 1) + b"</row>"))
    one(problems(path, expected), "cột CW", "vượt giới hạn")


def test_zip_bomb_is_refused_from_the_archive_directory(expected, tmp_path):
    # 3 million rows in about 200 KB: refused from the sizes the archive declares, before anything is uncompressed.
    path = rezip(clean_copy(tmp_path), with_rows(b"<row><c><v>1</v></c></row>" * 3_000_000), compresslevel=9)
    assert path.stat().st_size < 300_000
    started = time.perf_counter()
    lines = problems(path, expected)
    assert time.perf_counter() - started < 5
    assert len(lines) == 1
    one(lines, "sheet1.xml", "giải nén ra 74 MB (giới hạn 20 MB)")


def test_archive_that_lies_about_its_sizes_is_read_with_a_bound(expected, tmp_path, monkeypatch):
    # A part larger than the archive's directory says is cut at the bound, never read whole.
    monkeypatch.setattr(xlsxfile, "MAX_PART_BYTES", 64 * 1024)
    monkeypatch.setattr(xlsxfile, "archive_problem", lambda path, infos: None)
    path = rezip(clean_copy(tmp_path), with_rows(b"<row><c><v>1</v></c></row>" * 5000))
    one(problems(path, expected), "tệp nén khai sai kích thước")


@pytest.mark.parametrize("error", ["#DIV/0!", "#N/A", "#VALUE!", "#REF!"])
def test_error_cells_are_problems_not_blanks(expected, tmp_path, error):
    # What 'paste values' gives from a formula that errors: the value reader returns a blank for it.
    path = clean_copy(tmp_path)
    r = row_of(path, "HS_TONG")

    def put(wb, ws):
        ws.cell(r, 5, error).data_type = "e"
        ws.cell(r, 7, "#N/A").data_type = "e"
    edit(path, put)
    for engine in ("calamine", "openpyxl"):
        lines = problems(path, expected, engine)
        one(lines, f"dòng {r}, cột E", f"ô E{r} chứa giá trị lỗi {error}", "để trống ô")
        one(lines, f"dòng {r}, cột G", "#N/A")


def test_legacy_text_beyond_column_z_names_row_and_column(expected, tmp_path):
    path = edit(clean_copy(tmp_path), lambda wb, ws: ws.__setitem__("AB10", "Sè liÖu cña Së"))
    lines = problems(path, expected)
    one(lines, "dòng 10, cột AB", "TCVN3")
    assert not any("IndexError" in line for line in lines)


def test_csv_formula_beyond_column_z_is_found(expected, tmp_path):
    path = tmp_path / PERIOD / f"{UNIT}.csv"
    path.parent.mkdir()
    path.write_text(";" * 27 + "=1+1\n", encoding="utf-8")
    one(problems(path, expected), "dòng 1, cột AB", "chứa công thức")


def test_wrong_sheet_name(expected, tmp_path):
    path = edit(clean_copy(tmp_path), lambda wb, ws: setattr(ws, "title", "Sheet1"))
    lines = problems(path, expected)
    assert len(lines) == 1
    one(lines, "không có trang 'BaoCao'", "'Sheet1'", "đổi lại thành BaoCao")


def test_extra_sheet(expected, tmp_path):
    path = edit(clean_copy(tmp_path), lambda wb, ws: wb.create_sheet("Sheet2"))
    one(problems(path, expected), "trang tính 'Sheet2' không thuộc biểu mẫu")


def test_merged_cells_in_data_area(expected, tmp_path):
    path = edit(clean_copy(tmp_path), lambda wb, ws: ws.merge_cells("E11:F12"))
    one(problems(path, expected), "dòng 11, cột E", "E11:F12", "gộp")


def test_formula_cells(expected, tmp_path):
    path = clean_copy(tmp_path)
    r = row_of(path, "HS_TT")
    edit(path, lambda wb, ws: ws.cell(r, 5, f"=E{r - 1}*0.8"))
    line = one(problems(path, expected), f"dòng {r}, cột E", "công thức", f"E{r - 1}*0.8")
    assert "Dán đặc biệt" in line


def test_nfd_text_is_accepted_and_normalised(expected, tmp_path):
    note = "Tài liệu kiểm chứng: báo cáo của Sở"
    path = clean_copy(tmp_path)
    r = row_of(path, "HS_TONG")
    edit(path, lambda wb, ws: ws.cell(r, 7, "  " + unicodedata.normalize("NFD", note) + " "))
    checked = intake.check_file(path, expected)
    assert checked.ok, [p.line() for p in checked.problems]
    stored = checked.submission().observations.set_index("indicator").loc["HS_TONG", "note"]
    assert stored == note and unicodedata.is_normalized("NFC", stored)


@pytest.mark.parametrize("text, encoding", [("Sè liÖu trÝch tõ hÖ thèng", "TCVN3"), ("Soá lieäu trích töø heä thoáng", "VNI")])
def test_legacy_encodings_are_rejected_with_what_they_meant(expected, tmp_path, text, encoding):
    path = clean_copy(tmp_path)
    r = row_of(path, "HS_TONG")
    edit(path, lambda wb, ws: ws.cell(r, 7, text))
    one(problems(path, expected), f"dòng {r}, cột G", encoding, "liệu", "Unicode")


def test_vietnamese_text_numbers(expected, tmp_path, city_dir):
    path = clean_copy(tmp_path)
    rows = {c: row_of(path, c) for c in ("HS_TONG", "HS_TT")}
    edit(path, lambda wb, ws: (ws.cell(rows["HS_TONG"], 5, " 12.345 "), ws.cell(rows["HS_TT"], 5, "1.234")))
    obs = intake.check_file(path, expected).submission().observations.set_index("indicator")["value"]
    assert obs["HS_TONG"] == 12345 and obs["HS_TT"] == 1234


def test_percentages_typed_as_text_or_numbers(expected, tmp_path):
    path = clean_copy(tmp_path, "TKDN.xlsx", source=CLEAN.parent / "TKDN.xlsx")
    r1, r2 = row_of(path, "KTS_GRDP"), row_of(path, "DN_HDDT")
    edit(path, lambda wb, ws: (ws.cell(r1, 5, "22,5 %"), ws.cell(r2, 5, "0,8")))
    obs = intake.check_file(path, expected).submission().observations.set_index("indicator")["value"]
    assert obs["KTS_GRDP"] == pytest.approx(0.225) and obs["DN_HDDT"] == pytest.approx(0.8)
    edit(path, lambda wb, ws: (ws.cell(r1, 5, 22.5), ws.cell(r2, 5, "0.8")))
    lines = problems(path, expected)
    one(lines, f"dòng {r1}", "ngoài khoảng", "22,5%")
    one(lines, f"dòng {r2}", "dấu chấm thập phân")


def test_numerator_above_denominator(expected, tmp_path):
    path = clean_copy(tmp_path)
    r = row_of(path, "HS_TT")
    edit(path, lambda wb, ws: ws.cell(r, 5, 10**9))
    one(problems(path, expected), f"dòng {r}, cột E", "HS_TT", "lớn hơn chỉ tiêu HS_TONG")


def test_unknown_missing_repeated_indicators_all_reported(expected, tmp_path):
    path = clean_copy(tmp_path)
    r_tt, r_phi = row_of(path, "HS_TT"), row_of(path, "PHI_TONG")
    def change(wb, ws):
        ws.cell(r_tt, 2, "HS_XX")          # unknown code, so HS_TT goes missing
        ws.cell(r_phi, 2, "HS_TONG")       # repeated
        ws.cell(r_phi + 1, 5, "nhiều")     # not a number
    lines = problems(edit(path, change), expected)
    one(lines, f"dòng {r_tt}", "'HS_XX' không có trong danh mục")
    one(lines, "thiếu dòng của chỉ tiêu HS_TT")
    one(lines, f"dòng {r_phi}", "HS_TONG bị lặp", "dòng 10")
    one(lines, f"dòng {r_phi + 1}, cột E", "không phải là số")
    assert len(lines) >= 5  # PHI_TONG missing too: every problem, not the first


def test_meta_must_agree_with_folder_and_file_name(expected, tmp_path):
    path = clean_copy(tmp_path, "SNV.xlsx", period="2026-Q2")
    edit(path, lambda wb, ws: ws.__setitem__("B7", "dxreport-bieu-mau-0"))
    lines = problems(path, expected)
    one(lines, "thư mục kỳ 2026-Q2", "2026-Q3")
    one(lines, "đơn vị SNV", "SCT")
    one(lines, "dòng 7, cột B", "phiên bản biểu mẫu 'dxreport-bieu-mau-0'")


def test_csv_saved_from_the_template(expected, tmp_path):
    from dxreport.intake.readers import read_xlsx

    grid = read_xlsx(CLEAN, "BaoCao")
    rows = [["" if v is None else (f"{v:%d/%m/%Y}" if hasattr(v, "year") else
             (f"{v:,.0f}".replace(",", ".") if isinstance(v, float) else v)) for v in row] for row in grid]
    path = tmp_path / PERIOD / f"{UNIT}.csv"
    path.parent.mkdir()
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f, delimiter=";").writerows(rows)
    checked = intake.check_file(path, expected)
    assert checked.ok, [p.line() for p in checked.problems]
    assert checked.submission().observations["value"].equals(intake.check_file(CLEAN, expected).submission().observations["value"])
    path.write_bytes("M· ®¬n vÞ;SCT".encode("latin-1"))  # TCVN3 bytes, not UTF-8
    one(problems(path, expected), "không ở bảng mã UTF-8")


def test_read_submission_raises_with_every_problem(tmp_path, city_dir):
    path = clean_copy(tmp_path)
    edit(path, lambda wb, ws: (ws.merge_cells("C10:D10"), ws.__setitem__("B6", None)))
    with pytest.raises(Rejected) as info:
        intake.read_submission(path, city_dir)
    assert len(str(info.value).splitlines()) == 2
    assert info.value.exit_code == 1


@pytest.mark.parametrize("text, encoding, decoded", [
    ("ViÖt Nam", "TCVN3 (ABC)", "Việt"), ("Vieät Nam", "VNI-Windows", "Việt"), ("Ng\xadêi d©n", "TCVN3 (ABC)", "Người"),
    ("Ñaø Naüng", "VNI-Windows", "Đà"), ("B¶o Th¾ng", "TCVN3 (ABC)", "Bảo"),
])
def test_legacy_text_is_recognised(text, encoding, decoded):
    from dxreport.intake.encoding import detect_legacy

    found = detect_legacy(text)
    assert (found.encoding, found.decoded) == (encoding, decoded)


@pytest.mark.parametrize("text", [
    "Việt Nam", "TÀI LIỆU KIỂM CHỨNG", "diện tích 3 m², nhiệt độ 25°C", "Hồ sơ «đúng hạn»", "Café Müller", "naïve", "",
    unicodedata.normalize("NFD", "Người dân"),
])
def test_unicode_and_foreign_words_are_not_legacy(text):
    from dxreport.intake.encoding import detect_legacy

    assert detect_legacy(unicodedata.normalize("NFC", text)) is None


def test_catalogue_text_is_never_taken_for_legacy(expected):
    from dxreport.intake.encoding import detect_legacy

    texts = [i.name for i in expected.indicators.values()] + list(expected.units["name"])
    assert [t for t in texts if detect_legacy(t)] == []
