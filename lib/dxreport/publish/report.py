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
from dxreport.compute.status import (
    STATUS_LABELS,
    status_counts,
)
from dxreport.domain import fmt, paths
from dxreport.domain.config import PILLAR_NAMES, City
from dxreport.domain.periods import Period
from dxreport.publish import charts, csv_safe, narrative, render

SAMPLE_MARK = "DỮ LIỆU MẪU"
TEMPLATE = "city_quarterly.html.j2"
DEFAULT_RECIPIENTS = [
    "Ban Chỉ đạo chuyển đổi số thành phố (để báo cáo)",
    "Bộ Khoa học và Công nghệ (để báo cáo)",
    "Thường trực Thành ủy, HĐND thành phố (để báo cáo)",
    "Chủ tịch, các Phó Chủ tịch UBND thành phố",
    "Các sở, ban, ngành; UBND các phường, xã",
    "Lưu: VT",
]


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


def status_rows(table: pd.DataFrame, units: pd.DataFrame) -> list[dict[str, Any]]:
    rows = records(table)
    for row in rows:
        row["responsible_name"] = units.loc[row["responsible"], "name"] if row["responsible"] in units.index else row["responsible"]
    return rows


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
    "status_by_pillar": "Số chỉ tiêu theo trụ cột và tình trạng thực hiện",
    "heatmap": "Tình trạng chỉ tiêu theo đơn vị",
}


def city_context(
    *,
    city: City,
    period: str,
    report_date: date | str,
    document_number: str,
    table: pd.DataFrame,
    units: pd.DataFrame,
    charts_svg: dict[str, str],
    sample_data: bool,
    overview: pd.DataFrame | None = None,
    notes: list[dict[str, Any]] | None = None,
    tasks: list[dict[str, Any]] | None = None,
    ranking: dict[str, Any] | None = None,
    quality: dict[str, Any] | None = None,
    recipients: list[str] | None = None,
) -> dict[str, Any]:
    rows = status_rows(table, units)
    counts = status_counts(table)
    overview = overview if overview is not None else unit_status.unit_overview({}, units)
    lagging_units = overview[(overview["behind"] + overview["at_risk"]) > 0].sort_values(
        ["good_share", "at_risk", "code"], ascending=[True, False, True])
    summary = [narrative.status_summary(table, period), narrative.change_summary(table, period),
               narrative.risk_summary(table), narrative.units_summary(overview)]
    return {
        **render.document_context(city=city, period=period, report_date=report_date, document_number=document_number,
                                  sample_mark=SAMPLE_MARK if sample_data else "",
                                  title=f"Tình hình thực hiện chuyển đổi số {fmt.period_label(period)}"),
        "next_period_label": fmt.period_label(Period.parse(period).next),
        "summary": [s for s in summary if s],
        "status_legend": [{"key": k, "label": v} for k, v in STATUS_LABELS.items()],
        "pillars": [
            {"code": code, "name": name, "rows": [r for r in rows if r["pillar"] == code],
             "counts": {k: int(v) for k, v in counts.loc[code].items()} if code in counts.index else {}}
            for code, name in PILLAR_NAMES.items()
        ],
        "all_rows": rows,
        "lagging_targets": narrative.lagging_targets(table),
        "lagging_units": records(lagging_units),
        "notes": notes or [],
        "tasks": tasks or [],
        "ranking": ranking,
        "quality": quality,
        "recipients": recipients or DEFAULT_RECIPIENTS,
        "charts": charts_svg,
        "chart_titles": CITY_CHART_TITLES,
    }


def write_city_report(context: dict[str, Any], output_dir: Path, root: Path) -> dict[str, Path]:
    return write_report(TEMPLATE, context, output_dir, root)


def write_report(template: str, context: dict[str, Any], output_dir: Path, root: Path) -> dict[str, Path]:
    """Write report.html and report.pdf (PDF/A-2b) from ``template``; returns their paths."""
    output_dir.mkdir(parents=True, exist_ok=True)
    html = render.render_html(paths.templates_dir(root), template, context)
    render.check_glyphs(html, paths.fonts_dir(root))
    html_path = output_dir / "report.html"
    html_path.write_text(html, encoding="utf-8")
    pdf_path = output_dir / "report.pdf"
    render.write_pdf(html, pdf_path, paths.fonts_dir(root), output_dir, title=f"Báo cáo {context['title']}")
    return {"html": html_path, "pdf": pdf_path}


def status_chart(table: pd.DataFrame, root: Path) -> str:
    charts.use_fonts(paths.fonts_dir(root))
    return charts.to_svg(charts.status_by_pillar(status_counts(table)))


def heatmap_chart(matrix: pd.DataFrame, units: pd.DataFrame, root: Path) -> str:
    charts.use_fonts(paths.fonts_dir(root))
    labels = [f"{units.loc[c, 'name']}" for c in matrix.index]
    return charts.to_svg(charts.status_heatmap(matrix, labels))


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
        "So với quý trước": [fmt.points(v) if u == "%" else fmt.signed(v, 2) for v, u in zip(table["change"], table["unit_of_measure"])],
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


def unit_trend_chart(unit_table: pd.DataFrame, root: Path) -> str:
    """Trend of the unit's shares (targets in %) over the quarters of its history."""
    charts.use_fonts(paths.fonts_dir(root))
    shares = unit_table[unit_table["unit_of_measure"] == "%"] if len(unit_table) else unit_table
    if shares.empty:
        return ""
    periods = list(shares.iloc[0]["history"].keys())
    series = [{"label": f"{r.code}", "values": [r.history[p] for p in periods]} for r in shares.itertuples()]
    return charts.to_svg(charts.trend_lines(series, periods, [fmt.period_label(p) for p in periods]))
