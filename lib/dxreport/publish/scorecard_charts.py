"""A unit's scorecard chart: one small panel per target, the unit's quarters against the city's and the path.

:func:`scorecard_data` computes the numbers from the unit's status table
(:func:`dxreport.compute.scorecard.unit_status`, whose ``history`` holds the unit's values by quarter),
the city's values by quarter (:func:`dxreport.compute.status.actuals`) and the expected path of each target
(:func:`dxreport.compute.status.expected_at`); :func:`scorecard_figure` draws it.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from dxreport.compute.status import STATUS_LABELS, expected_at
from dxreport.domain import fmt, paths
from dxreport.domain.config import Programme
from dxreport.domain.periods import Period
from dxreport.publish import charts
from dxreport.publish.charts import STATUS_COLOURS
from dxreport.publish.figures import Chart
from dxreport.publish.target_charts import MIN_FONT, STATUS_MARKERS, _axis_formatter, _short

PANEL_COLUMNS = 4

COLUMNS = ["Mã chỉ tiêu", "Chỉ tiêu", "Đơn vị đo", "Cách đo", "Kỳ", "Đơn vị", "Toàn thành phố", "Kỳ vọng theo lộ trình", "Mục tiêu",
           "Tình trạng"]


def scorecard_data(table: pd.DataFrame, city_history: pd.DataFrame, programme: Programme) -> pd.DataFrame:
    """One row per target of the unit's ``table`` and quarter of its ``history``: the unit's value, the city's,
    the value expected on the path (at the quarter's end, up to the deadline) and the target."""
    targets = {t.code: t for t in programme.targets}
    city = city_history.set_index(["target", "period"])["actual"]
    rows = []
    for r in table.to_dict("records"):
        t = targets[r["code"]]
        for q, v in r["history"].items():
            end = Period.parse(q).end
            c = city.get((r["code"], q))
            rows.append({"Mã chỉ tiêu": r["code"], "Chỉ tiêu": r["name"], "Đơn vị đo": r["unit_of_measure"],
                         "Cách đo": r["measure_kind"], "Kỳ": q,
                         "Đơn vị": v, "Toàn thành phố": None if c is None or pd.isna(c) else float(c),
                         "Kỳ vọng theo lộ trình": expected_at(t, end)[0] if end <= t.deadline else None,
                         "Mục tiêu": t.target, "Tình trạng": r["status_label"]})
    return pd.DataFrame(rows, columns=COLUMNS)


def _panel(ax: plt.Axes, rows: pd.DataFrame, status: str, locality: str, quarters: bool = True) -> None:
    """One target's panel; ``quarters``: name the quarters under it (the lowest panel of each column only)."""
    first = rows.iloc[0]
    uom = first["Đơn vị đo"]
    x = list(range(len(rows)))
    colour = STATUS_COLOURS[status]
    ax.axhline(first["Mục tiêu"], color="black", linewidth=0.8, linestyle=":")
    expected = pd.to_numeric(rows["Kỳ vọng theo lộ trình"], errors="coerce")
    ax.plot(x, expected, "--", color="#666666", linewidth=1.0)
    city = pd.to_numeric(rows["Toàn thành phố"], errors="coerce")
    ax.plot(x, city, "-", color="black", linewidth=0.9, marker="s", markersize=3.2, markerfacecolor="white")
    own = pd.to_numeric(rows["Đơn vị"], errors="coerce")
    ax.plot(x, own, "-", color=colour, linewidth=1.8, marker=STATUS_MARKERS[status], markersize=5,
            markeredgecolor="black", markeredgewidth=0.5)
    known = own.dropna()
    if len(known):
        i = known.index[-1]
        yes_no = first["Cách đo"] == "share_of_units"  # the unit answers yes or no; the city's is the share of yes
        shown = fmt.yes_no(known.iloc[-1]) if yes_no else fmt.measure(known.iloc[-1], uom)
        ax.annotate(shown, (x[list(rows.index).index(i)], known.iloc[-1]), xytext=(-4, 4),
                    textcoords="offset points", ha="right", fontsize=MIN_FONT, fontweight="bold")
    values = pd.concat([own, city, expected, pd.Series([first["Mục tiêu"]])]).dropna()
    low, high = float(values.min()), float(values.max())
    pad = (high - low) * 0.2 or abs(high) * 0.1 or 1
    top = high + pad
    if uom == "%":
        top = min(top, max(1.0, high) + pad * 0.8)
    ax.set_ylim(low - pad * 0.5, top)
    ax.yaxis.set_major_formatter(_axis_formatter(uom))
    ax.yaxis.set_major_locator(MaxNLocator(3))
    if uom == "%":
        ax.set_yticks([t for t in ax.get_yticks() if ax.get_ylim()[0] <= t <= 1.0])
    ax.set_xticks(x, [fmt.period_label(q).replace("Quý ", "").replace("/", "\n") for q in rows["Kỳ"]] if quarters else [])
    ax.set_xlim(-0.3, len(x) - 0.7)
    ax.tick_params(labelsize=MIN_FONT, length=2, pad=1.5)
    ax.grid(axis="y", linewidth=0.4, color="#dddddd")
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(f"{first['Mã chỉ tiêu']} · {STATUS_LABELS[status]}\n{_short(first['Chỉ tiêu'], 28)}", fontsize=MIN_FONT,
                 loc="left", pad=3)


# The layout in inches, fixed so that the figure needs no layout pass: one drawing for the SVG, one for the PNG.
WIDTH, LEFT, GAP, RIGHT = 6.2, 0.42, 0.44, 0.3  # a title may run over the gap to its right
TITLE, PLOT, TICKS, LEGEND = 0.34, 0.78, 0.14, 0.75


def scorecard_figure(data: pd.DataFrame, statuses: dict[str, str], locality: str) -> plt.Figure:
    codes = list(dict.fromkeys(data["Mã chỉ tiêu"]))
    n_rows = -(-len(codes) // PANEL_COLUMNS)
    row = TITLE + PLOT + TICKS
    height = n_rows * row + LEGEND
    panel = (WIDTH - LEFT - RIGHT - GAP * (PANEL_COLUMNS - 1)) / PANEL_COLUMNS
    fig = plt.figure(figsize=(WIDTH, height))
    for n, code in enumerate(codes):
        r, c = divmod(n, PANEL_COLUMNS)
        bottom = height - (r * row + TITLE + PLOT)
        ax = fig.add_axes(((LEFT + c * (panel + GAP)) / WIDTH, bottom / height, panel / WIDTH, PLOT / height))
        _panel(ax, data[data["Mã chỉ tiêu"] == code].reset_index(drop=True), statuses[code], locality,
               quarters=n + PANEL_COLUMNS >= len(codes))
    present = [s for s in STATUS_LABELS if s in {statuses[c] for c in codes}]
    handles = [*[Line2D([], [], color=STATUS_COLOURS[s], linewidth=1.8, marker=STATUS_MARKERS[s], markeredgecolor="black",
                        markeredgewidth=0.5, markersize=5, label=f"Đơn vị: {STATUS_LABELS[s].lower()}") for s in present],
               Line2D([], [], color="black", linewidth=0.9, marker="s", markersize=3.2, markerfacecolor="white",
                      label=f"Toàn {locality}"),
               Line2D([], [], color="#666666", linestyle="--", label="Kỳ vọng theo lộ trình"),
               Line2D([], [], color="black", linestyle=":", label="Mục tiêu")]
    fig.legend(handles=handles, loc="lower center", ncol=3, fontsize=MIN_FONT, frameon=False, bbox_to_anchor=(0.5, 0.0))
    return fig


def scorecard_alt(data: pd.DataFrame, unit_name: str, locality: str) -> str:
    parts = []
    for code in dict.fromkeys(data["Mã chỉ tiêu"]):
        rows = data[data["Mã chỉ tiêu"] == code]
        last = rows.iloc[-1]
        uom = last["Đơn vị đo"]
        own = fmt.yes_no(last["Đơn vị"]) if last["Cách đo"] == "share_of_units" else fmt.measure(last["Đơn vị"], uom)
        parts.append(f"{code}: đơn vị {own}, toàn {locality} {fmt.measure(last['Toàn thành phố'], uom)}, "
                     f"kỳ vọng {fmt.measure(last['Kỳ vọng theo lộ trình'], uom)}, mục tiêu {fmt.measure(last['Mục tiêu'], uom)} "
                     f"({last['Tình trạng'].lower()})")
    return (f"Biểu đồ nhỏ cho từng chỉ tiêu của {unit_name} qua các quý, so với toàn {locality} và lộ trình; "
            f"quý gần nhất: " + "; ".join(parts) + ".")


def scorecard_chart(table: pd.DataFrame, city_history: pd.DataFrame, programme: Programme, root: Path,
                    unit_name: str, locality: str = "thành phố") -> Chart | None:
    """The scorecard's chart (None for a unit without a target)."""
    if table.empty:
        return None
    charts.use_fonts(paths.fonts_dir(Path(root)))
    data = scorecard_data(table, city_history, programme)
    statuses = dict(zip(table["code"], table["status"]))
    return Chart(key="dien-bien-chi-tieu", title=f"Kết quả của đơn vị so với toàn {locality} và lộ trình, theo quý",
                 alt=scorecard_alt(data, unit_name, locality), data=data,
                 draw=lambda: scorecard_figure(data, statuses, locality), tight=False, dpi=200, raster=True)
