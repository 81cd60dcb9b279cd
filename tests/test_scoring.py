from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest
from dxreport.compute import scoring, unit_index
from dxreport.domain import frameworks, succession
from dxreport.domain.config import load_indicators
from dxreport.domain.errors import ConfigError
from dxreport.domain.frameworks import Component
from dxreport.domain.units import load_units
from hypothesis import given, settings
from hypothesis import strategies as st

unit_values = st.lists(st.floats(0, 1), min_size=8, max_size=8)
ORDER = ["NTS", "TCS", "HTS", "NLS", "ATTT", "HDCQS", "HDKTS", "HDXHS"]
PUBLISHED_2022 = {  # dti.md, DTI 2022 (dti.gov.vn/xep-hang-2022)
    "TP. Đà Nẵng": ([1.0000, 0.9000, 0.8253, 0.8487, 0.7578, 0.8575, 0.7836, 0.5197], 0.8002),
    "TP. Cần Thơ": ([0.9000, 0.8000, 0.7233, 0.7376, 0.7226, 0.7325, 0.7556, 0.2947], 0.6924),
}


@pytest.fixture(scope="module")
def dti2022(root):
    return frameworks.load("dti-2022", root)


@pytest.fixture(scope="module")
def dti2020(root):
    return frameworks.load("dti-2020", root)


def _frame_2022(rows: dict) -> pd.DataFrame:
    return pd.DataFrame({u: dict(zip(ORDER, v)) for u, (v, _) in rows.items()}).T


def test_dti_2022_worked_examples(dti2022):
    out = scoring.score(_frame_2022(PUBLISHED_2022), dti2022, "index")
    for unit, (_, dti) in PUBLISHED_2022.items():
        assert scoring.publish(out.loc[unit, "DTI"]) == dti
    assert list(out["rank"]) == [1, 2]


def test_pillars_are_views_over_the_main_indices(dti2022):
    values = _frame_2022(PUBLISHED_2022)
    out = scoring.score(values, dti2022, "index")
    foundation = values[["NTS", "TCS", "HTS", "NLS", "ATTT"]].sum(axis=1) * 100
    for pillar, activity, points in (("CQS", "HDCQS", 200), ("KTS", "HDKTS", 150), ("XHS", "HDXHS", 150)):
        expected = (foundation + values[activity] * points) / (500 + points)
        assert out[pillar].tolist() == pytest.approx(expected.tolist(), abs=1e-12)
    # Cần Thơ, by hand: (388.35 + 146.5) / 700, (388.35 + 113.34) / 650, (388.35 + 44.205) / 650
    ct = out.loc["TP. Cần Thơ"]
    assert [scoring.publish(ct[p]) for p in ("CQS", "KTS", "XHS")] == [0.7641, 0.7718, 0.6655]
    # the total is not a pillar average: overlapping views would count the foundation three times
    assert scoring.publish((ct["CQS"] * 700 + ct["KTS"] * 650 + ct["XHS"] * 650) / 2000) != 0.6924


def test_dti_2020_from_pillar_values(dti2020):
    out = scoring.score(pd.DataFrame({"CQS": [0.5346], "KTS": [0.4155], "XHS": [0.4964]}, index=["TP. Đà Nẵng"]), dti2020, "pillar")
    assert scoring.publish(out.loc["TP. Đà Nẵng", "DTI"]) == 0.4874
    assert out.loc["TP. Đà Nẵng", "rank"] == 1


def test_dttm_is_reported_but_weighs_nothing(dti2022):
    values = _frame_2022(PUBLISHED_2022)
    with_dttm = scoring.score(values.assign(DTTM=[0.1, 0.9]), dti2022, "index")
    without = scoring.score(values, dti2022, "index")
    assert with_dttm["DTI"].tolist() == without["DTI"].tolist()
    assert with_dttm["DTTM"].tolist() == [0.1, 0.9]


@pytest.mark.parametrize(
    "framework_id, level, columns, words",
    [
        ("dti-2020", "index", ["CQS_NT"], "CQS_NT"),  # main-index points unknown
        ("dti-2025", "index", ORDER, "NTS"),  # main-index points unknown
        ("dti-2022", "pillar", ["CQS", "KTS", "XHS"], "dùng chung"),  # overlapping pillars do not add up
        ("dti-2022", "component", ["NTS"], "chỉ số thành phần"),  # no components in our sources
    ],
)
def test_unknown_weights_are_an_error_not_a_guess(root, framework_id, level, columns, words):
    fw = frameworks.load(framework_id, root)
    values = pd.DataFrame({c: [0.5] for c in columns}, index=["X"])
    with pytest.raises(scoring.ScoringError) as e:
        scoring.score(values, fw, level)
    assert framework_id in str(e.value) and words in str(e.value)


def test_total_level_is_ranked_as_given(root):
    fw = frameworks.load("dti-2025", root)
    out = scoring.score(pd.DataFrame({"DTI": [0.7, 0.8]}, index=["A", "B"]), fw, "total")
    assert out["rank"].tolist() == [2, 1]


def test_competition_ranks_share_and_skip():
    ranks = scoring.competition_rank(pd.Series([0.9, 0.8, 0.8, 0.7, math.nan], index=list("abcde")))
    assert ranks.tolist()[:4] == [1, 2, 2, 4] and pd.isna(ranks["e"])


def test_ties_are_decided_on_published_values():
    # 0.80004 and 0.79996 are both published as 0.8000: same rank; 0.80005 is published as 0.8001
    ranks = scoring.competition_rank(pd.Series([0.80004, 0.79996, 0.80005, 0.7]))
    assert ranks.tolist() == [2, 2, 1, 4]


def test_publish_rounds_half_up_without_float_noise():
    assert scoring.publish(0.800175) == 0.8002
    assert scoring.publish(0.12345) == 0.1235
    assert scoring.publish(1.0005 - 1) == 0.0005  # 0.000499999… in binary
    assert math.isnan(scoring.publish(math.nan))


def test_merge_averages_at_the_level_given(dti2022):
    values = _frame_2022(PUBLISHED_2022)
    pairs = pd.DataFrame({"unit": ["TP. Cần Thơ"], "into": ["TP. Đà Nẵng"]})
    merged = scoring.merge(values, pairs)
    assert list(merged.index) == ["TP. Đà Nẵng"]
    assert merged.loc["TP. Đà Nẵng", "HDXHS"] == pytest.approx((0.5197 + 0.2947) / 2)
    # the total is linear in the main indices, so the merged DTI is the mean of the two DTIs
    out = scoring.score(merged, dti2022, "index")
    assert out.loc["TP. Đà Nẵng", "DTI"] == pytest.approx((0.800175 + 0.692395) / 2)


@settings(max_examples=40, deadline=None)
@given(st.lists(unit_values, min_size=2, max_size=5))
def test_merging_main_indices_averages_the_totals(rows):
    """The total is linear in the main indices, so DTI 2024's merged provinces can be scored from their totals too."""
    from dxreport.domain.paths import find_root

    fw = frameworks.load("dti-2022", find_root(__file__))
    values = pd.DataFrame(rows, columns=ORDER, index=[f"u{i}" for i in range(len(rows))])
    pairs = pd.DataFrame({"unit": list(values.index), "into": ["M"] * len(values)})
    merged = scoring.score(scoring.merge(values, pairs), fw, "index")
    assert merged.loc["M", "DTI"] == pytest.approx(scoring.score(values, fw, "index")["DTI"].mean(), abs=1e-12)


def test_merge_carries_a_split_to_every_successor():
    values = pd.DataFrame({"T": [0.4, 0.8, 0.5]}, index=["old", "other", "kept"])
    pairs = pd.DataFrame({"unit": ["old", "old", "other"], "into": ["new1", "new2", "new2"]})
    merged = scoring.merge(values, pairs)
    assert merged["T"].to_dict() == pytest.approx({"kept": 0.5, "new1": 0.4, "new2": 0.6})


def _component(**kw) -> Component:
    return Component(code="C", name="c", points=20, **kw)


def test_component_rules():
    assert scoring.component_points(_component(rule="ratio"), 0.25) == 5
    assert scoring.component_points(_component(rule="ratio"), 1.2) == 20  # clamped
    assert scoring.component_points(_component(rule="yesno"), 1) == 20
    assert scoring.component_points(_component(rule="yesno"), 0) == 0
    meetings = _component(rule="step", steps=[{"at_least": 4, "points": 20}, {"at_least": 3, "points": 15},
                                              {"at_least": 2, "points": 10}, {"at_least": 1, "points": 5}])
    assert [scoring.component_points(meetings, n) for n in (0, 1, 2, 3, 4, 6)] == [0, 5, 10, 15, 20, 20]
    assert scoring.component_points(_component(rule="threshold", threshold=0.8), 0.79) == 0
    assert scoring.component_points(_component(rule="threshold", threshold=0.8), 0.8) == 20
    assert scoring.component_points(_component(rule="threshold", threshold=3, direction="at_most"), 2) == 20
    assert scoring.component_points(_component(rule="linear", target=0.8), 0.4) == pytest.approx(10)
    assert scoring.component_points(_component(rule="linear", target=0.8), 0.9) == 20
    assert scoring.component_points(_component(rule="linear", base=10, target=2), 4) == pytest.approx(15)  # lower is better
    assert math.isnan(scoring.component_points(_component(rule="ratio"), math.nan))


def test_component_ranges():
    assert _component(rule="ratio").value_range() == (0, 1)
    assert _component(rule="threshold", threshold=3, range=(0, 12)).value_range() == (0, 12)
    assert _component(rule="linear", target=5).value_range() == (0, math.inf)


@settings(max_examples=60, deadline=None)
@given(st.lists(unit_values, min_size=1, max_size=6))
def test_every_computed_value_stays_in_0_1_and_ranks_are_competition_ranks(rows):
    from dxreport.domain.paths import find_root

    fw = frameworks.load("dti-2022", find_root(__file__))
    values = pd.DataFrame(rows, columns=ORDER, index=[f"u{i}" for i in range(len(rows))])
    out = scoring.score(values, fw, "index")
    computed = out[["CQS", "KTS", "XHS", "DTI"]]
    assert ((computed >= -1e-12) & (computed <= 1 + 1e-12)).all().all()
    shown = out["DTI"].map(scoring.publish)
    for unit, rank in out["rank"].items():  # rank = 1 + number of units published strictly higher
        assert rank == 1 + int((shown > shown[unit]).sum())


# Succession ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def units(city_dir):
    return load_units(city_dir)


@pytest.fixture(scope="module")
def table(city_dir, units):
    return succession.load_succession(city_dir, units)


def test_succession_follows_splits_and_merges(table):
    assert succession.successors("Q-HCH", table) == ["P-HCH", "P-HCU"]
    assert succession.successors("H-HVA", table) == ["X-HVA", "X-BNA", "X-HTI"]
    assert succession.successors("SNV", table) == ["SNV"]  # departments were not reorganised
    assert succession.predecessors("P-NHS", table) == ["Q-NHS"]
    chained = pd.concat([table, pd.DataFrame([{"predecessor": "P-HCH", "successor": "P-X", "date": table["date"][0], "kind": "merge"}])])
    assert succession.successors("Q-HCH", chained) == ["P-X", "P-HCU"]
    assert succession.predecessors("P-X", chained) == ["P-HCH", "Q-HCH"]


def test_history_is_carried_onto_successors(table):
    history = pd.DataFrame({
        "unit": ["Q-HCH", "Q-HCH", "Q-NHS", "P-HCH"],
        "period": ["2025-Q1", "2025-Q2", "2025-Q2", "2025-Q3"],
        "DVI": [0.5, 0.6, 0.8, 0.7],
    })
    carried = succession.carry_history(history, table, ["DVI"])
    hch = carried[carried["unit"] == "P-HCH"].set_index("period")
    assert hch["DVI"].to_dict() == {"2025-Q1": 0.5, "2025-Q2": 0.6, "2025-Q3": 0.7}
    assert hch["carried_from"].to_dict() == {"2025-Q1": "Q-HCH", "2025-Q2": "Q-HCH", "2025-Q3": ""}
    assert carried[carried["unit"] == "P-HCU"]["DVI"].tolist() == [0.5, 0.6]  # a split: both halves inherit
    assert carried[carried["unit"] == "P-NHS"]["DVI"].tolist() == [0.8]
    assert len(carried[carried["unit"] == "Q-HCH"]) == 2  # the predecessor's own history is untouched


def test_merged_history_is_the_mean_of_its_predecessors():
    table = pd.DataFrame({"predecessor": ["A", "B"], "successor": ["C", "C"],
                          "date": [date(2025, 7, 1)] * 2, "kind": ["merge", "merge"]})
    history = pd.DataFrame({"unit": ["A", "B"], "period": ["2025-Q2", "2025-Q2"], "v": [0.2, 0.6]})
    carried = succession.carry_history(history, table, ["v"])
    row = carried[carried["unit"] == "C"].iloc[0]
    assert row["v"] == pytest.approx(0.4) and row["carried_from"] == "A, B"
    merged = scoring.merge(history.set_index("unit")[["v"]], succession.merge_pairs(table))
    assert merged.loc["C", "v"] == pytest.approx(0.4)


@pytest.mark.parametrize("line, key", [("Q-HCH,P-HCH,2025-07-01,rename", "dòng 2, cột kind"),
                                        ("Q-HCH,P-HCH,01/7/2025,split", "dòng 2, cột date"),
                                        ("Q-HCH,P-XYZ,2025-07-01,split", "dòng 2, cột successor")])
def test_a_bad_succession_table_names_row_and_column(tmp_path, units, line, key):
    (tmp_path / "succession.csv").write_text("predecessor,successor,date,kind\n" + line + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        succession.load_succession(tmp_path, units)
    assert e.value.key == key and "succession.csv" in str(e.value)


# The city's own index ------------------------------------------------------------------------------


def _obs(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["unit", "indicator", "period", "value"])


def _old(root, framework_id: str) -> frameworks.Framework:
    """The project's earlier sample frameworks (no assessed items), kept under tests/data/frameworks."""
    return frameworks.load_file(root / "tests" / "data" / "frameworks" / f"{framework_id}-mau-cu.yaml")


def _department(unit, period, hs, phi, dau_moi, dl_mo):
    return [(unit, "HS_TONG", period, 100), (unit, "HS_TT", period, hs), (unit, "PHI_TONG", period, 100),
            (unit, "PHI_TT", period, phi), (unit, "DAU_MOI", period, dau_moi), (unit, "DL_MO", period, dl_mo)]


def test_city_frameworks_read_indicators_their_units_report(root, city_dir):
    indicators = load_indicators(city_dir)
    for framework_id in ("danang-dvi-so", "danang-dvi-xa"):
        unit_index.check_inputs(frameworks.load(framework_id, root), indicators, framework_id)
    wrong = frameworks.load("danang-dvi-so", root).model_dump()
    wrong["audience"] = ["ward"]  # wards do not publish open data
    with pytest.raises(ConfigError) as e:
        unit_index.check_inputs(frameworks.Framework.model_validate(wrong), indicators, "x.yaml")
    assert "DL_MO" in str(e.value)


def test_department_index_by_hand(root, units):
    fw = _old(root, "danang-dvi-so")
    obs = _obs(
        _department("SNV", "2026-Q3", 45, 50, 1, 0)  # 20 (45% of the way to 90%) + 15 (step ≥50%) + 20 + 0
        + _department("STP", "2026-Q3", 45, 50, 1, 0)
        + _department("STC", "2026-Q3", 95, 70, 1, 1)  # everything: 100
        + _department("SNV", "2026-Q2", 90, 70, 1, 1)
        + _department("STC", "2026-Q2", 0, 0, 0, 0)
        + [("STP", "HS_TONG", "2026-Q2", 0)]  # a zero denominator is no data, not zero points
    )
    table = unit_index.unit_index(obs, fw, units)
    assert set(table["kind"]) == {"department"}
    q3 = unit_index.ranking(table, "2026-Q3").set_index("unit")
    assert q3.loc["SNV", ["DVC", "NTS", "DLS", "DVI"]].tolist() == pytest.approx([35 / 60, 1, 0, 0.55])
    assert q3.loc["STC", "DVI"] == 1
    assert [q3.loc[u, "rank"] for u in ("STC", "SNV", "STP")] == [1, 2, 2]
    assert pd.isna(q3.loc["SCT", "rank"]) and q3.loc["SCT", "missing"] == "DVC_HS, DVC_TT, NT_DAUMOI, DL_MOCONG"
    assert list(q3.index[:3]) == ["STC", "SNV", "STP"]  # ranked first, unranked after
    assert q3.loc["SNV", "previous_rank"] == 1 and q3.loc["SNV", "rank_change"] == -1
    assert q3.loc["STC", "previous_rank"] == 2 and q3.loc["STC", "rank_change"] == 1
    assert pd.isna(q3.loc["STP", "rank_change"])  # no rank in 2026-Q2
    q2 = unit_index.ranking(table, "2026-Q2").set_index("unit")
    assert "DVC_HS" in q2.loc["STP", "missing"]
    rows = unit_index.ranking_rows(table, fw, "2026-Q3")
    assert rows[0] == {"unit": "STC", "name": "Sở Tài chính", "kind": "department",
                       "indices": {"DVC": 1.0, "NTS": 1.0, "DLS": 1.0}, "total": 1.0, "points": 100.0, "band": None,
                       "self_total": 1.0, "rank": 1, "rank_change": 1,
                       "previous_total": 0.0, "total_change": 1.0, "previous_from": "", "missing": []}
    assert rows[-1]["rank"] is None and rows[-1]["total"] is None and "DL_MOCONG" in rows[-1]["missing"]


def test_communes_and_districts_are_ranked_apart_from_departments(root, units):
    fw = _old(root, "danang-dvi-xa")
    local = ["HS_TONG", "HS_TT", "PHI_TONG", "PHI_TT", "DAU_MOI", "TO_CNS", "DS_LD", "DS_LD_SMART", "DS_LD_TKSO",
             "DS_15", "DS_15_TKTT", "DS_15_KNS", "DS_18", "DS_18_CKS", "THON_TONG", "THON_BR"]
    obs = _obs([(u, i, p, 1) for u, p in (("Q-HCH", "2025-Q2"), ("P-HCH", "2025-Q3"), ("SNV", "2025-Q3")) for i in local])
    table = unit_index.unit_index(obs, fw, units)
    assert set(table.loc[table["period"] == "2025-Q2", "kind"]) == {"district"}
    assert set(table.loc[table["period"] == "2025-Q3", "kind"]) <= {"ward", "commune"}
    assert "SNV" not in set(table["unit"])
    hch = table[(table["unit"] == "P-HCH")].iloc[0]
    assert hch["DVI"] == 1 and hch["rank"] == 1 and pd.isna(hch["rank_change"])  # a new ward has no previous rank
    assert pd.isna(hch["previous_total"]) and hch["previous_from"] == ""


def test_a_new_ward_is_compared_with_its_predecessor_district(root, units, table):
    fw = _old(root, "danang-dvi-xa")
    obs = _obs([("Q-HCH", "DAU_MOI", "2025-Q2", 1), ("Q-HCH", "TO_CNS", "2025-Q2", 0),
                ("P-HCH", "DAU_MOI", "2025-Q3", 1), ("P-HCH", "TO_CNS", "2025-Q3", 1)])
    yes_no_only = fw.model_dump()  # a one-index framework: the focal point and the community tech team
    yes_no_only["indices"] = [i for i in yes_no_only["indices"] if i["code"] == "NTS"]
    yes_no_only["total"]["points"] = 20
    small = frameworks.Framework.model_validate(yes_no_only)
    result = unit_index.unit_index(obs, small, units, succession=table).set_index(["period", "unit"])
    hch = result.loc[("2025-Q3", "P-HCH")]
    assert hch["DVI"] == 1 and hch["previous_total"] == 0.5 and hch["total_change"] == 0.5
    assert hch["previous_from"] == "Q-HCH" and pd.isna(hch["rank_change"])
    assert result.loc[("2025-Q3", "P-HCU"), "previous_from"] == "Q-HCH"  # the other half of the split
    assert pd.isna(result.loc[("2025-Q3", "P-HCU"), "DVI"])


def test_unit_index_over_the_sample_store(root, units, sample_db):
    from dxreport.store import load_observations

    from dxreport.store import load_assessments

    obs = load_observations(sample_db)
    sheets = load_assessments(sample_db)
    for framework_id in ("danang-dvi-so", "danang-dvi-xa"):
        table = unit_index.unit_index(obs, frameworks.load(framework_id, root), units, assessments=sheets)
        assert set(table["period"]) == set(obs["period"])
        values = table[["DVC", "NTS", "DVI"]].dropna()
        assert ((values >= 0) & (values <= 1)).all().all()
        for _, part in table.groupby("period"):
            ranked = part.dropna(subset=["rank"])
            assert len(ranked) >= 2 and ranked["rank"].min() == 1
            shown = ranked["DVI"].map(scoring.publish)
            assert all(r == 1 + (shown > v).sum() for r, v in zip(ranked["rank"], shown))
            assert (ranked["points"] <= 100 + 1e-9).all() and ranked["band"].notna().all()
            assert (ranked["self_points"] >= ranked["points"] - ranked["bonus"] - 1e-9).all()
