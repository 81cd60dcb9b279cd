"""Programme tasks: the plan's task list, the workbook's NhiemVu sheet, the store's revisions, the status rules."""

from __future__ import annotations

import shutil
from datetime import date

import pandas as pd
import pytest
from conftest import SAMPLE_DIR
from dxreport import store
from dxreport.compute import tasks as ct
from dxreport.domain import tasks as dt
from dxreport.domain.config import load_programme
from dxreport.domain.units import load_units
from dxreport.domain.errors import ConfigError
from dxreport.domain.tasks import Task
from dxreport.intake import submissions as intake
from dxreport.intake import tasksheet
from openpyxl import load_workbook

PERIOD = "2026-Q3"
TASK_UNIT = "STC"  # leads NV04 (due 2026-Q2) and NV05 (due 2026-Q3) in the sample plan


@pytest.fixture(scope="module")
def expected(city_dir):
    return intake.expected_for(city_dir)


# ---------------------------------------------------------------- the plan


def test_sample_plan_has_real_shaped_tasks(city_dir):
    programme = load_programme(city_dir)
    units = load_units(city_dir)
    tasks = {t.code: t for t in programme.tasks}
    assert 15 <= len(tasks) <= 25
    assert all(t.lead in units.index for t in tasks.values())
    assert any("131/KH-UBND" in (t.source.document if t.source else "") for t in tasks.values())
    assert {t.funds.source for t in tasks.values() if t.funds} >= {"ngân sách thành phố", "xã hội hóa"}
    assert any(t.recurring for t in tasks.values())
    assert tasks["NV05"].due == date(2026, 9, 30)  # a quarter as deadline: its last day
    assert tasks["NV01"].due == date(2025, 6, 30)


def test_deadline_forms():
    base = {"code": "X1", "name": "n", "lead": "SNV"}
    assert Task(**base, deadline="2026-Q4").due == date(2026, 12, 31)
    assert Task(**base, deadline=2026).due == date(2026, 12, 31)  # YAML reads 2026 as a number
    assert Task(**base, deadline="Thường xuyên").recurring and Task(**base, deadline="thường xuyên").due is None
    with pytest.raises(ValueError, match="thời hạn 'quý 4' không hợp lệ"):
        Task(**base, deadline="quý 4")


def test_broken_task_file_names_file_line_and_key(tmp_path, city_dir):
    city = tmp_path / "danang"
    shutil.copytree(city_dir, city)
    text = (city / "tasks.yaml").read_text(encoding="utf-8")
    (city / "tasks.yaml").write_text(text.replace("deadline: 2026-Q2", "deadline: quý hai"), encoding="utf-8")
    load_programme.cache_clear()
    with pytest.raises(ConfigError) as info:
        load_programme(city)
    e = info.value
    assert e.path.endswith("tasks.yaml") and e.key == "tasks[NV04].deadline" and e.line is not None
    assert (city / "tasks.yaml").read_text(encoding="utf-8").splitlines()[e.line - 1].strip().startswith("deadline")
    (city / "tasks.yaml").write_text(text.replace("code: NV02", "code: NV01"), encoding="utf-8")
    load_programme.cache_clear()
    with pytest.raises(ConfigError, match="mã nhiệm vụ 'NV01' bị lặp"):
        load_programme(city)
    load_programme.cache_clear()


def test_check_config_names_an_unknown_lead_unit(tmp_path, city_dir):
    from dxreport.execute.config_check import check_city

    root = tmp_path / "p"
    shutil.copytree(city_dir, root / "data" / "cities" / "danang")
    path = root / "data" / "cities" / "danang" / "tasks.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("lead: SYT", "lead: SYTE"), encoding="utf-8")
    found = [f.text() for f in check_city(root, "danang")]
    assert any("tasks.yaml" in f and "tasks[NV11].lead" in f and "'SYTE'" in f for f in found), found
    load_programme.cache_clear()


# ---------------------------------------------------------------- the workbook sheet


def _copy(tmp_path, unit=TASK_UNIT, period=PERIOD):
    target = tmp_path / period / f"{unit}.xlsx"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SAMPLE_DIR / period / f"{unit}.xlsx", target)
    return target


def _edit_tasks(path, changes: dict[str, object]):
    """Set cells of the NhiemVu sheet ({'F5': 'Hoàn thành'}) and save (openpyxl)."""
    wb = load_workbook(path)
    ws = wb[tasksheet.SHEET]
    for ref, value in changes.items():
        ws[ref] = value
    wb.save(path)
    return path


def test_sample_workbook_tasks_sheet_is_read(expected):
    checked = intake.check_file(SAMPLE_DIR / PERIOD / f"{TASK_UNIT}.xlsx", expected)
    assert checked.ok, [p.line() for p in checked.problems]
    reports = checked.submission().task_reports
    assert list(reports["task"]) == ["NV04", "NV05"] and set(reports["sheet"]) == {tasksheet.SHEET}
    assert set(reports["status"]) <= set(dt.REPORTED_STATUSES)


@pytest.mark.parametrize("cells, column, words", [
    ({"F5": "Xong rồi"}, "F", "tình trạng 'Xong rồi' không hợp lệ"),
    ({"F5": "Đang thực hiện", "G5": 140, "H5": None}, "G", "ngoài khoảng 0–100"),
    ({"F5": "Hoàn thành", "G5": 100, "H5": None, "I5": "Quyết định số 1/QĐ-STC"}, "H", "chưa ghi ngày hoàn thành"),
    ({"F5": "Hoàn thành", "G5": 100, "H5": "01/07/2026", "I5": None}, "I", "chưa có tài liệu kiểm chứng"),
    ({"F5": "Hoàn thành", "G5": 100, "H5": "31/02/2026", "I5": "QĐ 1"}, "H", "không phải ngày hợp lệ"),
    ({"B5": "NV99"}, "B", "mã nhiệm vụ 'NV99' không có trong kế hoạch"),
    ({"B5": "NV14"}, "B", "do đơn vị SKHCN chủ trì"),
    ({"L5": 10}, "L", "không có kinh phí được giao"),
])
def test_each_task_rule_names_sheet_row_and_column(expected, tmp_path, cells, column, words):
    path = _edit_tasks(_copy(tmp_path), cells)
    checked = intake.check_file(path, expected)
    hits = [p for p in checked.problems if words in p.message]
    assert hits, [p.line() for p in checked.problems]
    p = hits[0]
    assert (p.sheet, p.row, p.column) == (tasksheet.SHEET, 5, column)
    assert f"trang '{tasksheet.SHEET}', dòng 5, cột {column}" in p.line()


def test_legacy_encoding_on_the_tasks_sheet(expected, tmp_path):
    path = _edit_tasks(_copy(tmp_path), {"F5": "Đang thực hiện", "G5": 50, "H5": None, "J5": "ThiÕu kinh phÝ thùc hiÖn"})
    (p,) = intake.check_file(path, expected).problems
    assert (p.sheet, p.row, p.column) == (tasksheet.SHEET, 5, "J") and "TCVN3" in p.message


def test_disbursement_above_the_allocation_is_refused(expected, tmp_path):
    path = _edit_tasks(_copy(tmp_path, "VPUB"), {})
    ws = load_workbook(path)[tasksheet.SHEET]
    row = next(r for r in range(5, ws.max_row + 1) if ws.cell(r, 2).value == "NV15")
    _edit_tasks(path, {f"L{row}": 6201})  # NV15 has 6.200 triệu đồng
    (p,) = [p for p in intake.check_file(path, expected).problems]
    assert (p.row, p.column) == (row, "L") and "vượt kinh phí được giao (6.200 triệu đồng)" in p.message


def test_tasks_sheet_text_is_nfc(expected, tmp_path):
    decomposed = "Thiếu kinh phí".replace("ế", "e\u0302\u0301")
    path = _edit_tasks(_copy(tmp_path), {"F5": "Đang thực hiện", "G5": 50, "H5": None, "J5": decomposed})
    checked = intake.check_file(path, expected)
    assert checked.ok, [p.line() for p in checked.problems]
    assert checked.submission().task_reports.set_index("task").loc["NV04", "difficulties"] == "Thiếu kinh phí"


def test_a_workbook_of_the_old_format_still_ingests_and_its_tasks_are_not_reported(expected, tmp_path, city_dir):
    """A task-leading unit sending the workbook without NhiemVu (made before tasks existed)."""
    path = _copy(tmp_path)
    wb = load_workbook(path)
    wb.security = None
    del wb[tasksheet.SHEET]
    wb.save(path)
    checked = intake.check_file(path, expected)
    assert checked.ok and checked.submission().task_reports is None
    db = tmp_path / "s.duckdb"
    intake.ingest([path], db, root=tmp_path, city_dir=city_dir)
    assert store.load_task_reports(db).empty
    status = ct.task_status(ct.task_table(load_programme(city_dir).tasks), store.load_task_reports(db), PERIOD)
    assert status.set_index("code").loc["NV05", "status"] == dt.NOT_REPORTED


def test_a_broken_tasks_sheet_rejects_the_whole_file(expected, tmp_path, city_dir):
    path = _edit_tasks(_copy(tmp_path), {"F5": "Hoàn thành", "G5": 100, "H5": None, "I5": None})
    db = tmp_path / "s.duckdb"
    result = intake.ingest([path], db, root=tmp_path, city_dir=city_dir)
    assert result["rejected"] == 1
    with store.connect(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM submissions").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM task_reports").fetchone()[0] == 0


def test_template_lists_the_units_tasks(tmp_path):
    from dxreport.cli import main

    assert main(["template", "--city", "danang", "--period", "2026-Q4", "--unit", "SKHCN", "--out", str(tmp_path)]) == 0
    wb = load_workbook(tmp_path / "SKHCN.xlsx")
    assert wb.sheetnames == ["BaoCao", tasksheet.SHEET, "HuongDan"]
    ws = wb[tasksheet.SHEET]
    assert [c.value for c in ws[tasksheet.HEADER_ROW]] == tasksheet.HEADERS
    codes = [ws.cell(r, 2).value for r in range(tasksheet.HEADER_ROW + 1, ws.max_row + 1)]
    assert codes == ["NV02", "NV03", "NV12", "NV14", "NV19"]
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert lists and all(s in lists[0].formula1 for s in dt.REPORTED_STATUSES)


# ---------------------------------------------------------------- store


def test_resubmission_keeps_every_revision_of_task_reports(expected, tmp_path, city_dir):
    first = _copy(tmp_path)
    db = tmp_path / "s.duckdb"
    intake.ingest([first], db, root=tmp_path, city_dir=city_dir)
    _edit_tasks(first, {"F5": "Đang thực hiện", "G5": 97, "H5": None, "J5": "Chờ ý kiến các sở"})
    intake.ingest([first], db, root=tmp_path, city_dir=city_dir)
    history = store.load_task_reports(db, history=True)
    nv04 = history[history["task"] == "NV04"].sort_values("revision")
    assert list(nv04["revision"]) == [1, 2]
    latest = store.load_task_reports(db).set_index("task")
    assert latest.loc["NV04", "percent"] == 97 and latest.loc["NV04", "revision"] == 2
    assert latest.loc["NV04", "difficulties"] == "Chờ ý kiến các sở"


# ---------------------------------------------------------------- status rules


def _task(code, deadline, **kw):
    return Task(code=code, name=f"Nhiệm vụ {code}", lead=kw.pop("lead", "U1"), deadline=deadline, **kw)


def _report(task, period, status, completed_on=None, unit="U1", **kw):
    return {"unit": unit, "period": period, "task": task, "status": status, "percent": kw.get("percent"),
            "completed_on": completed_on, "evidence": kw.get("evidence", "QĐ 1" if completed_on else ""),
            "difficulties": kw.get("difficulties", ""), "proposals": "", "disbursed": kw.get("disbursed"),
            "file": "f.xlsx", "sheet": "NhiemVu", "row": 5, "revision": 1}


def _status(tasks, reports, period="2026-Q3"):
    frame = pd.DataFrame(reports, columns=store.TASK_REPORT_COLUMNS)
    return ct.task_status(ct.task_table(tasks), frame, period).set_index("code")


def test_each_status_at_the_period_end():
    tasks = [_task("A", date(2026, 6, 30)), _task("B", date(2026, 6, 30)), _task("C", date(2026, 12, 31)),
             _task("D", date(2026, 6, 30)), _task("E", date(2026, 12, 31)), _task("F", date(2026, 12, 31)),
             _task("G", date(2026, 8, 1))]
    reports = [_report("A", "2026-Q3", "Hoàn thành", date(2026, 6, 30)),  # on its deadline day: in time
               _report("B", "2026-Q3", "Hoàn thành", date(2026, 7, 1)),   # a day late
               _report("C", "2026-Q3", "Đang thực hiện", percent=40),
               _report("D", "2026-Q3", "Đang thực hiện", percent=80),     # due 30/6, not done at 30/9
               _report("E", "2026-Q3", "Chưa triển khai")]
    s = _status(tasks, reports)
    assert s.loc["A", "status"] == dt.DONE_ON_TIME
    assert s.loc["B", "status"] == dt.DONE_LATE
    assert s.loc["C", "status"] == dt.IN_PROGRESS
    assert (s.loc["D", "status"], s.loc["D", "days_overdue"]) == (dt.OVERDUE, 92)  # 30/6 → 30/9
    assert s.loc["E", "status"] == dt.NOT_STARTED
    assert s.loc["F", "status"] == dt.NOT_REPORTED
    assert (s.loc["G", "status"], s.loc["G", "days_overdue"], s.loc["G", "reported"]) == (dt.OVERDUE, 60, False)


def test_boundary_at_the_deadline_day():
    tasks = [_task("A", date(2026, 9, 30)), _task("B", date(2026, 9, 29))]
    reports = [_report(c, "2026-Q3", "Đang thực hiện", percent=90) for c in "AB"]
    s = _status(tasks, reports)
    assert s.loc["A", "status"] == dt.IN_PROGRESS  # due on the period's last day: still in time
    assert (s.loc["B", "status"], s.loc["B", "days_overdue"]) == (dt.OVERDUE, 1)


def test_completion_carries_over_but_not_for_recurring_work():
    tasks = [_task("A", date(2026, 3, 31)), _task("R", "thường xuyên")]
    reports = [_report("A", "2026-Q1", "Hoàn thành", date(2026, 3, 1)), _report("R", "2026-Q2", "Hoàn thành", date(2026, 6, 1))]
    s = _status(tasks, reports)
    assert s.loc["A", "status"] == dt.DONE_ON_TIME and s.loc["A", "evidence"] == "QĐ 1"  # done last quarter, not sent again
    assert s.loc["R", "status"] == dt.NOT_REPORTED  # recurring: Q2's completion says nothing about Q3
    s = _status(tasks, [_report("R", "2026-Q3", "Đang thực hiện")])
    assert s.loc["R", "status"] == dt.IN_PROGRESS and pd.isna(s.loc["R", "days_overdue"])
    assert _status(tasks, [_report("R", "2026-Q3", "Hoàn thành", date(2026, 9, 2))]).loc["R", "status"] == dt.DONE_ON_TIME


def test_only_the_lead_unit_reports_a_task():
    s = _status([_task("A", date(2026, 12, 31))], [_report("A", "2026-Q3", "Hoàn thành", date(2026, 9, 1), unit="U2")])
    assert s.loc["A", "status"] == dt.NOT_REPORTED


def test_counts_funds_and_what_falls_due_next():
    funds = dt.Funds(allocated=1000, source="ngân sách thành phố")
    tasks = [_task("A", date(2026, 12, 31), funds=funds, group="G1"), _task("B", date(2026, 6, 30), group="G2"),
             _task("C", "2026-Q4", group="G1", lead="U2")]
    reports = [_report("A", "2026-Q2", "Đang thực hiện", disbursed=150.0), _report("A", "2026-Q3", "Đang thực hiện", disbursed=250.0),
               _report("C", "2026-Q3", "Chưa triển khai", unit="U2")]
    frame = pd.DataFrame(reports, columns=store.TASK_REPORT_COLUMNS)
    s = ct.task_status(ct.task_table(tasks), frame, "2026-Q3")
    counts = ct.status_counts(s)
    assert counts.loc[0, dt.IN_PROGRESS] == 1 and counts.loc[0, dt.OVERDUE] == 1 and counts.loc[0, "total"] == 3
    by_group = ct.status_counts(s, "group").set_index("group")
    assert by_group.loc["G1", "total"] == 2 and by_group.loc["G2", dt.OVERDUE] == 1
    assert ct.status_counts(s, "lead").set_index("lead").loc["U2", dt.NOT_STARTED] == 1
    f = ct.funds_table(s).set_index("code")
    assert (f.loc["A", "disbursed_period"], f.loc["A", "disbursed_total"], f.loc["A", "disbursement_rate"]) == (250, 400, 0.4)
    assert ct.funds_total(s) == {"tasks": 1, "allocated": 1000.0, "disbursed": 400.0, "rate": 0.4}
    assert list(ct.due_next(s, "2026-Q3")["code"]) == ["A", "C"]
    assert list(ct.overdue(s)["code"]) == ["B"]


def test_sample_quarter_has_a_believable_mix(sample_db, city_dir):
    status = ct.task_status(ct.task_table(load_programme(city_dir).tasks), store.load_task_reports(sample_db), PERIOD)
    counts = status["status"].value_counts()
    assert counts.get(dt.OVERDUE, 0) >= 2 and counts.get(dt.DONE_ON_TIME, 0) >= 3 and counts.get(dt.IN_PROGRESS, 0) >= 3
    assert counts.get(dt.NOT_REPORTED, 0) >= 1  # SDL has not sent 2026-Q3 (sample.yaml)
    done = status[status["status"].isin(dt.DONE)]
    assert (done["evidence"] != "").all()


# ---------------------------------------------------------------- quality and publishing


def test_quality_covers_task_reports(tmp_path, city_dir):
    """A unit that leads tasks and has not sent, one whose file was rejected on its tasks sheet (completed without
    evidence), and what the others reported."""
    from dxreport.compute import quality
    from dxreport.domain.config import load_city
    from dxreport.publish import quality_report

    good = _copy(tmp_path, "SKHCN")
    bad = _edit_tasks(_copy(tmp_path), {"F5": "Hoàn thành", "G5": 100, "H5": "01/07/2026", "I5": None})
    db = tmp_path / "s.duckdb"
    intake.ingest([good, bad], db, root=tmp_path, city_dir=city_dir)
    programme = load_programme(city_dir)
    status = ct.task_status(ct.task_table(programme.tasks), store.load_task_reports(db), PERIOD)
    tables = quality.quality_tables(city=load_city(city_dir), units=load_units(city_dir),
                                    indicators=intake.expected_for(city_dir).indicators, period=PERIOD,
                                    submissions=store.load_submissions(db), observations=store.load_observations(db),
                                    problems=store.load_problems(db), task_status=status)
    t = tables["task_reports"].set_index("unit")
    led = {u: sum(1 for x in programme.tasks if x.lead == u) for u in ("SKHCN", "STC")}
    assert (t.loc["SKHCN", "tasks"], t.loc["SKHCN", "reported"], t.loc["SKHCN", "not_reported"]) == (led["SKHCN"], led["SKHCN"], 0)
    assert (t.loc["STC", "state"], t.loc["STC", "not_reported"], t.loc["STC", "rejected_task_problems"]) == ("missing", led["STC"], 1)
    assert t["done_without_evidence"].sum() == 0  # intake never stores one
    ctx = quality_report.quality_context(tables, period=PERIOD)
    assert ctx["task_counts"]["rejected_task_problems"] == 1 and ctx["task_counts"]["missing_units"] >= 1


def test_city_without_tasks_gets_no_tasks_section():
    from dxreport.publish import tasks_report

    assert tasks_report.city_tasks_context(None, units=pd.DataFrame(), groups={}, period=PERIOD) is None
    assert tasks_report.unit_tasks_context(None, "X", units=pd.DataFrame(), groups={}) is None


def test_city_tasks_context_counts_and_lists(sample_db, city_dir):
    from dxreport.publish import tasks_report

    programme = load_programme(city_dir)
    status = ct.task_status(ct.task_table(programme.tasks), store.load_task_reports(sample_db), PERIOD)
    ctx = tasks_report.city_tasks_context(status, units=load_units(city_dir), groups=programme.task_group_names(), period=PERIOD)
    counts = status["status"].value_counts()
    assert [s["count"] for s in ctx["statuses"]] == [int(counts.get(s, 0)) for s in dt.STATUSES]
    assert sum(g["total"] for g in ctx["by_group"]) == len(status) == ctx["total"]
    assert [t["code"] for t in ctx["overdue"]] == list(ct.overdue(status)["code"])
    assert all(t["days_overdue"] > 0 and t["lead_name"] for t in ctx["overdue"])
    assert all(t["evidence"] for t in ctx["completed"])
    assert f"trong {fmt_count(len(status))} nhiệm vụ của kế hoạch" in ctx["summary"]
    csv = tasks_report.csv_frame(status)
    assert list(csv["code"]) == list(status["code"]) and "disbursement_rate" in csv.columns


def fmt_count(n):
    from dxreport.domain import fmt

    return fmt.count(n)


def test_overdue_tasks_become_the_units_actions():
    from dxreport.compute import actions
    from dxreport.publish import actions_report

    tasks = [_task("A", date(2026, 6, 30)), _task("B", date(2026, 8, 31)), _task("C", date(2026, 12, 31)),
             _task("D", date(2026, 6, 30), lead="U2")]
    reports = [_report("A", "2026-Q3", "Đang thực hiện", percent=60), _report("C", "2026-Q3", "Đang thực hiện", percent=10)]
    frame = pd.DataFrame(reports, columns=store.TASK_REPORT_COLUMNS)
    status = ct.task_status(ct.task_table(tasks), frame, "2026-Q3")
    rows = actions.task_actions("U1", status, date(2026, 12, 19), "2026-Q3")
    assert [(r["item"], r["note"]) for r in rows] == [("A", "92"), ("B", "30")]  # longest overdue first; C in time; D not U1's
    shown = actions_report.rows(pd.DataFrame(rows, columns=actions.COLUMNS))
    assert shown[0]["kind_label"] == "Nhiệm vụ quá hạn"
    assert shown[0]["action"] == "Hoàn thành nhiệm vụ A (nhiệm vụ A), đã quá hạn 92 ngày"
    assert shown[0]["current"] == "thực hiện 60%, quá hạn 92 ngày" and shown[1]["current"] == "chưa báo cáo, quá hạn 30 ngày"
