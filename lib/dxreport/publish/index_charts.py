"""The units' index in pictures: a dot plot of the ranking on an honest axis, and what moved each unit.

Both read an audience block of :func:`dxreport.publish.index_report.audience_context` (its ``rows``,
with ``previous_indices`` for the change by component). :func:`dots_data` and :func:`moves_data` compute
the numbers (written beside the report as CSV); :func:`dots_figure` and :func:`moves_figure` draw them.
"""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import matplotlib.transforms as transforms
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from dxreport.domain import fmt

MIN_FONT = 7.0
MAX_ROWS = 40  # beyond this a chart shows the first and last SHOWN_ENDS units (the annex has them all)
SHOWN_ENDS = 15
MOVERS = 8  # units that rose most and fell most, when an audience has more than MAX_ROWS units
COMPONENT_COLOURS = ["#1f4e79", "#7fb2e5", "#e3a008", "#8c564b", "#4daf4a", "#c62828", "#6a3d9a", "#999999"]
COMPONENT_HATCHES = ["", "//", "..", "xx", "\\\\", "++", "--", "oo"]


def _in_points(a: dict[str, Any]) -> bool:
    return a.get("report_as") == "points"


def _shown(a: dict[str, Any], value: float | None) -> str:
    """A value on the chart's scale as its framework publishes it (points to its decimals, or an index to 4)."""
    if value is None or pd.isna(value):
        return fmt.MISSING
    return fmt.number(value, a.get("decimals", 2)) if _in_points(a) else fmt.index(value)


def _scale(a: dict[str, Any]) -> float:
    return float(a["total_points"]) if _in_points(a) else 1.0


def dots_data(a: dict[str, Any]) -> pd.DataFrame:
    """One row per unit (ranking order): rank, value now and a quarter before, on the framework's scale."""
    s = _scale(a)
    rows = a["rows"]
    return pd.DataFrame({
        "Hạng": pd.array([r["rank"] for r in rows], dtype="Int64"),
        "Mã đơn vị": [r["unit"] for r in rows],
        "Đơn vị": [r["name"] for r in rows],
        "Giá trị": [None if r["total"] is None else r["total"] * s for r in rows],
        "Giá trị kỳ trước": [None if r["previous_total"] is None else r["previous_total"] * s for r in rows],
        "Thang": ["điểm" if _in_points(a) else "chỉ số 0–1"] * len(rows),
    })


def _ends(frame: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """``frame`` or, when longer than :data:`MAX_ROWS`, its first and last :data:`SHOWN_ENDS` rows and how many were left out."""
    if len(frame) <= MAX_ROWS:
        return frame, 0
    return pd.concat([frame.head(SHOWN_ENDS), frame.tail(SHOWN_ENDS)]), len(frame) - 2 * SHOWN_ENDS


def dots_figure(data: pd.DataFrame, xlabel: str, a: dict[str, Any]) -> plt.Figure:
    """A dot per unit at its value, a hollow dot at last quarter's joined by a line, on an axis zoomed to the data.

    The axis does not start at 0 (values of 0,85–0,96 would look alike); the label says so.
    """
    shown, left_out = _ends(data.reset_index(drop=True))
    n = len(shown) + (1 if left_out else 0)
    fig, ax = plt.subplots(figsize=(4.3, 0.75 + 0.2 * n))
    values = pd.concat([shown["Giá trị"], shown["Giá trị kỳ trước"]]).dropna().astype(float)
    low, high = (float(values.min()), float(values.max())) if len(values) else (0.0, 1.0)
    pad = (high - low) * 0.08 or 0.05 * max(abs(high), 1e-9)
    labels = []
    y = 0
    for i, r in enumerate(shown.to_dict("records")):
        if left_out and i == SHOWN_ENDS:
            labels.append(f"… {fmt.number(left_out)} đơn vị khác (xem phụ lục)")
            ax.axhline(y, color="#999999", linewidth=0.5, linestyle=":")
            y += 1
        rank = "–" if pd.isna(r["Hạng"]) else fmt.number(r["Hạng"])
        labels.append(f"{rank}. {r['Đơn vị']}")
        now, before = r["Giá trị"], r["Giá trị kỳ trước"]
        if now is None or pd.isna(now):
            ax.text(low, y, "Chưa có số liệu", va="center", fontsize=MIN_FONT, style="italic", color="#444444")
        else:
            if before is not None and not pd.isna(before):
                ax.plot([before, now], [y, y], color="#888888", linewidth=1.0, zorder=1)
                ax.plot([before], [y], "o", markersize=4, markerfacecolor="white", markeredgecolor="#444444", zorder=2)
            ax.plot([now], [y], "o", markersize=4.5, color="black", zorder=3)
            ax.text(high + pad * 0.6, y, _shown(a, now), va="center", fontsize=MIN_FONT)
        y += 1
    ax.set_yticks(range(n), labels, fontsize=MIN_FONT)
    ax.set_ylim(n - 0.5, -0.5)
    ticks = MaxNLocator(6).tick_values(low - pad, high)
    below = [t for t in ticks if t <= low - pad * 0.3]
    start = max(below) if below else low - pad  # a round value, a little below the lowest dot
    ax.set_xlim(start, high + pad * 0.5)
    ax.xaxis.set_major_formatter(plt.FuncFormatter(
        lambda v, _: fmt.number_auto(v, 1) if _in_points(a) else fmt.number(v, 2)))
    ax.tick_params(labelsize=MIN_FONT, length=2)
    ax.set_xlabel(f"{xlabel}; trục bắt đầu từ {fmt.number_auto(start, 2)}, không từ 0", fontsize=MIN_FONT)
    ax.grid(axis="x", linewidth=0.4, color="#dddddd")
    ax.set_axisbelow(True)
    ax.spines[["top", "right", "left"]].set_visible(False)
    ax.tick_params(axis="y", length=0)
    handles = [Line2D([], [], marker="o", color="black", linestyle="none", markersize=4.5, label="Kỳ này"),
               Line2D([], [], marker="o", color="#888888", markerfacecolor="white", markeredgecolor="#444444",
                      markersize=4, label="Kỳ trước")]
    ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, fontsize=MIN_FONT, frameon=False)
    return fig


def dots_alt(data: pd.DataFrame, a: dict[str, Any], period_label: str) -> str:
    ranked = data.dropna(subset=["Giá trị"])
    if ranked.empty:
        return f"Biểu đồ điểm xếp hạng {a['audience_label'].lower()}, {period_label}: chưa đơn vị nào có chỉ số."
    first, last = ranked.iloc[0], ranked.iloc[-1]
    unit = " điểm" if _in_points(a) else ""
    return (f"Biểu đồ điểm xếp hạng {fmt.number(len(ranked))} {a['audience_label'].lower()} theo {a['total_name'].lower()}, "
            f"{period_label}, kèm giá trị kỳ trước: cao nhất {first['Đơn vị']} "
            f"{_shown(a, first['Giá trị'])}{unit}, thấp nhất {last['Đơn vị']} {_shown(a, last['Giá trị'])}{unit}; "
            f"trục phóng theo khoảng giá trị, không bắt đầu từ 0.")


def moves_data(a: dict[str, Any]) -> pd.DataFrame:
    """Per unit with a value now and a quarter before: its change, split into the change of each main index
    (its points achieved) and of bonus and penalty, on the framework's scale; ``Khác`` is what the split does
    not explain (e.g. a unit compared with its predecessors, whose parts are not carried)."""
    s = _scale(a)
    codes = [i["code"] for i in a["indices"]]
    points = [i["points"] or 0.0 for i in a["indices"]]
    out = []
    for r in a["rows"]:
        if r["total"] is None or r["previous_total"] is None:
            continue
        total = (r["total"] - r["previous_total"]) * s
        row = {"Hạng": r["rank"], "Mã đơn vị": r["unit"], "Đơn vị": r["name"], "Thay đổi": total}
        before = r.get("previous_indices")
        explained = 0.0
        for code, p, now, then in zip(codes, points, r["indices"], before or [None] * len(codes)):
            part = None if now is None or then is None or r.get("previous_from") else (now - then) * p * (s / a["total_points"])
            row[code] = part
            explained += part or 0.0
        adj_now = (r.get("bonus") or 0.0) - (r.get("penalty") or 0.0)
        adj_then = r.get("previous_adjustment")
        row["Thưởng, trừ"] = None if adj_then is None or r.get("previous_from") else (adj_now - adj_then) * (s / a["total_points"])
        explained += row["Thưởng, trừ"] or 0.0
        row["Khác"] = total - explained
        out.append(row)
    columns = ["Hạng", "Mã đơn vị", "Đơn vị", "Thay đổi", *codes, "Thưởng, trừ", "Khác"]
    frame = pd.DataFrame(out, columns=columns)
    frame["Hạng"] = frame["Hạng"].astype("Int64")
    return frame.sort_values(["Thay đổi", "Mã đơn vị"], ascending=[False, True], ignore_index=True)


def moves_shown(data: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """All units when few; else the :data:`MOVERS` that rose most and the :data:`MOVERS` that fell most."""
    if len(data) <= MAX_ROWS:
        return data, 0
    return pd.concat([data.head(MOVERS), data.tail(MOVERS)]), len(data) - 2 * MOVERS


def moves_figure(data: pd.DataFrame, a: dict[str, Any], xlabel: str) -> plt.Figure:
    """Diverging stacked bars: per unit the parts of its change (gains right of 0, losses left), a black
    diamond at the net change, written at the right."""
    shown, left_out = moves_shown(data)
    parts = [c for c in data.columns[4:] if data[c].fillna(0).abs().max() > 1e-9]
    names = {i["code"]: i["name"] for i in a["indices"]}
    n = len(shown) + (1 if left_out else 0)
    fig, ax = plt.subplots(figsize=(4.4, 0.4 + 0.22 * n))
    labels, y = [], 0
    pos_max, neg_min = 0.0, 0.0
    for i, r in enumerate(shown.to_dict("records")):
        if left_out and i == MOVERS:
            labels.append(f"… {fmt.number(left_out)} đơn vị khác")
            ax.axhline(y, color="#999999", linewidth=0.5, linestyle=":")
            y += 1
        labels.append(r["Đơn vị"])
        right, left = 0.0, 0.0
        for k, c in enumerate(parts):
            v = r[c]
            if v is None or pd.isna(v) or abs(v) < 1e-12:
                continue
            start = right if v > 0 else left
            ax.barh(y, v, left=start, height=0.62, color=COMPONENT_COLOURS[k % 8], hatch=COMPONENT_HATCHES[k % 8],
                    edgecolor="black", linewidth=0.4)
            if v > 0:
                right += v
            else:
                left += v
        pos_max, neg_min = max(pos_max, right, r["Thay đổi"]), min(neg_min, left, r["Thay đổi"])
        ax.plot([r["Thay đổi"]], [y], "D", color="black", markersize=3.5, markeredgecolor="white", markeredgewidth=0.5)
        y += 1
    span = (pos_max - neg_min) or 1.0
    for yy, r in zip([k + (1 if left_out and k >= MOVERS else 0) for k in range(len(shown))], shown.to_dict("records")):
        ax.text(pos_max + span * 0.04, yy, _signed(a, r["Thay đổi"]), va="center", fontsize=MIN_FONT)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(range(n), labels, fontsize=MIN_FONT)
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_xlim(neg_min - span * 0.05, pos_max + span * 0.25)
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: fmt.signed(v, 1) if _in_points(a) else fmt.signed(v, 3)))
    ax.tick_params(labelsize=MIN_FONT, length=2)
    ax.set_xlabel(xlabel, fontsize=MIN_FONT)
    ax.grid(axis="x", linewidth=0.4, color="#dddddd")
    ax.set_axisbelow(True)
    ax.spines[["top", "right", "left"]].set_visible(False)
    ax.tick_params(axis="y", length=0)
    label = lambda c: f"{c} {names[c]}" if c in names else c  # noqa: E731
    handles = [Patch(facecolor=COMPONENT_COLOURS[k % 8], hatch=COMPONENT_HATCHES[k % 8], edgecolor="black", linewidth=0.4,
                     label=label(c)) for k, c in enumerate(parts)]
    handles.append(Line2D([], [], marker="D", color="black", linestyle="none", markersize=3.5, label="Thay đổi cả kỳ"))
    below_axis = transforms.offset_copy(ax.transAxes, fig=fig, y=-24, units="points")  # under the axis label
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.4, 0), bbox_transform=below_axis, ncol=2,
              fontsize=MIN_FONT, frameon=False)
    return fig


def _signed(a: dict[str, Any], value: float) -> str:
    return fmt.signed(value, a.get("decimals", 2)) if _in_points(a) else fmt.signed(value, 4)


def moves_alt(data: pd.DataFrame, a: dict[str, Any], period_label: str, previous_label: str) -> str:
    if data.empty:
        return f"Chưa có đơn vị nào có chỉ số cả {period_label} và {previous_label}."
    up, down = data.iloc[0], data.iloc[-1]
    unit = " điểm" if _in_points(a) else ""

    def biggest(r: pd.Series) -> str:
        parts = {c: r[c] for c in data.columns[4:] if r[c] is not None and not pd.isna(r[c]) and abs(r[c]) > 1e-9}
        if not parts:
            return ""
        c = max(parts, key=lambda k: abs(parts[k]))
        return f", chủ yếu do {c} ({_signed(a, parts[c])}{unit})"

    return (f"Biểu đồ thanh phân kỳ: thay đổi chỉ số của {a['audience_label'].lower()} từ {previous_label} đến "
            f"{period_label}, tách theo từng chỉ số chính. Tăng nhiều nhất: {up['Đơn vị']} ({_signed(a, up['Thay đổi'])}{unit}"
            f"{biggest(up)}); giảm nhiều nhất: {down['Đơn vị']} ({_signed(a, down['Thay đổi'])}{unit}{biggest(down)}).")


def _drawers(a: dict[str, Any], previous_label: str) -> dict[str, tuple[str, pd.DataFrame, Any]]:
    """Per chart of an audience block (``dots``, ``moves`` when any unit has a previous index): its key, data and drawing."""
    axis = f"{a['total_name']} ({a['total_code']}{', điểm' if _in_points(a) else ''})"
    dots = dots_data(a)
    moves = moves_data(a)
    out = {"dots": (f"xep-hang-{a['key']}", dots, lambda: dots_figure(dots, axis, a))}
    if len(moves):
        unit = "điểm" if _in_points(a) else "chỉ số"
        out["moves"] = (f"thay-doi-{a['key']}", moves,
                        lambda: moves_figure(moves, a, f"Thay đổi so với {previous_label} ({unit}); "
                                                       "phần tăng bên phải, phần giảm bên trái vạch 0"))
    return out


def audience_charts(a: dict[str, Any], period_label: str, previous_label: str) -> dict[str, Any]:
    """The two charts of an audience block as plain data (``dots``, ``moves``: key, svg, alt, csv, title)."""
    from dxreport.publish.figures import Chart

    found = _drawers(a, previous_label)
    key, dots, draw = found["dots"]
    out = {"dots": Chart(key=key, title=f"Xếp hạng {a['audience_label'].lower()} theo {a['total_name'].lower()}",
                         alt=dots_alt(dots, a, period_label), data=dots, draw=draw).context()}
    if "moves" in found:
        key, moves, draw = found["moves"]
        out["moves"] = Chart(
            key=key, title=f"Thay đổi chỉ số của {a['audience_label'].lower()} so với {previous_label}, theo chỉ số chính",
            alt=moves_alt(moves, a, period_label, previous_label), data=moves, draw=draw).context()
    return out


def audience_figures(a: dict[str, Any], previous_label: str, shown: set[str]) -> dict[str, Any]:
    """The drawings of the charts ``shown`` (``dots``, ``moves``) of an audience block, by chart key (for the Word file)."""
    return {key: draw for name, (key, _, draw) in _drawers(a, previous_label).items() if name in shown}


def chart_frames(a: dict[str, Any]) -> dict[str, pd.DataFrame]:
    """The data of the charts of :func:`audience_charts`, by CSV path (recomputed from the block, as drawn)."""
    frames = {f"xep-hang-{a['key']}": dots_data(a)}
    moves = moves_data(a)
    if len(moves):
        frames[f"thay-doi-{a['key']}"] = moves
    return frames
