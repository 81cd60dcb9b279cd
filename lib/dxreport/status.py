"""Status of each target (chỉ tiêu) in a period, from the latest observations.

A target's actual is aggregated from unit observations as its measure says;
the expected value follows a straight line from the baseline to the target on
the deadline. The status compares the progress made with the progress expected
(thresholds configurable per run):

- Đã đạt: the target value is reached;
- Đúng tiến độ: progress ≥ ``on_track`` × expected progress;
- Chậm tiến độ: progress ≥ ``at_risk`` × expected progress;
- Có nguy cơ không đạt: below that;
- Chưa có số liệu: no observation for the period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from .config import Programme, Target
from .periods import Period

MET, ON_TRACK, BEHIND, AT_RISK, NO_DATA = "met", "on_track", "behind", "at_risk", "no_data"
STATUS_ORDER = [MET, ON_TRACK, BEHIND, AT_RISK, NO_DATA]
STATUS_LABELS = {
    MET: "Đã đạt",
    ON_TRACK: "Đúng tiến độ",
    BEHIND: "Chậm tiến độ",
    AT_RISK: "Có nguy cơ không đạt",
    NO_DATA: "Chưa có số liệu",
}
TRACE_COLUMNS = ["target", "period", "unit", "indicator", "value", "file", "sheet", "row", "revision"]


@dataclass(frozen=True)
class Thresholds:
    on_track: float = 0.95
    at_risk: float = 0.75

    def __post_init__(self) -> None:
        if not 0 < self.at_risk <= self.on_track <= 1:
            raise ValueError("ngưỡng phải thỏa 0 < at_risk ≤ on_track ≤ 1")


def _inputs(observations: pd.DataFrame, target: Target, period: str) -> pd.DataFrame:
    codes = target.measure.indicators()
    rows = observations[(observations["period"] == period) & observations["indicator"].isin(codes)]
    return rows[rows["value"].notna()]


def actual_value(observations: pd.DataFrame, target: Target, period: str) -> tuple[float | None, int]:
    """The city-wide value of ``target`` in ``period`` and the number of units it rests on."""
    m = target.measure
    rows = _inputs(observations, target, period)
    if rows.empty:
        return None, 0
    if m.kind == "ratio":
        pivot = rows.pivot_table(index="unit", columns="indicator", values="value", aggfunc="first")
        if m.numerator not in pivot or m.denominator not in pivot:
            return None, 0
        both = pivot[[m.numerator, m.denominator]].dropna()
        denominator = both[m.denominator].sum()
        if both.empty or denominator == 0:
            return None, 0
        return float(both[m.numerator].sum() / denominator), len(both)
    values = rows["value"]
    if m.kind == "share_of_units":
        return float((values > 0).mean()), len(values)
    return float(values.mean()), len(values)


def trace(observations: pd.DataFrame, programme: Programme, periods: list[str]) -> pd.DataFrame:
    """Every observation behind every target's actual: the link from a figure to its file and row."""
    parts = []
    for t in programme.targets:
        for p in periods:
            rows = _inputs(observations, t, p)
            if not rows.empty:
                parts.append(rows.assign(target=t.code)[TRACE_COLUMNS])
    if not parts:
        return pd.DataFrame(columns=TRACE_COLUMNS)
    return pd.concat(parts, ignore_index=True).sort_values(["target", "period", "unit", "indicator"], ignore_index=True)


def actuals(observations: pd.DataFrame, programme: Programme, periods: list[str]) -> pd.DataFrame:
    """Long table: target, period, actual, units."""
    rows = []
    for t in programme.targets:
        for p in periods:
            value, n = actual_value(observations, t, p)
            rows.append({"target": t.code, "period": p, "actual": value, "units": n})
    return pd.DataFrame(rows, columns=["target", "period", "actual", "units"])


def expected_at(target: Target, day: date) -> tuple[float, float]:
    """Expected value and expected share of the way (0..1) on ``day``."""
    span = (target.deadline - target.baseline.date).days
    share = min(max((day - target.baseline.date).days / span, 0.0), 1.0)
    return target.baseline.value + (target.target - target.baseline.value) * share, share


def is_met(target: Target, value: float) -> bool:
    eps = 1e-9
    return value >= target.target - eps if target.direction == "increase" else value <= target.target + eps


def classify(target: Target, actual: float | None, day: date, thresholds: Thresholds) -> str:
    if actual is None or (isinstance(actual, float) and np.isnan(actual)):
        return NO_DATA
    if is_met(target, actual):
        return MET
    _, expected_share = expected_at(target, day)
    progress = (actual - target.baseline.value) / (target.target - target.baseline.value)
    if expected_share == 0:
        return ON_TRACK
    ratio = progress / expected_share
    if ratio >= thresholds.on_track:
        return ON_TRACK
    if ratio >= thresholds.at_risk:
        return BEHIND
    return AT_RISK


def project(history: pd.Series, deadline: date) -> float | None:
    """Straight-line projection to the deadline from the last four quarters with data."""
    points = history.dropna().tail(4)
    if len(points) < 2:
        return None
    x = np.array([Period.parse(p).end.toordinal() for p in points.index], dtype=float)
    slope, intercept = np.polyfit(x, points.to_numpy(dtype=float), 1)
    return float(slope * deadline.toordinal() + intercept)


def status_table(
    observations: pd.DataFrame,
    programme: Programme,
    period: str | Period,
    thresholds: Thresholds = Thresholds(),
    history_quarters: int = 4,
) -> pd.DataFrame:
    """One row per target: actual, previous, change, expected, progress, status, projection."""
    p = Period.parse(period)
    periods = [p.shift(-k).id for k in range(history_quarters - 1, -1, -1)]
    long = actuals(observations, programme, periods)
    wide = long.pivot(index="target", columns="period", values="actual")
    rows = []
    for t in programme.targets:
        history = wide.loc[t.code, periods] if t.code in wide.index else pd.Series(index=periods, dtype=float)
        history = pd.to_numeric(history, errors="coerce")
        actual = history.get(p.id)
        actual = None if actual is None or pd.isna(actual) else float(actual)
        previous = history.get(p.previous.id)
        previous = None if previous is None or pd.isna(previous) else float(previous)
        expected, expected_share = expected_at(t, p.end)
        progress = None if actual is None else (actual - t.baseline.value) / (t.target - t.baseline.value)
        key = classify(t, actual, p.end, thresholds)
        units = long[(long["target"] == t.code) & (long["period"] == p.id)]["units"]
        rows.append({
            "code": t.code,
            "name": t.name,
            "pillar": t.pillar,
            "unit_of_measure": t.unit_of_measure,
            "responsible": t.responsible,
            "source": t.source.document,
            "baseline": t.baseline.value,
            "baseline_date": t.baseline.date,
            "target": t.target,
            "deadline": t.deadline,
            "direction": t.direction,
            "actual": actual,
            "previous": previous,
            "change": None if actual is None or previous is None else actual - previous,
            "expected": expected,
            "expected_progress": expected_share,
            "progress": progress,
            "status": key,
            "status_label": STATUS_LABELS[key],
            "projected": None if key == MET or t.deadline <= p.end else project(history, t.deadline),
            "units": int(units.iloc[0]) if len(units) else 0,
        })
    return pd.DataFrame(rows)


def status_counts(table: pd.DataFrame) -> pd.DataFrame:
    """Targets per pillar and status, every status present (zeros included)."""
    counts = table.groupby(["pillar", "status"]).size().unstack(fill_value=0)
    return counts.reindex(columns=STATUS_ORDER, fill_value=0)
