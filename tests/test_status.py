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
    assert {status.ON_TRACK, status.BEHIND, status.AT_RISK, status.MISSED, status.EXCEEDED} <= set(table["status"])
    assert table["actual"].notna().all()


# ---------------------------------------------------------------- time: running and final statuses


def _history(values: dict[str, float]) -> dict[str, float | None]:
    return dict(values)


def test_expired_target_is_judged_once_at_its_deadline():
    t = make_target(deadline=date(2025, 12, 31), baseline=Baseline(value=0.2, date=date(2023, 12, 31)))
    q3 = status.Period.parse("2026-Q3")
    # value at the deadline's quarter decides, not today's value
    verdict = status.judge(t, q3, {"2025-Q4": 0.55, "2026-Q3": 0.7}, status.Thresholds())
    assert verdict == {"status": status.MISSED, "final": True, "judged_value": 0.55, "judged_period": "2025-Q4"}
    assert status.judge(t, q3, {"2025-Q4": 0.6}, status.Thresholds())["status"] == status.ACHIEVED
    assert status.judge(t, q3, {"2025-Q4": 0.61}, status.Thresholds())["status"] == status.EXCEEDED
    # no value in the deadline's quarter: the latest one before it, never a later one
    late = status.judge(t, q3, {"2025-Q2": 0.5, "2026-Q1": 0.9}, status.Thresholds())
    assert (late["status"], late["judged_period"]) == (status.MISSED, "2025-Q2")
    assert status.judge(t, q3, {"2026-Q1": 0.9}, status.Thresholds())["status"] == status.NO_DATA
    # the deadline on the period's last day: final in that very period
    assert status.judge(t, status.Period.parse("2025-Q4"), {"2025-Q4": 0.3}, status.Thresholds())["final"] is True
    assert status.judge(t, status.Period.parse("2025-Q3"), {"2025-Q3": 0.3}, status.Thresholds())["final"] is False


def test_final_status_of_a_decreasing_target():
    t = make_target(baseline=Baseline(value=10, date=date(2023, 12, 31)), target=4, direction="decrease",
                    unit_of_measure="ngày", deadline=date(2025, 6, 30))
    assert status.final_status(t, 3) == status.EXCEEDED
    assert status.final_status(t, 4) == status.ACHIEVED
    assert status.final_status(t, 4.5) == status.MISSED
    assert status.final_status(t, None) == status.NO_DATA


def test_projection_stays_within_what_the_measure_can_take():
    t = make_target(deadline=date(2030, 12, 31))
    rising = pd.Series([0.80, 0.88, 0.95, 0.99], index=["2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"])
    assert status.project(rising, t.deadline) > 1  # the straight line leaves the scale…
    assert status.project(rising, t.deadline, status.bounds(t)) == 1.0  # …the projection does not
    count = make_target(unit_of_measure="hồ sơ", measure=Measure(kind="value", indicator="X"), target=10, baseline=Baseline(value=100, date=date(2024, 12, 31)), direction="decrease")
    falling = pd.Series([90.0, 60, 30, 5], index=rising.index)
    assert status.project(falling, t.deadline, status.bounds(count)) == 0.0
    assert status.project(pd.Series([0.5, None, None, None], index=rising.index, dtype=float), t.deadline) is None


def _programme(targets, groups=()):
    return Programme(code="P", name="Kế hoạch thử", groups=list(groups), targets=targets)


def test_status_table_final_rows_supersession_and_yes_no_counts():
    old = make_target(code="T0", deadline=date(2025, 12, 31), target=0.5, baseline=Baseline(value=0.2, date=date(2023, 12, 31)))
    new = make_target(code="T1", supersedes="T0", deadline=date(2030, 12, 31), target=0.9)
    yn = make_target(code="T2", measure=Measure(kind="share_of_units", indicator="Y"), target=1.0)
    p = _programme([old, new, yn])
    rows = [("A", "X", "2025-Q4", 0.52), ("A", "X", "2026-Q2", 0.6), ("A", "X", "2026-Q3", 0.62)]
    rows += [(u, "Y", "2026-Q2", 1) for u in "ABC"] + [("A", "Y", "2026-Q3", 1), ("B", "Y", "2026-Q3", 0), ("C", "Y", "2026-Q3", 0)]
    table = status.status_table(obs([(*r, "f.xlsx", "S", 1, 1) for r in rows]), p, "2026-Q3").set_index("code")
    assert table.loc["T0", ["status", "final", "judged_period", "superseded_by"]].tolist() == [status.EXCEEDED, True, "2025-Q4", "T1"]
    assert pd.isna(table.loc["T0", "expected"]) and pd.isna(table.loc["T0", "projected"])  # no trajectory after the deadline
    assert not table.loc["T1", "final"] and table.loc["T1", "status"] in status.RUNNING
    assert (table.loc["T2", "yes_units"], table.loc["T2", "units"]) == (1, 3)
    assert (table.loc["T2", "previous_yes_units"], table.loc["T2", "previous_units"]) == (3, 3)


def test_programme_groups_and_chains_are_checked():
    t = make_target(group="HTS")
    with pytest.raises(ValueError, match="nhóm 'HTS' không có"):
        _programme([t], groups=[{"code": "CQS", "name": "Chính quyền số"}])
    with pytest.raises(ValueError, match="thiếu 'group'"):
        _programme([make_target()], groups=[{"code": "CQS", "name": "Chính quyền số"}])
    with pytest.raises(ValueError, match="không có trong kế hoạch"):
        _programme([make_target(supersedes="T9")])
    early = make_target(code="T0", deadline=date(2029, 12, 31))
    with pytest.raises(ValueError, match="phải có hạn sau"):
        _programme([early, make_target(code="T1", supersedes="T0", deadline=date(2028, 12, 31))])
    p = _programme([make_target(group="HTS"), make_target(code="T2", group="CQS")],
                   groups=[{"code": "HTS", "name": "Hạ tầng số"}, {"code": "CQS", "name": "Chính quyền số"}])
    assert list(p.group_names()) == ["HTS", "CQS"]  # the plan's order, not the pillars'
    assert _programme([make_target(pillar="XHS")]).group_names() == {"XHS": "Xã hội số"}


def test_sample_expired_targets_are_final(sample_db, city_dir):
    from dxreport import store

    programme = load_programme(city_dir)
    table = status.status_table(store.load_observations(sample_db), programme, "2026-Q3")
    expired = table[table["deadline"] <= date(2026, 9, 30)]
    assert len(expired) >= 12
    assert set(expired["status"]) <= set(status.FINAL) | {status.NO_DATA}
    assert expired["final"].all() and not table.loc[~table.index.isin(expired.index), "final"].any()
    shares = table[table["unit_of_measure"] == "%"]["projected"].dropna()
    assert ((shares >= 0) & (shares <= 1)).all()


def test_figures_of_units_outside_units_csv_count_in_no_total(sample_db, tmp_path, root):
    """A workbook from a unit the city does not list is stored, listed by the quality report, and left out of totals."""
    import shutil

    import duckdb
    from dxreport.execute.workspace import open_city

    db = tmp_path / "store.duckdb"
    shutil.copy(sample_db, db)
    con = duckdb.connect(str(db))
    con.execute("INSERT INTO submissions (file, sha256, unit, period, revision, submitted_on, received_at, template_version) "
                "VALUES ('2026-Q3/ZZZ.xlsx', 'x' , 'ZZZ', '2026-Q3', 1, DATE '2026-09-10', TIMESTAMP '2026-09-10 08:00', 'v')")
    sid = con.execute("SELECT submission_id FROM submissions WHERE unit = 'ZZZ'").fetchone()[0]
    con.execute("INSERT INTO observations VALUES (?, 'ZZZ', 'HS_TT', '2026-Q3', 1000000, NULL, 'BaoCao', 10), "
                "(?, 'ZZZ', 'HS_TONG', '2026-Q3', 1000000, NULL, 'BaoCao', 11)", [sid, sid])
    con.close()
    ws = open_city("danang", root, tmp_path / "no-submissions", db)
    assert "ZZZ" not in set(ws.observations["unit"]) and "ZZZ" in set(ws.submissions["unit"])
    before = status.status_table(__import__("dxreport.store", fromlist=["x"]).load_observations(sample_db), ws.programme, "2026-Q3")
    after = status.status_table(ws.observations, ws.programme, "2026-Q3")
    assert after.set_index("code").loc["CT02", "actual"] == pytest.approx(before.set_index("code").loc["CT02", "actual"])
    from dxreport.compute import quality

    listed = quality.unexpected(ws.units, ws.indicators, "2026-Q3", ws.submissions)
    assert list(listed["unit"]) == ["ZZZ"]
