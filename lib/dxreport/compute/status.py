"""Status of each target (chỉ tiêu) in a period, from the latest observations.

A target's actual is aggregated from unit observations as its measure says;
the expected value follows a straight line from the baseline to the target on
the deadline. Time decides which question is asked:

- while the target runs (its deadline after the period's end), the progress
  made is compared with the progress expected (thresholds configurable):
  Đã đạt (reached early), Đúng tiến độ, Chậm tiến độ, Có nguy cơ không đạt;
- once its deadline has passed (on or before the period's end) there is no
  trajectory any more: the value at the deadline (the period that holds the
  deadline, or the latest one before it with data) is Vượt, Đạt or Không đạt,
  and that is final;
- without data: Chưa có số liệu, never a zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from dxreport.domain.config import Programme, Target
from dxreport.domain.periods import Period

MET, ON_TRACK, BEHIND, AT_RISK = "met", "on_track", "behind", "at_risk"
EXCEEDED, ACHIEVED, MISSED = "exceeded", "achieved", "missed"
NO_DATA = "no_data"
RUNNING = (MET, ON_TRACK, BEHIND, AT_RISK)
FINAL = (EXCEEDED, ACHIEVED, MISSED)
STATUS_ORDER = [MET, ON_TRACK, BEHIND, AT_RISK, EXCEEDED, ACHIEVED, MISSED, NO_DATA]
STATUS_LABELS = {
    MET: "Đã đạt",
    ON_TRACK: "Đúng tiến độ",
    BEHIND: "Chậm tiến độ",
    AT_RISK: "Có nguy cơ không đạt",
    EXCEEDED: "Vượt",
    ACHIEVED: "Đạt",
    MISSED: "Không đạt",
    NO_DATA: "Chưa có số liệu",
}
GOOD = (MET, ON_TRACK, EXCEEDED, ACHIEVED)  # met, or on its way
LAGGING = (BEHIND, AT_RISK, MISSED)
PROJECTION_QUARTERS = 4
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


def is_expired(target: Target, period: Period) -> bool:
    """The deadline falls on or before the period's last day: the target's result is final."""
    return target.deadline <= period.end


def deadline_period(target: Target, like: Period) -> Period:
    """The period of ``like``'s kind that holds the target's deadline."""
    p = like
    while p.start > target.deadline:
        p = p.previous
    while p.end < target.deadline:
        p = p.next
    return p


def classify(target: Target, actual: float | None, day: date, thresholds: Thresholds) -> str:
    """The running status on ``day`` (before the deadline): met early, on track, behind or at risk."""
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


def final_status(target: Target, value: float | None) -> str:
    """The result once the deadline has passed: exceeded, achieved or missed (no data: no data)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return NO_DATA
    eps = 1e-9
    beyond = value > target.target + eps if target.direction == "increase" else value < target.target - eps
    if beyond:
        return EXCEEDED
    return ACHIEVED if is_met(target, value) else MISSED


def judge(target: Target, period: Period, history: dict[str, float | None], thresholds: Thresholds) -> dict:
    """Status of ``target`` in ``period`` from its values by period id (``history``, any periods).

    Returns ``status``, ``final`` (the deadline has passed), the ``judged_value`` the status rests
    on and its ``judged_period``: the period's own value while the target runs; the value of the
    period holding the deadline (or the latest earlier one with data) once it has passed.
    """
    if not is_expired(target, period):
        value = history.get(period.id)
        return {"status": classify(target, value, period.end, thresholds), "final": False,
                "judged_value": value, "judged_period": period.id if value is not None else None}
    last = deadline_period(target, period)
    known = sorted((Period.parse(q), v) for q, v in history.items() if v is not None and not pd.isna(v))
    at_deadline = [(q, v) for q, v in known if q <= last]
    if not at_deadline:
        return {"status": NO_DATA, "final": True, "judged_value": None, "judged_period": None}
    q, v = at_deadline[-1]
    return {"status": final_status(target, float(v)), "final": True, "judged_value": float(v), "judged_period": q.id}


def bounds(target: Target) -> tuple[float, float]:
    """What the measure can take: a share stays within 0..1, a count or value at or above 0."""
    share = target.unit_of_measure == "%" or target.measure.kind in ("ratio", "share_of_units")
    return (0.0, 1.0) if share else (0.0, float("inf"))


def project(history: pd.Series, deadline: date, limits: tuple[float, float] = (-np.inf, np.inf)) -> float | None:
    """Straight-line projection to the deadline from the last four quarters with data, kept within ``limits``.

    None when fewer than two quarters have data (the report says it cannot forecast).
    """
    points = history.dropna().tail(PROJECTION_QUARTERS)
    if len(points) < 2:
        return None
    x = np.array([Period.parse(p).end.toordinal() for p in points.index], dtype=float)
    slope, intercept = np.polyfit(x, points.to_numpy(dtype=float), 1)
    return float(min(max(slope * deadline.toordinal() + intercept, limits[0]), limits[1]))


def judged_periods(programme: Programme | list[Target], period: Period, history_quarters: int) -> list[str]:
    """The history window plus, for each expired target, the periods up to its deadline it may be judged on."""
    targets = list(programme.targets if isinstance(programme, Programme) else programme)
    window = [period.shift(-k) for k in range(history_quarters - 1, -1, -1)]
    extra = set()
    for t in targets:
        if is_expired(t, period):
            last = deadline_period(t, period)
            extra.update(last.shift(-k) for k in range(history_quarters))
    return [q.id for q in sorted(set(window) | extra)]


def describe(target: Target, programme: Programme) -> dict:
    """The columns that say which target a row is about, shared by the city's and a unit's status tables."""
    return {
        "code": target.code,
        "name": target.name,
        "pillar": target.pillar,
        "group": programme.group_of(target),
        "measure_kind": target.measure.kind,
        "unit_of_measure": target.unit_of_measure,
    }


def status_table(
    observations: pd.DataFrame,
    programme: Programme,
    period: str | Period,
    thresholds: Thresholds = Thresholds(),
    history_quarters: int = 4,
) -> pd.DataFrame:
    """One row per target: actual, previous, change, expected, progress, status, projection.

    ``status`` is running or final (``final``) as the module says; ``judged_value`` and
    ``judged_period`` are what it rests on. For a share of units (yes/no), ``yes_units`` of
    ``units`` answered yes (and ``previous_yes_units`` of ``previous_units`` a period before).
    """
    p = Period.parse(period)
    window = [p.shift(-k).id for k in range(history_quarters - 1, -1, -1)]
    periods = judged_periods(programme, p, history_quarters)
    long = actuals(observations, programme, periods)
    wide = long.pivot(index="target", columns="period", values="actual").reindex(columns=periods)
    counts = long.pivot(index="target", columns="period", values="units").reindex(columns=periods)
    successor = programme.successor_of()
    rows = []
    for t in programme.targets:
        history = wide.loc[t.code] if t.code in wide.index else pd.Series(index=periods, dtype=float)
        history = pd.to_numeric(history, errors="coerce")
        values = {q: (None if pd.isna(v) else float(v)) for q, v in history.items()}
        actual, previous = values.get(p.id), values.get(p.previous.id)
        units_of = lambda q: int(counts.loc[t.code, q]) if t.code in counts.index and not pd.isna(counts.loc[t.code, q]) else 0  # noqa: E731
        expected, expected_share = expected_at(t, p.end)
        verdict = judge(t, p, values, thresholds)
        key = verdict["status"]
        progress = None if actual is None else (actual - t.baseline.value) / (t.target - t.baseline.value)
        runs_on = key in (ON_TRACK, BEHIND, AT_RISK)
        projected = project(history.reindex(window), t.deadline, bounds(t)) if runs_on else None
        yes_no = t.measure.kind == "share_of_units"
        units_now, units_before = units_of(p.id), units_of(p.previous.id)
        rows.append({
            **describe(t, programme),
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
            "expected": None if verdict["final"] else expected,
            "expected_progress": None if verdict["final"] else expected_share,
            "progress": progress,
            "status": key,
            "status_label": STATUS_LABELS[key],
            "final": verdict["final"],
            "judged_value": verdict["judged_value"],
            "judged_period": verdict["judged_period"],
            "projected": projected,
            "projection_quarters": int(history.reindex(window).dropna().tail(PROJECTION_QUARTERS).size) if runs_on else 0,
            "units": units_now,
            "yes_units": int(round(actual * units_now)) if yes_no and actual is not None else None,
            "previous_units": units_before,
            "previous_yes_units": int(round(previous * units_before)) if yes_no and previous is not None else None,
            "supersedes": t.supersedes,
            "superseded_by": successor.get(t.code),
        })
    return pd.DataFrame(rows)


def status_counts(table: pd.DataFrame, by: str = "group") -> pd.DataFrame:
    """Targets per group (or ``by``: pillar) and status, every status present (zeros included)."""
    counts = table.groupby([by, "status"]).size().unstack(fill_value=0)
    return counts.reindex(columns=STATUS_ORDER, fill_value=0)
