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

from dxreport.domain.config import Programme, Target
from dxreport.domain.periods import Period

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


def _roles(targets: list[Target]) -> pd.DataFrame:
    """Which indicator feeds which target, and as what (value, numerator or denominator)."""
    rows = []
    for t in targets:
        m = t.measure
        if m.kind == "ratio":
            rows += [(t.code, m.numerator, "num", m.kind), (t.code, m.denominator, "den", m.kind)]
        else:
            rows += [(t.code, code, "value", m.kind) for code in m.indicators()]
    return pd.DataFrame(rows, columns=["target", "indicator", "role", "kind"])


def actuals(observations: pd.DataFrame, programme: Programme | list[Target], periods: list[str],
            by_unit: bool = False, by: str | None = None) -> pd.DataFrame:
    """Long table: target, period, [group,] actual, units — every target and period, in one pass.

    ``by_unit`` gives each unit's own value; ``by`` names a column of
    ``observations`` to aggregate within (a province over its communes).
    Vectorised because it runs for every unit of a batch and for a whole
    country (millions of observations) in the benchmark.
    """
    targets = list(programme.targets if isinstance(programme, Programme) else programme)
    by = "unit" if by_unit else by
    keys = ["target", "period"] + ([by] if by else [])
    unit_keys = ["target", "period", "unit"] + ([by] if by and by != "unit" else [])
    roles = _roles(targets)
    obs = observations[observations["period"].isin(periods) & observations["value"].notna()]
    obs = obs[obs["indicator"].isin(roles["indicator"].unique())][list(dict.fromkeys(["unit", "indicator", "period", "value", *keys[2:]]))]
    joined = obs.merge(roles, on="indicator")
    parts = []
    simple = joined[joined["role"] == "value"]
    if len(simple):
        simple = simple.assign(value=np.where(simple["kind"] == "share_of_units", (simple["value"] > 0).astype(float), simple["value"]))
        parts.append(simple.groupby(keys, sort=False)["value"].agg(actual="mean", units="size").reset_index())
    ratio = joined[joined["role"] != "value"]
    if len(ratio):
        num = ratio.loc[ratio["role"] == "num", unit_keys + ["value"]].drop_duplicates(unit_keys)
        den = ratio.loc[ratio["role"] == "den", unit_keys + ["value"]].drop_duplicates(unit_keys)
        per_unit = num.merge(den, on=unit_keys, suffixes=("_num", "_den")).rename(columns={"value_num": "num", "value_den": "den"})
        sums = per_unit.groupby(keys, sort=False).agg(num=("num", "sum"), den=("den", "sum"), units=("num", "size")).reset_index()
        sums["actual"] = np.where(sums["den"] != 0, sums["num"] / sums["den"].where(sums["den"] != 0, 1.0), np.nan)
        sums.loc[sums["den"] == 0, "units"] = 0
        parts.append(sums[keys + ["actual", "units"]])
    found = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=keys + ["actual", "units"])
    if by:  # only the groups that have data: a unit's scorecard lists what it contributes to
        out = found
    else:
        grid = pd.MultiIndex.from_product([[t.code for t in targets], list(periods)], names=keys).to_frame(index=False)
        out = grid.merge(found, on=keys, how="left")
    out["units"] = out["units"].fillna(0).astype(int)
    out["actual"] = out["actual"].astype(float).where(out["units"] > 0)
    order = {t.code: i for i, t in enumerate(targets)}
    return out.sort_values(keys, key=lambda c: c.map(order) if c.name == "target" else c, ignore_index=True)[keys + ["actual", "units"]]


def actual_value(observations: pd.DataFrame, target: Target, period: str) -> tuple[float | None, int]:
    """The city-wide value of ``target`` in ``period`` and the number of units it rests on."""
    row = actuals(observations, [target], [period]).iloc[0]
    return (None, 0) if pd.isna(row["actual"]) else (float(row["actual"]), int(row["units"]))


def trace(observations: pd.DataFrame, programme: Programme, periods: list[str]) -> pd.DataFrame:
    """Every observation behind every target's actual: the link from a figure to its file and row."""
    roles = _roles(list(programme.targets))[["target", "indicator"]].drop_duplicates()
    obs = observations[observations["period"].isin(periods) & observations["value"].notna()]
    rows = obs.merge(roles, on="indicator")
    if rows.empty:
        return pd.DataFrame(columns=TRACE_COLUMNS)
    return rows[TRACE_COLUMNS].sort_values(["target", "period", "unit", "indicator"], ignore_index=True)


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
