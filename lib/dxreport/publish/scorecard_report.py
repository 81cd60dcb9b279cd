"""A unit's scorecard (phiếu đánh giá đơn vị) as plain data for ``templates/unit_scorecard.html.j2``."""

from __future__ import annotations

from typing import Any

import pandas as pd

from dxreport.compute.scorecard import SUBMISSION_STATES
from dxreport.compute.status import STATUS_LABELS
from dxreport.domain import fmt
from dxreport.domain.config import City
from dxreport.domain.periods import Period
from dxreport.publish import actions_report, narrative
from dxreport.publish.render import attachment_line, document_context


def value_text(row: dict[str, Any], value: Any) -> str:
    """A unit's own value: ``Có`` / ``Chưa`` for a yes/no measure, else in the measure's unit."""
    if row.get("measure_kind") == "share_of_units":
        return fmt.yes_no(value)
    return fmt.measure(value, row["unit_of_measure"])


def change_text(row: dict[str, Any]) -> str:
    """The unit's change since the previous period: ``Có → Chưa`` for a yes/no answer that changed."""
    if row.get("measure_kind") == "share_of_units":
        if row.get("value") is None or row.get("previous") is None:
            return fmt.MISSING
        before, now = fmt.yes_no(row["previous"]), fmt.yes_no(row["value"])
        return "không đổi" if before == now else f"{before} → {now}"
    return narrative.change_text(row)


def check_rows(jumps: pd.DataFrame) -> list[dict[str, Any]]:
    """The unit's figures that the city's jump rule flags (the same rows the data-quality report lists)."""
    out = []
    for r in jumps.to_dict("records"):
        if r["kind"] == "yesno":
            before, now, change = fmt.yes_no(r["previous"]), fmt.yes_no(r["current"]), f"{fmt.yes_no(r['previous'])} → {fmt.yes_no(r['current'])}"
        elif r["unit_of_measure"] == "%":
            before, now, change = fmt.percent(r["previous"]), fmt.percent(r["current"]), fmt.points(r["change"])
        else:
            before, now = fmt.measure(r["previous"], r["unit_of_measure"]), fmt.measure(r["current"], r["unit_of_measure"])
            change = fmt.signed(r["change"], 2)
        out.append({"indicator": r["indicator"], "name": r["indicator_name"], "previous": before, "current": now,
                    "change": change})
    return out


def scorecard_context(
    *,
    city: City,
    unit: dict[str, Any],
    period: str,
    report_date: str,
    table: pd.DataFrame,
    submissions: list[dict[str, Any]],
    chart_svg: str | dict[str, Any],
    sample_mark: str,
    ranking: dict[str, Any] | None = None,
    checks: pd.DataFrame | None = None,
    document_number: str = "",
    appendix: str = "",
    actions: pd.DataFrame | None = None,
    outlook: dict[str, Any] | None = None,
    verification: pd.DataFrame | None = None,
    gaps: pd.DataFrame | None = None,
    tasks: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Plain data for templates/unit_scorecard.html.j2 and its Word file (``checks``: the unit's rows of the quality jumps table).

    A scorecard is an appendix of the city report (``appendix``: its number), under the report's number and
    date: the office signs the report once, and a quarter's 30 or 200 scorecards spend no number of their own.
    ``actions`` and ``outlook`` (:func:`dxreport.compute.actions.plan`) open the scorecard; ``verification``
    and ``gaps`` (:func:`dxreport.compute.actions.verification`, :func:`~dxreport.compute.actions.item_gaps`)
    set the self-assessed and verified points side by side. ``tasks``: the programme tasks the unit leads
    (:func:`dxreport.publish.tasks_report.unit_tasks_context`; None when the programme has none).
    """
    rows = []
    for r in table.to_dict("records"):
        row = {k: (None if not isinstance(v, dict) and pd.isna(v) else v) for k, v in r.items() if k != "history"}
        row["value_text"] = value_text(row, row["value"])
        row["change_text"] = change_text(row)
        row["city_text"] = fmt.measure(row["city_value"], row["unit_of_measure"])
        row["target_text"] = fmt.measure(row["target"], row["unit_of_measure"])
        row["judged_text"] = value_text(row, row.get("judged_value"))
        row["judged_period_label"] = fmt.period_label(row["judged_period"]) if row.get("judged_period") else ""
        rows.append(row)
    counts = table["status"].value_counts() if len(table) else pd.Series(dtype=int)
    return {
        **document_context(city=city, period=period, report_date=report_date, sample_mark=sample_mark,
                           document_number=document_number,
                           title=f"Kết quả chuyển đổi số của {unit['name']} – {fmt.period_label(period)}"),
        "appendix": appendix,
        "attached_to": attachment_line("Báo cáo", "BC", city, document_number, report_date),
        "unit": unit,
        "rows": rows,
        "counts": [{"label": STATUS_LABELS[k], "key": k, "count": int(counts.get(k, 0))} for k in STATUS_LABELS if counts.get(k, 0)],
        "submissions": [dict(s, state_label=SUBMISSION_STATES[s["state"]]) for s in submissions],
        "checks": check_rows(checks) if checks is not None else [],
        "chart_trend": chart_svg if isinstance(chart_svg, dict) else ({"svg": chart_svg, "alt": "", "csv": "", "key": "dien-bien-chi-tieu",
                                                                      "title": "Diễn biến các chỉ tiêu của đơn vị qua các quý"} if chart_svg else {}),
        "ranking": ranking,
        "actions": actions_report.rows(actions) if actions is not None else [],
        "outlook": actions_report.outlook_text(outlook or {}, period),
        "next_period_label": fmt.lower_first(fmt.period_label(Period.parse(period).next)),
        "verification": _with_totals(verification_rows(verification), ranking),
        "gaps": gap_rows(gaps),
        "tasks": tasks or [],
    }


def verification_rows(table: pd.DataFrame | None) -> dict[str, Any] | None:
    """Per group: points possible, self-assessed, verified and the gap; with the totals (None without a table)."""
    if table is None or table.empty:
        return None
    rows = []
    for r in table.to_dict("records"):
        signed = bool(r["adjustment"])  # bonus and penalty read as signed points
        show = (lambda v: fmt.signed(v, 2)) if signed else (lambda v: fmt.number(v, 2))
        rows.append({"code": r["code"], "name": r["name"],
                     "possible": (fmt.signed(r["possible"], 2) if signed else fmt.number_auto(r["possible"], 2)),
                     "adjustment": signed,
                     "self": show(r["self_points"]) if r["self_points"] is not None and not pd.isna(r["self_points"]) else fmt.MISSING,
                     "verified": show(r["verified_points"]) if r["verified_points"] is not None and not pd.isna(r["verified_points"]) else fmt.MISSING,
                     "gap": fmt.number(r["gap"], 2) if r["gap"] is not None and not pd.isna(r["gap"]) else fmt.MISSING,
                     "differs": r["gap"] is not None and not pd.isna(r["gap"]) and abs(r["gap"]) >= 0.005})
    return {"rows": rows}


def _with_totals(rows: dict[str, Any] | None, ranking: dict[str, Any] | None) -> dict[str, Any] | None:
    if rows is None or not ranking or ranking.get("points") is None:
        return rows
    return dict(rows, totals=totals_row(ranking.get("self_points"), ranking["points"], ranking.get("decimals", 2)))


def totals_row(self_points: float | None, points: float | None, decimals: int = 2) -> dict[str, str]:
    """The self-assessed and verified totals (within 0 and the maximum) and their gap."""
    gap = None if self_points is None or points is None else self_points - points
    return {"self": fmt.number(self_points, decimals), "verified": fmt.number(points, decimals), "gap": fmt.number(gap, decimals)}


GAP_REASONS = {"no_evidence": "thiếu tài liệu kiểm chứng: 0 điểm khi thẩm định", "verified_lower": "kết quả thẩm định thấp hơn"}


def gap_rows(gaps: pd.DataFrame | None) -> list[dict[str, Any]]:
    """The items where self-assessment and verification differ most, as the scorecard lists them."""
    out = []
    for r in gaps.to_dict("records") if gaps is not None and len(gaps) else []:
        show = {"measure": r["measure"], "unit_of_measure": "%" if r["measure"] == "share" else ""}
        out.append({"code": r["code"], "name": r["name"], "group": r["group"],
                    "self": f"{actions_report.value_text(show, r['self_value'])} ({fmt.number(r['self_points'], 2)} điểm)",
                    "verified": f"{actions_report.value_text(show, r['verified_value'])} ({fmt.number(r['verified_points'], 2)} điểm)",
                    "gap": fmt.number(r["gap"], 2), "reason": GAP_REASONS[r["reason"]]})
    return out
