"""The city quarterly report: from computed tables to a plain-data context, HTML, PDF and Excel annex.

``*_context`` functions are pure (tables in, dict out); ``write_*`` functions
write files into the output folder they are given (the run's staging folder).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from dxreport.compute import unit_status
from dxreport.compute.status import MET, NO_DATA, STATUS_LABELS, status_counts
from dxreport.domain import fmt, paths
from dxreport.domain.config import PILLAR_NAMES, City
from dxreport.domain.periods import Period
from dxreport.publish import analyst_text, charts, condense, csv_safe, narrative, navigation, render
from dxreport.publish.drafts import section_drafts

SAMPLE_MARK = "DỮ LIỆU MẪU"
TEMPLATE = "city_quarterly.html.j2"


def _clean(value: Any) -> Any:
    """NaN → None so templates show the missing mark instead of 'nan'."""
    if value is None or isinstance(value, (dict, list)):
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: _clean(v) for k, v in r.items()} for r in frame.to_dict("records")]


def status_rows(table: pd.DataFrame, units: pd.DataFrame, groups: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """The status table's rows as plain data, with every figure also as the text the report prints.

    ``*_text`` come from :mod:`dxreport.publish.narrative`'s formatters, the same the sentences use.
    """
    rows = records(table)
    by_code = {r["code"]: r for r in rows}
    for row in rows:
        row["responsible_name"] = units.loc[row["responsible"], "name"] if row["responsible"] in units.index else row["responsible"]
        row["group_name"] = (groups or {}).get(row.get("group"), row.get("group"))
        row["actual_text"] = narrative.value_text(row)
        row["change_text"] = narrative.change_text(row)
        row["target_text"] = fmt.measure(row["target"], row["unit_of_measure"])
        row["expected_text"] = fmt.measure(row["expected"], row["unit_of_measure"]) if row.get("expected") is not None else fmt.MISSING
        row["judged_text"] = fmt.measure(row.get("judged_value"), row["unit_of_measure"])
        row["judged_period_label"] = fmt.period_label(row["judged_period"]) if row.get("judged_period") else ""
        row["projection_text"] = _projection_text(row)
        old = by_code.get(row.get("supersedes") or "")
        row["replaces"] = None
        if old is not None and old.get("final"):
            row["replaces"] = (f"Thay thế chỉ tiêu {old['code']} (mục tiêu {fmt.measure(old['target'], old['unit_of_measure'])}, "
                               f"hết hạn {fmt.date_short(old['deadline'])}): {old['status_label'].lower()}"
                               + (f", đạt {fmt.measure(old['judged_value'], old['unit_of_measure'])} "
                                  f"({fmt.period_label(old['judged_period'])})" if old.get("judged_period") else "") + ".")
    return rows


def _projection_text(row: dict[str, Any]) -> str:
    if row.get("final"):
        return "đã hết hạn"
    if row["status"] in (MET, NO_DATA):
        return fmt.MISSING
    if row.get("projected") is None:
        return "chưa đủ số liệu để dự báo"
    return fmt.measure(row["projected"], row["unit_of_measure"])


def reported_targets(table: pd.DataFrame) -> pd.DataFrame:
    """The targets the report counts: an expired target replaced by a later one is told once, in its successor's row."""
    folded = table["final"].astype(bool) & table["superseded_by"].notna()
    return table[~folded].reset_index(drop=True)


def notes_rows(observations: pd.DataFrame, units: pd.DataFrame, indicators: dict, period: str) -> list[dict[str, Any]]:
    """Units' notes and evidence (tài liệu kiểm chứng) for the period, as typed (rendered escaped).

    One row per distinct note, with the units that gave it and how many figures it covers;
    the file and row of each figure stay in trace.csv.
    """
    rows = observations[(observations["period"] == period) & observations["note"].fillna("").str.strip().ne("")]
    out = []
    for note, group in rows.groupby("note", sort=True):
        codes = sorted(group["unit"].unique())
        out.append({
            "note": note,
            "units": ", ".join(units.loc[c, "name"] if c in units.index else c for c in codes),
            "unit_count": len(codes),
            "figures": len(group),
        })
    return out


# What each city chart shows: its caption in the report and its alternative text in the notebook's HTML.
CITY_CHART_TITLES = {
    "status_by_pillar": "Số chỉ tiêu theo nhóm của kế hoạch và tình trạng thực hiện",
    "heatmap": "Tình trạng chỉ tiêu theo đơn vị",
}


PROJECTION_NOTE = ("Dự báo đến hạn: đường thẳng khớp với số liệu của tối đa 4 quý gần nhất (cần ít nhất 2 quý có số liệu), "
                   "kéo dài đến hạn hoàn thành và giới hạn trong khoảng giá trị chỉ tiêu có thể nhận "
                   "(tỷ lệ từ 0% đến 100%, số lượng không âm).")


def city_context(
    *,
    city: City,
    period: str | Period,
    report_date: date | str,
    document_number: str,
    table: pd.DataFrame,
    units: pd.DataFrame,
    charts_svg: dict[str, str],
    sample_data: bool,
    groups: dict[str, str] | None = None,
    overview: pd.DataFrame | None = None,
    notes: list[dict[str, Any]] | None = None,
    ranking: dict[str, Any] | None = None,
    quality: dict[str, Any] | None = None,
    recipients: list[str] | None = None,
    text: dict[str, list[dict]] | None = None,
    text_file: str = "",
    basis: list[str] | None = None,
    next_tasks: list[dict[str, Any]] | None = None,
    proposals: list[dict[str, Any]] | None = None,
    ranking_note: str = "",
    tasks: dict[str, Any] | None = None,
    unit_links: dict[str, str] | None = None,
    trace_counts: dict[str, int] | None = None,
) -> dict[str, Any]:
    """Plain data for ``city_quarterly.html.j2`` and ``report.docx``; ``table`` is :func:`dxreport.compute.status.status_table`'s.

    ``unit_links`` (unit code → its scorecard, :func:`dxreport.publish.navigation.unit_links`) and
    ``trace_counts`` (target code → rows behind its figure) make the HTML's links; without them it has none.

    ``text`` is the analyst's text (:func:`dxreport.publish.analyst_text.load`), ``basis`` the citations of the
    plans the report implements; sections the text lacks show their generated draft (:mod:`dxreport.publish.drafts`).
    ``tasks``: the programme's tasks (:func:`dxreport.publish.tasks_report.city_tasks_context`), None without any.
    """
    p = Period.parse(period)
    groups = groups or {code: name for code, name in PILLAR_NAMES.items() if code in set(table["pillar"])}
    shown = reported_targets(table)
    rows = [r for r in status_rows(table, units, groups) if r["code"] in set(shown["code"])]
    for r in rows:
        r["trace_count"] = (trace_counts or {}).get(str(r["code"]), 0)
        r["trace_href"] = navigation.trace_href(r["code"]) if r["trace_count"] else None
    running = [r for r in rows if not r["final"]]
    expired = sorted((r for r in rows if r["final"]), key=lambda r: (list(groups).index(r["group"]) if r["group"] in groups else len(groups), r["code"]))
    counts = status_counts(shown)
    overview = overview if overview is not None else unit_status.unit_overview({}, units)
    lagging_units = overview[(overview["behind"] + overview["at_risk"] + overview["missed"]) > 0].sort_values(
        ["good_share", "at_risk", "code"], ascending=[True, False, True])
    summary = [narrative.status_summary(shown, p), *([tasks["summary"], tasks["funds_summary"]] if tasks else []),
               narrative.change_summary(shown, p), narrative.risk_summary(shown),
               narrative.expired_summary(shown), narrative.units_summary(overview)]
    title = f"Tình hình thực hiện chuyển đổi số {fmt.period_label(p)}"
    present = [k for k in STATUS_LABELS if k in set(shown["status"])]
    body = city.issuing_body_name or city.issuing_body
    drafts = section_drafts(table=shown, units=units, period=p, issuing_body=body, quality=quality,
                            next_tasks=next_tasks, proposals=proposals, locality=city.locality)
    text = text or {}
    opening = text.get("mo-dau") or analyst_text.blocks_of([
        (f"Thực hiện {narrative.join(basis)}, " if basis else "")
        + f"{body} báo cáo tình hình thực hiện chuyển đổi số {fmt.period_label(p)} như sau:"])
    header = render.document_context(city=city, period=p.id, report_date=report_date, document_number=document_number,
                                      sample_mark=SAMPLE_MARK if sample_data else "", title=title)
    sections = analyst_text.report_sections(text, drafts, text_file)
    return {
        **header,
        "opening": analyst_text.with_marks(opening),
        "sections": sections,
        "toc": [*({"id": f"muc-{key}", "label": f"{key}. {s['name']}"} for key, s in sections.items()),
                {"id": "phu-luc", "label": "Phụ lục"}],
        "annex_of": render.attachment_line("Báo cáo", "BC", city, document_number, report_date),
        "next_period_label": fmt.period_label(p.next),
        "summary": [s for s in summary if s],
        "status_legend": [{"key": k, "label": STATUS_LABELS[k]} for k in present],
        "groups": [
            {"code": code, "name": name, "rows": [r for r in running if r["group"] == code],
             "counts": {k: int(v) for k, v in counts.loc[code].items()} if code in counts.index else {}}
            for code, name in groups.items()
        ],
        "running_count": len(running),
        "expired_rows": expired,
        "all_rows": rows,
        "projection_note": PROJECTION_NOTE,
        "lagging_targets": narrative.lagging_targets(shown, p),
        "lagging_units": records(lagging_units),
        "lagging_body": condense.lagging(records(lagging_units)),
        "heatmap_note": condense.heatmap_note(len(overview)),
        "notes": notes or [],
        "ranking": condense.ranking(ranking),
        "quality": quality,
        **({"recipients": recipients} if recipients else {}),  # else the city's own (render.document_context)
        "ranking_note": ranking_note,
        "charts": charts_svg,
        "chart_titles": CITY_CHART_TITLES,
        "heatmap_legend": charts.heatmap_legend(present),
        "tasks": tasks,
        "unit_links": unit_links or {},
        "documents": navigation.city_documents() if unit_links is not None else [],
    }


def write_city_report(context: dict[str, Any], output_dir: Path, root: Path) -> dict[str, Path]:
    return write_report(TEMPLATE, context, output_dir, root)


def write_report(template: str, context: dict[str, Any], output_dir: Path, root: Path) -> dict[str, Path]:
    """Write report.html and report.pdf (PDF/A-2a, tagged) from ``template``; returns their paths."""
    output_dir.mkdir(parents=True, exist_ok=True)
    html = render.render_html(paths.templates_dir(root), template, context)
    render.check_glyphs(html, paths.fonts_dir(root))
    html_path = output_dir / "report.html"
    html_path.write_text(html, encoding="utf-8")
    pdf_path = output_dir / "report.pdf"
    render.write_pdf(html, pdf_path, paths.fonts_dir(root), output_dir, title=f"Báo cáo {context['title']}")
    return {"html": html_path, "pdf": pdf_path}


def write_html(template: str, context: dict[str, Any], path: Path, root: Path) -> Path:
    """An HTML page only (no PDF): a page for the screen that goes with a report, such as its sources."""
    html = render.render_html(paths.templates_dir(root), template, context)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path


def heatmap_chart(matrix: pd.DataFrame, units: pd.DataFrame, root: Path, *, png: bool = False) -> str | bytes:
    charts.use_fonts(paths.fonts_dir(root))
    labels = [f"{units.loc[c, 'name']}" for c in matrix.index]
    fig = charts.status_heatmap(matrix, labels)
    return charts.to_png(fig) if png else charts.to_svg(fig)


DISPLAY_COLUMNS = {
    "code": "Mã",
    "name": "Chỉ tiêu",
    "pillar": "Trụ cột",
    "target": "Mục tiêu",
    "actual": "Kết quả",
    "change": "So với quý trước",
    "expected": "Kỳ vọng",
    "status_label": "Tình trạng",
}


def status_display(table: pd.DataFrame) -> pd.DataFrame:
    """The status table as a reader sees it in a notebook: Vietnamese headers, formatted values."""
    out = pd.DataFrame({
        "Mã": table["code"],
        "Chỉ tiêu": table["name"],
        "Trụ cột": table["pillar"],
        "Mục tiêu": [fmt.measure(v, u) for v, u in zip(table["target"], table["unit_of_measure"])],
        "Kết quả": [fmt.measure(v, u) for v, u in zip(table["actual"], table["unit_of_measure"])],
        "So với quý trước": [fmt.change(v, u) for v, u in zip(table["change"], table["unit_of_measure"])],
        "Kỳ vọng": [fmt.measure(v, u) for v, u in zip(table["expected"], table["unit_of_measure"])],
        "Tình trạng": table["status_label"],
    })
    return out.set_index("Mã")


def write_tables(tables: dict[str, pd.DataFrame], output_dir: Path) -> dict[str, Path]:
    """The data behind the report, as UTF-8 CSV beside it (one file per table)."""
    output_dir.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, frame in tables.items():
        path = output_dir / f"{name}.csv"
        # Text from units (names, notes) never starts a formula in a spreadsheet that opens the CSV.
        csv_safe.frame(frame).to_csv(path, index=False, encoding="utf-8", lineterminator="\n", float_format="%.6g")
        written[name] = path
    return written
