"""A unit's scorecard (phiếu đánh giá đơn vị): its own figures for the city's targets.

A unit contributes to a target when it reports one of the target's indicators.
Its own value is computed the way the city's is (its numerator ÷ its
denominator, its yes/no, or its reported value) and judged against the city's
expected trajectory, so a department can see where it pulls the city back.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pandas as pd

from dxreport.compute.status import STATUS_LABELS, Thresholds, actuals, describe, expected_at, judge, judged_periods
from dxreport.domain.config import City, Programme
from dxreport.domain.periods import Period


def unit_observations(observations: pd.DataFrame, unit: str) -> pd.DataFrame:
    return observations[observations["unit"] == unit]


def contributes(programme: Programme, unit_indicators: set[str]) -> list:
    return [t for t in programme.targets if set(t.measure.indicators()) & unit_indicators]


def unit_status(
    observations: pd.DataFrame,
    programme: Programme,
    unit: str,
    unit_indicators: set[str],
    period: str,
    thresholds: Thresholds = Thresholds(),
    history_quarters: int = 4,
    *,
    precomputed: tuple[pd.DataFrame, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """One row per target the unit contributes to: its value, the city's, the expected, status, history.

    ``precomputed`` is ``(actuals by unit, city actuals)`` from :func:`status.actuals` over the same
    periods, so a report over every unit computes them once.
    """
    p = Period.parse(period)
    window = [p.shift(-k).id for k in range(history_quarters - 1, -1, -1)]
    periods = judged_periods(programme, p, history_quarters)
    if precomputed is None:
        precomputed = (actuals(unit_observations(observations, unit), programme, periods, by_unit=True),
                       actuals(observations, programme, [p.id]))
    by_unit, city = precomputed
    own = by_unit[by_unit["unit"] == unit].set_index(["target", "period"])["actual"]
    city_now = city[city["period"] == p.id].set_index("target")["actual"]
    value_of = lambda series, key: None if key not in series.index or pd.isna(series[key]) else float(series[key])  # noqa: E731
    rows = []
    for t in contributes(programme, unit_indicators):
        values = {q: value_of(own, (t.code, q)) for q in periods}
        history = {q: values.get(q) for q in window}
        value = history[p.id]
        previous = history.get(p.previous.id)
        expected, _ = expected_at(t, p.end)
        verdict = judge(t, p, values, thresholds)
        key = verdict["status"]
        rows.append({
            **describe(t, programme),
            "target": t.target,
            "deadline": t.deadline,
            "value": value,
            "previous": previous,
            "change": None if value is None or previous is None else value - previous,
            "city_value": value_of(city_now, t.code),
            "expected": None if verdict["final"] else expected,
            "status": key,
            "status_label": STATUS_LABELS[key],
            "final": verdict["final"],
            "judged_value": verdict["judged_value"],
            "judged_period": verdict["judged_period"],
            "history": history,
        })
    return pd.DataFrame(rows)


def deadline_for(city: City, period: Period) -> date:
    """The last day a unit may submit for ``period``: the cut-off plus the city's grace days."""
    _, end = city.cutoff.rule().window(period)
    return end + timedelta(days=city.submission_deadline_days)


def reporting_starts(city: City, submissions: pd.DataFrame, valid_from: date | None = None) -> Period | None:
    """The first period a unit reports for: the city's first (``first_period`` in city.yaml, else the earliest
    period in the store), and not before the unit existed (``valid_from``)."""
    first = Period.parse(city.first_period) if city.first_period else None
    if first is None and len(submissions):
        first = min(Period.parse(p) for p in submissions["period"].unique())
    if valid_from is not None and not pd.isna(valid_from) and first is not None:
        while first.end < valid_from:
            first = first.next
    return first


def submission_history(submissions: pd.DataFrame, city: City, unit: str, periods: list[str], *,
                       starts: Period | None = None) -> list[dict[str, Any]]:
    """Per period: submitted or not, on time or late, how many revisions.

    The first revision decides. Its date is the one the unit wrote in its
    workbook (``submitted_on``); a workbook without one is dated by the day the
    office received it (``received_at``, named in ``date_source``) rather than
    counted on time. A period before ``starts`` (:func:`reporting_starts`) with
    nothing sent is "not started", not "missing".
    """
    own = submissions[submissions["unit"] == unit]
    out = []
    for pid in periods:
        rows = own[own["period"] == pid].sort_values("revision")
        deadline = deadline_for(city, Period.parse(pid))
        if rows.empty:
            before = starts is not None and Period.parse(pid) < starts
            out.append({"period": pid, "deadline": deadline, "submitted_on": None, "date_source": None, "revisions": 0,
                        "state": "not_started" if before else "missing", "days_late": None})
            continue
        first, source = day_of(rows.iloc[0]["submitted_on"]), "submitted_on"
        if first is None and "received_at" in rows.columns:
            first, source = day_of(rows.iloc[0]["received_at"]), "received_at"
        late = None if first is None else max((first - deadline).days, 0)
        out.append({
            "period": pid,
            "deadline": deadline,
            "submitted_on": first,
            "date_source": source if first is not None else None,
            "revisions": int(rows["revision"].max()),
            "state": "late" if late else "on_time",
            "days_late": late,
        })
    return out


def day_of(value: Any) -> date | None:
    """A stored date or timestamp as a calendar day; None for a missing one (None, NaT)."""
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


SUBMISSION_STATES = {"missing": "Chưa gửi", "late": "Gửi muộn", "on_time": "Đúng hạn",
                     "not_started": "Chưa bắt đầu báo cáo"}
