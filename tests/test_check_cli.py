"""``dxreport check`` / ``ingest`` / ``template``: exit codes, one Vietnamese line per problem, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import ROOT
from corpus import clean_copy, edit, rezip, with_rows
from dxreport import store
from dxreport.cli import main
from openpyxl import load_workbook


def run(*args):
    env = {**os.environ, "PYTHONPATH": str(ROOT / "lib"), "DXREPORT_ROOT": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "dxreport.cli", *args], capture_output=True, text=True, env=env, cwd=ROOT)


@pytest.fixture
def broken(tmp_path):
    """Five broken files and one clean one."""
    files = {"clean": clean_copy(tmp_path / "a")}
    (p := tmp_path / "b" / "fake.xlsx").parent.mkdir()
    p.write_bytes(b"<html>not a workbook</html>")
    files["fake"] = p
    files["merged"] = edit(clean_copy(tmp_path / "c"), lambda wb, ws: ws.merge_cells("B12:C12"))
    files["tcvn3"] = edit(clean_copy(tmp_path / "d"), lambda wb, ws: ws.__setitem__("G10", "Sè liÖu cña Së"))
    (p := tmp_path / "e" / "SCT.xlsx").parent.mkdir()
    with open(p, "wb") as f:
        f.truncate(60 * 1024 * 1024)  # sparse
    files["huge"] = p
    files["empty"] = (tmp_path / "f" / "SCT.csv")
    files["empty"].parent.mkdir()
    files["empty"].touch()
    return files


def test_check_clean_exits_0(broken, capsys):
    assert main(["check", str(broken["clean"])]) == 0
    assert "1 hợp lệ, 0 có vấn đề" in capsys.readouterr().out


def test_check_lists_every_problem_one_line_each_and_exits_1(broken):
    result = run("check", *(str(p) for p in broken.values()))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[-1] == "Đã kiểm tra 6 tệp: 1 hợp lệ, 5 có vấn đề (5 vấn đề)."
    assert all(line.startswith("Tệp ") and "Cách sửa:" in line for line in lines[:-1])
    text = result.stdout
    for words in ("fake.xlsx: nội dung tệp không phải", "cột B: các ô B12:C12 bị gộp", "cột G: chữ được gõ bằng bảng mã cũ TCVN3",
                  "tệp quá lớn (60 MB", "SCT.csv: tệp rỗng"):
        assert words in text


def test_check_dir_survives_hostile_files_and_names_refused_formats(tmp_path):
    """One folder: a cell at XFD1048576 (aborted the process), a zip bomb, an error cell, other formats, a clean file."""
    folder = tmp_path / "in"
    edit(clean_copy(folder, "far.xlsx"), lambda wb, ws: ws.__setitem__("XFD1048576", 1))
    rezip(clean_copy(folder, "bomb.xlsx"), with_rows(b"<row><c><v>1</v></c></row>" * 3_000_000), compresslevel=9)
    edit(clean_copy(folder, "loi.xlsx"), lambda wb, ws: setattr(ws.__setitem__("E10", "#N/A") or ws["E10"], "data_type", "e"))
    for name in ("cu.xls", "macro.xlsm", "calc.ods"):
        clean_copy(folder, name)
    clean_copy(folder, "~$SCT.xlsx")  # Excel's lock file beside an open workbook: not a submission
    clean_copy(folder)
    result = run("check", "--city", "danang", str(folder))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stdout + result.stderr and "panicked" not in result.stderr
    out = result.stdout
    assert out.strip().splitlines()[-1] == "Đã kiểm tra 7 tệp: 1 hợp lệ, 6 có vấn đề (6 vấn đề)."
    for words in ("far.xlsx, trang 'BaoCao': trang tính khai báo vùng dữ liệu A1:XFD1048576",
                  "bomb.xlsx: phần 'xl/worksheets/sheet1.xml' của tệp giải nén ra 74 MB (giới hạn 20 MB)",
                  "loi.xlsx, trang 'BaoCao', dòng 10, cột E: ô E10 chứa giá trị lỗi #N/A",
                  "cu.xls: tệp Excel 97–2003 (.xls) không được nhận", "macro.xlsm: sổ làm việc có macro (.xlsm) không được nhận",
                  "calc.ods: bảng tính OpenDocument (.ods"):
        assert words in out
    assert out.count("Cách sửa:") == 6


def test_usage_errors_exit_2(tmp_path, capsys):
    assert main(["check", str(tmp_path / "missing.xlsx")]) == 2
    assert "không tìm thấy" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main(["check"])
    assert info.value.code == 2
    assert main(["check", "--city", "hue", str(tmp_path)]) == 2
    for city in ("../../data/cities/danang", "danang/../danang", "/work"):  # never a path built from what was typed
        assert main(["check", "--city", city, str(tmp_path)]) == 2
        assert f"không có cấu hình cho thành phố '{city}' (hiện có: danang)" in capsys.readouterr().err


def test_ingest_stores_clean_rejects_broken(broken, tmp_path, capsys):
    db = tmp_path / "s.duckdb"
    assert main(["ingest", "--db", str(db), str(broken["clean"]), str(broken["merged"])]) == 1
    out = capsys.readouterr().out
    assert "đã nhận 1 tệp mới" in out and "từ chối 1 tệp" in out and "B12:C12" in out
    assert len(store.load_submissions(db)) == 1 and len(store.load_problems(db)) == 1


def test_template_lists_unit_indicators_with_last_period(tmp_path, sample_db, capsys):
    out = tmp_path / "tpl"
    assert main(["template", "--city", "danang", "--period", "2026-Q4", "--unit", "SCT", "--out", str(out), "--db", str(sample_db)]) == 0
    wb = load_workbook(out / "SCT.xlsx")
    ws = wb["BaoCao"]
    assert wb.security.lockStructure and ws.protection.sheet and ws["C7"].value == "dxreport-bieu-mau-2"
    rows = [r for r in ws.iter_rows(min_row=10, values_only=True) if r[1]]
    latest = store.load_observations(sample_db, ["2026-Q3"]).query("unit == 'SCT'").set_index("indicator")["value"]
    assert [r[1] for r in rows] == list(latest.index.sort_values(key=lambda s: s.map([r[1] for r in rows].index)))
    shown = {1: "Có", 0: "Chưa"}  # a yes/no item shows last period's 1/0 as the words the unit picks
    assert all(r[4] is None and r[5] in (latest[r[1]], shown.get(latest[r[1]])) for r in rows)
    assert any(r[5] in ("Có", "Chưa") for r in rows)
    assert {dv.type for dv in ws.data_validations.dataValidation} >= {"whole", "list"}
    assert not ws["E10"].protection.locked and ws["C10"].protection.locked
    assert main(["template", "--city", "danang", "--period", "2026-Q4", "--unit", "NOPE", "--out", str(out)]) == 2


def test_ingest_and_template_with_a_damaged_store_exit_2_naming_it(tmp_path, broken):
    db = tmp_path / "hong.duckdb"
    db.write_bytes(b"\x00not a database" * 500)
    for args in (["ingest", "--db", str(db), str(broken["clean"])],
                 ["template", "--city", "danang", "--period", "2026-Q4", "--unit", "SCT", "--out", str(tmp_path / "t"), "--db", str(db)]):
        result = run(*args)
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        assert f"Kho dữ liệu {db}: tệp không phải là kho DuckDB hoặc đã bị hỏng" in result.stderr and "Cách xử lý" in result.stderr
    assert db.read_bytes() == b"\x00not a database" * 500
