"""Programme tasks in the reports: plain data for the city report, the scorecards, the annex and tasks.csv.

From :func:`dxreport.compute.tasks.task_status`'s table to dicts and lists the templates
and Word writers print as they are; every figure is formatted here through ``fmt``.
A city whose programme has no tasks gets ``None`` and its reports no tasks section.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from dxreport.compute import tasks as ct
from dxreport.domain import fmt
from dxreport.domain.periods import Period
from dxreport.domain.tasks import (
    DONE,
    DONE_LATE,
    DONE_ON_TIME,
    IN_PROGRESS,
    MONEY_UNIT,
    NOT_REPORTED,
    NOT_STARTED,
    OVERDUE,
    RECURRING,
    STATUSES,
)

ANNEX_SHEET = "NhiemVu"
STATUS_KEYS = {DONE_ON_TIME: "done", DONE_LATE: "done-late", IN_PROGRESS: "running", OVERDUE: "overdue",
               NOT_STARTED: "not-started", NOT_REPORTED: "not-reported"}  # CSS classes
CSV_COLUMNS = {  # tasks.csv: column → what it holds (English names, as the other CSV files)
    "code": "code", "name": "name", "group": "group", "lead": "lead", "deadline": "deadline", "due": "due",
    "status": "status", "days_overdue": "days_overdue", "reported": "reported", "percent": "percent",
    "completed_on": "completed_on", "evidence": "evidence", "difficulties": "difficulties", "proposals": "proposals",
    "allocated": "allocated_million_vnd", "fund_source": "fund_source", "disbursed_period": "disbursed_period_million_vnd",
    "disbursed_total": "disbursed_total_million_vnd", "disbursement_rate": "disbursement_rate", "file": "file",
    "sheet": "sheet", "row": "row", "revision": "revision",
}


def _name(units: pd.DataFrame, code: Any) -> str:
    return str(units.loc[code, "name"]) if isinstance(code, str) and code in units.index else str(code)


def deadline_text(row: dict[str, Any]) -> str:
    d = row["deadline"]
    if d == RECURRING:
        return fmt.sentence_case(RECURRING)
    if isinstance(d, str) and "-" in d and len(d) == 10:  # an ISO date
        return fmt.date_short(d)
    return fmt.period_label(d)


def _money(value: Any) -> str:
    return fmt.number(value) if value is not None and not pd.isna(value) else fmt.MISSING


def _row(r: dict[str, Any], units: pd.DataFrame, groups: dict[str, str]) -> dict[str, Any]:
    def clean(v):
        return None if v is None or (not isinstance(v, (list, str)) and pd.isna(v)) else v

    r = {k: clean(v) for k, v in r.items()}
    return {
        "code": r["code"], "name": r["name"], "group_name": groups.get(r["group"], r["group"] or ""),
        "lead": r["lead"], "lead_name": _name(units, r["lead"]),
        "partners": ", ".join(_name(units, p) for p in (r["partners"] or [])),
        "deadline_text": deadline_text(r), "product": r["product"] or "",
        "status": r["status"], "status_key": STATUS_KEYS[r["status"]],
        "days_overdue": int(r["days_overdue"]) if r["days_overdue"] is not None else None,
        "percent_text": f"{fmt.number(r['percent'])}%" if r["percent"] is not None else fmt.MISSING,
        "completed_text": fmt.date_short(r["completed_on"]) if r["completed_on"] is not None else "",
        "evidence": r["evidence"] or "", "difficulties": r["difficulties"] or "", "proposals": r["proposals"] or "",
        "reported": bool(r["reported"]),
        "allocated_text": _money(r["allocated"]) if r["allocated"] is not None else "",
        "fund_source": r["fund_source"] or "",
        "disbursed_period_text": _money(r["disbursed_period"]) if r["allocated"] is not None else "",
        "disbursed_total_text": _money(r["disbursed_total"]) if r["allocated"] is not None else "",
        "rate_text": fmt.percent(r["disbursement_rate"]) if r["disbursement_rate"] is not None else "",
        "money_unit": MONEY_UNIT,
    }


def summary_sentence(status: pd.DataFrame, period: str | Period) -> str:
    """The tasks' headline, as reports give it: how many done (in time, late), running in time, overdue, …
    (counts in running text as administrative documents write them: 06, 15)."""
    counts = status["status"].value_counts()
    n = {s: int(counts.get(s, 0)) for s in STATUSES}
    done = n[DONE_ON_TIME] + n[DONE_LATE]
    parts = [f"{fmt.count(done)} nhiệm vụ hoàn thành"
             + (f" ({fmt.count(n[DONE_ON_TIME])} đúng hạn, {fmt.count(n[DONE_LATE])} quá hạn)" if n[DONE_LATE] else ""),
             f"{fmt.count(n[IN_PROGRESS])} đang thực hiện trong hạn",
             f"{fmt.count(n[OVERDUE])} quá hạn chưa hoàn thành"]
    if n[NOT_STARTED]:
        parts.append(f"{fmt.count(n[NOT_STARTED])} chưa triển khai")
    if n[NOT_REPORTED]:
        parts.append(f"{fmt.count(n[NOT_REPORTED])} chưa được đơn vị báo cáo")
    return (f"Về nhiệm vụ, đến hết {fmt.lower_first(fmt.period_label(period))}, trong {fmt.count(len(status))} nhiệm vụ "
            f"của kế hoạch: " + "; ".join(parts) + ".")


def funds_sentence(total: dict[str, Any]) -> str:
    if not total["tasks"]:
        return ""
    return (f"Kinh phí: {fmt.count(total['tasks'])} nhiệm vụ có kinh phí được giao {fmt.number(total['allocated'])} "
            f"{MONEY_UNIT}, đã giải ngân {fmt.number(total['disbursed'])} {MONEY_UNIT}, "
            f"đạt {fmt.percent(total['rate'])}.")


def city_tasks_context(status: pd.DataFrame | None, *, units: pd.DataFrame, groups: dict[str, str],
                       period: str | Period) -> dict[str, Any] | None:
    """The city report's tasks: summary, counts by status, group and lead unit, overdue and completed lists, funds,
    what falls due next quarter, units' difficulties and proposals. None when the programme has no tasks."""
    if status is None or status.empty:
        return None
    p = Period.parse(period)
    rows = [_row(r, units, groups) for r in status.to_dict("records")]
    by_code = {r["code"]: r for r in rows}

    def pick(frame: pd.DataFrame) -> list[dict[str, Any]]:
        return [by_code[c] for c in frame["code"]]

    counts = ct.status_counts(status).iloc[0]
    by_group = ct.status_counts(status, "group")
    by_lead = ct.status_counts(status, "lead")
    order = {code: n for n, code in enumerate(groups)}
    by_group = by_group.assign(_o=by_group["group"].map(lambda g: order.get(g, len(order)))).sort_values(["_o", "group"])
    lead_order = {code: n for n, code in enumerate(units.index)}
    by_lead = by_lead.assign(_o=by_lead["lead"].map(lambda u: lead_order.get(u, len(lead_order)))).sort_values("_o")

    def count_rows(frame: pd.DataFrame, key: str, name) -> list[dict[str, Any]]:
        return [{"name": name(r[key]), "counts": [int(r[s]) for s in STATUSES], "total": int(r["total"]),
                 "done": int(r[DONE_ON_TIME] + r[DONE_LATE])} for r in frame.to_dict("records")]

    total = ct.funds_total(status)
    issues = ct.reported_issues(status)
    return {
        "summary": summary_sentence(status, p),
        "funds_summary": funds_sentence(total),
        "total": int(len(status)),
        "statuses": [{"label": s, "key": STATUS_KEYS[s], "count": int(counts[s])} for s in STATUSES],
        "status_labels": list(STATUSES),
        "by_group": count_rows(by_group, "group", lambda g: groups.get(g, g or "Khác")),
        "by_lead": count_rows(by_lead, "lead", lambda u: _name(units, u)),
        "overdue": pick(ct.overdue(status)),
        "completed": pick(ct.completed_in(status, p)),
        "funds": pick(ct.funds_table(status)),
        "funds_total": {"tasks": total["tasks"], "allocated_text": fmt.number(total["allocated"]),
                        "disbursed_text": fmt.number(total["disbursed"]),
                        "rate_text": fmt.percent(total["rate"]) if total["rate"] is not None else fmt.MISSING},
        "due_next": pick(ct.due_next(status, p)),
        "issues": [by_code[c] for c in issues["code"]],
        "next_period_label": fmt.lower_first(fmt.period_label(p.next)),  # as running text writes it: "trong quý IV/2026"
        "period_label": fmt.lower_first(fmt.period_label(p)),
        "money_unit": MONEY_UNIT,
        "done_statuses": list(DONE),
    }


def unit_tasks_context(status: pd.DataFrame | None, unit: str, *, units: pd.DataFrame, groups: dict[str, str]) -> list[dict[str, Any]] | None:
    """The tasks a unit leads, for its scorecard (None when the programme has none; [] when the unit leads none)."""
    if status is None or status.empty:
        return None
    return [_row(r, units, groups) for r in ct.unit_tasks(status, unit).to_dict("records")]


def csv_frame(status: pd.DataFrame) -> pd.DataFrame:
    """tasks.csv: one row per task with its status, dates, evidence and funds (partners joined by '; ')."""
    out = status.copy()
    out["partners"] = out["partners"].map(lambda ps: "; ".join(ps or []))
    out = out[[*CSV_COLUMNS]].rename(columns=CSV_COLUMNS)
    return out.astype({"row": "Int64", "revision": "Int64", "days_overdue": "Int64"})


def annex_frame(status: pd.DataFrame, units: pd.DataFrame, groups: dict[str, str]) -> pd.DataFrame:
    """The annex's tasks sheet, with Vietnamese headers and values as the report prints them."""
    rows = [_row(r, units, groups) for r in status.to_dict("records")]
    return pd.DataFrame({
        "Mã": [r["code"] for r in rows],
        "Nhiệm vụ": [r["name"] for r in rows],
        "Nhóm": [r["group_name"] for r in rows],
        "Đơn vị chủ trì": [r["lead_name"] for r in rows],
        "Đơn vị phối hợp": [r["partners"] for r in rows],
        "Thời hạn": [r["deadline_text"] for r in rows],
        "Sản phẩm": [r["product"] for r in rows],
        "Tình trạng": [r["status"] for r in rows],
        "Số ngày quá hạn": [r["days_overdue"] for r in rows],
        "Tỷ lệ hoàn thành": [r["percent_text"] for r in rows],
        "Ngày hoàn thành": [r["completed_text"] for r in rows],
        "Tài liệu kiểm chứng": [r["evidence"] for r in rows],
        "Khó khăn, vướng mắc": [r["difficulties"] for r in rows],
        "Đề xuất, kiến nghị": [r["proposals"] for r in rows],
        f"Kinh phí được giao ({MONEY_UNIT})": [r["allocated_text"] for r in rows],
        f"Đã giải ngân ({MONEY_UNIT})": [r["disbursed_total_text"] for r in rows],
        "Tỷ lệ giải ngân": [r["rate_text"] for r in rows],
    })
