"""Property test: every number and name in the generated summary is the tables' own.

Hypothesis generates many quarters — units that sent nothing, ties, expired and
superseded targets, yes/no answers that flip, groups left empty — computes the
tables the report prints, renders the summary sentences, and checks each stated
count and each named unit against those tables.
"""

from __future__ import annotations

import re
from datetime import date

import pandas as pd
from dxreport.compute import status, unit_status
from dxreport.domain import fmt
from dxreport.domain.config import Baseline, Measure, Programme, Source, Target
from dxreport.domain.periods import Period
from dxreport.publish import narrative, report
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

PERIOD = Period.parse("2026-Q3")
PERIODS = [PERIOD.shift(-k).id for k in range(7, -1, -1)]  # 2024-Q4 … 2026-Q3
GROUPS = [{"code": "HTS", "name": "Hạ tầng số"}, {"code": "DLS", "name": "Dữ liệu số"}, {"code": "CQS", "name": "Chính quyền số"}]
UNIT_NAMES = ["Sở Nội vụ", "Sở Tài chính", "Phường Hải Châu", "Xã Bà Nà", "Sở Văn hóa và Thể thao", "Phường Thanh Khê",
              "Sở Y tế", "Xã Hòa Vang"]
NUMBER = r"(\d+(?:\.\d{3})*)"


def as_int(text: str) -> int:
    return int(text.replace(".", ""))


@st.composite
def quarters(draw):
    n_targets = draw(st.integers(1, 6))
    targets = []
    for i in range(n_targets):
        yes_no = draw(st.booleans())
        deadline = draw(st.sampled_from([date(2025, 12, 31), date(2026, 9, 30), date(2026, 12, 31), date(2030, 12, 31)]))
        targets.append(Target(
            code=f"T{i}", name=f"Chỉ tiêu thử {i}", pillar="CQS", group=draw(st.sampled_from(GROUPS))["code"],
            measure=Measure(kind="share_of_units" if yes_no else "value", indicator=f"I{i}"), unit_of_measure="%",
            baseline=Baseline(value=0.2, date=date(2024, 6, 30)), target=draw(st.sampled_from([0.5, 0.8, 1.0])),
            deadline=deadline, responsible="U0", source=Source(document="KH 1/KH-UBND"),
        ))
    # a running target may replace an expired one for the same measure
    expired = [t for t in targets if t.deadline <= PERIOD.end]
    running = [t for t in targets if t.deadline > PERIOD.end and t.measure.kind == "value"]
    if expired and running and draw(st.booleans()):
        old, new = expired[0], running[0]
        targets = [t.model_copy(update={"supersedes": old.code, "measure": old.measure}) if t is new else t for t in targets]
    programme = Programme(code="P", name="Kế hoạch thử", groups=GROUPS, targets=targets)
    n_units = draw(st.integers(2, 8))
    units = pd.DataFrame({
        "code": [f"U{k}" for k in range(n_units)], "name": UNIT_NAMES[:n_units],
        "kind": ["department" if UNIT_NAMES[k].startswith("Sở") else "ward" if UNIT_NAMES[k].startswith("Phường") else "commune"
                 for k in range(n_units)],
    }).set_index("code", drop=False)
    silent = set(draw(st.lists(st.sampled_from(list(units.index)), max_size=n_units, unique=True)))
    grid = [(u, t, p) for u in units.index for t in targets for p in PERIODS if not (p == PERIOD.id and u in silent)]
    picks = draw(st.lists(st.integers(0, 6), min_size=len(grid), max_size=len(grid)))  # one draw: fast to shrink
    rows = []
    for (u, t, p), k in zip(grid, picks):
        if k == 0:
            continue  # a gap
        value = float(k % 2) if t.measure.kind == "share_of_units" else [0.1, 0.3, 0.5, 0.5004, 0.8, 1.0][k - 1]  # 0.5004 prints as 50,0%
        rows.append((u, t.measure.indicator, p, value, "f.xlsx", "BaoCao", 7, 1))
    if draw(st.booleans()):
        # a change too small to print: this quarter repeats the last one plus 0,04 of a point
        ind = targets[0].measure.indicator
        before = {(u, i): v for u, i, p, v, *_ in rows if p == PERIOD.previous.id and i == ind}
        rows = [r for r in rows if not (r[1] == ind and r[2] == PERIOD.id)]
        rows += [(u, i, PERIOD.id, v + 0.0004, "f.xlsx", "BaoCao", 7, 1) for (u, i), v in before.items() if u not in silent]
    observations = pd.DataFrame(rows, columns=["unit", "indicator", "period", "value", "file", "sheet", "row", "revision"])
    return programme, units, observations


def tables_of(programme, units, observations):
    table = status.status_table(observations, programme, PERIOD)
    indicators = {t.measure.indicator: None for t in programme.targets}
    tables = {}
    by_unit = (status.actuals(observations, programme, status.judged_periods(programme, PERIOD, 4), by_unit=True),
               status.actuals(observations, programme, [PERIOD.id]))
    for u in units.index:
        from dxreport.compute import scorecard

        t = scorecard.unit_status(observations, programme, u, set(indicators), PERIOD.id, precomputed=by_unit)
        if len(t):
            tables[u] = t
    return table, unit_status.unit_overview(tables, units)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(quarters())
def test_summary_states_only_what_the_tables_show(case):
    programme, units, observations = case
    table, overview = tables_of(programme, units, observations)
    shown = report.reported_targets(table)
    rows = report.status_rows(table, units, programme.group_names())
    printed = {r["code"]: r for r in rows}

    # 1. counts by status, running and expired, and the good share
    text = narrative.status_summary(shown, PERIOD)
    assert f"có {fmt.count(len(shown))} chỉ tiêu chuyển đổi số được theo dõi" in text
    running, final = shown[~shown["final"].astype(bool)], shown[shown["final"].astype(bool)]
    for part, what in ((running, "đang thực hiện"), (final, "đã hết hạn")):
        if len(part):
            assert f"{fmt.count(len(part))} chỉ tiêu {what}" in text
            counts = part["status"].value_counts()
            if len(counts) > 1:
                for key, n in counts.items():
                    assert f"{fmt.count(n)} chỉ tiêu {narrative.IN_SENTENCE[key]}" in text
            else:
                assert narrative.IN_SENTENCE[counts.index[0]] in text
        else:
            assert what not in text
    good = int(shown["status"].isin(status.GOOD).sum())
    assert f"{fmt.count(good)}/{fmt.count(len(shown))}" in text
    assert not (set(running["status"]) & set(status.FINAL)) and not (set(final["status"]) & set(status.RUNNING))

    # 2. changes, counted as the table prints them
    change = narrative.change_summary(shown, PERIOD)
    printed_running = [printed[c] for c in running["code"]]
    cells = [r["change_text"] for r in printed_running if r["change_text"] != fmt.MISSING]
    if not cells:
        assert change == ""
    else:
        signs = []
        for r in printed_running:
            cell = r["change_text"]
            if cell == fmt.MISSING:
                continue
            s = 1 if cell.startswith("+") else -1 if cell.startswith("−") else 0
            signs.append(s * (1 if r["direction"] == "increase" else -1))
        for n, words in ((sum(s > 0 for s in signs), "có kết quả tốt lên"), (sum(s < 0 for s in signs), "giảm"),
                         (sum(s == 0 for s in signs), "không đổi")):
            if n:
                assert f"{fmt.count(n)} chỉ tiêu {words}" in change
        zero_cells = [c for c in cells if not c.startswith(("+", "−"))]
        assert all(re.match(r"^0(\s|$)", c) for c in zero_cells), zero_cells  # "không đổi" is what prints as 0
        assert f"trong {fmt.count(len(cells))} chỉ tiêu đang thực hiện" in change

    # 3. units: only units with data are compared; ties named as ties; units without data counted apart
    sentence = narrative.units_summary(overview)
    rated = overview[overview["with_data"] > 0]
    unrated = overview[overview["with_data"] == 0]
    if len(rated) >= 2:
        assert sentence.startswith(f"Trong {fmt.count(len(rated))} đơn vị có số liệu")
        best_part = sentence.split(". ")[0].split("; thấp nhất")[0]
        top = rated["good_share"].max()
        tied = rated[rated["good_share"].round(9) == round(top, 9)]
        for name in overview["name"]:
            mentioned = fmt.unit_in_text(name) in best_part
            is_tied = name in set(tied["name"])
            if mentioned:
                assert is_tied, (name, best_part)
        if len(tied) > 1 and rated["good_share"].nunique() > 1:
            assert f"gồm {fmt.count(len(tied))} đơn vị" in best_part
    if len(unrated):
        assert f"{fmt.count(len(unrated))} đơn vị chưa có số liệu" in sentence
        compared = sentence.split(". ")[0] if len(rated) >= 2 else ""
        for name in unrated["name"]:
            assert fmt.unit_in_text(name) not in compared  # never named best or worst
    else:
        assert "chưa có số liệu" not in sentence

    # 4. no sentence speaks of a target that the reader cannot find in the tables
    for code in re.findall(r"\bT\d\b", " ".join([text, change, narrative.risk_summary(shown), narrative.expired_summary(shown)])):
        assert code in set(shown["code"])
