"""The city report's charts as :class:`dxreport.publish.figures.Chart`: picture, words and data together.

- ``status_by_pillar``: targets per group of the plan and status (Hình 1);
- ``paths``: per group, small multiples of each target's quarters against its path to the deadline;
- ``bullets``: per group, the running targets' progress against the expected progress and the target;
- ``heatmaps``: units × targets by status, split by kind of unit and into parts that print legibly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from dxreport.compute.status import STATUS_LABELS, STATUS_ORDER, status_counts
from dxreport.domain import fmt, paths
from dxreport.domain.config import Programme
from dxreport.domain.units import LOCAL_KINDS
from dxreport.publish import charts, target_charts
from dxreport.publish.figures import Chart
from dxreport.publish.report import CITY_CHART_TITLES, reported_targets

KIND_GROUPS = {"Sở, ban, ngành": ("department",), "Phường, xã, đặc khu": LOCAL_KINDS}


def status_by_pillar(table: pd.DataFrame, groups: dict[str, str], period_label: str) -> Chart:
    counts = status_counts(reported_targets(table))
    present = [g for g in groups if g in counts.index]
    data = pd.DataFrame({"Nhóm": [groups[g] for g in present],
                         **{STATUS_LABELS[s]: [int(counts.loc[g, s]) for g in present] for s in STATUS_ORDER}})
    data = data.loc[:, (data != 0).any(axis=0)]
    parts = [f"{r['Nhóm']}: " + ", ".join(f"{fmt.number(r[c])} {c.lower()}" for c in data.columns[1:] if r[c])
             for _, r in data.iterrows()]
    alt = f"Biểu đồ thanh chồng, số chỉ tiêu theo nhóm và tình trạng, {period_label}. " + "; ".join(parts) + "."
    return Chart(key="so-chi-tieu-theo-nhom", title=CITY_CHART_TITLES["status_by_pillar"], alt=alt, data=data,
                 draw=lambda: charts.status_by_group(counts, groups))


def paths_by_group(table: pd.DataFrame, history: pd.DataFrame, programme: Programme, groups: dict[str, str]) -> dict[str, Chart]:
    shown = reported_targets(table)
    data = target_charts.path_data(shown, history, programme)
    statuses = target_charts.statuses_of(shown)
    out = {}
    for n, (code, name) in enumerate(groups.items(), start=1):
        codes = shown.loc[shown["group"] == code, "code"].tolist()
        if not codes:
            continue
        part = data[data["Mã chỉ tiêu"].isin(codes)].reset_index(drop=True)
        out[code] = Chart(key=f"lo-trinh-{n}", title=f"Diễn biến các chỉ tiêu nhóm {name.lower()} so với lộ trình đến hạn",
                          alt=target_charts.paths_alt(part, statuses, name), data=part,
                          draw=lambda part=part: target_charts.paths_figure(part, statuses))
    return out


def bullets_by_group(table: pd.DataFrame, groups: dict[str, str]) -> dict[str, Chart]:
    shown = reported_targets(table)
    data = target_charts.bullet_data(shown)
    group_of = dict(zip(shown["code"], shown["group"]))
    out = {}
    for n, (code, name) in enumerate(groups.items(), start=1):
        part = data[data["Mã chỉ tiêu"].map(group_of) == code].reset_index(drop=True)
        if part.empty:
            continue
        out[code] = Chart(key=f"so-voi-ky-vong-{n}", title=f"Kết quả so với kỳ vọng và mục tiêu, nhóm {name.lower()}",
                          alt=target_charts.bullet_alt(part, name), data=part.drop(columns=["status"]),
                          draw=lambda part=part: target_charts.bullet_figure(part))
    return out


def heatmaps(matrix: pd.DataFrame, units: pd.DataFrame, rows: int = charts.HEATMAP_ROWS) -> list[Chart]:
    """The units × targets map in parts: departments, then wards and communes, at most ``rows`` units each."""
    if matrix.empty:
        return []
    kinds = units["kind"].reindex(matrix.index)
    groups = dict(KIND_GROUPS)
    others = tuple(sorted(set(kinds.dropna()) - {k for g in groups.values() for k in g}))
    if others:
        groups["Đơn vị khác"] = others
    out = []
    for n, (label, codes) in enumerate(charts.heatmap_parts(kinds, groups, rows), start=1):
        part = matrix.loc[codes].dropna(axis=1, how="all")  # only the targets these units report on
        names = [str(units.loc[c, "name"]) if c in units.index else c for c in codes]
        long = part.stack().dropna().rename("status").reset_index()
        long.columns = ["Mã đơn vị", "Mã chỉ tiêu", "status"]
        long.insert(1, "Đơn vị", long["Mã đơn vị"].map(dict(zip(codes, names))))
        long["Ký hiệu"] = long["status"].map(charts.STATUS_SYMBOLS)
        long["Tình trạng"] = long["status"].map(STATUS_LABELS)
        counts = long["Tình trạng"].value_counts()
        alt = (f"Bản đồ nhiệt tình trạng chỉ tiêu theo đơn vị, {label.lower()}: {fmt.number(len(codes))} đơn vị × "
               f"{fmt.number(part.shape[1])} chỉ tiêu; " + ", ".join(f"{fmt.number(v)} ô {k.lower()}" for k, v in counts.items()) + ".")
        out.append(Chart(key=f"ban-do-nhiet-{n}", title=f"{CITY_CHART_TITLES['heatmap']}: {label.lower()}", alt=alt,
                         data=long.drop(columns=["status"]),
                         draw=lambda part=part, names=names: charts.status_heatmap(part, names)))
    return out


def city_charts(table: pd.DataFrame, matrix: pd.DataFrame, units: pd.DataFrame, history: pd.DataFrame,
                programme: Programme, root: Path, period_label: str) -> dict[str, Any]:
    """Every chart of the city report (see the module's docstring), drawn in the shipped fonts."""
    charts.use_fonts(paths.fonts_dir(Path(root)))
    groups = programme.group_names()
    return {
        "status_by_pillar": status_by_pillar(table, groups, period_label),
        "paths": paths_by_group(table, history, programme, groups),
        "bullets": bullets_by_group(table, groups),
        "heatmaps": heatmaps(matrix, units),
    }

