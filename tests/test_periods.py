from datetime import date

import pytest
from dxreport.domain import fmt
from dxreport.domain.periods import CutoffRule, Period, PeriodError, period_range


@pytest.mark.parametrize(
    "text,label",
    [("2026-Q3", "Quý III/2026"), ("2026-Q1", "Quý I/2026"), ("2025-Q4", "Quý IV/2025"),
     ("2026-H1", "6 tháng đầu năm 2026"), ("2026-H2", "6 tháng cuối năm 2026"), ("2026", "Năm 2026")],
)
def test_labels(text, label):
    assert fmt.period_label(text) == label
    assert Period.parse(text).id == text


def test_previous_and_next_cross_years():
    assert Period.parse("2026-Q1").previous.id == "2025-Q4"
    assert Period.parse("2025-Q4").next.id == "2026-Q1"
    assert Period.parse("2026-H1").previous.id == "2025-H2"
    assert Period.parse("2026").next.id == "2027"
    assert Period.parse("2026-Q3").shift(-6).id == "2025-Q1"


def test_start_end_and_quarters():
    q = Period.parse("2026-Q3")
    assert (q.start, q.end) == (date(2026, 7, 1), date(2026, 9, 30))
    assert Period.parse("2024-Q1").end == date(2024, 3, 31)
    assert [p.id for p in Period.parse("2026-H2").quarters()] == ["2026-Q3", "2026-Q4"]
    assert Period.parse("2026").end == date(2026, 12, 31)


def test_national_cutoff_window():
    """NĐ 09/2019 art. 12: from the 15th of the month before to the 14th of the last month."""
    rule = CutoffRule()
    assert rule.window(Period.parse("2026-Q3")) == (date(2026, 6, 15), date(2026, 9, 14))
    assert rule.window(Period.parse("2026-Q1")) == (date(2025, 12, 15), date(2026, 3, 14))
    assert rule.window(Period.parse("2026-H1")) == (date(2025, 12, 15), date(2026, 6, 14))
    assert rule.window(Period.parse("2026")) == (date(2025, 12, 15), date(2026, 12, 14))


def test_cutoff_configurable():
    assert CutoffRule(start_day=1, months_before=0).window(Period.parse("2026-Q3")) == (date(2026, 7, 1), date(2026, 9, 30))
    assert CutoffRule(start_day=20, months_before=1).window(Period.parse("2026-Q2")) == (date(2026, 3, 20), date(2026, 6, 19))
    with pytest.raises(PeriodError):
        CutoffRule(start_day=31)


@pytest.mark.parametrize("bad", ["2026-Q5", "2026Q3", "Q3-2026", "2026-H3", "", "20266"])
def test_bad_ids(bad):
    with pytest.raises(PeriodError):
        Period.parse(bad)


def test_range_and_order():
    ids = [p.id for p in period_range("2025-Q3", "2026-Q2")]
    assert ids == ["2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2"]
    assert Period.parse("2025-Q4") < Period.parse("2026-Q1")
