"""The data-quality report (chất lượng số liệu): sentences and plain-data context from the quality tables.

:func:`quality_context` turns the tables of :mod:`dxreport.compute.quality` into plain data for
``templates/_submissions.html.j2`` (section IV of the city report) and
``templates/data_quality.html.j2`` (the standalone data-quality report).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from dxreport import store
from dxreport.compute.quality import JumpRule
from dxreport.domain import fmt
from dxreport.domain.config import City
from dxreport.domain.periods import Period
from dxreport.publish import navigation, report
from dxreport.publish.narrative import join
from dxreport.publish.render import document_context

# ---------------------------------------------------------------- context


def _plain(value: Any) -> Any:
    """JSON-safe scalars: NaN → None, dates → ISO text, numpy numbers → Python numbers."""
    if value is None or isinstance(value, (str, bool)):
        return value
    try:
        if pd.isna(value):  # NaN, NaT, pd.NA
            return None
    except (TypeError, ValueError):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    if hasattr(value, "item"):
        return value.item()
    return value


def _records(frame: pd.DataFrame, columns: list[str] | None = None) -> list[dict[str, Any]]:
    frame = frame if columns is None else frame[columns]
    return [{k: _plain(v) for k, v in r.items()} for r in frame.to_dict("records")]


def summary_sentence(counts: dict[str, Any], missing: list[dict[str, Any]], period: str | Period) -> str:
    """One short paragraph stating only figures of the summary table (``counts``) and the missing list."""
    p = Period.parse(period)
    text = (f"{fmt.period_label(p)}, {fmt.count(counts['submitted'])}/{fmt.count(counts['expected'])} đơn vị phải báo cáo "
            f"đã gửi số liệu ({fmt.percent(counts['submitted_share'])})")
    if missing:
        text += "; chưa gửi: " + join([fmt.unit_in_text(m["name"]) for m in missing])
    text += "."
    sent = []
    if counts["late"]:
        sent.append(f"{fmt.count(counts['late'])} đơn vị gửi muộn so với hạn {fmt.date_short(counts['deadline'])}")
    else:
        sent.append(f"các đơn vị đã gửi đều gửi đúng hạn {fmt.date_short(counts['deadline'])}")
    if counts["incomplete"]:
        sent.append(f"{fmt.count(counts['incomplete'])} đơn vị gửi thiếu chỉ số")
    if counts["problems"]:
        sent.append(f"{fmt.count(counts['units_with_problems'])} đơn vị có {fmt.count(counts['problems'])} lỗi số liệu chưa khắc phục")
    if counts["jumps"]:
        sent.append(f"{fmt.count(counts['jumps'])} số liệu biến động bất thường so với {fmt.period_label(p.previous)} cần kiểm tra lại")
    return text + " " + fmt.sentence_case(join(sent)) + "."


def jump_rule_text(rule: JumpRule) -> str:
    """The rule in words, for the reader: ``số đếm thay đổi trên 50% và từ 10 trở lên; tỷ lệ thay đổi trên 30 điểm %``."""
    text = (f"số đếm thay đổi trên {fmt.percent(rule.relative, 0)} và từ {fmt.number_auto(rule.min_absolute)} trở lên; "
            f"tỷ lệ thay đổi trên {fmt.points(rule.share_points, 0).lstrip('+')}")
    text += f"; giá trị chỉ số (0–1) thay đổi trên {fmt.number_auto(rule.index_points)}"
    if rule.yesno_any:
        text += "; câu trả lời có/chưa thay đổi"
    elif rule.yesno_drop:
        text += "; câu trả lời có/chưa chuyển từ “có” sang “chưa”"
    return text


def problems_supported() -> bool:
    """Whether the store records intake's validity problems (``store.load_problems``)."""
    return hasattr(store, "load_problems")


def quality_context(
    tables: dict[str, pd.DataFrame], *, period: str, rule: JumpRule = JumpRule(), max_jumps: int | None = None,
    problems_checked: bool | None = None,
) -> dict[str, Any]:
    """Plain data (numbers, ISO dates, strings) for ``_submissions.html.j2`` and ``data_quality.html.j2``.

    ``tables`` is the result of :func:`quality_tables`; ``rule`` the rule its jumps were
    computed with (stated in the report). ``max_jumps`` shortens the jump list (for the
    city report); ``jumps_more`` says how many were left out. ``problems_checked``
    (default: the store records problems, or some were given) tells the reader
    whether "no problems" means checked and clean or not checked at all.
    """
    p = Period.parse(period)
    if problems_checked is None:
        problems_checked = problems_supported() or len(tables["problems"]) > 0
    comp, time_ = tables["completeness"], tables["timeliness"]
    units = comp.merge(time_.drop(columns=["name"]), on="unit", how="left")
    by_unit = tables["problems_by_unit"].set_index("unit")
    units["problems"] = [int(by_unit.loc[u, "problems"]) if u in by_unit.index else 0 for u in units["unit"]]
    rejected = {u: int(by_unit.loc[u, "rejected_files"]) for u in by_unit.index}
    missing = [dict(r, rejected_files=rejected.get(r["unit"], 0))
               for r in _records(units[~units["submitted"]], ["unit", "name", "kind_label"])]
    late = time_[time_["state"] == "late"].sort_values("days_late", ascending=False, kind="stable")
    incomplete = units[units["submitted"] & (units["received"] < units["expected"])]
    jumps_ = tables["jumps"]
    shown = jumps_ if max_jumps is None else jumps_.head(max_jumps)
    counts = {
        "expected": len(units),
        "submitted": int(units["submitted"].sum()),
        "missing": int((~units["submitted"]).sum()),
        "submitted_share": float(units["submitted"].mean()) if len(units) else None,
        "on_time": int((time_["state"] == "on_time").sum()),
        "late": len(late),
        "incomplete": len(incomplete),
        "indicators_expected": int(units["expected"].sum()),
        "indicators_received": int(units["received"].sum()),
        "indicators_share": float(units["received"].sum() / units["expected"].sum()) if units["expected"].sum() else None,
        "resubmitted": int((units["revisions"].fillna(0) > 1).sum()),
        "units_with_problems": len(tables["problems_by_unit"]),
        "problems": int(tables["problems_by_unit"]["problems"].sum()),
        "jumps": len(jumps_),
        "unexpected": len(tables["unexpected"]),
        "deadline": _plain(time_["deadline"].iloc[0]) if len(time_) else None,
    }
    context = {
        "period": p.id,
        "period_label": fmt.period_label(p),
        "previous_period_label": fmt.period_label(p.previous),
        "counts": counts,
        "units": _records(units, ["unit", "name", "kind_label", "submitted", "revisions", "submitted_on", "date_source",
                                  "state", "state_label", "days_late", "expected", "received", "share",
                                  "missing_indicators", "problems"]),
        "missing": missing,
        "late": _records(late, ["unit", "name", "deadline", "submitted_on", "date_source", "days_late", "revisions"]),
        "incomplete": _records(incomplete, ["unit", "name", "expected", "received", "share", "missing_indicators"]),
        "unexpected": _records(tables["unexpected"]),
        "problems_checked": bool(problems_checked),
        "problems_by_unit": _records(tables["problems_by_unit"]),
        "problems": _records(tables["problems"], ["unit", "name", "file", "sheet", "row", "column", "message",
                                                  "file_state", "file_state_label"]),
        "jumps": _records(shown),
        "jumps_more": len(jumps_) - len(shown),
        **_task_reports(tables.get("task_reports")),
        "jump_rule": rule.model_dump(),
        "jump_rule_text": jump_rule_text(rule),
    }
    context["summary"] = summary_sentence(counts, missing, p.id)
    return context


def _task_reports(table: pd.DataFrame | None) -> dict[str, Any]:
    """The units that lead programme tasks: what they reported on them (``task_reports`` empty without tasks)."""
    if table is None or table.empty:
        return {"task_reports": [], "task_counts": None}
    return {
        "task_reports": _records(table),
        "task_counts": {"units": len(table), "tasks": int(table["tasks"].sum()), "not_reported": int(table["not_reported"].sum()),
                        "late_units": int((table["state"] == "late").sum()),
                        "missing_units": int((table["state"] == "missing").sum()),
                        "done_without_evidence": int(table["done_without_evidence"].sum()),
                        "rejected_task_problems": int(table["rejected_task_problems"].sum())},
    }


# ---------------------------------------------------------------- the standalone report

TEMPLATE = "data_quality.html.j2"
QUALITY_SECTIONS = {"I": "I. Tổng hợp", "II": "II. Tình hình gửi số liệu của từng đơn vị", "III": "III. Danh sách lỗi số liệu"}


def report_context(
    quality: dict[str, Any], *, city: City, report_date: str, sample_mark: str, document_number: str = "",
) -> dict[str, Any]:
    """Context of the standalone data-quality report: the header block's data around ``quality``."""
    return {
        **document_context(city=city, period=quality["period"], report_date=report_date, document_number=document_number,
                           sample_mark=sample_mark,
                           title=f"Tình hình gửi số liệu và chất lượng số liệu chuyển đổi số {quality['period_label']}"),
        "quality": quality,
        "toc": [{"id": f"muc-{key}", "label": label} for key, label in QUALITY_SECTIONS.items()],
        "documents": navigation.quality_documents(),
        "unit_links": navigation.unit_links([u["unit"] for u in quality.get("units", [])], up="../"),
    }


def write_quality_report(context: dict[str, Any], tables: dict[str, pd.DataFrame], out: Path, root: Path) -> dict[str, Path]:
    """report.html, report.pdf and one CSV per quality table in ``out`` (``trace.csv`` lists the files used)."""
    written = report.write_tables(tables, out)
    written.update(report.write_report(TEMPLATE, context, out, root))
    return written
