from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dxreport import frameworks, scoring
from dxreport.frameworks import Component

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


unit_values = st.lists(st.floats(0, 1), min_size=8, max_size=8)


@settings(max_examples=60, deadline=None)
@given(st.lists(unit_values, min_size=1, max_size=6))
def test_every_computed_value_stays_in_0_1_and_ranks_are_competition_ranks(rows):
    from dxreport.paths import find_root

    fw = frameworks.load("dti-2022", find_root(__file__))
    values = pd.DataFrame(rows, columns=ORDER, index=[f"u{i}" for i in range(len(rows))])
    out = scoring.score(values, fw, "index")
    computed = out[["CQS", "KTS", "XHS", "DTI"]]
    assert ((computed >= -1e-12) & (computed <= 1 + 1e-12)).all().all()
    shown = out["DTI"].map(scoring.publish)
    for unit, rank in out["rank"].items():  # rank = 1 + number of units published strictly higher
        assert rank == 1 + int((shown > shown[unit]).sum())
