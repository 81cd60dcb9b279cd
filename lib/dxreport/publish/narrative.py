"""Vietnamese sentences generated from the computed tables (plain text, no markup).

Every figure a sentence states comes from a table passed in and shown in the
report, so the text never disagrees with the tables.
"""

from __future__ import annotations

import pandas as pd

from dxreport.compute.status import (
    AT_RISK,
    BEHIND,
    MET,
    NO_DATA,
    ON_TRACK,
    STATUS_LABELS,
)
from dxreport.domain import fmt

GOOD = (MET, ON_TRACK)


def _join(parts: list[str]) -> str:
    if not parts:
        return ""
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " và " + parts[-1]


def status_summary(table: pd.DataFrame, period: str) -> str:
    total = len(table)
    counts = table["status"].value_counts()
    parts = [
        f"{counts.get(key, 0)} chỉ tiêu {STATUS_LABELS[key].lower()}"
        for key in (MET, ON_TRACK, BEHIND, AT_RISK, NO_DATA)
        if counts.get(key, 0)
    ]
    text = f"{fmt.period_label(period)}, thành phố theo dõi {total} chỉ tiêu chuyển đổi số"
    if parts:
        text += ": " + _join(parts)
    good = int(sum(counts.get(k, 0) for k in GOOD))
    if total:
        text += f". Số chỉ tiêu đã đạt hoặc đúng tiến độ là {good}/{total}, chiếm {fmt.percent(good / total)}"
    return text + "."


def change_summary(table: pd.DataFrame, period: str) -> str:
    """How many targets moved the right way since the previous quarter."""
    from dxreport.domain.periods import Period

    known = table.dropna(subset=["change"])
    if known.empty:
        return ""
    sign = known["change"] * known["direction"].map({"increase": 1, "decrease": -1})
    better, worse = int((sign > 1e-9).sum()), int((sign < -1e-9).sum())
    same = len(known) - better - worse
    previous = fmt.period_label(Period.parse(period).previous)
    parts = []
    if better:
        parts.append(f"{better} chỉ tiêu có kết quả tốt lên")
    if worse:
        parts.append(f"{worse} chỉ tiêu giảm")
    if same:
        parts.append(f"{same} chỉ tiêu không đổi")
    text = f"So với {previous}, " + _join(parts)
    if worse:
        worst = known.assign(s=sign).sort_values("s").iloc[0]
        text += f"; giảm nhiều nhất là {worst['code']} ({worst['name'][:1].lower() + worst['name'][1:]}), {fmt.points(worst['change']) if worst['unit_of_measure'] == '%' else fmt.signed(worst['change'], 2)}"
    return text + "."


def risk_summary(table: pd.DataFrame) -> str:
    risky = table[table["status"] == AT_RISK]
    if risky.empty:
        return "Không có chỉ tiêu nào có nguy cơ không đạt."
    names = "; ".join(
        f"{r.code} – {r.name} (đạt {fmt.measure(r.actual, r.unit_of_measure)}, mục tiêu {fmt.measure(r.target, r.unit_of_measure)})"
        for r in risky.itertuples()
    )
    return f"Các chỉ tiêu có nguy cơ không đạt: {names}."


def units_summary(overview: pd.DataFrame) -> str:
    """Best and worst units by the share of their targets met or on track (ties: by code)."""
    rated = overview[overview["targets"] > 0]
    if len(rated) < 2:
        return ""
    ordered = rated.sort_values(["good_share", "code"], ascending=[False, True])
    best, worst = ordered.iloc[0], ordered.sort_values(["good_share", "code"], ascending=[True, True]).iloc[0]
    return (
        f"Trong {len(rated)} đơn vị có số liệu, đơn vị có tỷ lệ chỉ tiêu đạt hoặc đúng tiến độ cao nhất là "
        f"{best['name']} ({best['good']}/{best['targets']} chỉ tiêu); thấp nhất là {worst['name']} "
        f"({worst['good']}/{worst['targets']} chỉ tiêu)."
    )


def lagging_targets(table: pd.DataFrame) -> list[str]:
    """One sentence per target behind or at risk, for section V."""
    out = []
    for r in table[table["status"].isin([BEHIND, AT_RISK])].itertuples():
        out.append(
            f"{r.code} – {r.name}: đạt {fmt.measure(r.actual, r.unit_of_measure)}, thấp hơn mức kỳ vọng "
            f"{fmt.measure(r.expected, r.unit_of_measure)} theo lộ trình ({r.status_label.lower()})."
        )
    return out
