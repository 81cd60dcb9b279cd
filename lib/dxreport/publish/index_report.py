"""The city's own index in a report: ranked tables, charts and sentences per audience, as plain data.

:func:`ranking_context` computes :func:`dxreport.compute.unit_index.unit_index` for each
of the city's frameworks (``data/frameworks/<city>-dvi-*.yaml``: departments;
wards and communes) and turns one period of it into what section III of the
city report and ``notebooks/dx_index.ipynb`` show: the ranked rows, the units
without an index and why, the SVG charts (drawn here, so marked safe by the
template as every other chart), and one sentence per audience that states
only figures of its table. Numbers stay numbers; templates format them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from dxreport.compute import unit_index
from dxreport.domain import fmt, frameworks, paths
from dxreport.domain.config import load_indicators
from dxreport.domain.frameworks import Framework
from dxreport.domain.periods import Period
from dxreport.domain.units import KIND_LABELS
from dxreport.publish import charts, index_charts

BARS_WIDTH = 4.4  # inches of plot; with the names to its left the chart fills the A4 text width at about full size
CHANGE_SYMBOLS = {"up": "↑", "down": "↓", "same": "=", "new": "–", "unranked": "–"}


def _plain(value: Any) -> Any:
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        return value
    return value.item() if hasattr(value, "item") else value


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " và " + parts[-1]


def change_of(rank_change: int | None, previous_rank: int | None, rank: int | None = 1,
              common_change: int | None = None, total_change: float | None = None,
              scale: float | None = None, decimals: int = 2) -> dict[str, Any]:
    """A rank change in words and a symbol, so it never relies on colour: ``↑ tăng 3 bậc``.

    With ``common_change`` (the change among the units ranked in both periods): a climb that
    comes only from units above leaving the ranking is said to be so, and ``total_change``
    (the index change) is stated beside it — in points (``scale``: the framework's maximum) for an
    index published in points.
    """
    if rank is None:
        key, label = "unranked", "không xếp hạng kỳ này"
    elif rank_change is None:
        key, label = "new", "chưa xếp hạng kỳ trước"
    elif rank_change > 0:
        key, label = "up", f"tăng {fmt.number(rank_change)} bậc"
        if common_change is not None and common_change <= 0:
            label += " chỉ do đơn vị khác không còn được xếp hạng"
        elif total_change is not None and total_change < 0:
            label += " dù chỉ số giảm (đơn vị khác giảm nhiều hơn)"
    elif rank_change < 0:
        key, label = "down", f"giảm {fmt.number(-rank_change)} bậc"
    else:
        key, label = "same", "giữ nguyên"
    out = {"change_key": key, "change_symbol": CHANGE_SYMBOLS[key], "change_label": label, "index_change_text": ""}
    if total_change is not None and rank is not None:
        out["index_change_text"] = (f"{fmt.signed(total_change * scale, decimals)} điểm" if scale
                                    else f"chỉ số {fmt.signed(total_change, 4)}")
    return out


def _missing_reason(obs: pd.DataFrame, fw: Framework, unit: str, missing: list[str]) -> str:
    """Why a unit has no index: nothing sent, no assessment sheet, or which components lack a value (or have a zero denominator)."""
    own = obs[obs["unit"] == unit].dropna(subset=["value"]).drop_duplicates("indicator").set_index("indicator")["value"]
    if own.empty:
        return "chưa gửi số liệu"
    parts = []
    assessed = [c.code for c in fw.components() if c.assessed]
    no_sheet = bool(assessed) and all(code in missing for code in assessed)
    for c in fw.components():
        if c.code not in missing or c.input is None:
            continue
        if c.assessed:
            if not no_sheet:
                parts.append(f"{c.code} (chưa đánh giá)")
            continue
        absent = [i for i in c.input.indicators() if i not in own.index]
        if absent:
            parts.append(f"{c.code} (thiếu {', '.join(absent)})")
        elif c.input.denominator and own[c.input.denominator] == 0:
            parts.append(f"{c.code} ({c.input.denominator} bằng 0)")
        else:
            parts.append(c.code)
    sheet = "chưa có phiếu tự đánh giá, thẩm định" if no_sheet else ""
    if not parts:
        return sheet
    return (sheet + "; " if sheet else "") + "chưa đủ số liệu để tính " + ", ".join(parts)


def total_text(audience: dict[str, Any], row: dict[str, Any]) -> str:
    """A unit's total as its framework publishes it: ``86,96 điểm`` or ``0,8696``."""
    if audience.get("report_as") == "points":
        return f"{fmt.number(row['points'], audience['decimals'])} điểm"
    return fmt.index(row["total"])


def audience_summary(audience: dict[str, Any], period: str) -> str:
    """One or two sentences: best, worst, biggest climber, units without an index — figures of the table only."""
    label = fmt.period_label(period)
    previous = fmt.period_label(Period.parse(period).previous)
    ranked = [r for r in audience["rows"] if r["rank"] is not None]
    who = audience["audience_label"].lower()
    if not ranked:
        return f"{label}, chưa {who} nào có đủ số liệu để tính chỉ số."
    text = f"{label}, {fmt.number(len(ranked))}/{fmt.number(audience['unit_count'])} {who} có chỉ số"
    best = [r for r in ranked if r["rank"] == 1]
    last = max(r["rank"] for r in ranked)
    worst = [r for r in ranked if r["rank"] == last]
    text += f"; dẫn đầu là {_join([r['name'] for r in best])} ({total_text(audience, best[0])})"
    if last != 1:
        text += f", thấp nhất là {_join([r['name'] for r in worst])} ({total_text(audience, worst[0])}, hạng {fmt.number(last)})"
    text += "."
    if audience.get("band_counts"):
        text += " Xếp loại: " + "; ".join(f"{b['name'].lower()} {fmt.number(b['count'])}" for b in audience["band_counts"]) + "."
    rose = _biggest_move(ranked, +1, f" so với {previous}")
    if not rose and any(r["previous_rank"] is not None for r in ranked):
        rose = f" Không {who} nào tăng hạng so với {previous}."
    text += rose + _biggest_move(ranked, -1, "")
    if audience["unranked"]:
        text += " Chưa có chỉ số: " + "; ".join(f"{u['name']} ({u['reason']})" for u in audience["unranked"]) + "."
    return text


def _biggest_move(ranked: list[dict[str, Any]], direction: int, since: str) -> str:
    """The sentence naming the unit(s) that rose (``direction`` +1) or fell (-1) the most places; '' if none moved so."""
    moved = [r for r in ranked if r["rank_change"] is not None and r["rank_change"] * direction > 0]
    if not moved:
        return ""
    places = max(abs(r["rank_change"]) for r in moved)
    most = [r for r in moved if abs(r["rank_change"]) == places]
    verb, towards = ("tăng", "lên") if direction > 0 else ("giảm", "xuống")
    head = f" {verb.capitalize()} nhiều bậc nhất{since} là"
    if len(most) == 1:
        r = most[0]
        return (f"{head} {r['name']} ({verb} {fmt.number(places)} bậc, "
                f"từ hạng {fmt.number(r['previous_rank'])} {towards} hạng {fmt.number(r['rank'])}).")
    return f"{head} {_join([r['name'] for r in most])} (cùng {verb} {fmt.number(places)} bậc)."


def _audience_label(fw: Framework, kinds: list[str]) -> str:
    present = [KIND_LABELS[k] for k in fw.audience if k in kinds] or [KIND_LABELS[k] for k in fw.audience]
    text = ", ".join(p.lower() for p in present)
    return text[:1].upper() + text[1:]


def audience_context(observations: pd.DataFrame, fw: Framework, units: pd.DataFrame, period: str,
                     succession: pd.DataFrame | None, *, draw: bool = True,
                     assessments: pd.DataFrame | None = None) -> dict[str, Any]:
    """One framework's block: rows, unranked units with reasons, charts and the sentence.

    A framework published in points (``report_as: points``) gives each row its points per main index,
    its total points (verified), the self-assessed total beside it and its band; ``values`` keeps the
    0–1 values (4 decimals) for the annex.
    """
    previous = Period.parse(period).previous.id
    table = unit_index.unit_index(observations, fw, units, periods=[previous, period] if draw else [period],
                                  succession=succession, assessments=assessments)
    before = table[table["period"] == previous].set_index("unit")
    table = table[table["period"] == period]
    part = unit_index.ranking(table, period)
    obs = observations[observations["period"] == period]
    index_codes = fw.codes("index")
    points_of = {i.code: i.points for i in fw.indices}
    rows, unranked = [], []
    for r in part.to_dict("records"):
        row = {
            "unit": r["unit"], "name": r["name"], "kind": r["kind"], "kind_label": KIND_LABELS.get(r["kind"], r["kind"]),
            "rank": _plain(r["rank"]), "total": _plain(r[fw.total.code]),
            "points": _plain(r["points"]), "band": _plain(r["band"]) or None,
            "self_points": _plain(r["self_points"]), "self_total": _plain(r["self_total"]),
            "gap_points": None, "adjustment_points": None,
            "bonus": _plain(r["bonus"]), "penalty": _plain(r["penalty"]),
            "index_points": [None if _plain(r[c]) is None or points_of[c] is None else _plain(r[c]) * points_of[c]
                             for c in index_codes],
            "indices": [_plain(r[c]) for c in index_codes],
            "previous_rank": _plain(r["previous_rank"]), "rank_change": _plain(r["rank_change"]),
            "previous_total": _plain(r["previous_total"]), "total_change": _plain(r["total_change"]),
            "previous_from": ", ".join(units.loc[c, "name"] if c in units.index else c
                                       for c in r["previous_from"].split(", ") if c),
        }
        if row["self_points"] is not None and row["points"] is not None:
            row["gap_points"] = row["self_points"] - row["points"]
        if row["total"] is not None and fw.adjustments():
            row["adjustment_points"] = (row["bonus"] or 0.0) - (row["penalty"] or 0.0)
        if r["unit"] in before.index:  # its parts a quarter before, for the change by main index
            b = before.loc[r["unit"]]
            row["previous_indices"] = [_plain(b[c]) for c in index_codes]
            row["previous_adjustment"] = (_plain(b["bonus"]) or 0.0) - (_plain(b["penalty"]) or 0.0)
        row["common_rank_change"] = _plain(r["common_rank_change"])
        in_points = fw.total.report_as == "points"
        row.update(change_of(row["rank_change"], row["previous_rank"], row["rank"], row["common_rank_change"],
                             row["total_change"], fw.total.points if in_points else None, fw.total.shown_decimals))
        row["reason"] = "" if row["rank"] is not None else _missing_reason(
            obs, fw, r["unit"], r["missing"].split(", ") if r["missing"] else [])
        rows.append(row)
        if row["rank"] is None:
            unranked.append({"unit": row["unit"], "name": row["name"], "reason": row["reason"]})
    key = fw.id.rsplit("-", 1)[-1]
    audience = {
        "key": key,
        "framework_id": fw.id,
        "framework_name": fw.name,
        "decision": fw.decision,
        "audience_label": _audience_label(fw, sorted({r["kind"] for r in rows})),
        "total_code": fw.total.code,
        "total_name": fw.total.name,
        "total_points": fw.total.points,
        "report_as": fw.total.report_as,
        "decimals": fw.total.shown_decimals,
        "bands": [{"name": b.name, "at_least": b.at_least} for b in fw.bands],
        "has_adjustments": bool(fw.adjustments()),
        "adjustments": [{"key": key, "code": a.code, "name": a.name, "cap": a.cap}
                        for key, a in (("bonus", fw.bonus), ("penalty", fw.penalty)) if a is not None],
        "has_assessment": bool(fw.assessed_items()),
        "sample_points": fw.sample_points,
        "sample_bands": fw.sample_bands,
        "indices": [{"code": i.code, "name": i.name, "points": i.points} for i in fw.indices],
        "rows": rows,
        "unranked": unranked,
        "unit_count": len(rows),
        "ranked_count": len(rows) - len(unranked),
        "charts": {},
    }
    if draw and rows:
        audience["charts"] = index_charts.audience_charts(audience, fmt.period_label(period),
                                                          fmt.period_label(Period.parse(period).previous))
    audience["band_counts"] = [{"name": b.name, "count": n} for b in reversed(fw.bands)
                               if (n := sum(r["band"] == b.name for r in rows if r["rank"] is not None))]
    audience["summary"] = audience_summary(audience, period)
    return audience


def chart_pngs(audience: dict[str, Any], previous_label: str, root: Path) -> dict[str, bytes]:
    """The charts an audience block shows (its ``charts`` not left out) as PNG by chart key, for the Word file.

    The block's charts are plain data (their SVG), so these are drawn again, from the block's own rows.
    """
    charts.use_fonts(paths.fonts_dir(Path(root)))
    shown = {k for k, v in (audience.get("charts") or {}).items() if v}
    return {key: charts.to_png(draw()) for key, draw in index_charts.audience_figures(audience, previous_label, shown).items()}


def write_chart_data(context: dict[str, Any] | None, out: Path) -> dict[str, Path]:
    """The data of every audience's charts as ``charts/<key>.csv`` in ``out`` (as :func:`index_charts.audience_charts` drew them)."""
    from dxreport.publish import csv_safe
    from dxreport.publish.figures import CHARTS_DIR

    written = {}
    for a in (context or {}).get("audiences", []):
        if not a.get("charts"):
            continue
        for key, frame in index_charts.chart_frames(a).items():
            path = Path(out) / CHARTS_DIR / f"{key}.csv"
            path.parent.mkdir(parents=True, exist_ok=True)
            csv_safe.frame(frame).to_csv(path, index=False, encoding="utf-8", lineterminator="\n", float_format="%.6g")
            written[f"chart_{key}"] = path
    return written


def ranking_context(observations: pd.DataFrame, units: pd.DataFrame, root: Path, city_dir: Path, period: str,
                    succession: pd.DataFrame | None = None, *, draw: bool = True,
                    assessments: pd.DataFrame | None = None) -> dict[str, Any] | None:
    """Section III of the city report: one block per audience of the city's frameworks (None when it has none).

    ``observations`` from :func:`dxreport.store.load_observations`; ``units`` from
    :func:`dxreport.domain.units.load_units`. ``succession`` defaults to the city's
    ``succession.csv`` when present (pass an empty frame to compare units only with
    themselves). ``draw=False`` skips the charts (for quick checks).
    """
    from dxreport.domain.succession import load_succession

    city = Path(city_dir).name
    fws = frameworks.city_frameworks(Path(root), city)
    if not fws:
        return None
    indicators = load_indicators(Path(city_dir))
    for fw in fws:
        unit_index.check_inputs(fw, indicators, frameworks.frameworks_dir(Path(root)) / f"{fw.id}.yaml")
    if succession is None and (Path(city_dir) / "succession.csv").is_file():
        succession = load_succession(Path(city_dir), units)
    if succession is not None and succession.empty:
        succession = None
    if draw:
        charts.use_fonts(paths.fonts_dir(Path(root)))
    p = Period.parse(period)
    audiences = [audience_context(observations, fw, units, p.id, succession, draw=draw, assessments=assessments) for fw in fws]
    audiences = [a for a in audiences if a["rows"]]
    if not audiences:
        return None
    return {
        "period": p.id,
        "period_label": fmt.period_label(p),
        "previous_period_label": fmt.period_label(p.previous),
        "audiences": audiences,
        "summary": [a["summary"] for a in audiences],
    }


def absence_note(root: Path, city_dir: Path, period: str) -> str:
    """Why section III ranks no unit, in one sentence for the report's reader (without a framework, or without units)."""
    from dxreport.domain.config import load_city

    city = load_city(Path(city_dir))
    label = fmt.period_label(period)
    fws = frameworks.city_frameworks(Path(root), Path(city_dir).name)
    if not fws:
        return (f"{city.locality.capitalize()} chưa có bộ chỉ số đánh giá mức độ chuyển đổi số của các cơ quan, đơn vị "
                f"trong cấu hình báo cáo, nên {label} chưa tính và xếp hạng chỉ số chuyển đổi số của các đơn vị.")
    return (f"{label}, không có đơn vị nào thuộc đối tượng đánh giá của {_join([fw.name for fw in fws])}, "
            "nên chưa xếp hạng chỉ số chuyển đổi số của các đơn vị.")


def unit_ranking(context: dict[str, Any] | None, unit: str) -> dict[str, Any] | None:
    """One unit's slot in its audience, for the scorecard (``value``, ``rank``, ``of``, ``rank_change`` …)."""
    for a in (context or {}).get("audiences", []):
        for r in a["rows"]:
            if r["unit"] != unit:
                continue
            return {
                "framework_name": a["framework_name"], "audience": a["audience_label"], "total_code": a["total_code"],
                "period_label": context["period_label"], "previous_period_label": context["previous_period_label"],  # type: ignore[index]
                "value": r["total"], "rank": r["rank"], "of": a["ranked_count"], "units": a["unit_count"],
                "points": r["points"], "band": r["band"], "self_points": r["self_points"], "report_as": a["report_as"],
                "total_points": a["total_points"], "decimals": a["decimals"], "sample_points": a["sample_points"],
                "framework_id": a["framework_id"],
                "rank_change": r["rank_change"], "previous_rank": r["previous_rank"], "total_change": r["total_change"],
                "change_key": r["change_key"], "change_symbol": r["change_symbol"], "change_label": r["change_label"],
                "index_change_text": r["index_change_text"],
                "reason": r["reason"],
                "indices": [dict(i, value=v, achieved=p) for i, v, p in zip(a["indices"], r["indices"], r["index_points"])],
            }
    return None


def index_frames(context: dict[str, Any] | None) -> dict[str, pd.DataFrame]:
    """Each audience's table with Vietnamese headers and numeric values, for the Excel annex and CSV files."""
    out: dict[str, pd.DataFrame] = {}
    for a in (context or {}).get("audiences", []):
        data: dict[str, Any] = {
            "Hạng": pd.array([r["rank"] for r in a["rows"]], dtype="Int64"),
            "Mã đơn vị": [r["unit"] for r in a["rows"]],
            "Đơn vị": [r["name"] for r in a["rows"]],
        }
        for n, i in enumerate(a["indices"]):
            data[f"{i['name']} ({i['code']})"] = pd.array([r["indices"][n] for r in a["rows"]], dtype="Float64")
        data[f"{a['total_name']} ({a['total_code']})"] = pd.array([r["total"] for r in a["rows"]], dtype="Float64")
        if a.get("report_as") == "points" or a.get("bands"):
            data[f"Tổng điểm (trên {fmt.number_auto(a['total_points'])})"] = pd.array([r["points"] for r in a["rows"]], dtype="Float64")
        if a.get("bands"):
            data["Xếp loại"] = [r["band"] or "" for r in a["rows"]]
        if a.get("has_assessment"):
            data["Tổng điểm tự đánh giá"] = pd.array([r["self_points"] for r in a["rows"]], dtype="Float64")
        for adj in a.get("adjustments", []):
            data[f"{adj['name']} (tối đa {fmt.number_auto(adj['cap'])})"] = pd.array([r[adj["key"]] for r in a["rows"]], dtype="Float64")
        data["Hạng kỳ trước"] = pd.array([r["previous_rank"] for r in a["rows"]], dtype="Int64")
        data["Thay đổi hạng"] = pd.array([r["rank_change"] for r in a["rows"]], dtype="Int64")
        data["Chỉ số kỳ trước"] = pd.array([r["previous_total"] for r in a["rows"]], dtype="Float64")
        data["Chỉ số kỳ trước lấy từ đơn vị tiền thân"] = [r["previous_from"] for r in a["rows"]]
        data["Ghi chú"] = [r["reason"] for r in a["rows"]]
        frame = pd.DataFrame(data)
        frame.attrs["points"] = [c for c in frame.columns if c.startswith(("Tổng điểm", "Điểm thưởng", "Điểm trừ"))]
        out[a["key"]] = frame
    return out


SHEET_NAMES = {"so": "ChiSo_SoBanNganh", "xa": "ChiSo_PhuongXa"}


def annex_sheets(context: dict[str, Any] | None) -> dict[str, pd.DataFrame]:
    """:func:`index_frames` keyed by Excel sheet name."""
    return {SHEET_NAMES.get(k, f"ChiSo_{k}"): f for k, f in index_frames(context).items()}


def display_table(audience: dict[str, Any]) -> pd.DataFrame:
    """One audience's table as a reader sees it in a notebook: Vietnamese headers, formatted values."""
    rows = audience["rows"]
    data: dict[str, Any] = {"Hạng": [fmt.number(r["rank"]) for r in rows], "Đơn vị": [r["name"] for r in rows]}
    in_points = audience.get("report_as") == "points"
    for n, i in enumerate(audience["indices"]):
        data[i["code"]] = [fmt.number(r["index_points"][n], 2) if in_points else fmt.index(r["indices"][n]) for r in rows]
    data[audience["total_code"]] = [total_text(audience, r) if r["total"] is not None else fmt.MISSING for r in rows]
    if audience.get("bands"):
        data["Xếp loại"] = [r["band"] or fmt.MISSING for r in rows]
    data["Hạng kỳ trước"] = [fmt.number(r["previous_rank"]) for r in rows]
    data["Thay đổi hạng"] = [f"{r['change_symbol']} {r['change_label']}" + (f" ({r['index_change_text']})" if r["index_change_text"] else "") for r in rows]
    data["Ghi chú"] = [r["reason"] for r in rows]
    return pd.DataFrame(data).set_index("Hạng")


TEMPLATE = "dx_index.html.j2"


def report_context(ranking: dict[str, Any], *, city: Any, report_date: str, sample_mark: str,
                   document_number: str = "") -> dict[str, Any]:
    """Context of the standalone index report (``templates/dx_index.html.j2``): the header's data around ``ranking``."""
    from dxreport.publish.render import document_context

    return {
        **document_context(city=city, period=ranking["period"], report_date=report_date, document_number=document_number,
                           sample_mark=sample_mark, title=f"Chỉ số chuyển đổi số của các đơn vị {ranking['period_label']}"),
        "ranking": dict(ranking, first_figure=1),
    }


def write_index(ranking: dict[str, Any] | None, out: Path, root: Path | None = None,
                context: dict[str, Any] | None = None) -> dict[str, Path]:
    """``index_<audience>.csv`` per audience in ``out``; with ``context`` (:func:`report_context`) also report.html and .pdf."""
    from dxreport.publish import report

    written = report.write_tables({f"index_{k}": f for k, f in index_frames(ranking).items()}, out)
    written.update(write_chart_data(ranking, out))
    if context is not None and root is not None:
        written.update(report.write_report(TEMPLATE, context, out, root))
    return written


def history_frames(observations: pd.DataFrame, units: pd.DataFrame, root: Path, city_dir: Path, period: str,
                   quarters: int = 4, succession: pd.DataFrame | None = None,
                   assessments: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """Per audience: each unit's total over the last ``quarters`` periods (rows: today's units; values unrounded)."""
    from dxreport.domain.succession import load_succession

    if succession is None and (Path(city_dir) / "succession.csv").is_file():
        succession = load_succession(Path(city_dir), units)
    p = Period.parse(period)
    periods = [p.shift(-k).id for k in range(quarters - 1, -1, -1)]
    out = {}
    for fw in frameworks.city_frameworks(Path(root), Path(city_dir).name):
        table = unit_index.unit_index(observations, fw, units, periods=periods, succession=succession, assessments=assessments)
        wide = table.pivot_table(index=["unit", "name"], columns="period", values=fw.total.code, aggfunc="first")
        now = unit_index.ranking(table, p.id)
        wide = wide.reindex(pd.MultiIndex.from_frame(now[["unit", "name"]]), columns=periods)
        wide.columns = [fmt.period_label(c) for c in wide.columns]
        out[fw.id.rsplit("-", 1)[-1]] = wide.reset_index(level="unit", drop=True)
    return out
