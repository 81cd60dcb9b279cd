from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from dxreport.domain import frameworks
from dxreport.domain.errors import ConfigError

DTI_2022_CODES = ["NTS", "TCS", "HTS", "NLS", "ATTT", "DTTM", "HDCQS", "HDKTS", "HDXHS"]


def test_every_shipped_framework_loads(root):
    ids = frameworks.available(root)
    assert {"dti-2020", "dti-2022", "dti-2025"} <= set(ids)
    for framework_id in ids:
        assert frameworks.load(framework_id, root).id == framework_id


def test_dti_2022_structure_matches_the_decision(root):
    fw = frameworks.load("dti-2022", root)
    assert fw.codes("index") == DTI_2022_CODES
    assert [i.points for i in fw.indices] == [100, 100, 100, 100, 100, 0, 200, 150, 150]
    assert [i.component_count for i in fw.indices] == [10, 11, 7, 13, 12, 3, 22, 12, 8]
    assert sum(i.component_count for i in fw.indices) == 98
    assert fw.index("NTS").name == "Nhận thức số"
    assert not fw.index("DTTM").scored and fw.index("NTS").scored
    assert {p.code: fw.pillar_points(p) for p in fw.pillars} == {"CQS": 700, "KTS": 650, "XHS": 650}
    foundation = {i.code for i in fw.indices if i.group == "nen_tang"}
    for p in fw.pillars:  # each foundation index counts toward every pillar
        assert foundation <= set(p.indices)
    for activity, pillar in (("HDCQS", "CQS"), ("HDKTS", "KTS"), ("HDXHS", "XHS")):  # activities only in their own
        assert [p.code for p in fw.pillars if activity in p.indices] == [pillar]


def test_unknown_points_are_recorded_as_unknown(root):
    fw2020 = frameworks.load("dti-2020", root)
    assert len(fw2020.indices) == 21 and all(i.points is None for i in fw2020.indices)
    assert [fw2020.pillar_points(p) for p in fw2020.pillars] == [400, 300, 300]
    assert fw2020.total.basis == "pillars"
    fw2025 = frameworks.load("dti-2025", root)
    assert len(fw2025.indices) == 8 and all(i.points is None for i in fw2025.indices)
    assert all(fw2025.pillar_points(p) is None for p in fw2025.pillars)


def test_unknown_framework_id_lists_the_available_ones(root):
    with pytest.raises(ConfigError) as e:
        frameworks.load("dti-1999", root)
    assert "dti-1999" in str(e.value) and "dti-2022" in str(e.value)


GOOD = """\
id: {id}
name: "Thử"
groups: {{g: "Nhóm"}}
total: {{code: T, name: "Tổng", points: 100}}
indices:
  - {{code: A, name: "Chỉ số A", group: g, points: 60}}
  - {{code: B, name: "Chỉ số B", group: g, points: 40}}
pillars:
  - {{code: P, name: "Trụ cột", indices: [A, B]}}
"""


def _write(tmp_path: Path, text: str, name: str = "bad") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(textwrap.dedent(text).format(id=name), encoding="utf-8")
    return path


def test_the_minimal_file_is_good(tmp_path):
    fw = frameworks.load_file(_write(tmp_path, GOOD))
    assert fw.pillar_points(fw.pillars[0]) == 100


@pytest.mark.parametrize(
    "edit, key, words",
    [
        (("code: B,", "code: A,"), "indices[A]", "bị lặp"),
        (("indices: [A, B]", "indices: [A, C]"), "pillars[P].indices", "'C' không có"),
        (("points: 40", "points: 50"), "total.points", "110"),
        (("code: P,", "code: T,"), "pillars[T]", "bị lặp"),
        (("group: g, points: 60", "group: x, points: 60"), "indices[A].group", "nhóm 'x'"),
        (("name: \"Chỉ số A\"", "name: \"Chỉ số A\", weight: 2"), "indices[A].weight", "không được hỗ trợ"),
    ],
)
def test_a_bad_file_names_the_file_and_the_key(tmp_path, edit, key, words):
    path = _write(tmp_path, GOOD.replace(*edit))
    with pytest.raises(ConfigError) as e:
        frameworks.load_file(path)
    assert e.value.key == key
    assert "bad.yaml" in str(e.value) and f"khóa '{key}'" in str(e.value) and words in str(e.value)
    assert e.value.exit_code == 2


def test_components_must_add_up_to_their_index(tmp_path):
    text = GOOD.replace(
        '{{code: B, name: "Chỉ số B", group: g, points: 40}}',
        """
    code: B
    name: "Chỉ số B"
    group: g
    points: 40
    components:
      - {{code: B1, name: "Họp BCĐ", points: 20, rule: step, steps: [{{at_least: 4, points: 20}}, {{at_least: 1, points: 5}}]}}
      - {{code: B2, name: "Tỷ lệ", points: 10, rule: ratio}}""".replace("\n", "\n  "),
    )
    with pytest.raises(ConfigError) as e:
        frameworks.load_file(_write(tmp_path, text))
    assert e.value.key == "indices[B].components" and "30" in str(e.value) and "40" in str(e.value)
    fixed = frameworks.load_file(_write(tmp_path, text.replace("points: 10, rule: ratio", "points: 20, rule: ratio"), "good"))
    assert fixed.components_complete(fixed.index("B"))


def test_a_rule_without_its_parameters_is_rejected(tmp_path):
    text = GOOD.replace(
        '{{code: B, name: "Chỉ số B", group: g, points: 40}}',
        '{{code: B, name: "B", group: g, points: 40, components: [{{code: B1, name: "x", points: 40, rule: linear}}]}}',
    )
    with pytest.raises(ConfigError) as e:
        frameworks.load_file(_write(tmp_path, text))
    assert "indices[B].components[B1]" in str(e.value) and "'target'" in str(e.value)


def test_pillar_basis_needs_disjoint_pillars(tmp_path):
    text = GOOD.replace("points: 100}}", "points: 100, basis: pillars}}").replace(
        '  - {{code: P, name: "Trụ cột", indices: [A, B]}}',
        '  - {{code: P, name: "P", indices: [A, B]}}\n  - {{code: Q, name: "Q", indices: [A]}}',
    )
    with pytest.raises(ConfigError) as e:
        frameworks.load_file(_write(tmp_path, text))
    assert e.value.key == "total.basis"


def test_file_name_and_id_must_agree(tmp_path):
    path = tmp_path / "other.yaml"
    path.write_text(GOOD.format(id="bad"), encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        frameworks.load_file(path)
    assert e.value.key == "id"


def test_unknown_index_in_a_pillar_is_reported_before_points_are_added(tmp_path):
    text = GOOD.replace("points: 100}}", "points: 100, basis: pillars}}").replace("indices: [A, B]", "indices: [A, B, Z]")
    with pytest.raises(ConfigError) as e:
        frameworks.load_file(_write(tmp_path, text))
    assert e.value.key == "pillars[P].indices" and "'Z'" in str(e.value)
