from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from dxreport.cli import main
from openpyxl import Workbook

HEADER_2022 = "unit,NTS,TCS,HTS,NLS,ATTT,HDCQS,HDKTS,HDXHS"
DANANG = "TP. Đà Nẵng,1.0000,0.9000,0.8253,0.8487,0.7578,0.8575,0.7836,0.5197"
CANTHO = "TP. Cần Thơ,0.9000,0.8000,0.7233,0.7376,0.7226,0.7325,0.7556,0.2947"


@pytest.fixture(autouse=True)
def _root(root, monkeypatch):
    monkeypatch.setenv("DXREPORT_ROOT", str(root))


def _csv(tmp_path: Path, text: str, name: str = "input.csv", bom: bool = False) -> Path:
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def _run(capsys, *argv) -> tuple[int, list[dict], str]:
    code = main(["score", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, list(csv.DictReader(io.StringIO(out))), err


def test_dti_2022_worked_examples(tmp_path, capsys):
    path = _csv(tmp_path, "\n".join([HEADER_2022, CANTHO, DANANG]) + "\n", bom=True)
    code, rows, err = _run(capsys, "--framework", "dti-2022", path)
    assert code == 0 and err == ""
    assert list(rows[0]) == ["unit", "NTS", "TCS", "HTS", "NLS", "ATTT", "DTTM", "HDCQS", "HDKTS", "HDXHS",
                             "CQS", "KTS", "XHS", "DTI", "rank"]
    by_unit = {r["unit"]: r for r in rows}
    assert by_unit["TP. Đà Nẵng"]["DTI"] == "0.8002" and by_unit["TP. Đà Nẵng"]["rank"] == "1"
    assert by_unit["TP. Cần Thơ"]["DTI"] == "0.6924" and by_unit["TP. Cần Thơ"]["rank"] == "2"
    assert [by_unit["TP. Cần Thơ"][p] for p in ("CQS", "KTS", "XHS")] == ["0.7641", "0.7718", "0.6655"]
    assert rows[0]["unit"] == "TP. Đà Nẵng"  # listed in rank order


def test_dti_2020_from_pillars_to_a_file(tmp_path, capsys):
    path = _csv(tmp_path, "unit,CQS,KTS,XHS\nTP. Đà Nẵng,0.5346,0.4155,0.4964\n")
    out = tmp_path / "out.csv"
    assert main(["score", "--framework", "dti-2020", str(path), "--output", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == "unit,CQS,KTS,XHS,DTI,rank\nTP. Đà Nẵng,0.5346,0.4155,0.4964,0.4874,1\n"


def test_xlsx_input_and_decimal_comma(tmp_path, capsys):
    wb = Workbook()
    ws = wb.active
    ws.title = "DTI"
    ws.append(["unit", "CQS", "KTS", "XHS"])
    ws.append(["TP. Đà Nẵng", 0.5346, "0,4155", 0.4964])
    path = tmp_path / "in.xlsx"
    wb.save(path)
    code, rows, _ = _run(capsys, "--framework", "dti-2020", path)
    assert code == 0 and rows[0]["DTI"] == "0.4874"


def test_merge_averages_before_scoring(tmp_path, capsys):
    path = _csv(tmp_path, "\n".join([HEADER_2022, CANTHO, DANANG]) + "\n")
    merge = _csv(tmp_path, "unit,into\nTP. Cần Thơ,TP. Đà Nẵng\n", "merge.csv")
    code, rows, _ = _run(capsys, "--framework", "dti-2022", path, "--merge", merge)
    assert code == 0 and [r["unit"] for r in rows] == ["TP. Đà Nẵng"]
    assert rows[0]["HDXHS"] == "0.4072"  # (0.5197 + 0.2947) / 2
    assert rows[0]["DTI"] == "0.7463"  # (0.800175 + 0.692395) / 2 = 0.746285


def test_ties_share_a_rank(tmp_path, capsys):
    path = _csv(tmp_path, "unit,DTI\nA,0.7\nB,0.80004\nC,0.79996\nD,0.9\n")
    code, rows, _ = _run(capsys, "--framework", "dti-2025", path)
    assert code == 0 and {r["unit"]: r["rank"] for r in rows} == {"D": "1", "B": "2", "C": "2", "A": "4"}


def _error(tmp_path, capsys, text: str, *extra, framework: str = "dti-2022", name: str = "input.csv") -> str:
    path = _csv(tmp_path, text, name)
    code = main(["score", "--framework", framework, str(path), *extra])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert "Traceback" not in err and err.startswith("dxreport: ")
    return err


def test_unknown_code(tmp_path, capsys):
    err = _error(tmp_path, capsys, HEADER_2022 + ",XYZ\n" + DANANG + ",0.5\n")
    assert "input.csv, dòng 1, cột XYZ" in err and "không có trong bộ chỉ số dti-2022" in err


def test_two_levels(tmp_path, capsys):
    err = _error(tmp_path, capsys, HEADER_2022 + ",CQS\n" + CANTHO + ",\n" + DANANG + ",0.8\n")
    assert "dòng 3, cột CQS" in err and "hai cấp" in err


def test_value_outside_0_1(tmp_path, capsys):
    err = _error(tmp_path, capsys, "\n".join([HEADER_2022, DANANG, CANTHO.replace("0.7233", "72.33")]) + "\n")
    assert "dòng 3, cột HTS" in err and "ngoài khoảng" in err


def test_not_a_number(tmp_path, capsys):
    err = _error(tmp_path, capsys, "unit,DTI\nA,cao\n", framework="dti-2025")
    assert "dòng 2, cột DTI" in err and "không phải là số" in err


def test_missing_value_and_missing_column(tmp_path, capsys):
    err = _error(tmp_path, capsys, "unit,CQS,KTS,XHS\nA,0.5,,0.5\n", framework="dti-2020")
    assert "dòng 2, cột KTS" in err and "thiếu giá trị" in err
    err = _error(tmp_path, capsys, "unit,CQS,KTS\nA,0.5,0.5\n", framework="dti-2020")
    assert "dòng 1, cột XHS" in err and "thiếu cột" in err


def test_unit_twice(tmp_path, capsys):
    err = _error(tmp_path, capsys, "\n".join([HEADER_2022, DANANG, CANTHO, DANANG]) + "\n")
    assert "dòng 4, cột unit" in err and "TP. Đà Nẵng" in err and "dòng 2 và dòng 4" in err


def test_unit_written_in_decomposed_unicode_is_the_same_unit(tmp_path, capsys):
    import unicodedata

    decomposed = unicodedata.normalize("NFD", DANANG)
    err = _error(tmp_path, capsys, "\n".join([HEADER_2022, DANANG, decomposed]) + "\n")
    assert "xuất hiện hai lần" in err


def test_empty_file(tmp_path, capsys):
    err = _error(tmp_path, capsys, "")
    assert "input.csv" in err and "tệp rỗng" in err


def test_binary_file(tmp_path, capsys):
    path = tmp_path / "input.csv"
    path.write_bytes(b"PK\x03\x04\x00\x00garbage")
    assert main(["score", "--framework", "dti-2022", str(path)]) == 1
    assert "không phải tệp CSV" in capsys.readouterr().err


def test_not_utf8(tmp_path, capsys):
    path = tmp_path / "input.csv"
    path.write_bytes("unit,DTI\nHà Giang,0.5\n".encode("cp1258"))  # Excel's legacy "CSV" on a Vietnamese Windows
    assert main(["score", "--framework", "dti-2025", str(path)]) == 1
    assert "UTF-8" in capsys.readouterr().err


def test_header_without_unit(tmp_path, capsys):
    err = _error(tmp_path, capsys, "tinh,DTI\nA,0.5\n", framework="dti-2025")
    assert "cột unit" in err


def test_bad_merge_map(tmp_path, capsys):
    text = "\n".join([HEADER_2022, CANTHO, DANANG]) + "\n"
    merge = _csv(tmp_path, "unit,into\nTP. Cần Thơ,A\nTP. Cần Thơ,B\n", "merge.csv")
    err = _error(tmp_path, capsys, text, "--merge", str(merge))
    assert "merge.csv, dòng 3, cột unit" in err
    merge = _csv(tmp_path, "unit,into\nTP. Huế,A\n", "merge.csv")
    err = _error(tmp_path, capsys, text, "--merge", str(merge))
    assert "merge.csv, dòng 2, cột unit" in err and "TP. Huế" in err


def test_weights_unknown_is_exit_1_without_traceback(tmp_path, capsys):
    err = _error(tmp_path, capsys, "\n".join([HEADER_2022, DANANG]) + "\n", framework="dti-2025")
    assert "dti-2025" in err and "null" in err


def test_unknown_framework_is_a_configuration_error(tmp_path, capsys):
    path = _csv(tmp_path, "unit,DTI\nA,0.5\n")
    assert main(["score", "--framework", "dti-1999", str(path)]) == 2
    assert "dti-1999" in capsys.readouterr().err


def test_component_level_with_the_city_framework(tmp_path, capsys):
    # Items numbered as the city numbers them; a penalty column may be given (no entry: no penalty).
    # SNV: 10 + 5 + 0 + 8 + 0 + 5 + 5 + 12,5 (45 % of the way to 90 %) + 11 (step ≥ 50 %) + 5 = 61,5 points
    # STC: everything, 100, less 3 penalty points = 97
    header = "unit,1.1,2.1,2.2,3.1,4.1,4.2.1,4.2.2,5.1,5.2,6.1,TR.1\n"
    path = _csv(tmp_path, header + "SNV,1,1,0,0.8,0,0.95,1,0.45,0.5,0.5,\nSTC,1,1,1,1,1,1,1,0.95,0.7,1,3\n")
    code, rows, _ = _run(capsys, "--framework", "danang-dvi-so", path)
    assert code == 0
    assert [(r["unit"], r["DVC"], r["DVI"], r["TRU"], r["points"], r["band"], r["rank"]) for r in rows] == [
        ("STC", "1.0000", "0.9700", "3.00", "97.00", "Xuất sắc", "1"), ("SNV", "0.5875", "0.6150", "0.00", "61.50", "Trung bình khá", "2")]
    err = _error(tmp_path, capsys, header + "SNV,0.5,1,0,0.8,0,0.95,1,0.45,0.5,0.5,\n", framework="danang-dvi-so")
    assert "dòng 2, cột 1.1" in err and "0 (không)" in err
    err = _error(tmp_path, capsys, header + "SNV,1,1,0,0.8,0,0.95,1,45,0.5,0.5,\n", framework="danang-dvi-so")
    assert "dòng 2, cột 5.1" in err and "0..1" in err


def test_merge_with_a_succession_table_splits_and_merges(tmp_path, capsys):
    path = _csv(tmp_path, "unit,DTI\nQ-HCH,0.6\nQ-NHS,0.8\nH-HVA,0.4\nSNV,0.5\n")
    table = _csv(tmp_path, "predecessor,successor,date,kind\nQ-HCH,P-HCH,2025-07-01,split\nQ-HCH,P-HCU,2025-07-01,split\n"
                           "Q-NHS,P-NHS,2025-07-01,merge\nH-HVA,P-NHS,2025-07-01,merge\n", "succession.csv")
    code, rows, _ = _run(capsys, "--framework", "dti-2025", path, "--merge", table)
    assert code == 0
    assert {r["unit"]: (r["DTI"], r["rank"]) for r in rows} == {
        "P-HCH": ("0.6000", "1"), "P-HCU": ("0.6000", "1"), "P-NHS": ("0.6000", "1"), "SNV": ("0.5000", "4")}


def test_an_error_in_a_workbook_names_the_sheet(tmp_path, capsys):
    wb = Workbook()
    ws = wb.active
    ws.title = "Số liệu"
    ws.append(["unit", "DTI"])
    ws.append(["A", 0.5])
    ws.append(["B", "không rõ"])
    path = tmp_path / "in.xlsx"
    wb.save(path)
    assert main(["score", "--framework", "dti-2025", str(path)]) == 1
    assert "Tệp in.xlsx, trang 'Số liệu', dòng 3, cột DTI" in capsys.readouterr().err


def test_a_unit_that_would_be_a_spreadsheet_formula_is_quoted(tmp_path, capsys):
    """OWASP CSV injection: a unit's name that starts with = + - @ comes out as text, not a formula."""
    names = ["=cmd|' /C calc'!A0", "@SUM(A1:A9)", "+1+1", "-2+3", "TP. Đà Nẵng"]
    rows = "\n".join(f'"{n}",0.{k + 2}' for k, n in enumerate(names))
    out = tmp_path / "out.csv"
    assert main(["score", "--framework", "dti-2022", str(_csv(tmp_path, "unit,DTI\n" + rows + "\n")), "--output", str(out)]) == 0
    units = [r["unit"] for r in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")))]
    assert sorted(units) == sorted(["'=cmd|' /C calc'!A0", "'@SUM(A1:A9)", "'+1+1", "'-2+3", "TP. Đà Nẵng"])


def test_report_tables_quote_text_that_would_be_a_formula(tmp_path):
    import pandas as pd
    from dxreport.publish.report import write_tables

    table = pd.DataFrame({"unit": ["=HYPERLINK(\"http://x\")", "SCT"], "note": ["@x", "ghi chú"], "change": [-0.5, 0.25]})
    path = write_tables({"t": table}, tmp_path)["t"]
    assert path.read_text(encoding="utf-8").splitlines() == [
        "unit,note,change", "\"'=HYPERLINK(\"\"http://x\"\")\",'@x,-0.5", "SCT,ghi chú,0.25"]


@pytest.mark.parametrize("framework", ["../cities/danang/indicators", "../frameworks/dti-2022", "DTI-2022", "/etc/passwd"])
def test_framework_id_is_looked_up_never_a_path(tmp_path, capsys, framework):
    code, _, err = _run(capsys, "--framework", framework, _csv(tmp_path, "unit,DTI\nA,0.5\n"))
    assert code == 2 and f"không có bộ chỉ số '{framework}'" in err and "dti-2022" in err


def test_input_or_output_that_is_a_folder(tmp_path, capsys):
    code, _, err = _run(capsys, "--framework", "dti-2022", tmp_path)
    assert code == 2 and "INPUT là một thư mục" in err and "Traceback" not in err
    code, _, err = _run(capsys, "--framework", "dti-2022", _csv(tmp_path, "unit,DTI\nA,0.5\n"), "--output", tmp_path)
    assert code == 2 and "--output là một thư mục" in err
