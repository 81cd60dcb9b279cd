"""The steps of each report, callable without a notebook.

Notebooks call these one step per cell so an analyst sees every intermediate
table; tests and the benchmark's no-notebook floor call the same functions, so
a report is the same whichever way it is built.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from dxreport.compute import actions as actions_
from dxreport.compute import quality, scorecard, status, unit_status
from dxreport.compute import tasks as tasks_
from dxreport.domain import fmt, frameworks
from dxreport.domain.periods import Period
from dxreport.domain.units import active_on, expected_reports, indicators_for
from dxreport.execute.workspace import Workspace
from dxreport.publish import actions_report, analyst_text, annex, city_docx, navigation, report, scorecard_docx, scorecard_report
from dxreport.publish import city_charts as city_charts_
from dxreport.publish import figures, scorecard_charts, tasks_report
from dxreport.publish.layout import TRACE_PAGE
from dxreport.publish import index_report as ranking_


PATH_QUARTERS = 8  # quarters of each target drawn against its path to the deadline


def city_tables(ws: Workspace, period: str, thresholds: status.Thresholds, history_quarters: int = 4) -> dict[str, Any]:
    table = status.status_table(ws.observations, ws.programme, period, thresholds, history_quarters)
    units = unit_status.unit_tables(ws.observations, ws.programme, ws.units, ws.indicators, period, thresholds, history_quarters)
    overview = unit_status.unit_overview(units, ws.units)
    matrix = unit_status.status_matrix(units, ws.programme)
    p = Period.parse(period)
    return {
        "period": p.id,
        "status": table,
        "history": status.actuals(ws.observations, ws.programme, [p.shift(-k).id for k in range(PATH_QUARTERS - 1, -1, -1)]),
        "unit_tables": units,
        "overview": overview,
        "matrix": unit_status.lagging_rows(matrix, overview),  # the heat map's rows: every unit, or those lagging most
        "matrix_all": matrix,
        "tasks": task_status(ws, period),
    }


def task_status(ws: Workspace, period: str) -> pd.DataFrame | None:
    """The programme's tasks at the end of ``period`` (compute.tasks); None when the programme has no tasks."""
    if not ws.programme.tasks:
        return None
    return tasks_.task_status(tasks_.task_table(ws.programme.tasks), ws.task_reports, period)


def city_charts(ws: Workspace, tables: dict[str, Any]) -> dict[str, Any]:
    """The city report's charts (:mod:`dxreport.publish.city_charts`): SVG, alternative text and data of each."""
    return city_charts_.city_charts(tables["status"], tables["matrix"], ws.units, tables["history"], ws.programme,
                                    ws.root, fmt.period_label(tables["period"]))


def city_ranking(ws: Workspace, period: str, *, draw: bool = True) -> dict[str, Any] | None:
    """Section III: the city's own index for departments and for wards and communes (None without a framework)."""
    return ranking_.ranking_context(ws.observations, ws.units, ws.root, ws.city_dir, period, draw=draw,
                                    assessments=ws.assessments)


def unit_ranking(ws: Workspace, unit: str, period: str, city: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """The unit's index, rank and change for its scorecard (``city``: a :func:`city_ranking` already computed)."""
    return ranking_.unit_ranking(city if city is not None else city_ranking(ws, period, draw=False), unit)


def ranking_note(ws: Workspace, period: str) -> str:
    """Why the city's own index ranks no unit this period (see :func:`dxreport.publish.index_report.absence_note`)."""
    return ranking_.absence_note(ws.root, ws.city_dir, period)


def index_history(ws: Workspace, period: str, quarters: int = 4) -> dict[str, pd.DataFrame]:
    """Per audience: each unit's index over the last ``quarters`` periods (for the notebook's trend view)."""
    return ranking_.history_frames(ws.observations, ws.units, ws.root, ws.city_dir, period, quarters,
                                   assessments=ws.assessments)


def audiences(ws: Workspace, period: str) -> dict[str, actions_.Audience]:
    """The city's index frameworks scored for ``period``, by framework id (the peers of every unit's actions)."""
    return {fw.id: actions_.audience(ws.observations, ws.assessments, fw, ws.units, period)
            for fw in frameworks.for_city_dir(ws.city_dir)}


def audience_of(auds: dict[str, actions_.Audience], kind: str) -> actions_.Audience | None:
    return next((a for a in auds.values() if kind in a.fw.audience), None)


def unit_plan(ws: Workspace, unit: str, period: str, table: pd.DataFrame, history_quarters: int = 4,
              auds: dict[str, actions_.Audience] | None = None) -> actions_.Plan:
    """What the unit should do next quarter and what each action is worth to its index (compute.actions.plan)."""
    auds = audiences(ws, period) if auds is None else auds
    p = Period.parse(period)
    periods = [p.shift(-k).id for k in range(history_quarters - 1, -1, -1)]
    return actions_.plan(
        unit, period, aud=audience_of(auds, ws.units.loc[unit, "kind"]), table=table, programme=ws.programme,
        indicators=ws.indicators, observations=ws.observations,
        history=_history(ws, unit, periods), next_deadline=scorecard.deadline_for(ws.city, p.next),
        task_status=task_status(ws, period),
    )


def _history(ws: Workspace, unit: str, periods: list[str]) -> list[dict]:
    """The unit's reports in ``periods``, counted from when it had to report (as its scorecard counts them)."""
    return scorecard.submission_history(ws.submissions, ws.city, unit, periods,
                                        starts=scorecard.reporting_starts(ws.city, ws.submissions, ws.units.loc[unit, "valid_from"]))


def city_actions(ws: Workspace, tables: dict[str, Any], period: str, history_quarters: int = 4) -> dict[str, pd.DataFrame]:
    """Every reporting unit's actions (for the annex sheet the office sends each unit its list from)."""
    auds = audiences(ws, period)
    p = Period.parse(period)
    periods = [p.shift(-k).id for k in range(history_quarters - 1, -1, -1)]
    units = [u for u in ws.units[ws.units["kind"] != "city"].index if u in tables["unit_tables"]]
    tasks_now = tables.get("tasks")
    out: dict[str, pd.DataFrame] = {}
    for aud in [*auds.values(), None]:  # each framework's units together, then any unit no framework ranks
        members = [u for u in units if u not in out and (aud is None or ws.units.loc[u, "kind"] in aud.fw.audience)]
        found = actions_.plans(
            members, period, aud=aud, tables=tables["unit_tables"], programme=ws.programme, indicators=ws.indicators,
            observations=ws.observations,
            histories={u: _history(ws, u, periods) for u in members},
            next_deadline=scorecard.deadline_for(ws.city, p.next), task_status=tasks_now)
        out.update({u: plan.actions for u, plan in found.items()})
    return {u: out[u] for u in units}


def write_city(
    ws: Workspace, tables: dict[str, Any], charts: dict[str, Any], *, period: str, report_date: str,
    document_number: str, sample_data: bool, out: Path, text_file: str | Path | None = None,
    ranking: dict[str, Any] | None = None, quality: dict[str, Any] | None = None,
    actions: dict[str, pd.DataFrame] | None = None,
) -> dict[str, Path]:
    """Write the city report (HTML, PDF, Word), its Excel annex and the CSV tables behind it.

    ``text_file``: the analyst's text (default ``params/<city>-<period>.text.md``). With a document number
    the report is final, and a text with placeholders or empty required sections stops it. ``actions``
    (:func:`city_actions`, computed when not given) is the annex's sheet of every unit's actions.
    """
    path = Path(text_file) if text_file else analyst_text.text_file(ws.root / "params", ws.city.code, period)
    text = analyst_text.load(path)
    if document_number:
        analyst_text.check_final(path, text)
    table = tables["status"]
    task_table = tables.get("tasks")
    task_context = tasks_report.city_tasks_context(task_table, units=ws.units, groups=ws.programme.task_group_names(),
                                                   period=period)
    trace = status.trace(ws.observations, ws.programme, [period])
    links = navigation.unit_links(expected_reports(ws.units, ws.indicators, Period.parse(period))["unit"].unique())
    context = report.city_context(
        city=ws.city, period=period, report_date=report_date, document_number=document_number, table=table,
        units=ws.units, charts_svg=figures.contexts(charts), sample_data=sample_data, overview=tables["overview"],
        groups=ws.programme.group_names(),
        notes=report.notes_rows(ws.observations, ws.units, ws.indicators, period),
        ranking=ranking, quality=quality, text=text, text_file=path.name,
        basis=[d.citation() for d in ws.programme.basis],
        ranking_note="" if ranking else ranking_.absence_note(ws.root, ws.city_dir, period),
        tasks=task_context, unit_links=links, trace_counts=navigation.trace_counts(trace),
    )
    csv_tables = {"status": table, "units": tables["overview"], "trace": trace}
    if task_table is not None:
        csv_tables["tasks"] = tasks_report.csv_frame(task_table)
    csv_tables.update({f"index_{key}": frame for key, frame in ranking_.index_frames(ranking).items()})
    written = report.write_tables(csv_tables, out)
    written.update(figures.write_data(charts, out))
    written.update(ranking_.write_chart_data(ranking, out))
    actions = city_actions(ws, tables, period) if actions is None else actions
    names = ws.units["name"].to_dict()
    extra = {**ranking_.annex_sheets(ranking), actions_report.ANNEX_SHEET: actions_report.annex_frame(actions, names)}
    if task_table is not None:
        extra[tasks_report.ANNEX_SHEET] = tasks_report.annex_frame(task_table, ws.units, ws.programme.task_group_names())
    written["annex"] = annex.write_annex(out / "annex.xlsx", table, extra=extra)
    written.update(report.write_city_report(context, out, ws.root))
    written["trace_page"] = report.write_html("trace.html.j2", navigation.trace_page_context(
        context, trace, context["all_rows"], ws.units, ws.indicators, links), out / TRACE_PAGE, ws.root)
    images = {c.key: c.png() for c in figures.flatten(charts)}  # each chart's PNG, drawn once
    shown = context["ranking"] or {}  # the audiences as the HTML shows them (a long one without its dot plot)
    for a in shown.get("audiences", []):
        images.update(ranking_.chart_pngs(a, shown["previous_period_label"], ws.root))
    written["docx"] = city_docx.write_city_docx(context, images, out / "report.docx")
    return written


def unit_table(ws: Workspace, unit: str, period: str, thresholds: status.Thresholds, history_quarters: int = 4) -> pd.DataFrame:
    reported = {i.code for i in indicators_for(unit, ws.units, ws.indicators)}
    return scorecard.unit_status(ws.observations, ws.programme, unit, reported, period, thresholds, history_quarters)


def scorecard_chart(ws: Workspace, unit: str, table: pd.DataFrame, period: str) -> figures.Chart | None:
    """The scorecard's chart: per target, the unit's quarters (``table``'s history) against the city's and the path."""
    quarters = list(table.iloc[0]["history"]) if len(table) else [period]
    city = status.actuals(ws.observations, ws.programme, quarters)
    return scorecard_charts.scorecard_chart(table, city, ws.programme, ws.root, ws.units.loc[unit, "name"],
                                            ws.city.locality or "thành phố")


def unit_checks(ws: Workspace, unit: str, period: str) -> pd.DataFrame:
    """The unit's figures flagged by the city's jump rule: the rows the data-quality report lists for it."""
    own = ws.observations[ws.observations["unit"] == unit]
    return quality.jumps(own, ws.indicators, ws.units, period, ws.city.jumps)


def appendix_number(ws: Workspace, unit: str, period: str) -> int:
    """The unit's place among the units that report in the period (units.csv order): its scorecard's appendix number."""
    active = [u for u in active_on(ws.units, Period.parse(period).end).itertuples() if u.kind != "city"]
    codes = [u.code for u in active]
    return codes.index(unit) + 1 if unit in codes else len(codes) + 1


def write_scorecard(
    ws: Workspace, unit: str, table: pd.DataFrame, chart: figures.Chart | None | str, *, period: str, report_date: str, sample_data: bool,
    out: Path, history_quarters: int = 4, ranking: dict[str, Any] | None = None, document_number: str = "",
    plan: actions_.Plan | None = None,
) -> dict[str, Path]:
    """Write the unit's scorecard (HTML, PDF, Word): an appendix of the city report, under its number and date.

    ``chart``: :func:`scorecard_chart` (its data written as ``charts/<key>.csv`` beside the scorecard), or none.

    It opens with the unit's actions (``plan``: :func:`unit_plan`, computed when not given), also written as
    ``actions.csv`` beside it.
    """
    periods = [Period.parse(period).shift(-k).id for k in range(history_quarters - 1, -1, -1)]
    row = ws.units.loc[unit]
    sent = scorecard.submission_history(ws.submissions, ws.city, unit, periods,
                                        starts=scorecard.reporting_starts(ws.city, ws.submissions, row["valid_from"]))
    auds = audiences(ws, period)
    aud = audience_of(auds, row["kind"])
    plan = unit_plan(ws, unit, period, table, history_quarters, auds) if plan is None else plan
    ranked = aud is not None and unit in aud.totals.index and not pd.isna(aud.totals[unit])
    context = scorecard_report.scorecard_context(
        city=ws.city, unit={"code": unit, "name": row["name"], "kind": row["kind"]}, period=period,
        report_date=report_date, table=table, submissions=sent,
        chart_svg=chart.context() if isinstance(chart, figures.Chart) else (chart or ""),
        sample_mark=report.SAMPLE_MARK if sample_data else "", ranking=ranking,
        checks=unit_checks(ws, unit, period), document_number=document_number,
        appendix=f"3.{appendix_number(ws, unit, period)}", actions=plan.actions, outlook=plan.outlook,
        verification=actions_.verification(aud, unit) if ranked else None,
        gaps=actions_.item_gaps(aud, unit, limit=5) if ranked else None,
        tasks=tasks_report.unit_tasks_context(task_status(ws, period), unit, units=ws.units,
                                              groups=ws.programme.task_group_names()),
    )
    context["documents"] = navigation.scorecard_documents()
    written = report.write_tables({"unit_status": table.drop(columns=["history"]) if len(table) else table,
                                   "actions": actions_report.csv_frame(plan.actions)}, out)
    if isinstance(chart, figures.Chart):
        written.update(figures.write_data([chart], out))
    written.update(report.write_report("unit_scorecard.html.j2", context, out, ws.root))
    trend = chart.png() if isinstance(chart, figures.Chart) else b""
    written["docx"] = scorecard_docx.write_scorecard_docx(context, {"trend": trend}, out / "report.docx")
    return written
