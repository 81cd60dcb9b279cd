"""What a unit should do next quarter, and what each action is worth: checked by rescoring by hand."""

from __future__ import annotations

import math
import re
from datetime import date

import pandas as pd
import pytest
from dxreport import store
from dxreport.compute import actions, scoring, status, unit_index
from dxreport.domain import frameworks
from dxreport.domain.units import load_units
from dxreport.execute import pipeline
from dxreport.execute.workspace import open_city
from dxreport.publish import actions_report, render, scorecard_report

PERIOD = "2026-Q3"


@pytest.fixture(scope="module")
def ws(root, sample_db):
    return open_city("danang", root, None, sample_db)


def _old(root, framework_id):
    return frameworks.load_file(root / "tests" / "data" / "frameworks" / f"{framework_id}-mau-cu.yaml")


def _rank_by_hand(totals: pd.Series, unit: str, value: float) -> int:
    """1 + the number of other units published strictly higher (4 decimals)."""
    others = totals.drop(index=unit).dropna().map(scoring.publish)
    return 1 + int((others > scoring.publish(value)).sum())


def _with(obs: pd.DataFrame, unit: str, **values) -> pd.DataFrame:
    out = obs.copy()
    for indicator, value in values.items():
        out.loc[(out["unit"] == unit) & (out["indicator"] == indicator) & (out["period"] == PERIOD), "value"] = value
    return out


@pytest.mark.parametrize("framework_id, unit, fixed, now, after, rank", [
    # the issue's two cases, on the sample frameworks the issue was written against (tests/data/frameworks/*-mau-cu)
    ("danang-dvi-so", "SCT", {"DAU_MOI": 1, "DL_MO": 1}, 0.5324, 0.9324, 3),
    ("danang-dvi-xa", "P-TKH", {"TO_CNS": 1}, 0.8482, 0.9482, 8),
])
def test_the_issues_what_if_figures_by_hand(ws, root, framework_id, unit, fixed, now, after, rank):
    fw = _old(root, framework_id)
    table = unit_index.unit_index(ws.observations, fw, ws.units, periods=[PERIOD])
    totals = table.set_index("unit")["DVI"]
    assert scoring.publish(totals[unit]) == now
    # by hand: the same observations with the yes/no items set to 1, scored again from scratch
    rescored = unit_index.unit_index(_with(ws.observations, unit, **fixed), fw, ws.units, periods=[PERIOD]).set_index("unit")
    assert scoring.publish(rescored.loc[unit, "DVI"]) == after and rescored.loc[unit, "rank"] == rank
    assert _rank_by_hand(totals, unit, rescored.loc[unit, "DVI"]) == rank
    # the library's what-if says the same
    aud = actions.audience(ws.observations, None, fw, ws.units, PERIOD)
    plan = actions.plan(unit, PERIOD, aud=aud, table=pipeline.unit_table(ws, unit, PERIOD, status.Thresholds()),
                        programme=ws.programme, indicators=ws.indicators, observations=ws.observations)
    yes_no = plan.actions[plan.actions["kind"] == actions.YESNO]
    assert sorted(yes_no["indicator"]) == sorted(fixed)
    assert yes_no["gain"].tolist() == pytest.approx([(after - now) / len(fixed)] * len(fixed), abs=1e-4)
    assert scoring.publish(plan.outlook["yesno_total"] if len(fixed) > 1 else yes_no["total_if_fixed"].iloc[0]) == after
    assert (plan.outlook["yesno_rank"] if len(fixed) > 1 else yes_no["rank_if_fixed"].iloc[0]) == rank


@pytest.fixture(scope="module")
def plans(ws):
    auds = pipeline.audiences(ws, PERIOD)
    out = {}
    for unit in ("SCT", "P-TKH", "SDL", "SXD"):
        table = pipeline.unit_table(ws, unit, PERIOD, status.Thresholds())
        out[unit] = (pipeline.unit_plan(ws, unit, PERIOD, table, auds=auds), pipeline.audience_of(auds, ws.units.loc[unit, "kind"]))
    return out


@pytest.mark.parametrize("unit, items", [("SCT", {"1.1": "DAU_MOI", "4.1": "DL_MO"}), ("P-TKH", {"7.1": "TO_CNS"})])
def test_sample_yes_no_items_rescored_by_hand(ws, plans, unit, items):
    plan, aud = plans[unit]
    fw = aud.fw
    table = unit_index.unit_index(ws.observations, fw, ws.units, periods=[PERIOD], assessments=ws.assessments).set_index("unit")
    now = table.loc[unit, "points"]
    assert plan.outlook["points"] == pytest.approx(now) and plan.outlook["rank"] == table.loc[unit, "rank"]
    first = plan.actions.head(len(items))
    assert set(first["item"]) == set(items) and set(first["kind"]) == {actions.YESNO}  # the largest gains come first
    for item, indicator in items.items():
        row = plan.actions.set_index("item").loc[item]
        assert row["gain_points"] == pytest.approx(fw.item(item).points)  # a yes/no item is worth its points
        alone = unit_index.unit_index(_with(ws.observations, unit, **{indicator: 1}), fw, ws.units, periods=[PERIOD],
                                      assessments=ws.assessments).set_index("unit")
        assert row["points_if_fixed"] == pytest.approx(alone.loc[unit, "points"])
        assert row["rank_if_fixed"] == alone.loc[unit, "rank"] == _rank_by_hand(table["DVI"], unit, alone.loc[unit, "DVI"])
        assert row["peer_median"] == 1.0 and row["current"] == 0
    if len(items) > 1:
        both = unit_index.unit_index(_with(ws.observations, unit, **{i: 1 for i in items.values()}), fw, ws.units,
                                     periods=[PERIOD], assessments=ws.assessments).set_index("unit")
        assert plan.outlook["yesno_points"] == pytest.approx(now + sum(fw.item(i).points for i in items))
        assert plan.outlook["yesno_points"] == pytest.approx(both.loc[unit, "points"])
        assert plan.outlook["yesno_rank"] == both.loc[unit, "rank"]
    assert plan.outlook["reach_points"] >= plan.outlook["points"] + sum(fw.item(i).points for i in items) - 1e-9
    gains = plan.actions["gain"].dropna().tolist()
    assert gains == sorted(gains, reverse=True)


def test_a_lagging_target_says_how_many_more_in_its_own_units(ws, root):
    hs = ws.observations[(ws.observations["unit"] == "SNV") & (ws.observations["period"] == PERIOD)].set_index("indicator")["value"]
    total = hs["HS_TONG"]
    slow = _with(ws.observations, "SNV", HS_TT=math.floor(0.70 * total))  # 70 %: behind the city's path for CT02
    w = open_city("danang", root, None, ws.database)
    w = type(w)(**{**w.__dict__, "observations": slow})
    table = pipeline.unit_table(w, "SNV", PERIOD, status.Thresholds())
    ct02 = table.set_index("code").loc["CT02"]
    assert ct02["status"] in (status.BEHIND, status.AT_RISK)
    plan = pipeline.unit_plan(w, "SNV", PERIOD, table)
    row = plan.actions.set_index("item").loc["CT02"]
    target = next(t for t in ws.programme.targets if t.code == "CT02")
    next_share, _ = status.expected_at(target, date(2026, 12, 31))
    assert row["needed"] == pytest.approx(next_share) and row["needed_deadline"] == 0.95 and row["period"] == "2026-Q4"
    assert row["extra"] == math.ceil(next_share * total) - math.floor(0.70 * total)  # at this quarter's volume
    assert row["extra_deadline"] == math.ceil(0.95 * total) - math.floor(0.70 * total)
    # the index: 5.1 is linear to 90 % over 25 points, so the gain is 25 × (new share − old share) / 0.9
    new_share, old_share = math.ceil(next_share * total) / total, math.floor(0.70 * total) / total
    assert row["gain_points"] == pytest.approx(25 * (new_share - old_share) / 0.9)
    text = actions_report.action_text({**row.to_dict(), "item": "CT02"})
    assert f"cần thêm khoảng {actions_report.about(row['extra'])} hồ sơ trực tuyến so với quý này" in text.replace("\u00a0", " ")
    assert "[CT02: " in text


@pytest.mark.parametrize("n, said", [(7, 7), (99, 99), (117, 120), (366, 370), (1234, 1300), (120, 120)])
def test_about_rounds_up_to_two_significant_figures(n, said):
    assert actions_report.about(n) == said


def test_missing_and_late_reports_are_actions_without_index_gain(plans):
    sdl, _ = plans["SDL"]
    rows = sdl.actions[sdl.actions["kind"] == actions.SUBMISSION].set_index("item")
    assert rows.loc["2026-Q3", "current"] == "missing" and rows.loc["2025-Q4", "current"] == "late"
    assert rows.loc["2025-Q4", "note"] == "7" and pd.isna(rows["gain"]).all()
    assert rows.loc["2026-Q3", "deadline"] == date(2026, 12, 19)  # the next report's deadline
    assert sdl.outlook["points"] is None  # no report this quarter: no index, no what-if
    sxd, _ = plans["SXD"]
    late = sxd.actions[sxd.actions["kind"] == actions.SUBMISSION]
    assert late["item"].tolist() == ["2026-Q1", "2026-Q3"]
    assert actions_report.action_text(late.iloc[1].to_dict()) == "Gửi báo cáo đúng hạn (Quý III/2026 gửi muộn 8 ngày)"


def test_verification_gaps_per_group_and_items(plans):
    plan, aud = plans["SCT"]
    table = actions.verification(aud, "SCT").set_index("code")
    assert table.loc["NLS", "self_points"] == 10 and table.loc["NLS", "verified_points"] == 0  # 6.1 without evidence
    assert table.loc["DVC", "gap"] == 0  # reported items count the same on both sides
    gaps = actions.item_gaps(aud, "SCT")
    assert gaps.iloc[0]["code"] == "6.1" and gaps.iloc[0]["reason"] == "no_evidence" and gaps.iloc[0]["gap"] == 10
    assert (gaps["gap"].abs().diff().dropna() <= 0).all()
    evidence = plan.actions[plan.actions["kind"] == actions.EVIDENCE].set_index("item")
    assert evidence.loc["6.1", "gain_points"] == pytest.approx(10)


def test_actions_csv_and_annex_sheet(plans, ws):
    plan, _ = plans["SCT"]
    frame = actions_report.csv_frame(plan.actions)
    assert list(frame.columns) == actions_report.CSV_COLUMNS
    first = frame.iloc[0]
    assert first["kind"] == "Mục có/chưa cần khắc phục" and first["current"] == "Chưa" and first["needed"] == "Có"
    assert first["index_gain_points"] == 10 and first["rank_if_fixed"] == 13 and first["band_if_fixed"] == "Khá"
    sheet = actions_report.annex_frame({u: plans[u][0].actions for u in ("SCT", "P-TKH")}, ws.units["name"].to_dict())
    assert sheet.columns[:4].tolist() == ["Mã đơn vị", "Đơn vị", "Thứ tự", "Mã mục"]
    assert set(sheet["Mã đơn vị"]) == {"SCT", "P-TKH"} and sheet["Điểm tăng"].dtype.kind == "f"


def test_scorecard_opens_with_the_actions(ws, plans, root):
    plan, aud = plans["SCT"]
    ranking = pipeline.unit_ranking(ws, "SCT", PERIOD)
    ctx = scorecard_report.scorecard_context(
        city=ws.city, unit={"code": "SCT", "name": "Sở Công Thương", "kind": "department"}, period=PERIOD,
        report_date="2026-10-05", table=pipeline.unit_table(ws, "SCT", PERIOD, status.Thresholds()), submissions=[],
        chart_svg="", sample_mark="", ranking=ranking, actions=plan.actions, outlook=plan.outlook,
        verification=actions.verification(aud, "SCT"), gaps=actions.item_gaps(aud, "SCT", 5))
    html = render.render_html(root / "templates", "unit_scorecard.html.j2", ctx)
    headings = re.findall(r"<h2>(\d)\. ([^<]+)</h2>", html)
    assert headings == [("1", "Việc cần làm trong quý IV/2026"), ("2", "Chỉ số chuyển đổi số của đơn vị"),
                        ("3", "Các chỉ tiêu đơn vị tham gia"), ("4", "Tình hình gửi số liệu")]
    assert "Hiện nay: 57,03 điểm, xếp loại trung bình khá, hạng 14/14" in html
    assert "Nếu chuyển cả 02 mục có/chưa sang “Có”: 77,03 điểm, khoảng hạng 11, khá." in html
    assert html.index("Chuyển sang “Có”: có bộ phận hoặc cán bộ đầu mối") < html.index("Tổng điểm của đơn vị (sau thẩm định)")
    assert "Tổng điểm của đơn vị (sau thẩm định): 57,03/100 điểm, xếp loại trung bình khá" in html
