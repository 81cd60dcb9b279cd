from datetime import date

import pandas as pd
import pytest
from dxreport.compute import status
from dxreport.domain.config import (
    Baseline,
    Measure,
    Programme,
    Source,
    Target,
    load_programme,
)


def make_target(**over) -> Target:
    data = dict(
        code="T1", name="Tỷ lệ thử", pillar="CQS", measure=Measure(kind="value", indicator="X"), unit_of_measure="%",
        baseline=Baseline(value=0.2, date=date(2024, 12, 31)), target=0.6, deadline=date(2028, 12, 31),
        direction="increase", responsible="SKHCN", source=Source(document="KH 1/KH-UBND"),
    )
    data.update(over)
    return Target(**data)


def obs(rows):
    return pd.DataFrame(rows, columns=["unit", "indicator", "period", "value", "file", "sheet", "row", "revision"])


def test_expected_is_linear_and_clamped():
    t = make_target()
    mid = date(2026, 12, 31)  # half of the 4-year span (to the day, leap year included)
    value, share = status.expected_at(t, mid)
    assert share == pytest.approx(730 / 1461)
    assert value == pytest.approx(0.2 + 0.4 * 730 / 1461)
    assert status.expected_at(t, date(2030, 1, 1)) == (0.6, 1.0)
    assert status.expected_at(t, date(2020, 1, 1)) == (0.2, 0.0)


@pytest.mark.parametrize(
    "actual,expected_status",
    [(0.6, status.MET), (0.65, status.MET), (0.40, status.ON_TRACK), (0.39, status.ON_TRACK),
     (0.36, status.BEHIND), (0.33, status.AT_RISK), (None, status.NO_DATA)],
)
def test_classify_thresholds(actual, expected_status):
    t = make_target()
    # at 2026-12-31 the expected progress is ~0.4997 → expected value ~0.3999
    assert status.classify(t, actual, date(2026, 12, 31), status.Thresholds()) == expected_status


def test_classify_decreasing_target():
    t = make_target(baseline=Baseline(value=10, date=date(2024, 12, 31)), target=2, direction="decrease", unit_of_measure="ngày")
    day = date(2026, 12, 31)
    assert status.classify(t, 2, day, status.Thresholds()) == status.MET
    assert status.classify(t, 5.5, day, status.Thresholds()) == status.ON_TRACK
    assert status.classify(t, 8, day, status.Thresholds()) == status.AT_RISK


def test_thresholds_are_configurable():
    t = make_target()
    day = date(2026, 12, 31)
    assert status.classify(t, 0.36, day, status.Thresholds(on_track=0.8, at_risk=0.5)) == status.ON_TRACK
    with pytest.raises(ValueError):
        status.Thresholds(on_track=0.5, at_risk=0.9)


def test_ratio_measure_sums_numerators_and_denominators():
    t = make_target(measure=Measure(kind="ratio", numerator="N", denominator="D"))
    o = obs([
        ("A", "N", "2026-Q3", 30, "a.xlsx", "BaoCao", 10, 1), ("A", "D", "2026-Q3", 100, "a.xlsx", "BaoCao", 11, 1),
        ("B", "N", "2026-Q3", 90, "b.xlsx", "BaoCao", 10, 1), ("B", "D", "2026-Q3", 100, "b.xlsx", "BaoCao", 11, 1),
        ("C", "N", "2026-Q3", 5, "c.xlsx", "BaoCao", 10, 1),  # no denominator: left out
    ])
    value, units = status.actual_value(o, t, "2026-Q3")
    assert value == pytest.approx(120 / 200)
    assert units == 2


def test_share_of_units_and_no_data():
    t = make_target(measure=Measure(kind="share_of_units", indicator="Y"))
    o = obs([(u, "Y", "2026-Q3", v, "f", "BaoCao", 10, 1) for u, v in [("A", 1), ("B", 0), ("C", 1), ("D", 1)]])
    assert status.actual_value(o, t, "2026-Q3") == (0.75, 4)
    assert status.actual_value(o, t, "2026-Q2") == (None, 0)


def test_status_table_change_and_trace():
    t = make_target()
    programme = Programme(code="P", name="P", targets=[t])
    o = obs([("S", "X", p, v, f"{p}.xlsx", "BaoCao", 12, 1) for p, v in [("2026-Q1", 0.30), ("2026-Q2", 0.33), ("2026-Q3", 0.35)]])
    table = status.status_table(o, programme, "2026-Q3")
    row = table.iloc[0]
    assert row["actual"] == pytest.approx(0.35)
    assert row["previous"] == pytest.approx(0.33)
    assert row["change"] == pytest.approx(0.02)
    # expected share on 30/9/2026: 638/1461 → progress 0.375 / 0.4367 = 0.86 of the way: behind
    assert row["status"] == status.BEHIND
    assert row["projected"] is not None and row["projected"] > 0.35
    trace = status.trace(o, programme, ["2026-Q3"])
    assert trace[["target", "unit", "file", "row"]].values.tolist() == [["T1", "S", "2026-Q3.xlsx", 12]]


def test_sample_city_has_every_status_but_no_data(sample_db, city_dir):
    from dxreport import store

    programme = load_programme(city_dir)
    table = status.status_table(store.load_observations(sample_db), programme, "2026-Q3")
    assert len(table) == len(programme.targets) >= 15
    assert {status.MET, status.ON_TRACK, status.BEHIND, status.AT_RISK} <= set(table["status"])
    assert table["actual"].notna().all()
