"""Data quality of a period's submissions: completeness, timeliness, problems, jumps, and their rendering."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest
from dxreport import store
from dxreport.compute import quality, scorecard
from dxreport.domain.config import load_city, load_indicators
from dxreport.domain.periods import Period
from dxreport.domain.units import load_units
from dxreport.publish import quality_report, render, scorecard_report

PERIOD = "2026-Q3"
INJECTED = '<script>alert("x")</script> {{ 7*7 }}'


@pytest.fixture(scope="module")
def cfg(city_dir):
    return {"city": load_city(city_dir), "units": load_units(city_dir), "indicators": load_indicators(city_dir)}


@pytest.fixture(scope="module")
def sample(sample_db, cfg):
    subs, obs = store.load_submissions(sample_db), store.load_observations(sample_db)
    tables = quality.quality_tables(**cfg, period=PERIOD, submissions=subs, observations=obs)
    return {"submissions": subs, "observations": obs, "tables": tables}


def sub(unit, period=PERIOD, revision=1, submitted_on="2026-09-18", received_at="2026-10-01 08:00", sha=None):
    return {
        "file": f"data/in/{period}/{unit}-{revision}.xlsx", "sha256": sha or f"{unit}-{period}-{revision}", "unit": unit,
        "period": period, "revision": revision,
        "submitted_on": pd.Timestamp(submitted_on) if submitted_on else pd.NaT,
        "received_at": pd.Timestamp(received_at), "template_version": "t",
    }


def obs(rows, period=PERIOD):
    return pd.DataFrame([{"unit": u, "indicator": i, "period": period, "value": v} for u, i, v in rows],
                        columns=["unit", "indicator", "period", "value"])


# ------------------------------------------------------------ the sample store


def test_sample_missing_units_are_sdl_and_x_bna(sample, cfg):
    comp = sample["tables"]["completeness"]
    assert set(comp.loc[~comp["submitted"], "unit"]) == {"SDL", "X-BNA"}
    # The city itself reports nothing, and the districts abolished on 1 July 2025 are not expected.
    assert "DN" not in set(comp["unit"]) and not comp["unit"].str.startswith(("Q-", "H-")).any()
    assert len(comp) == 28
    assert (comp.loc[comp["submitted"], "received"] == comp.loc[comp["submitted"], "expected"]).all()


def test_sample_timeliness_agrees_with_the_scorecard(sample, cfg):
    time_ = sample["tables"]["timeliness"]
    deadline = scorecard.deadline_for(cfg["city"], Period.parse(PERIOD))
    assert deadline == date(2026, 9, 19) and (time_["deadline"] == deadline).all()
    late = time_[time_["state"] == "late"]
    assert len(late) > 0
    for r in late.itertuples():
        assert r.days_late == (r.submitted_on - deadline).days > 0
        history = scorecard.submission_history(sample["submissions"], cfg["city"], r.unit, [PERIOD])[0]
        assert history["state"] == "late" and history["days_late"] == r.days_late
    assert set(time_.loc[time_["state"] == "missing", "unit"]) == {"SDL", "X-BNA"}


def test_sample_context_summary_states_table_figures(sample):
    q = quality_report.quality_context(sample["tables"], period=PERIOD)
    c = q["counts"]
    assert (c["expected"], c["submitted"], c["missing"]) == (28, 26, 2)
    assert c["on_time"] + c["late"] + c["missing"] == c["expected"]
    assert q["summary"].startswith("Quý III/2026, 26/28 đơn vị phải báo cáo đã gửi số liệu (92,9%)")
    assert "Sở Du lịch và xã Bà Nà" in q["summary"]
    assert f"{c['late']} đơn vị gửi muộn so với hạn 19/9/2026" in q["summary"]
    assert q == quality_report.quality_context(sample["tables"], period=PERIOD)  # deterministic


def test_load_problems_without_store_support_is_empty(sample_db, monkeypatch):
    monkeypatch.delattr(store, "load_problems", raising=False)
    frame = quality.load_problems(sample_db)
    assert list(frame.columns) == quality.PROBLEM_COLUMNS and frame.empty


# ------------------------------------------------------------ hand-built frames


def test_timeliness_first_revision_decides_and_received_date_fills_in(cfg):
    subs = pd.DataFrame([
        sub("SNV", submitted_on="2026-09-19"),                       # on the deadline: on time
        sub("STC", submitted_on="2026-09-22"),                       # 3 days late
        sub("STP", revision=1, submitted_on="2026-09-10"),           # on time, corrected late: still on time
        sub("STP", revision=2, submitted_on="2026-10-02"),
        sub("SCT", submitted_on=None, received_at="2026-09-25 10:00"),  # no date in the workbook
    ])
    time_ = quality.timeliness(cfg["city"], cfg["units"], cfg["indicators"], PERIOD, subs).set_index("unit")
    assert time_.loc["SNV", "state"] == "on_time" and pd.isna(time_.loc["SNV", "days_late"])
    assert (time_.loc["STC", "state"], time_.loc["STC", "days_late"]) == ("late", 3)
    assert time_.loc["STP", "state"] == "on_time" and time_.loc["STP", "revisions"] == 2
    assert time_.loc["STP", "last_submitted_on"] == date(2026, 10, 2)
    assert (time_.loc["SCT", "state"], time_.loc["SCT", "days_late"], time_.loc["SCT", "date_source"]) == ("late", 6, "received_at")
    assert time_.loc["SYT", "state"] == "missing" and time_.loc["SYT", "state_label"] == "Chưa gửi"


def test_scorecard_dates_an_undated_workbook_as_the_quality_report_does(cfg, root):
    """A workbook without a date is late by the day it was received, in the unit's scorecard as in the quality report."""
    subs = pd.DataFrame([sub("SCT", submitted_on=None, received_at="2026-09-25 10:00"), sub("SNV")])
    sct, snv = (scorecard.submission_history(subs, cfg["city"], u, [PERIOD])[0] for u in ("SCT", "SNV"))
    assert (sct["state"], sct["days_late"], sct["submitted_on"], sct["date_source"]) == ("late", 6, date(2026, 9, 25), "received_at")
    assert (snv["state"], snv["date_source"]) == ("on_time", "submitted_on")
    time_ = quality.timeliness(cfg["city"], cfg["units"], cfg["indicators"], PERIOD, subs).set_index("unit")
    assert (time_.loc["SCT", "days_late"], time_.loc["SCT", "date_source"]) == (sct["days_late"], sct["date_source"])
    ctx = scorecard_report.scorecard_context(
        city=cfg["city"], unit={"code": "SCT", "name": cfg["units"].loc["SCT", "name"], "kind": "department"}, period=PERIOD,
        report_date="2026-10-05", table=pd.DataFrame(), submissions=[sct], chart_svg="", sample_mark="")
    html = render.render_html(root / "templates", "unit_scorecard.html.j2", ctx)
    assert "25/9/2026*" in html and "Gửi muộn 6 ngày" in html and "dùng ngày cơ quan nhận tệp" in html


def test_completeness_counts_indicators_with_a_value_in_the_latest_revision(cfg):
    subs = pd.DataFrame([sub("SNV"), sub("Q-HCH")])  # Q-HCH was abolished on 1 July 2025
    wanted = ["HS_TONG", "HS_TT", "PHI_TONG", "PHI_TT", "DAU_MOI", "DL_MO"]
    observations = obs([("SNV", i, 1.0) for i in wanted[:4]] + [("SNV", "DAU_MOI", None)])
    comp = quality.completeness(cfg["units"], cfg["indicators"], PERIOD, subs, observations).set_index("unit")
    assert (comp.loc["SNV", "expected"], comp.loc["SNV", "received"]) == (6, 4)
    assert comp.loc["SNV", "missing_indicators"] == "DAU_MOI, DL_MO"
    assert "Q-HCH" not in comp.index
    extra = quality.unexpected(cfg["units"], cfg["indicators"], PERIOD, subs)
    assert list(extra["unit"]) == ["Q-HCH"]
    tables = quality.quality_tables(**cfg, period=PERIOD, submissions=subs, observations=observations)
    q = quality_report.quality_context(tables, period=PERIOD)
    assert q["counts"]["incomplete"] == 1 and q["counts"]["unexpected"] == 1 and q["counts"]["submitted"] == 1
    assert "1 đơn vị gửi thiếu chỉ số" in q["summary"]


def test_jumps_detected_and_not_detected(cfg):
    before = obs([
        ("SNV", "HS_TONG", 100), ("SNV", "HS_TT", 80),     # doubles; online share 80% → 30%: both flagged
        ("STC", "HS_TONG", 100), ("STC", "HS_TT", 50),     # +40%: not flagged
        ("STP", "HS_TONG", 5),                             # +180% but only +9: not flagged
        ("SCT", "HS_TONG", 0),                             # from zero to 50: flagged
        ("SKHCN", "TB_1GB", 0.40), ("SKHCN", "TB_SMART", 0.40),
        ("SNV", "DAU_MOI", 1),
    ], period="2026-Q2")
    now = obs([
        ("SNV", "HS_TONG", 200), ("SNV", "HS_TT", 60),
        ("STC", "HS_TONG", 140), ("STC", "HS_TT", 70),
        ("STP", "HS_TONG", 14),
        ("SCT", "HS_TONG", 50),
        ("SKHCN", "TB_1GB", 0.75), ("SKHCN", "TB_SMART", 0.65),  # +35 points flagged; +25 points not
        ("SNV", "DAU_MOI", 0),
        ("SYT", "HS_TONG", 1000),                                 # no previous value: nothing to compare
    ])
    found = quality.jumps(pd.concat([before, now]), cfg["indicators"], cfg["units"], PERIOD)
    assert set(zip(found["unit"], found["indicator"])) == {
        ("SNV", "HS_TONG"), ("SNV", "HS_TT/HS_TONG"), ("SCT", "HS_TONG"), ("SKHCN", "TB_1GB"),
        ("SNV", "DAU_MOI")}  # a yes/no answer that falls from 1 to 0 is flagged by default
    row = found.set_index(["unit", "indicator"]).loc[("SNV", "HS_TONG")]
    assert (row["previous"], row["current"], row["change"], row["ratio"]) == (100, 200, 100, 2.0)
    ratio = found.set_index(["unit", "indicator"]).loc[("SNV", "HS_TT/HS_TONG")]
    assert ratio["previous"] == pytest.approx(0.8) and ratio["current"] == pytest.approx(0.3)
    assert ratio["unit_of_measure"] == "%"
    assert found.set_index(["unit", "indicator"]).loc[("SCT", "HS_TONG"), "ratio"] is None or pd.isna(
        found.set_index(["unit", "indicator"]).loc[("SCT", "HS_TONG"), "ratio"])
    no_drops = quality.jumps(pd.concat([before, now]), cfg["indicators"], cfg["units"], PERIOD,
                             quality.JumpRule(yesno_drop=False))
    assert ("SNV", "DAU_MOI") not in set(zip(no_drops["unit"], no_drops["indicator"]))
    rises = obs([("SNV", "DAU_MOI", 0)], period="2026-Q2"), obs([("SNV", "DAU_MOI", 1)])
    assert quality.jumps(pd.concat(rises), cfg["indicators"], cfg["units"], PERIOD).empty  # 0 → 1 is no alarm
    any_change = quality.jumps(pd.concat(rises), cfg["indicators"], cfg["units"], PERIOD, quality.JumpRule(yesno_any=True))
    assert list(any_change["indicator"]) == ["DAU_MOI"]
    strict = quality.jumps(pd.concat([before, now]), cfg["indicators"], cfg["units"], PERIOD, quality.JumpRule(relative=0.3))
    assert ("STC", "HS_TONG") in set(zip(strict["unit"], strict["indicator"]))


def test_problems_of_superseded_files_are_listed_but_not_outstanding(cfg):
    subs = pd.DataFrame([sub("SNV", revision=1), sub("SNV", revision=2), sub("STC")])
    problems = pd.DataFrame([
        {"file": "a", "sha256": "SNV-2026-Q3-1", "unit": "SNV", "period": PERIOD, "sheet": "BaoCao", "row": 10, "column": "E",
         "message": "cũ", "checked_at": datetime(2026, 9, 20)},
        {"file": "b", "sha256": "SNV-2026-Q3-2", "unit": "SNV", "period": PERIOD, "sheet": "BaoCao", "row": 11, "column": "E",
         "message": "mới", "checked_at": datetime(2026, 9, 21)},
        {"file": "c", "sha256": "zzz", "unit": "SYT", "period": PERIOD, "sheet": None, "row": None, "column": None,
         "message": "không mở được tệp Excel", "checked_at": datetime(2026, 9, 21)},
        {"file": "d", "sha256": "yyy", "unit": "SYT", "period": "2026-Q2", "sheet": None, "row": None, "column": None,
         "message": "kỳ khác", "checked_at": datetime(2026, 6, 21)},
    ])
    listed = quality.problems_for_period(problems, subs, cfg["units"], PERIOD)
    assert list(listed["file_state"]) == ["superseded", "current", "rejected"]
    by_unit = quality.problems_by_unit(listed).set_index("unit")
    assert by_unit.loc["SNV", "problems"] == 1 and by_unit.loc["SNV", "first_message"] == "mới"
    assert by_unit.loc["SYT", "rejected_files"] == 1
    tables = quality.quality_tables(**cfg, period=PERIOD, submissions=subs, observations=obs([]), problems=problems)
    q = quality_report.quality_context(tables, period=PERIOD)
    assert q["counts"]["problems"] == 2 and q["counts"]["units_with_problems"] == 2
    assert {m["unit"]: m["rejected_files"] for m in q["missing"]}["SYT"] == 1


# ------------------------------------------------------------ rendering


@pytest.fixture(scope="module")
def injected(cfg):
    """A context where unit-provided text (file name, problem message, unknown unit code) carries markup."""
    subs = pd.DataFrame([sub("SNV", submitted_on="2026-09-25"), sub("STC")])
    problems = pd.DataFrame([{
        "file": f"data/in/{INJECTED}.xlsx", "sha256": "SNV-2026-Q3-1", "unit": "SNV", "period": PERIOD, "sheet": "BaoCao",
        "row": 12, "column": "G", "message": f"Ghi chú quá dài: {INJECTED}", "checked_at": datetime(2026, 9, 26)}])
    subs = pd.concat([subs, pd.DataFrame([sub("<b>X</b>")])])
    before = obs([("SNV", "HS_TONG", 100)], period="2026-Q2")
    now = obs([("SNV", "HS_TONG", 300)])
    tables = quality.quality_tables(**cfg, period=PERIOD, submissions=subs, observations=pd.concat([before, now]), problems=problems)
    return quality_report.quality_context(tables, period=PERIOD)


def test_partial_keeps_unit_text_inert(root, injected):
    html = render.render_html(root / "templates", "_submissions.html.j2", {"quality": injected})
    assert "<script" not in html and "<b>X</b>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html and "&lt;b&gt;X&lt;/b&gt;" in html
    assert "{{ 7*7 }}" in html
    assert "Sở Nội vụ" in html and "+200" in html and "bằng 300% kỳ trước" in html
    assert "<td class=\"num\">25/9/2026</td><td class=\"num\">6</td>" in html  # late by 6 days


def test_partial_and_standalone_render_the_sample(root, sample, cfg):
    q = quality_report.quality_context(sample["tables"], period=PERIOD)
    html = render.render_html(root / "templates", "_submissions.html.j2", {"quality": q})
    assert q["summary"] in html
    assert "Sở Du lịch (sở, ban, ngành);" in html and "Xã Bà Nà (xã)." in html
    # the sample's eight yes/no answers that fell from 1 to 0 are listed for the analyst
    assert q["counts"]["jumps"] == 8 and "Số liệu biến động bất thường so với Quý II/2026" in html
    assert "Không có số liệu biến động bất thường" not in html
    ctx = quality_report.report_context(q, city=cfg["city"], report_date="2026-10-05", sample_mark="DỮ LIỆU MẪU")
    page = render.render_html(root / "templates", quality_report.TEMPLATE, ctx)
    assert '<html lang="vi">' in page and "Số:" in page and "ngày 05 tháng 10 năm 2026" in page
    assert page.count("<tr>") >= 28 + 10
    assert page == render.render_html(root / "templates", quality_report.TEMPLATE, ctx)
    render.check_glyphs(page, root / "data" / "fonts")


def test_no_problem_table_is_not_reported_as_no_problems(root, sample, monkeypatch):
    monkeypatch.delattr(store, "load_problems", raising=False)
    unchecked = quality_report.quality_context(sample["tables"], period=PERIOD)
    assert unchecked["problems_checked"] is False
    html = render.render_html(root / "templates", "_submissions.html.j2", {"quality": unchecked})
    assert "Chưa có kết quả kiểm tra lỗi số liệu" in html and "Không có lỗi số liệu" not in html
    checked = quality_report.quality_context(sample["tables"], period=PERIOD, problems_checked=True)
    html = render.render_html(root / "templates", "_submissions.html.j2", {"quality": checked})
    assert "Không có lỗi số liệu chưa khắc phục." in html


def test_trace_lists_the_files_behind_the_figures(sample):
    t = sample["tables"]["trace"]
    assert set(t["period"]) == {"2026-Q2", "2026-Q3"}
    now = t[t["period"] == PERIOD]
    comp = sample["tables"]["completeness"]
    assert set(now["file"]) == set(comp["file"].dropna())
    assert now["file"].str.startswith("data/sample/danang/2026-Q3/").all()


def test_standalone_report_links_units_to_their_scorecards_by_plain_code_only(root, injected, cfg):
    import htmlcheck

    ctx = quality_report.report_context(injected, city=cfg["city"], report_date="2026-10-05", sample_mark="")
    page = render.render_html(root / "templates", quality_report.TEMPLATE, ctx)
    hrefs = htmlcheck.links(page)
    assert "../don-vi/SNV/report.html" in hrefs and "../report.html" in hrefs
    assert not any("<" in h or "%3C" in h or "/X/" in h for h in hrefs), hrefs  # the code carrying markup gets none
    assert {"#muc-I", "#muc-II", "#muc-III"} <= set(hrefs)
    assert htmlcheck.duplicate_ids(page) == []
