"""Vietnamese sentences generated from the computed tables (plain text, no markup).

Every figure a sentence states comes from a table passed in and shown in the
report, formatted by the same functions the tables use (:func:`value_text`,
:func:`change_text`), so the text never disagrees with the tables. A property
test (``tests/test_narrative.py``) checks it on many generated quarters.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from dxreport.compute.status import (
    ACHIEVED,
    AT_RISK,
    BEHIND,
    EXCEEDED,
    FINAL,
    GOOD,
    MET,
    MISSED,
    NO_DATA,
    ON_TRACK,
    RUNNING,
)
from dxreport.domain import fmt
from dxreport.domain.periods import Period

# How a status reads inside a sentence ("03 chỉ tiêu đúng tiến độ", "11 chỉ tiêu không đạt mục tiêu").
IN_SENTENCE = {
    MET: "đã đạt mục tiêu trước hạn",
    ON_TRACK: "đúng tiến độ",
    BEHIND: "chậm tiến độ",
    AT_RISK: "có nguy cơ không đạt",
    EXCEEDED: "vượt mục tiêu",
    ACHIEVED: "đạt mục tiêu",
    MISSED: "không đạt mục tiêu tại hạn",
    NO_DATA: "chưa có số liệu",
}
NAMES_SHOWN = 6  # tied units named in a sentence; the rest are counted


def join(parts: list[str]) -> str:
    if not parts:
        return ""
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " và " + parts[-1]


def _get(row: Any, key: str) -> Any:
    value = row.get(key) if isinstance(row, dict) else getattr(row, key, None)
    try:
        return None if value is None or pd.isna(value) else value
    except (TypeError, ValueError):
        return value


def _is_yes_no(row: Any) -> bool:
    return _get(row, "measure_kind") == "share_of_units"


def value_text(row: Any, value: float | None = None, *, units: str = "units", yes_units: str = "yes_units") -> str:
    """A target's value as the tables print it: ``85,3%``, ``1.204 hồ sơ``, ``24/26 đơn vị (92,3%)``."""
    value = _get(row, "actual") if value is None else value
    if value is None:
        return fmt.MISSING
    if _is_yes_no(row) and _get(row, yes_units) is not None:
        return f"{fmt.units_of(_get(row, yes_units), _get(row, units))} ({fmt.percent(value)})"
    return fmt.measure(value, _get(row, "unit_of_measure"))


def change_text(row: Any) -> str:
    """The change since the previous period as printed: points for shares, units for yes/no, the measure's own unit else."""
    if _is_yes_no(row):
        now, before = _get(row, "yes_units"), _get(row, "previous_yes_units")
        return fmt.MISSING if now is None or before is None else fmt.units_change(now - before)
    change = _get(row, "change")
    if change is None:
        return fmt.MISSING
    return fmt.change(change, _get(row, "unit_of_measure"))


def change_direction(row: Any) -> int | None:
    """+1 better, −1 worse, 0 unchanged *as printed* (a change that rounds to 0 is no change); None without one."""
    text = change_text(row)
    if text == fmt.MISSING:
        return None
    if text.startswith("+"):
        sign = 1
    elif text.startswith("−"):
        sign = -1
    else:
        return 0
    return sign * (1 if _get(row, "direction") != "decrease" else -1)


def _breakdown(statuses: pd.Series, keys: tuple[str, ...], what: str) -> str:
    """``06 chỉ tiêu đang thực hiện: 03 chỉ tiêu đúng tiến độ, …``; one status for all: ``…, đều đúng tiến độ``."""
    counts = statuses.value_counts()
    present = [k for k in keys if counts.get(k, 0)]
    head = f"{fmt.count(len(statuses))} chỉ tiêu {what}"
    if len(present) == 1:
        return f"{head}, {'đều ' if len(statuses) > 1 else ''}{IN_SENTENCE[present[0]]}"
    return head + ": " + join([f"{fmt.count(counts[k])} chỉ tiêu {IN_SENTENCE[k]}" for k in present])


def status_summary(table: pd.DataFrame, period: str | Period) -> str:
    """How many targets, running and expired, in each status; how many are met or on track."""
    total = len(table)
    label = fmt.period_label(period)
    if not total:
        return f"{label}, chưa có chỉ tiêu nào được theo dõi."
    running = table[~table["final"].astype(bool)]
    final = table[table["final"].astype(bool)]
    text = f"{label}, có {fmt.count(total)} chỉ tiêu chuyển đổi số được theo dõi."
    if len(running):
        text += " " + _breakdown(running["status"], (*RUNNING, NO_DATA), "đang thực hiện") + "."
    if len(final):
        text += " " + _breakdown(final["status"], (*FINAL, NO_DATA), "đã hết hạn") + "."
    good = int(table["status"].isin(GOOD).sum())
    text += (f" Số chỉ tiêu đã đạt, vượt hoặc đúng tiến độ là {fmt.count(good)}/{fmt.count(total)}, "
             f"chiếm {fmt.percent(good / total)}.")
    return text


def change_summary(table: pd.DataFrame, period: str | Period) -> str:
    """How many running targets moved the right way since the previous period, counted as the table prints them."""
    running = table[~table["final"].astype(bool)]
    directions = [(row, change_direction(row)) for row in running.to_dict("records")]
    known = [(row, d) for row, d in directions if d is not None]
    if not known:
        return ""
    better = sum(1 for _, d in known if d > 0)
    worse = sum(1 for _, d in known if d < 0)
    same = len(known) - better - worse
    previous = fmt.period_label(Period.parse(period).previous)
    parts = []
    if better:
        parts.append(f"{fmt.count(better)} chỉ tiêu có kết quả tốt lên")
    if worse:
        parts.append(f"{fmt.count(worse)} chỉ tiêu giảm")
    if same:
        parts.append(f"{fmt.count(same)} chỉ tiêu không đổi")
    text = f"So với {previous}, trong {fmt.count(len(known))} chỉ tiêu đang thực hiện có số liệu cả hai kỳ, " + join(parts)
    if worse:
        losers = [row for row, d in known if d < 0]
        names = join([f"{r['code']} ({change_text(r)})" for r in losers[:NAMES_SHOWN]])
        text += f"; chỉ tiêu giảm: {names}" + (f" và {fmt.count(len(losers) - NAMES_SHOWN)} chỉ tiêu khác" if len(losers) > NAMES_SHOWN else "")
    return text + "."


def risk_summary(table: pd.DataFrame) -> str:
    running = table[~table["final"].astype(bool)]
    risky = running[running["status"] == AT_RISK]
    if risky.empty:
        return "Không có chỉ tiêu đang thực hiện nào có nguy cơ không đạt." if len(running) else ""
    names = "; ".join(
        f"{r['code']} – {r['name']} (đạt {value_text(r)}, mục tiêu {fmt.measure(r['target'], r['unit_of_measure'])} "
        f"đến {fmt.date_short(r['deadline'])})"
        for r in risky.to_dict("records")
    )
    return f"Các chỉ tiêu có nguy cơ không đạt: {names}."


def expired_summary(table: pd.DataFrame) -> str:
    """The expired targets that were missed, by code (their detail is in the expired targets' table)."""
    missed = table[table["final"].astype(bool) & (table["status"] == MISSED)]
    if missed.empty:
        return ""
    return (f"Các chỉ tiêu đã hết hạn nhưng không đạt mục tiêu tại hạn: {join(list(missed['code']))}"
            f" (chi tiết tại mục II).")


def _unit_list(rows: list[dict[str, Any]]) -> str:
    names = [fmt.unit_in_text(r["name"]) for r in rows[:NAMES_SHOWN]]
    if len(rows) > NAMES_SHOWN:
        names.append(f"{fmt.count(len(rows) - NAMES_SHOWN)} đơn vị khác")
    return join(names)


def units_summary(overview: pd.DataFrame) -> str:
    """Units with the highest and lowest share of targets met or on track; ties named as ties; units without data apart."""
    if overview.empty:
        return ""
    rated = overview[overview["with_data"] > 0].sort_values("code")
    unrated = overview[overview["with_data"] == 0].sort_values("code")
    parts = []
    if len(rated) >= 2:
        share = rated["good_share"].round(9)
        top, bottom = share.max(), share.min()
        best = rated[share == top].to_dict("records")
        worst = rated[share == bottom].to_dict("records")
        text = f"Trong {fmt.count(len(rated))} đơn vị có số liệu, "
        if top == bottom:
            text += f"các đơn vị có cùng tỷ lệ chỉ tiêu đạt hoặc đúng tiến độ là {fmt.percent(top)}"
        else:
            text += "tỷ lệ chỉ tiêu đạt hoặc đúng tiến độ cao nhất là " + _extreme(best, top)
            text += "; thấp nhất là " + _extreme(worst, bottom)
        parts.append(text + ".")
    elif len(rated) == 1:
        r = rated.iloc[0]
        parts.append(f"Chỉ {fmt.unit_in_text(r['name'])} có số liệu, đạt hoặc đúng tiến độ {r['good']}/{r['with_data']} chỉ tiêu.")
    if len(unrated):
        parts.append(f"{fmt.count(len(unrated))} đơn vị chưa có số liệu: {_unit_list(unrated.to_dict('records'))}.")
    return fmt.sentence_case(" ".join(parts))


def _extreme(rows: list[dict[str, Any]], share: float) -> str:
    if len(rows) == 1:
        r = rows[0]
        return f"{fmt.unit_in_text(r['name'])} ({r['good']}/{r['with_data']} chỉ tiêu, {fmt.percent(share)})"
    return f"{fmt.percent(share)}, gồm {fmt.count(len(rows))} đơn vị: {_unit_list(rows)}"


def lagging_targets(table: pd.DataFrame, period: str | Period) -> list[str]:
    """One sentence per running target behind or at risk, and per expired target missed, for section V."""
    out = []
    label = fmt.period_label(period)
    for r in table.to_dict("records"):
        if not r["final"] and r["status"] in (BEHIND, AT_RISK):
            out.append(
                f"{r['code']} – {r['name']}: đạt {value_text(r)}, thấp hơn mức kỳ vọng "
                f"{fmt.measure(r['expected'], r['unit_of_measure'])} theo lộ trình đến "
                f"{fmt.date_short(r['deadline'])} ({IN_SENTENCE[r['status']]})."
            )
        elif r["final"] and r["status"] == MISSED:
            text = (f"{r['code']} – {r['name']}: hết hạn {fmt.date_short(r['deadline'])}, kết quả tại hạn "
                    f"{fmt.measure(r['judged_value'], r['unit_of_measure'])} ({fmt.period_label(r['judged_period'])}), "
                    f"mục tiêu {fmt.measure(r['target'], r['unit_of_measure'])} (không đạt)")
            if r["actual"] is not None and r["judged_period"] != Period.parse(period).id:
                text += f"; {fmt.lower_first(label)} đạt {value_text(r)}"
            out.append(text + ".")
    return out
