"""A city report that stays readable with 200 units: the body shows the top and the bottom of each long list of
units, the annex the whole list.

Works on the plain-data context (lists of row dicts); nothing here computes a figure. A list of at most
:data:`dxreport.compute.unit_status.BODY_UNITS` rows is shown whole, as before.
"""

from __future__ import annotations

from typing import Any

from dxreport.compute.unit_status import BODY_UNITS
from dxreport.domain import fmt

EDGE = 10  # rows shown at each end of a long ranking in the body
LAGGING = 20  # units shown in the body's table of units with lagging targets (those lagging most)
PER_UNIT_CHARTS = ("bars", "dots")  # ranking charts drawn with one mark per unit
RANKING_ANNEX, LAGGING_ANNEX = 4, 5  # the printed annex's numbers for the whole lists (Phụ lục 3.n are the scorecards)


def ends(rows: list[dict[str, Any]], edge: int = EDGE, limit: int = BODY_UNITS) -> list[dict[str, Any]]:
    """``rows`` if at most ``limit``; else the first and last ``edge`` with one ``{"gap": n}`` row between them."""
    if len(rows) <= limit:
        return rows
    return [*rows[:edge], {"gap": len(rows) - 2 * edge}, *rows[-edge:]]


def ranking(context: dict[str, Any] | None) -> dict[str, Any] | None:
    """Section III with each long audience cut to its ends (``body_rows``; ``rows`` keeps them all for the annex).

    The ranking chart of a long audience is left out of the body: one mark per unit does not fit a page. The
    ranking given is not changed (the Word file and the CSV tables read it whole).
    """
    if not context:
        return context
    audiences = []
    for a in context["audiences"]:
        a = {**a, "body_rows": ends(a["rows"]), "in_annex": len(a["rows"]) > BODY_UNITS}
        if a["in_annex"]:  # a chart with one mark per unit ("bars", "dots") stays out of the body
            a["charts"] = {k: ("" if k in PER_UNIT_CHARTS else v) for k, v in a["charts"].items()}
        audiences.append(a)
    return {**context, "audiences": audiences, "in_annex": any(a["in_annex"] for a in audiences), "annex_no": RANKING_ANNEX}


def lagging(rows: list[dict[str, Any]], limit: int = LAGGING) -> dict[str, Any]:
    """The body's table of units with lagging targets (rows already sorted, lagging most first): at most ``limit``
    rows, and how many more the annex lists."""
    return {"rows": rows[:limit] if len(rows) > BODY_UNITS else rows,
            "more": len(rows) - limit if len(rows) > BODY_UNITS else 0, "annex_no": LAGGING_ANNEX}


def heatmap_note(unit_count: int, limit: int = BODY_UNITS) -> str:
    """What the heat map of a long list of units shows (see :func:`dxreport.compute.unit_status.lagging_rows`)."""
    if unit_count <= limit:
        return ""
    return (f"{fmt.number(limit)} trong {fmt.number(unit_count)} đơn vị có tỷ lệ chỉ tiêu đạt hoặc đúng tiến độ thấp "
            f"nhất; mọi đơn vị có chỉ tiêu chậm tiến độ, có nguy cơ không đạt hoặc không đạt: Phụ lục {LAGGING_ANNEX}")
