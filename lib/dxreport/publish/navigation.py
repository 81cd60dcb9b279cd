"""What lets a reader move through the HTML reports: table of contents, links to the scorecards, the files
beside the report, and the page that lists the submission rows behind each target's figure.

Plain data only (hrefs and labels); the templates make the links. Every href is relative, so a report folder
works wherever it is copied, and is built from codes checked by :func:`dxreport.publish.layout.safe_segment`,
never from a name or other text a unit typed.
"""

from __future__ import annotations

from typing import Any, Iterable

import pandas as pd

from dxreport.domain import fmt
from dxreport.publish.layout import QUALITY_NOTEBOOK, SUBFOLDERS, TRACE_PAGE, safe_segment, scorecard_href


def unit_links(codes: Iterable[object], up: str = "") -> dict[str, str]:
    """Unit code → relative link to its scorecard, for the units that have one (codes that are not plain names have none)."""
    out = {}
    for code in codes:
        href = scorecard_href(code, up)
        if href:
            out[str(code)] = href
    return out


def trace_anchor(target: object) -> str | None:
    safe = safe_segment(target)
    return f"nguon-{safe}" if safe else None


def trace_href(target: object) -> str | None:
    anchor = trace_anchor(target)
    return f"{TRACE_PAGE}#{anchor}" if anchor else None


def city_documents() -> list[dict[str, str]]:
    """The files published with the city report, as links from its HTML."""
    return [
        {"href": "report.pdf", "label": "Bản in (PDF)"},
        {"href": "report.docx", "label": "Bản Word (chỉnh sửa được)"},
        {"href": "annex.xlsx", "label": "Phụ lục Excel: bảng đầy đủ các chỉ tiêu, xếp hạng và việc cần làm của từng đơn vị"},
        {"href": f"{SUBFOLDERS[QUALITY_NOTEBOOK]}/report.html", "label": "Báo cáo tình hình gửi số liệu và chất lượng số liệu"},
        {"href": TRACE_PAGE, "label": "Nguồn số liệu của từng chỉ tiêu (tệp, trang, dòng, lần gửi)"},
        {"href": "trace.csv", "label": "Nguồn số liệu dạng bảng (trace.csv)"},
    ]


def quality_documents() -> list[dict[str, str]]:
    """The links from the data-quality report (one folder below the city report)."""
    return [
        {"href": "../report.html", "label": "Báo cáo tình hình thực hiện chuyển đổi số (báo cáo chính)"},
        {"href": "report.pdf", "label": "Bản in (PDF) của báo cáo này"},
        {"href": f"../{TRACE_PAGE}", "label": "Nguồn số liệu của từng chỉ tiêu"},
        {"href": "trace.csv", "label": "Danh sách tệp đã dùng (trace.csv)"},
    ]


def scorecard_documents() -> list[dict[str, str]]:
    """The links from a unit's scorecard (``don-vi/<unit>/``) back to the city report and to its own files."""
    return [
        {"href": "../../report.html", "label": "Báo cáo tình hình thực hiện chuyển đổi số (báo cáo chính)"},
        {"href": "report.pdf", "label": "Bản in (PDF) của phiếu này"},
        {"href": "report.docx", "label": "Bản Word của phiếu này"},
        {"href": "actions.csv", "label": "Việc cần làm của đơn vị (actions.csv)"},
    ]


def trace_counts(trace: pd.DataFrame) -> dict[str, int]:
    """Target code → number of submission rows behind its figure."""
    return {str(k): int(v) for k, v in trace.groupby("target").size().items()} if len(trace) else {}


def trace_page_context(
    header: dict[str, Any], trace: pd.DataFrame, rows: list[dict[str, Any]], units: pd.DataFrame,
    indicators: dict[str, Any], links: dict[str, str],
) -> dict[str, Any]:
    """Plain data for ``trace.html.j2``: per target of the report (``rows``, in its order), the rows of the
    submissions its figure rests on, each with the unit (linked to its scorecard), file, sheet, row and revision."""
    by_target = {str(k): g for k, g in trace.groupby("target", sort=False)} if len(trace) else {}
    names = units["name"].to_dict()
    targets = []
    for row in rows:
        found = by_target.get(str(row["code"]))
        entries = []
        for r in ([] if found is None else found.itertuples()):
            ind = indicators.get(r.indicator)
            entries.append({
                "unit": str(r.unit), "name": names.get(r.unit, str(r.unit)), "href": links.get(str(r.unit)),
                "indicator": r.indicator, "indicator_name": ind.name if ind else "",
                "value_text": fmt.measure(r.value, ind.unit_of_measure) if ind else fmt.number_auto(r.value),
                "period_label": fmt.period_label(r.period),
                "file": str(r.file), "sheet": "" if pd.isna(r.sheet) else str(r.sheet),
                "row": None if pd.isna(r.row) else int(r.row), "revision": None if pd.isna(r.revision) else int(r.revision),
            })
        targets.append({"code": row["code"], "name": row["name"], "anchor": trace_anchor(row["code"]),
                        "actual_text": row["actual_text"], "status_label": row["status_label"], "rows": entries})
    return {**header, "targets": targets, "title": f"Nguồn số liệu các chỉ tiêu {header['period_label']}"}
