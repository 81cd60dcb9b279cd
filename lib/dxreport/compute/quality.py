"""Data quality of a period's submissions (chất lượng số liệu): completeness, timeliness, validity, jumps.

Pure functions over the store's frames (``store.load_submissions``,
``store.load_observations``, the problems table) and the city configuration;
:mod:`dxreport.publish.quality_report` turns their results into the report's
sentences and plain data.

Timeliness follows the unit scorecard (:func:`dxreport.compute.scorecard.submission_history`):
a unit's first revision decides whether it sent on time, against
:func:`dxreport.compute.scorecard.deadline_for`; a later revision is a correction, not a
late submission.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from dxreport import store
from dxreport.compute import scorecard
from dxreport.domain.config import City, Indicator, JumpRule  # noqa: F401  (JumpRule: the rule jumps() applies)
from dxreport.domain.periods import Period
from dxreport.domain.tasks import SHEET as TASK_SHEET
from dxreport.domain.units import KIND_LABELS, expected_reports

PROBLEM_COLUMNS = ["file", "sha256", "unit", "period", "sheet", "row", "column", "message", "checked_at"]

TIMELINESS_STATES = scorecard.SUBMISSION_STATES  # missing / late / on_time → Vietnamese label
FILE_STATES = {
    "current": "Bản đang dùng",
    "superseded": "Đã có bản gửi lại",
    "rejected": "Không nhập được",
}


# ---------------------------------------------------------------- inputs


def empty_problems() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in PROBLEM_COLUMNS})


def load_problems(database: Path | str) -> pd.DataFrame:
    """The validity problems intake recorded (``store.load_problems``), or none if the store has no such table yet."""
    if not hasattr(store, "load_problems"):
        return empty_problems()
    with store.connect(database, read_only=True) as con:
        frame = store.load_problems(con)
    return frame[PROBLEM_COLUMNS] if len(frame.columns) else empty_problems()


# ---------------------------------------------------------------- computations


def _name(units: pd.DataFrame, code: Any) -> str:
    if isinstance(code, str) and code in units.index:
        return str(units.loc[code, "name"])
    return str(code) if isinstance(code, str) and code else "(không xác định)"


def _latest(submissions: pd.DataFrame, period: str) -> pd.DataFrame:
    own = submissions[submissions["period"] == period]
    if own.empty:
        return own
    return own.sort_values(["unit", "revision"]).groupby("unit", sort=False).tail(1).set_index("unit", drop=False)


def _unit_order(units: pd.DataFrame, codes) -> list[str]:
    """Codes in the order of units.csv, unknown codes after them alphabetically."""
    known = [c for c in units.index if c in set(codes)]
    return known + sorted(set(codes) - set(known))


def completeness(
    units: pd.DataFrame, indicators: dict[str, Indicator], period: str,
    submissions: pd.DataFrame, observations: pd.DataFrame,
) -> pd.DataFrame:
    """Per unit expected to report for ``period``: did it send, and how many of its indicators have a value.

    Columns: unit, name, kind, kind_label, submitted, revision, file, expected, received, share, missing_indicators.
    ``received`` counts expected indicators with a value in the unit's latest revision.
    """
    p = Period.parse(period)
    expected = expected_reports(units, indicators, p)
    latest = _latest(submissions, p.id)
    obs = observations[(observations["period"] == p.id) & observations["value"].notna()]
    have = set(zip(obs["unit"], obs["indicator"]))
    rows = []
    for code in _unit_order(units, expected["unit"].unique()):
        wanted = list(expected.loc[expected["unit"] == code, "indicator"])
        got = [i for i in wanted if (code, i) in have]
        sent = code in latest.index
        rows.append({
            "unit": code,
            "name": _name(units, code),
            "kind": units.loc[code, "kind"],
            "kind_label": KIND_LABELS[units.loc[code, "kind"]],
            "submitted": sent,
            "revision": int(latest.loc[code, "revision"]) if sent else 0,
            "file": latest.loc[code, "file"] if sent else None,
            "expected": len(wanted),
            "received": len(got),
            "share": len(got) / len(wanted) if wanted else None,
            "missing_indicators": ", ".join(i for i in wanted if i not in got),
        })
    columns = ["unit", "name", "kind", "kind_label", "submitted", "revision", "file", "expected", "received", "share",
               "missing_indicators"]
    return pd.DataFrame(rows, columns=columns)


def unexpected(units: pd.DataFrame, indicators: dict[str, Indicator], period: str, submissions: pd.DataFrame) -> pd.DataFrame:
    """Submissions for ``period`` from units not expected to report then (unknown code, or not active on the period's last day)."""
    p = Period.parse(period)
    expected = set(expected_reports(units, indicators, p)["unit"])
    latest = _latest(submissions, p.id)
    extra = latest[~latest["unit"].isin(expected)]
    rows = [{"unit": c, "name": _name(units, c), "file": extra.loc[c, "file"], "revision": int(extra.loc[c, "revision"])}
            for c in _unit_order(units, extra["unit"])]
    return pd.DataFrame(rows, columns=["unit", "name", "file", "revision"])


def timeliness(
    city: City, units: pd.DataFrame, indicators: dict[str, Indicator], period: str, submissions: pd.DataFrame,
) -> pd.DataFrame:
    """Per expected unit: deadline, date of its first submission, state (on_time / late / missing), days late, revisions.

    Dates and states are the scorecard's (:func:`scorecard.submission_history`), so
    the two reports agree.
    """
    p = Period.parse(period)
    codes = _unit_order(units, expected_reports(units, indicators, p)["unit"].unique())
    own = submissions[submissions["period"] == p.id]
    rows = []
    for code in codes:
        h = scorecard.submission_history(own, city, code, [p.id])[0]
        last = own[own["unit"] == code].sort_values("revision")
        rows.append({
            "unit": code,
            "name": _name(units, code),
            "deadline": h["deadline"],
            "submitted_on": h["submitted_on"],
            "date_source": h["date_source"],
            "last_submitted_on": scorecard.day_of(last.iloc[-1]["submitted_on"]) if len(last) else None,
            "revisions": h["revisions"],
            "state": h["state"],
            "state_label": TIMELINESS_STATES[h["state"]],
            "days_late": h["days_late"] if h["state"] == "late" else None,
        })
    columns = ["unit", "name", "deadline", "submitted_on", "date_source", "last_submitted_on", "revisions", "state",
               "state_label", "days_late"]
    return pd.DataFrame(rows, columns=columns)


def problems_for_period(problems: pd.DataFrame, submissions: pd.DataFrame, units: pd.DataFrame, period: str) -> pd.DataFrame:
    """The period's problems, each with its unit's name and whether its file is the unit's current revision.

    ``file_state``: current (the latest revision of the unit), superseded (a later
    revision replaced it) or rejected (the file is not in the store).
    """
    p = Period.parse(period)
    rows = problems[problems["period"].astype("object") == p.id].copy() if len(problems) else empty_problems()
    latest = set(_latest(submissions, p.id)["sha256"]) if len(submissions) else set()
    stored = set(submissions["sha256"]) if len(submissions) else set()
    rows["name"] = [_name(units, u) for u in rows["unit"]]
    rows["file_state"] = ["current" if s in latest else "superseded" if s in stored else "rejected" for s in rows["sha256"]]
    rows["file_state_label"] = rows["file_state"].map(FILE_STATES)
    order = {c: i for i, c in enumerate(_unit_order(units, rows["unit"].dropna().astype(str)))}
    rows = rows.assign(_o=rows["unit"].map(lambda u: order.get(u, len(order))))
    rows = rows.sort_values(["_o", "file", "sheet", "row", "column", "message"], na_position="last", kind="stable")
    return rows.drop(columns="_o").reset_index(drop=True)


def problems_by_unit(period_problems: pd.DataFrame) -> pd.DataFrame:
    """Per unit: outstanding problems (in current or rejected files), files concerned, first message."""
    open_ = period_problems[period_problems["file_state"] != "superseded"]
    rows = []
    for code in dict.fromkeys(open_["unit"]):
        own = open_[open_["unit"] == code]
        rows.append({
            "unit": code,
            "name": own["name"].iloc[0],
            "problems": len(own),
            "files": own["file"].nunique(),
            "rejected_files": own.loc[own["file_state"] == "rejected", "file"].nunique(),
            "first_message": own["message"].iloc[0],
        })
    return pd.DataFrame(rows, columns=["unit", "name", "problems", "files", "rejected_files", "first_message"])


def _ratio_frame(obs: pd.DataFrame, indicators: dict[str, Indicator]) -> pd.DataFrame:
    """Each ``not_above`` count divided by the count it cannot exceed, per unit (code ``NUM/DEN``)."""
    values = obs.set_index(["unit", "indicator"])["value"]
    rows = []
    for i in indicators.values():
        if not i.not_above:
            continue
        for unit in obs.loc[obs["indicator"] == i.code, "unit"].unique():
            num, den = values.get((unit, i.code)), values.get((unit, i.not_above))
            if num is None or den is None or pd.isna(num) or pd.isna(den) or den == 0:
                continue
            rows.append({"unit": unit, "indicator": f"{i.code}/{i.not_above}", "value": num / den})
    return pd.DataFrame(rows, columns=["unit", "indicator", "value"])


def jumps(
    observations: pd.DataFrame, indicators: dict[str, Indicator], units: pd.DataFrame, period: str,
    rule: JumpRule = JumpRule(),
) -> pd.DataFrame:
    """Figures that moved suspiciously since the previous period, per unit and indicator, with both values.

    Columns: unit, name, indicator, indicator_name, kind, unit_of_measure, previous, current, change, ratio (current ÷ previous).
    """
    p = Period.parse(period)
    cols = ["unit", "indicator", "value"]
    now = observations.loc[observations["period"] == p.id, cols]
    before = observations.loc[observations["period"] == p.previous.id, cols]
    pairs = [now.merge(before, on=["unit", "indicator"], suffixes=("", "_prev")).assign(kind=None)]
    pairs.append(_ratio_frame(now, indicators).merge(_ratio_frame(before, indicators), on=["unit", "indicator"],
                                                     suffixes=("", "_prev")).assign(kind="ratio"))
    rows = []
    for frame in pairs:
        for r in frame.dropna(subset=["value", "value_prev"]).itertuples():
            if r.kind == "ratio":
                num, den = (indicators[c] for c in r.indicator.split("/"))
                kind, uom = "ratio", "%"
                label = f"{num.name} (tỷ lệ so với {den.code})"
            elif r.indicator in indicators:
                i = indicators[r.indicator]
                kind, uom, label = i.kind, i.unit_of_measure, i.name
            else:
                continue
            change = r.value - r.value_prev
            if kind == "count":
                flagged = abs(change) >= rule.min_absolute and (
                    r.value_prev == 0 or abs(change) / abs(r.value_prev) > rule.relative)
            elif kind in ("share", "ratio", "index"):
                flagged = abs(change) > rule.share_points
            elif kind == "index":
                flagged = abs(change) > rule.index_points
            else:  # yesno
                flagged = (rule.yesno_any and change != 0) or (rule.yesno_drop and r.value_prev > 0 and r.value == 0)
            if flagged:
                rows.append({
                    "unit": r.unit, "name": _name(units, r.unit), "indicator": r.indicator, "indicator_name": label,
                    "kind": kind, "unit_of_measure": uom, "previous": float(r.value_prev), "current": float(r.value),
                    "change": float(change), "ratio": float(r.value / r.value_prev) if r.value_prev else None,
                })
    columns = ["unit", "name", "indicator", "indicator_name", "kind", "unit_of_measure", "previous", "current",
               "change", "ratio"]
    out = pd.DataFrame(rows, columns=columns)
    if out.empty:
        return out
    unit_rank = {c: i for i, c in enumerate(_unit_order(units, out["unit"]))}
    ind_rank = {c: i for i, c in enumerate(indicators)}
    out["_u"] = out["unit"].map(unit_rank)
    out["_i"] = out["indicator"].map(lambda c: (ind_rank.get(c.split("/")[0], len(ind_rank)), "/" in c))
    return out.sort_values(["_u", "_i"]).drop(columns=["_u", "_i"]).reset_index(drop=True)


TASK_COLUMNS = ["unit", "name", "tasks", "reported", "not_reported", "state", "state_label", "days_late",
                "done_without_evidence", "rejected_task_problems"]


def task_reporting(task_status: pd.DataFrame, timeliness_table: pd.DataFrame, period_problems: pd.DataFrame,
                   units: pd.DataFrame) -> pd.DataFrame:
    """Per unit that leads programme tasks: how many it leads and reported this period (missing ones count as not
    reported), whether its workbook came late, completed tasks without evidence in what is stored, and the problems
    of its rejected files on the tasks sheet (a completed task without evidence is refused there)."""
    if task_status is None or task_status.empty:
        return pd.DataFrame(columns=TASK_COLUMNS)
    state = timeliness_table.set_index("unit") if len(timeliness_table) else pd.DataFrame()
    open_ = period_problems[(period_problems["file_state"] == "rejected") & (period_problems["sheet"] == TASK_SHEET)]
    rows = []
    for code in _unit_order(units, task_status["lead"].unique()):
        own = task_status[task_status["lead"] == code]
        known = code in state.index
        done = own["status"].str.startswith("Hoàn thành")
        rows.append({
            "unit": code, "name": _name(units, code), "tasks": len(own), "reported": int(own["reported"].sum()),
            "not_reported": int((~own["reported"].astype(bool)).sum()),
            "state": state.loc[code, "state"] if known else "missing",
            "state_label": state.loc[code, "state_label"] if known else TIMELINESS_STATES["missing"],
            "days_late": state.loc[code, "days_late"] if known else None,
            "done_without_evidence": int((done & own["evidence"].fillna("").eq("")).sum()),
            "rejected_task_problems": int((open_["unit"] == code).sum()),
        })
    return pd.DataFrame(rows, columns=TASK_COLUMNS)


def quality_tables(
    *, city: City, units: pd.DataFrame, indicators: dict[str, Indicator], period: str,
    submissions: pd.DataFrame, observations: pd.DataFrame, problems: pd.DataFrame | None = None,
    rule: JumpRule = JumpRule(), task_status: pd.DataFrame | None = None,
) -> dict[str, pd.DataFrame]:
    """Every quality table for ``period`` (the input of :func:`quality_context`, and the CSVs beside the report).

    ``task_status`` (:func:`dxreport.compute.tasks.task_status`): the programme's tasks, when it has any, for the
    ``tasks`` table (:func:`task_reporting`).
    """
    problems = empty_problems() if problems is None else problems
    period_problems = problems_for_period(problems, submissions, units, period)
    timely = timeliness(city, units, indicators, period, submissions)
    return {
        "completeness": completeness(units, indicators, period, submissions, observations),
        "timeliness": timely,
        "unexpected": unexpected(units, indicators, period, submissions),
        "problems": period_problems,
        "problems_by_unit": problems_by_unit(period_problems),
        "jumps": jumps(observations, indicators, units, period, rule),
        "trace": trace(submissions, period),
        "task_reports": task_reporting(task_status, timely, period_problems, units),
    }


def trace(submissions: pd.DataFrame, period: str) -> pd.DataFrame:
    """The submissions the figures come from: each unit's latest revision for ``period`` and the one before."""
    p = Period.parse(period)
    frames = [_latest(submissions, pid).reset_index(drop=True) for pid in (p.previous.id, p.id)]
    columns = ["period", "unit", "revision", "file", "sha256", "submitted_on"]
    out = pd.concat([f[columns] for f in frames if len(f)]) if any(len(f) for f in frames) else pd.DataFrame(columns=columns)
    return out.sort_values(["period", "unit"]).reset_index(drop=True)


def workspace_tables(ws, period: str, problems: pd.DataFrame | None = None, rule: JumpRule | None = None) -> dict[str, pd.DataFrame]:
    """:func:`quality_tables` for an opened :class:`dxreport.execute.workspace.Workspace`; problems read from its store if not given.

    ``rule`` defaults to the city's own (``jumps`` in city.yaml), the one every report of the city applies.
    """
    from dxreport.compute import tasks as tasks_

    rule = ws.city.jumps if rule is None else rule
    status = (tasks_.task_status(tasks_.task_table(ws.programme.tasks), ws.task_reports, period)
              if ws.programme.tasks else None)
    return quality_tables(
        city=ws.city, units=ws.units, indicators=ws.indicators, period=period, submissions=ws.submissions,
        observations=ws.observations, problems=load_problems(ws.database) if problems is None else problems, rule=rule,
        task_status=status,
    )
