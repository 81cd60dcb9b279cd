"""Programme tasks at a period's end: status, counts, funds, what falls due next.

Pure functions over DataFrames. ``tasks`` is :func:`task_table` of the programme's tasks;
``reports`` is what units reported (``store.load_task_reports``: the latest submission per
unit and period). The rules (domain.tasks names the statuses):

- A task completed — in this period's report, or in an earlier one — is *hoàn thành đúng
  hạn* when its completion date is on or before its due date, *hoàn thành quá hạn* after it.
- A task not completed whose due date is before the period's last day is *quá hạn chưa hoàn
  thành*, with the days from the due date to the period's end; a task due on the period's last
  day is still in time. This holds whether or not its unit reported this period (overdue is
  overdue; ``reported`` says whether the unit said anything).
- Otherwise the period's report decides: *đang thực hiện trong hạn*, *chưa triển khai*; no
  report this period is *chưa báo cáo*.
- Recurring work (``thường xuyên``) is judged period by period on that period's report alone:
  completed in the period, in progress, not started, or not reported; it is never overdue and
  an earlier period's completion does not carry over.

Funds: the disbursements units report each quarter add up (latest revision per period) to the
period's end; the rate is disbursed ÷ allocated.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from dxreport.domain.periods import Period
from dxreport.domain.tasks import (
    DONE,
    DONE_LATE,
    DONE_ON_TIME,
    IN_PROGRESS,
    NOT_REPORTED,
    NOT_STARTED,
    OVERDUE,
    REPORTED_DONE,
    REPORTED_IN_PROGRESS,
    STATUSES,
    Task,
)

TASK_COLUMNS = ["code", "name", "group", "lead", "partners", "deadline", "due", "recurring", "product", "source",
                "allocated", "fund_source"]
STATUS_COLUMNS = [*TASK_COLUMNS, "status", "days_overdue", "reported", "percent", "completed_on", "evidence",
                  "difficulties", "proposals", "disbursed_period", "disbursed_total", "disbursement_rate", "file", "sheet",
                  "row", "revision"]


def task_table(tasks: list[Task]) -> pd.DataFrame:
    """The plan's tasks, one row each, in the plan's order (``TASK_COLUMNS``)."""
    rows = [{
        "code": t.code, "name": t.name, "group": t.group, "lead": t.lead, "partners": list(t.partners),
        "deadline": t.deadline if isinstance(t.deadline, str) else t.deadline.isoformat(), "due": t.due,
        "recurring": t.recurring, "product": t.product,
        "source": " ".join(x for x in (t.source.document, t.source.issued and f"({t.source.issued})") if x) if t.source else "",
        "allocated": t.funds.allocated if t.funds else None, "fund_source": t.funds.source if t.funds else None,
    } for t in tasks]
    return pd.DataFrame(rows, columns=TASK_COLUMNS)


def _as_date(value) -> date | None:
    if value is None or value is pd.NaT or (not isinstance(value, date) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value if isinstance(value, date) else pd.Timestamp(value).date()


def task_status(tasks: pd.DataFrame, reports: pd.DataFrame, period: str | Period) -> pd.DataFrame:
    """Each task's status at the end of ``period`` (``STATUS_COLUMNS``), in the plan's order."""
    p = Period.parse(period)
    end, this_quarter = p.end, p.quarters()[-1].id  # units report quarterly: a half-year or year reads its last quarter
    reports = reports[reports["period"].map(lambda x: Period.parse(x).end <= end)] if len(reports) else reports
    by_task = {code: frame for code, frame in reports.groupby("task")} if len(reports) else {}
    rows = []
    for t in tasks.to_dict("records"):
        mine = by_task.get(t["code"])
        mine = mine[mine["unit"] == t["lead"]] if mine is not None else None  # only the lead unit reports a task
        now = mine[mine["period"] == this_quarter] if mine is not None else None
        current = now.iloc[-1].to_dict() if now is not None and len(now) else None
        done_before = None
        if not t["recurring"] and mine is not None:
            done = mine[(mine["status"] == REPORTED_DONE) & (mine["period"] != this_quarter)]
            if len(done):
                done_before = done.sort_values("period").iloc[0].to_dict()
        row = {**t, "status": NOT_REPORTED, "days_overdue": None, "reported": current is not None,
               "percent": None, "completed_on": None, "evidence": "", "difficulties": "", "proposals": "",
               "file": None, "sheet": None, "row": None, "revision": None}
        shown = current or done_before
        if shown is not None:
            row.update(percent=shown.get("percent"), completed_on=_as_date(shown.get("completed_on")),
                       evidence=shown.get("evidence") or "", file=shown.get("file"), sheet=shown.get("sheet"),
                       row=shown.get("row"),
                       revision=shown.get("revision"))
        if current is not None:
            row.update(difficulties=current.get("difficulties") or "", proposals=current.get("proposals") or "")
        due = _as_date(t["due"])
        reported = current.get("status") if current is not None else None
        if t["recurring"]:
            row["status"] = {REPORTED_DONE: DONE_ON_TIME, REPORTED_IN_PROGRESS: IN_PROGRESS}.get(
                reported, NOT_STARTED if reported else NOT_REPORTED)
        elif reported == REPORTED_DONE or done_before is not None:
            finished = row["completed_on"]
            row["status"] = DONE_LATE if finished is not None and due is not None and finished > due else DONE_ON_TIME
        elif due is not None and due < end:
            row["status"], row["days_overdue"] = OVERDUE, (end - due).days
        elif reported == REPORTED_IN_PROGRESS:
            row["status"] = IN_PROGRESS
        elif reported:
            row["status"] = NOT_STARTED
        rows.append(row)
    for row in rows:
        row["due"] = _as_date(row["due"])
    out = pd.DataFrame(rows, columns=[c for c in STATUS_COLUMNS if c not in ("disbursed_period", "disbursed_total",
                                                                              "disbursement_rate")])
    out["completed_on"] = pd.Series([_as_date(d) for d in out["completed_on"]], index=out.index, dtype=object)
    out["due"] = pd.Series([_as_date(d) for d in out["due"]], index=out.index, dtype=object)
    return _with_funds(out, reports, p)


def _with_funds(status: pd.DataFrame, reports: pd.DataFrame, period: Period) -> pd.DataFrame:
    if len(reports):
        own = reports.merge(status[["code", "lead"]], left_on=["task", "unit"], right_on=["code", "lead"])
        total = own.groupby("task")["disbursed"].sum(min_count=1)
        this = own[own["period"].isin([q.id for q in period.quarters()])].groupby("task")["disbursed"].sum(min_count=1)
    else:
        total = this = pd.Series(dtype=float)
    status["disbursed_period"] = status["code"].map(this).where(status["allocated"].notna())
    status["disbursed_total"] = status["code"].map(total).where(status["allocated"].notna())
    funded = status["allocated"].notna()
    status.loc[funded, "disbursed_total"] = status.loc[funded, "disbursed_total"].fillna(0.0)
    status["disbursement_rate"] = (status["disbursed_total"] / status["allocated"]).where(funded & (status["allocated"] > 0))
    return status[STATUS_COLUMNS]


def status_counts(status: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """How many tasks in each status (columns in ``STATUSES`` order, plus ``total``), overall or per ``by``
    (``group`` or ``lead``)."""
    key = by or "_all"
    frame = status.assign(_all="") if by is None else status
    table = pd.crosstab(frame[key], pd.Categorical(frame["status"], categories=list(STATUSES)), dropna=False)
    table = table.reindex(columns=list(STATUSES), fill_value=0)
    table.columns = list(STATUSES)
    table["total"] = table.sum(axis=1)
    table.index.name = by
    return table.reset_index(drop=by is None)


def funds_table(status: pd.DataFrame) -> pd.DataFrame:
    """The funded tasks: allocated, disbursed in the period and to date, rate (code, name, lead, fund_source, …)."""
    funded = status[status["allocated"].notna()]
    return funded[["code", "name", "lead", "fund_source", "allocated", "disbursed_period", "disbursed_total",
                   "disbursement_rate"]].reset_index(drop=True)


def funds_total(status: pd.DataFrame) -> dict:
    """Allocated and disbursed to date over every funded task, and the rate (None without funded tasks)."""
    funded = status[status["allocated"].notna()]
    allocated, disbursed = float(funded["allocated"].sum()), float(funded["disbursed_total"].fillna(0).sum())
    return {"tasks": int(len(funded)), "allocated": allocated, "disbursed": disbursed,
            "rate": disbursed / allocated if allocated > 0 else None}


def overdue(status: pd.DataFrame) -> pd.DataFrame:
    """Overdue tasks, longest overdue first."""
    late = status[status["status"] == OVERDUE]
    return late.sort_values(["days_overdue", "code"], ascending=[False, True]).reset_index(drop=True)


def completed_in(status: pd.DataFrame, period: str | Period) -> pd.DataFrame:
    """Tasks completed within ``period`` (completion date in it), with their evidence."""
    p = Period.parse(period)
    done = status[status["status"].isin(DONE) & status["completed_on"].map(lambda d: (d := _as_date(d)) is not None and p.start <= d <= p.end)]
    return done.reset_index(drop=True)


def due_next(status: pd.DataFrame, period: str | Period) -> pd.DataFrame:
    """Tasks not completed whose due date falls in the period after ``period``."""
    nxt = Period.parse(period).next
    due = status["due"].map(lambda d: (d := _as_date(d)) is not None and nxt.start <= d <= nxt.end)
    return status[due & ~status["status"].isin(DONE)].reset_index(drop=True)


def unit_tasks(status: pd.DataFrame, unit: str) -> pd.DataFrame:
    """The tasks ``unit`` leads, in the plan's order."""
    return status[status["lead"] == unit].reset_index(drop=True)


def reported_issues(status: pd.DataFrame) -> pd.DataFrame:
    """Difficulties and proposals units wrote this period: code, name, lead, difficulties, proposals."""
    has = (status["difficulties"].fillna("") != "") | (status["proposals"].fillna("") != "")
    return status.loc[has, ["code", "name", "lead", "difficulties", "proposals"]].reset_index(drop=True)
