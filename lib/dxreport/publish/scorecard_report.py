"""A unit's scorecard (phiếu đánh giá đơn vị) as plain data for ``templates/unit_scorecard.html.j2``."""

from __future__ import annotations

from typing import Any

import pandas as pd

from dxreport.compute.scorecard import SUBMISSION_STATES
from dxreport.compute.status import STATUS_LABELS
from dxreport.domain import fmt
from dxreport.domain.config import City
from dxreport.publish.render import document_context


def scorecard_context(
    *,
    city: City,
    unit: dict[str, Any],
    period: str,
    report_date: str,
    table: pd.DataFrame,
    submissions: list[dict[str, Any]],
    chart_svg: str,
    sample_mark: str,
    ranking: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Plain data for templates/unit_scorecard.html.j2."""
    rows = []
    for r in table.to_dict("records"):
        rows.append({k: (None if not isinstance(v, dict) and pd.isna(v) else v) for k, v in r.items() if k != "history"})
    counts = table["status"].value_counts() if len(table) else pd.Series(dtype=int)
    return {
        **document_context(city=city, period=period, report_date=report_date, sample_mark=sample_mark,
                           title=f"Kết quả chuyển đổi số của {unit['name']} – {fmt.period_label(period)}"),
        "unit": unit,
        "rows": rows,
        "counts": [{"label": STATUS_LABELS[k], "key": k, "count": int(counts.get(k, 0))} for k in STATUS_LABELS if counts.get(k, 0)],
        "submissions": [dict(s, state_label=SUBMISSION_STATES[s["state"]]) for s in submissions],
        "chart_trend": chart_svg,
        "ranking": ranking,
    }
