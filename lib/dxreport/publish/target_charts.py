"""The targets against the plan: each one's quarters on its path from baseline to deadline, and a bullet chart.

:func:`path_data` and :func:`bullet_data` compute the numbers from the status table
(:func:`dxreport.compute.status.status_table`) and the targets' values by quarter
(:func:`dxreport.compute.status.actuals`); :func:`paths_figure` and :func:`bullet_figure` draw them.
Statuses are told by colour, by marker or hatch, and in words, so the charts read in grey.
"""

from __future__ import annotations

import textwrap
from datetime import date, timedelta
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, MaxNLocator

from dxreport.compute.status import NO_DATA, STATUS_LABELS, expected_at
from dxreport.domain import fmt
from dxreport.domain.config import Programme
from dxreport.domain.periods import Period
from dxreport.publish.charts import STATUS_COLOURS, STATUS_HATCHES

STATUS_MARKERS = {"met": "*", "on_track": "o", "behind": "s", "at_risk": "X", "exceeded": "P", "achieved": "*",
                  "missed": "v", "no_data": "."}
PANEL_COLUMNS = 3
MIN_FONT = 7.0  # points at print size


def _short(name: str, width: int, lines: int = 2) -> str:
    return "\n".join(textwrap.wrap(name, width, max_lines=lines, placeholder="…"))


def path_data(table: pd.DataFrame, history: pd.DataFrame, programme: Programme) -> pd.DataFrame:
    """One row per target of ``table`` and quarter of ``history``: the value, the expected value on the path.

    ``history``: :func:`dxreport.compute.status.actuals` (target, period, actual). The expected value at a
    quarter is the straight line from the baseline to the target at the deadline, read at the quarter's end
    (the status computation's own :func:`dxreport.compute.status.expected_at`).
    """
    targets = {t.code: t for t in programme.targets}
    rows = []
    for r in table.itertuples():
        t = targets[r.code]
        own = history[history["target"] == r.code]
        for h in own.itertuples():
            end = Period.parse(h.period).end
            rows.append({
                "Mã chỉ tiêu": r.code, "Chỉ tiêu": r.name, "Đơn vị đo": r.unit_of_measure, "Kỳ": h.period,
                "Ngày cuối kỳ": end, "Kết quả": None if pd.isna(h.actual) else float(h.actual),
                "Kỳ vọng theo lộ trình": expected_at(t, end)[0] if end <= t.deadline else t.target,
                "Giá trị cơ sở": t.baseline.value, "Ngày cơ sở": t.baseline.date, "Mục tiêu": t.target,
                "Hạn hoàn thành": t.deadline, "Dự báo đến hạn": r.projected if not pd.isna(r.projected) else None,
                "Tình trạng": r.status_label,
                "Kỳ đánh giá tại hạn": r.judged_period if r.final and isinstance(r.judged_period, str) else None,
            })
    return pd.DataFrame(rows, columns=["Mã chỉ tiêu", "Chỉ tiêu", "Đơn vị đo", "Kỳ", "Ngày cuối kỳ", "Kết quả",
                                       "Kỳ vọng theo lộ trình", "Giá trị cơ sở", "Ngày cơ sở", "Mục tiêu",
                                       "Hạn hoàn thành", "Dự báo đến hạn", "Tình trạng", "Kỳ đánh giá tại hạn"])


def _axis_formatter(unit_of_measure: str) -> FuncFormatter:
    if unit_of_measure == "%":
        return FuncFormatter(lambda v, _: fmt.percent(v, 0))
    return FuncFormatter(lambda v, _: fmt.number_auto(v, 2))


def _draw_panel(ax: plt.Axes, code: str, rows: pd.DataFrame, status: str) -> None:
    first = rows.iloc[0]
    uom = first["Đơn vị đo"]
    base_day, deadline = first["Ngày cơ sở"], first["Hạn hoàn thành"]
    colour = STATUS_COLOURS[status]
    ax.plot([base_day, deadline], [first["Giá trị cơ sở"], first["Mục tiêu"]], "--", color="#555555", linewidth=1.0)
    ax.axhline(first["Mục tiêu"], color="black", linewidth=0.8, linestyle=":")
    ax.plot([deadline], [first["Mục tiêu"]], marker="|", markersize=9, color="black", markeredgewidth=1.4)
    ax.plot([base_day], [first["Giá trị cơ sở"]], marker="o", markersize=3.5, markerfacecolor="white", color="#555555")
    known = rows.dropna(subset=["Kết quả"])
    if len(known):
        ax.plot(known["Ngày cuối kỳ"], known["Kết quả"], "-", color=colour, linewidth=1.4)
        ax.plot(known["Ngày cuối kỳ"], known["Kết quả"], linestyle="none", marker=STATUS_MARKERS[status], markersize=4.5,
                color=colour, markeredgecolor="black", markeredgewidth=0.5)
        last = known.iloc[-1]
        judged = known[known["Kỳ"] == first["Kỳ đánh giá tại hạn"]]
        if len(judged):  # an expired target: the value it was judged on, ringed and written
            j = judged.iloc[0]
            ax.plot([j["Ngày cuối kỳ"]], [j["Kết quả"]], "o", markersize=9, markerfacecolor="none", markeredgecolor="black",
                    markeredgewidth=1.0)
            ax.annotate(f"tại hạn {fmt.measure(j['Kết quả'], uom)}", (j["Ngày cuối kỳ"], j["Kết quả"]), xytext=(5, -9),
                        textcoords="offset points", ha="left", va="top", fontsize=MIN_FONT)
        projected = first["Dự báo đến hạn"]
        if projected is not None and not pd.isna(projected):
            ax.plot([last["Ngày cuối kỳ"], deadline], [last["Kết quả"], projected], color=colour, linewidth=0.9,
                    linestyle=(0, (1, 1.5)))
        spread = max(known["Kết quả"].max(), first["Mục tiêu"]) - min(known["Kết quả"].min(), first["Giá trị cơ sở"])
        near_target = abs(last["Kết quả"] - first["Mục tiêu"]) < 0.12 * (spread or 1)  # then written under the point
        ax.annotate(fmt.measure(last["Kết quả"], uom), (last["Ngày cuối kỳ"], last["Kết quả"]),
                    xytext=(-5, -4 if near_target else 3), textcoords="offset points", ha="right",
                    va="top" if near_target else "bottom", fontsize=MIN_FONT, fontweight="bold")
    ax.annotate(f"mục tiêu {fmt.measure(first['Mục tiêu'], uom)}", (base_day, first["Mục tiêu"]), xytext=(-6, 2),
                textcoords="offset points", ha="left", va="bottom", fontsize=MIN_FONT)
    values = [first["Giá trị cơ sở"], first["Mục tiêu"], *known["Kết quả"].tolist()]
    if first["Dự báo đến hạn"] is not None and not pd.isna(first["Dự báo đến hạn"]):
        values.append(first["Dự báo đến hạn"])
    low, high = min(values), max(values)
    pad = (high - low) * 0.18 or abs(high) * 0.1 or 1
    top = high + pad * 1.3
    if uom == "%":  # a share never passes 100%: no tick above it
        top = min(top, max(1.0, high) + pad * 0.9)
    ax.set_ylim(low - pad * 0.6, top)
    right = max([deadline, *known["Ngày cuối kỳ"].tolist()])
    ax.set_xlim(base_day - timedelta(days=120), right + timedelta(days=150))
    ax.yaxis.set_major_formatter(_axis_formatter(uom))
    ax.yaxis.set_major_locator(MaxNLocator(4))
    if uom == "%":
        ax.set_yticks([t for t in ax.get_yticks() if ax.get_ylim()[0] <= t <= 1.0])
    years = sorted({base_day.year, deadline.year, right.year})
    step = max(1, (years[-1] - years[0]) // 3 or 1)
    ticks = list(range(years[0], years[-1] + 1, step))
    if ticks[-1] != years[-1]:
        ticks.append(years[-1])
    ax.set_xticks([date(y, 1, 1) for y in ticks], [str(y) for y in ticks])
    ax.tick_params(labelsize=MIN_FONT, length=2, pad=1.5)
    ax.grid(axis="y", linewidth=0.4, color="#dddddd")
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(f"{code} · {STATUS_LABELS[status]}\n{_short(first['Chỉ tiêu'], 36)}", fontsize=MIN_FONT, loc="left",
                 color="black", pad=3)


def paths_figure(data: pd.DataFrame, statuses: dict[str, str]) -> plt.Figure:
    """Small multiples: one panel per target of ``data`` (:func:`path_data`), in its order.

    Each panel: the expected path from the baseline to the target at the deadline (dashes), the target
    (dotted line, tick at the deadline), the value by quarter (status colour and marker, last value
    written), and the projection to the deadline (fine dots) when the status computation made one.
    """
    codes = list(dict.fromkeys(data["Mã chỉ tiêu"]))
    n_rows = -(-len(codes) // PANEL_COLUMNS)
    fig, axes = plt.subplots(n_rows, PANEL_COLUMNS, figsize=(6.2, 0.55 + 1.85 * n_rows), squeeze=False)
    for ax, code in zip(axes.flat, codes):
        _draw_panel(ax, code, data[data["Mã chỉ tiêu"] == code], statuses[code])
    for ax in list(axes.flat)[len(codes):]:
        ax.set_visible(False)
    present = [s for s in STATUS_LABELS if s in set(statuses[c] for c in codes)]
    handles = [
        Line2D([], [], color="#555555", linestyle="--", label="Lộ trình kỳ vọng"),
        Line2D([], [], color="black", linestyle=":", marker="|", markersize=7, label="Mục tiêu, hạn"),
        Line2D([], [], color="#555555", linestyle=(0, (1, 1.5)), label="Dự báo đến hạn"),
        Line2D([], [], color="#555555", linestyle="none", marker="o", markerfacecolor="white", markersize=4,
               label="Giá trị cơ sở"),
        *([Line2D([], [], color="black", linestyle="none", marker="o", markerfacecolor="none", markersize=8,
                  label="Giá trị tại hạn (đã hết hạn)")] if data["Kỳ đánh giá tại hạn"].notna().any() else []),
        *[Line2D([], [], color=STATUS_COLOURS[s], marker=STATUS_MARKERS[s], markeredgecolor="black", markeredgewidth=0.5,
                 markersize=5, label=f"Kết quả: {STATUS_LABELS[s].lower()}") for s in present],
    ]
    fig.legend(handles=handles, loc="lower center", ncol=3, fontsize=MIN_FONT, frameon=False,
               bbox_to_anchor=(0.5, 0.0))
    fig.tight_layout(rect=(0, 0.35 / (0.55 + 1.85 * n_rows) + 0.04, 1, 1), h_pad=1.2, w_pad=0.8)
    return fig


def paths_alt(data: pd.DataFrame, statuses: dict[str, str], group: str) -> str:
    """The small multiples in words: per target its last value, the expected value now and its status."""
    parts = []
    for code in dict.fromkeys(data["Mã chỉ tiêu"]):
        rows = data[data["Mã chỉ tiêu"] == code]
        known = rows.dropna(subset=["Kết quả"])
        uom = rows.iloc[0]["Đơn vị đo"]
        if len(known):
            last = known.iloc[-1]
            parts.append(f"{code} {fmt.measure(last['Kết quả'], uom)} ({fmt.period_label(last['Kỳ'])}), kỳ vọng "
                         f"{fmt.measure(last['Kỳ vọng theo lộ trình'], uom)}, mục tiêu {fmt.measure(rows.iloc[0]['Mục tiêu'], uom)}: "
                         f"{STATUS_LABELS[statuses[code]].lower()}")
        else:
            parts.append(f"{code}: {STATUS_LABELS[NO_DATA].lower()}")
    return (f"Biểu đồ nhỏ cho từng chỉ tiêu nhóm {group.lower()}: kết quả theo quý so với lộ trình từ giá trị cơ sở "
            f"đến mục tiêu tại hạn. " + "; ".join(parts) + ".")


def bullet_data(table: pd.DataFrame) -> pd.DataFrame:
    """The running targets of ``table`` on one scale: the share of the way from baseline (0) to target (1).

    ``Mức hoàn thành`` is the status computation's ``progress``; ``Mức kỳ vọng`` its ``expected_progress``.
    """
    rows = table[~table["final"].astype(bool)]
    return pd.DataFrame({
        "Mã chỉ tiêu": rows["code"], "Chỉ tiêu": rows["name"], "Đơn vị đo": rows["unit_of_measure"],
        "Giá trị cơ sở": rows["baseline"], "Kết quả": rows["actual"], "Kỳ vọng": rows["expected"],
        "Mục tiêu": rows["target"], "Mức hoàn thành": rows["progress"], "Mức kỳ vọng": rows["expected_progress"],
        "Tình trạng": rows["status_label"], "status": rows["status"],
    }).reset_index(drop=True)


def bullet_figure(data: pd.DataFrame) -> plt.Figure:
    """One line per target: a grey band to the target (100%), the progress as a bar in the status colour and
    hatch, the expected progress as a black tick; the values written at the right."""
    n = len(data)
    fig, ax = plt.subplots(figsize=(4.1, 0.45 + 0.36 * n))
    progress = pd.to_numeric(data["Mức hoàn thành"], errors="coerce")
    expected = pd.to_numeric(data["Mức kỳ vọng"], errors="coerce")
    low = min(0.0, float(progress.min()) if progress.notna().any() else 0.0)
    high = max(1.05, float(progress.max()) + 0.05 if progress.notna().any() else 1.05)
    for y, r in enumerate(data.itertuples()):
        ax.barh(y, 1.0, left=0, height=0.8, color="#eeeeee", edgecolor="#bbbbbb", linewidth=0.4)
        p = progress.iloc[y]
        if pd.isna(p):
            ax.text(0.01, y, "Chưa có số liệu", va="center", fontsize=MIN_FONT, style="italic", color="#444444")
        else:
            ax.barh(y, p, height=0.42, color=STATUS_COLOURS[r.status], hatch=STATUS_HATCHES[r.status],
                    edgecolor="black", linewidth=0.5)
        if not pd.isna(expected.iloc[y]):
            ax.plot([expected.iloc[y]] * 2, [y - 0.34, y + 0.34], color="black", linewidth=1.8)
        ax.text(high + 0.02, y, _values_text(data.iloc[y]), va="center", fontsize=MIN_FONT)
    ax.axvline(1.0, color="black", linewidth=0.8)
    ax.text(high + 0.02, -0.75, "Kết quả / kỳ vọng / mục tiêu", fontsize=MIN_FONT, fontweight="bold", va="bottom")
    ax.set_yticks(range(n), [f"{c} {_short(nm, 30, 1)}" for c, nm in zip(data["Mã chỉ tiêu"], data["Chỉ tiêu"])],
                  fontsize=MIN_FONT)
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_xlim(low, high)
    ticks = [t / 4 for t in range(int(low * 4), int(high * 4) + 1)]
    ax.set_xticks(ticks, [fmt.percent(t, 0) for t in ticks], fontsize=MIN_FONT)
    ax.set_xlabel("Mức hoàn thành lộ trình: giá trị cơ sở = 0%, mục tiêu = 100% (vạch đen: mức kỳ vọng đến cuối kỳ)",
                  fontsize=MIN_FONT)
    ax.tick_params(length=2)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def _values_text(row: pd.Series) -> str:
    uom = row["Đơn vị đo"]
    return f"{fmt.measure(row['Kết quả'], uom)} / {fmt.measure(row['Kỳ vọng'], uom)} / {fmt.measure(row['Mục tiêu'], uom)}"


def bullet_alt(data: pd.DataFrame, group: str) -> str:
    parts = [f"{r['Mã chỉ tiêu']} đạt {fmt.measure(r['Kết quả'], r['Đơn vị đo'])}, kỳ vọng {fmt.measure(r['Kỳ vọng'], r['Đơn vị đo'])}, "
             f"mục tiêu {fmt.measure(r['Mục tiêu'], r['Đơn vị đo'])}: {r['Tình trạng'].lower()}" for _, r in data.iterrows()]
    return f"Biểu đồ thanh so sánh kết quả với kỳ vọng và mục tiêu, nhóm {group.lower()}: " + "; ".join(parts) + "."


def statuses_of(table: pd.DataFrame) -> dict[str, Any]:
    return dict(zip(table["code"], table["status"]))
