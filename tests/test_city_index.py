"""City indices as cities write them: points on any scale, numbered and nested items, bands, bonus and
penalty with caps, self-assessment and verification, and a TP.HCM-shaped framework scoring a test city."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from dxreport.compute import scoring, unit_index
from dxreport.domain import frameworks
from dxreport.domain.errors import ConfigError

TESTS = Path(__file__).resolve().parent
TPHCM = TESTS / "data" / "frameworks" / "tphcm-so-thu.yaml"
ITEMS = ["1.1", "1.2", "2.1", "3.1", "4.1", "5.1", "6.1", "6.2.1", "6.2.2", "6.2.3"]
# A test city of seven departments, the points of each by hand (rules in tphcm-so-thu.yaml):
# 1.1 steps 4→20, 2→10, 1→5; 1.2, 2.1, 6.2.1, 6.2.2 yes/no 20, 40, 20, 20; 3.1 ratio ×50; 4.1 ratio ×40;
# 5.1 the assessor's points (≤ 60); 6.1 linear to 80 % ×40; 6.2.3 threshold 90 % → 20.
TEST_CITY = {
    "Sở A": ([4, 1, 1, 1.00, 1.00, 60, 0.80, 1, 1, 0.95], 330.00),  # 20+20+40+50+40+60+40+20+20+20
    "Sở B": ([2, 1, 1, 0.90, 0.50, 45, 0.60, 1, 0, 0.92], 250.00),  # 10+20+40+45+20+45+30+20+0+20
    "Sở C": ([1, 0, 1, 0.80, 0.50, 30, 0.40, 0, 0, 0.50], 155.00),  # 5+0+40+40+20+30+20+0+0+0
    "Sở D": ([4, 1, 0, 0.96, 0.55, 40, 0.50, 1, 1, 0.95], 235.00),  # 20+20+0+48+22+40+25+20+20+20
    "Sở E": ([4, 1, 1, 1.00, 1.00, 14, 0.80, 0, 1, 0.95], 264.00),  # the first point of 'nâng cao'
    "Sở F": ([4, 1, 1, 0.96, 0.00, 10, 0.80, 1, 0, 0.50], 198.00),  # the first point of 'hình thành'
    "Sở G": ([4, 1, 1, 0.96, 0.00, 9.99, 0.80, 1, 0, 0.50], 197.99),  # still 'khởi động'
}


@pytest.fixture(scope="module")
def tphcm():
    return frameworks.load_file(TPHCM)


def _city() -> pd.DataFrame:
    return pd.DataFrame({u: dict(zip(ITEMS, v)) for u, (v, _) in TEST_CITY.items()}).T


def test_tphcm_shaped_framework_scores_a_test_city_in_points_and_bands(tphcm):
    assert tphcm.total.points == 330 and tphcm.total.report_as == "points" and tphcm.total.shown_decimals == 2
    assert [b.name for b in tphcm.bands] == ["Khởi động", "Hình thành", "Nâng cao"]
    assert [c.code for c in tphcm.components()] == ITEMS  # 6.2 is a group: its three items are scored
    out = scoring.score(_city(), tphcm, "component")
    for unit, (_, points) in TEST_CITY.items():
        assert out.loc[unit, "points"] == pytest.approx(points, abs=1e-9)
        assert out.loc[unit, "CDS"] == pytest.approx(points / 330, abs=1e-12)  # the 0–1 value is derived
    assert out["band"].to_dict() == {"Sở A": "Nâng cao", "Sở B": "Hình thành", "Sở C": "Khởi động", "Sở D": "Hình thành",
                                     "Sở E": "Nâng cao", "Sở F": "Hình thành", "Sở G": "Khởi động"}
    assert out["rank"].to_dict() == {"Sở A": 1, "Sở E": 2, "Sở B": 3, "Sở D": 4, "Sở F": 5, "Sở G": 6, "Sở C": 7}
    # each main index's value is its points over its maximum: Sở D's CQS = (25 + 20 + 20 + 20) / 100
    assert out.loc["Sở D", "CQS"] == pytest.approx(0.85) and out.loc["Sở B", "NTS"] == pytest.approx(30 / 40)
    # split like TP.HCM's 31 departments (11 / 18 / 2): here 2 khởi động, 3 hình thành, 2 nâng cao
    assert out["band"].value_counts().to_dict() == {"Hình thành": 3, "Khởi động": 2, "Nâng cao": 2}


def test_points_framework_ranks_on_points_to_two_decimals(tphcm):
    values = _city().loc[["Sở F", "Sở G"]].copy()
    values.loc["Sở G", "5.1"] = 9.996  # 197.996 points: published as 198,00, the same as Sở F
    out = scoring.score(values, tphcm, "component")
    assert out["rank"].tolist() == [1, 1] and out["band"].tolist() == ["Hình thành", "Hình thành"]


def test_score_command_with_a_framework_file(tmp_path):
    source = tmp_path / "test-city.csv"
    _city().rename_axis("unit").reset_index().to_csv(source, index=False)
    done = subprocess.run([sys.executable, "-m", "dxreport.cli", "score", "--framework-file", str(TPHCM), str(source)],
                          capture_output=True, text=True, cwd=TESTS.parent)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "unit,NTS,TCS,HTS,NLS,ATTT,CQS,CDS,points,band,rank"
    assert lines[1].startswith("Sở A,") and lines[1].endswith(",1.0000,330.00,Nâng cao,1")
    assert lines[5] == "Sở F,1.0000,1.0000,0.9600,0.0000,0.1667,0.6000,0.6000,198.00,Hình thành,5"  # CQS: (40 + 20) / 100
    assert lines[6].endswith(",197.99,Khởi động,6")


GOOD = """\
id: {id}
name: "Thử"
groups: {{g: "Nhóm"}}
total: {{code: T, name: "Tổng", points: 330, report_as: points}}
bands:
  - {{name: "Khởi động", at_least: 0}}
  - {{name: "Hình thành", at_least: 198}}
  - {{name: "Nâng cao", at_least: 264}}
indices:
  - code: A
    name: "Chỉ số A"
    group: g
    points: 330
    components:
      - code: "4.22"
        name: "Nhóm 4.22"
        points: 330
        components:
          - {{code: "4.22.1", name: "Mục 1", points: 300, rule: ratio}}
          - {{code: "4.22.2", name: "Mục 2", points: 30, rule: yesno, input: {{assessed: self}}, evidence_required: true}}
bonus:
  code: TH
  name: "Điểm thưởng"
  cap: 10
  items:
    - {{code: "T.1", name: "Sáng kiến", points: 6, rule: yesno}}
    - {{code: "T.2", name: "Giải thưởng", points: 6, rule: yesno}}
penalty:
  code: TR
  name: "Điểm trừ"
  cap: 20
  items:
    - {{code: "TR.1", name: "Báo cáo chậm", points: 20, rule: points}}
"""


def _write(tmp_path: Path, text: str, name: str = "bad") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(textwrap.dedent(text).format(id=name), encoding="utf-8")
    return path


def test_the_language_loads_nested_numbered_items_bands_and_caps(tmp_path):
    fw = frameworks.load_file(_write(tmp_path, GOOD, "good"))
    assert [c.code for c in fw.components()] == ["4.22.1", "4.22.2"]
    assert fw.item("4.22").is_group and fw.index_of("4.22.2").code == "A"
    assert [c.code for c in fw.assessed_items()] == ["4.22.2"]
    assert fw.codes("component") == ["4.22.1", "4.22.2", "T.1", "T.2", "TR.1"]
    # bonus 6 + 6 = 12 is capped at 10; a penalty of 20 points; the total stays within 0..330
    values = pd.DataFrame({"4.22.1": [1.0, 0.1, 0.9], "4.22.2": [1, 0, 1], "T.1": [1, 0, 1], "T.2": [1, 0, 0],
                           "TR.1": [0, 20, 5]}, index=["top", "low", "mid"])
    out = scoring.score(values, fw, "component")
    assert out["TH"].tolist() == [10, 0, 6] and out["TR"].tolist() == [0, 20, 5]
    assert out["points"].tolist() == pytest.approx([330, 10, 270 + 30 + 6 - 5])  # top: 330 + 10 capped at 330
    assert out["band"].tolist() == ["Nâng cao", "Khởi động", "Nâng cao"]
    bonus_only = scoring.score(values.drop(columns=["T.1", "T.2", "TR.1"]), fw, "component")  # no entry: no bonus, no penalty
    assert bonus_only.loc["mid", "points"] == pytest.approx(300)


@pytest.mark.parametrize(
    "edit, key, words",
    [
        (("at_least: 198", "at_least: 270"), "bands[Nâng cao].at_least", "phải lớn hơn ngưỡng của xếp loại đứng trước 'Hình thành' (270 điểm)"),
        (("{{name: \"Khởi động\", at_least: 0}}", "{{name: \"Khởi động\", at_least: 10}}"), "bands[Khởi động].at_least", "phải bắt đầu từ 0 điểm"),
        (("at_least: 264", "at_least: 400"), "bands[Nâng cao].at_least", "vượt tổng điểm tối đa (330)"),
        (("name: \"Hình thành\"", "name: \"Khởi động\""), "bands[Khởi động].name", "bị lặp"),
        (("at_least: 264}}", "at_least: -5}}"), "bands[Nâng cao].at_least", "phải lớn hơn hoặc bằng 0"),
        (("  cap: 10\n", "  cap: 4\n"), "bonus.items[T.1].points", "vượt mức trần của điểm thưởng (4 điểm)"),
        (("  cap: 20\n", "  cap: 400\n"), "penalty.cap", "vượt tổng điểm tối đa (330)"),
        (("  cap: 20\n", "  cap: 0\n"), "penalty.cap", "phải lớn hơn 0"),
        (("  cap: 10\n", ""), "bonus.cap", "thiếu khóa bắt buộc"),
        (("points: 300, rule: ratio", "points: 290, rule: ratio"), "indices[A].components[4.22].components", "(320) khác điểm của nhóm (330)"),
        (("code: \"4.22.1\"", "code: 4.22"), "indices[A].components[4.22].components[4.22].code", "ngoặc kép"),
        (("code: \"4.22.2\"", "code: \"4.22.1\""), "indices[A].components[4.22].components[4.22.1]", "bị lặp"),
        (("rule: yesno, input", "input"), "indices[A].components[4.22].components[4.22.2]", "thiếu khóa bắt buộc 'rule'"),
        (("report_as: points", "report_as: diem"), "total.report_as", "giá trị không hợp lệ"),
    ],
)
def test_a_broken_band_cap_or_item_names_the_file_and_the_key(tmp_path, edit, key, words):
    text = GOOD.replace(*edit)
    assert text != GOOD
    with pytest.raises(ConfigError) as e:
        frameworks.load_file(_write(tmp_path, text))
    assert e.value.key == key, str(e.value)
    assert "bad.yaml" in str(e.value) and f"khóa '{key}'" in str(e.value) and words in str(e.value)
    assert e.value.exit_code == 2


def test_check_framework_command_names_file_and_key(tmp_path, root):
    broken = _write(tmp_path, GOOD.replace("at_least: 198", "at_least: 270"))
    done = subprocess.run([sys.executable, "-m", "dxreport.cli", "check-framework", str(TPHCM), str(broken)],
                          capture_output=True, text=True, cwd=root)
    assert done.returncode == 2
    good, bad = done.stdout.splitlines()
    assert good.startswith(f"{TPHCM}: hợp lệ (6 chỉ số chính; 10 tiêu chí; tổng 330 điểm; xếp loại: Khởi động từ 0, "
                           "Hình thành từ 198, Nâng cao từ 264")
    assert bad == (f"dxreport: Tệp {broken}, dòng 8, khóa 'bands[Nâng cao].at_least': ngưỡng của xếp loại 'Nâng cao' (264 điểm) "
                   "phải lớn hơn ngưỡng của xếp loại đứng trước 'Hình thành' (270 điểm); các xếp loại kê từ thấp đến cao")
    assert subprocess.run([sys.executable, "-m", "dxreport.cli", "check-framework", *map(str, sorted(
        (root / "data" / "frameworks").glob("*.yaml")))], capture_output=True, cwd=root).returncode == 0


def test_sample_frameworks_follow_danang_2386_groups(root):
    so, xa = frameworks.load("danang-dvi-so", root), frameworks.load("danang-dvi-xa", root)
    groups = ["Nhận thức số", "Thể chế số", "Hạ tầng số", "Ứng dụng công nghệ số", "Dịch vụ công trực tuyến", "Nhân lực số"]
    assert [i.name for i in so.indices] == groups
    assert [i.name for i in xa.indices] == groups + ["Xã hội số"]  # xã hội số for wards and communes only
    for fw in (so, xa):
        assert fw.sample_points and fw.sample_bands and fw.total.points == 100 and fw.total.report_as == "points"
        assert "2386/QĐ-UBND" in fw.decision and "điểm mẫu" in fw.decision
        assert [b.name for b in fw.bands][-4:] == ["Trung bình khá", "Khá", "Tốt", "Xuất sắc"]
        assert (fw.bonus.name, fw.bonus.cap, fw.penalty.name, fw.penalty.cap) == ("Điểm thưởng", 5, "Điểm trừ", 10)
        assert any(c.assessed == "office" for c in fw.assessed_items()) and any(c.assessed == "self" for c in fw.assessed_items())
        assert any(c.evidence_required for c in fw.assessed_items())
    assert xa.item("7.2").is_group and len(xa.item("7.2").components) == 5  # three levels: XHS → 7.2 → 7.2.1…


# Self-assessment and verification -------------------------------------------------------------------------------


def _sheet(unit, item, own, evidence, checked, period="2026-Q3", framework="danang-dvi-so"):
    return {"framework": framework, "unit": unit, "period": period, "item": item, "self_value": own, "evidence": evidence,
            "verified_value": checked}


def test_self_assessed_and_verified_totals_and_evidence_rule(root, city_dir):
    from dxreport.domain.units import load_units

    fw = frameworks.load("danang-dvi-so", root)
    units = load_units(city_dir)
    obs = pd.DataFrame([(u, i, "2026-Q3", v) for u in ("SNV", "STP") for i, v in
                        (("HS_TONG", 100), ("HS_TT", 90), ("PHI_TONG", 100), ("PHI_TT", 70), ("DAU_MOI", 1), ("DL_MO", 1))],
                       columns=["unit", "indicator", "period", "value"])
    full = {"2.1": 1, "2.2": 1, "3.1": 1.0, "4.2.1": 0.95, "6.1": 1.0}  # 4.2.2 is the office's: below
    rows = [_sheet("SNV", i, v, "Văn bản số 1", None) for i, v in full.items()]
    rows += [_sheet("SNV", "4.2.2", None, "", 1.0), _sheet("SNV", "T.1", None, "", 1.0), _sheet("SNV", "T.2", None, "", 1.0)]
    rows += [_sheet("STP", i, v, "Văn bản số 2", None) for i, v in full.items()]
    rows += [_sheet("STP", "4.2.2", None, "", 1.0), _sheet("STP", "TR.1", None, "", 3.0)]
    stp = pd.DataFrame(rows)
    stp.loc[(stp["unit"] == "STP") & (stp["item"] == "6.1"), "evidence"] = ""  # required evidence missing: 10 points lost
    stp.loc[(stp["unit"] == "STP") & (stp["item"] == "3.1"), "verified_value"] = 0.6  # the office found 60 %, not 100 %
    table = unit_index.unit_index(obs, fw, units, assessments=stp).set_index("unit")
    snv, stp_row = table.loc["SNV"], table.loc["STP"]
    assert snv["points"] == pytest.approx(100) and snv["bonus"] == 5  # 3 + 3 capped at 5; 100 + 5 stays at 100
    assert snv["band"] == "Xuất sắc" and snv["rank"] == 1
    assert stp_row["self_points"] == pytest.approx(100 - 3)  # self-assessed: everything, less the office's penalty
    assert stp_row["points"] == pytest.approx(100 - 10 - 4 - 3)  # 6.1 without evidence 0, 3.1 at 60 % of 10, penalty 3
    assert stp_row["HTS"] == pytest.approx(0.6) and stp_row["NLS"] == 0 and stp_row["rank"] == 2
    assert stp_row["band"] == "Tốt" and table.loc["SCT", "missing"]  # no report, no sheet: no index, not zero
    assert pd.isna(table.loc["SCT", "rank"])
    no_sheets = unit_index.unit_index(obs, fw, units)  # assessed items without any sheet: nobody ranked, nobody at zero
    assert no_sheets["rank"].isna().all() and no_sheets["points"].isna().all()
