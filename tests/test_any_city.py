"""Any city by configuration alone: defaults from the city's own files, the city always explicit, the checker.

The second city is Tỉnh Lâm Sơn (tests/data/lamson: its config/ and params/), invented with another shape than the sample
city: a province, communes only, no index framework, a calendar-quarter cut-off, an index-valued target.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
import yaml

from conftest import ROOT
from dxreport.cli import main
from dxreport.compute import scorecard
from dxreport.domain import config, fmt, frameworks, params
from dxreport.domain.errors import ConfigError, UsageError
from dxreport.execute import run
from dxreport.execute.config_check import check_city
from dxreport.domain.config import load_programme
from dxreport.intake import sample
from dxreport.intake import submissions as intake
from dxreport.publish import render

TEST_DATA = ROOT / "tests" / "data" / "lamson"  # not tests/data/cities: tests/ must not look like a project root


@pytest.fixture(autouse=True)
def fresh_caches():
    """Each test writes its own project: no configuration read by an earlier one may be reused."""
    for cached in (config.load_city, config.load_indicators, config.load_programme, frameworks.load):
        cached.cache_clear()
    yield
    for cached in (config.load_city, config.load_indicators, config.load_programme, frameworks.load):
        cached.cache_clear()


def two_cities(dest: Path, *, with_sample: bool = True) -> Path:
    """A project with the sample city and the test province (configuration and parameters, no reports)."""
    shutil.copytree(ROOT / "data" / "cities", dest / "data" / "cities")
    shutil.copytree(ROOT / "data" / "frameworks", dest / "data" / "frameworks")
    shutil.copytree(ROOT / "params", dest / "params")
    shutil.copytree(TEST_DATA / "config", dest / "data" / "cities" / "lamson")
    for f in (TEST_DATA / "params").iterdir():
        shutil.copy(f, dest / "params" / f.name)
    if with_sample:
        shutil.copytree(ROOT / "data" / "sample" / "danang", dest / "data" / "sample" / "danang")
    return dest


def edit_yaml(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# ---------------------------------------------------------------- defaults come from the city's own files


def test_minimal_params_take_submissions_and_store_from_their_own_city(tmp_path):
    root = two_cities(tmp_path)
    p = params.load_params(root / "params" / "lamson-2026-Q3.yaml", root)
    assert (p.submissions, p.database, p.sample_data) == ("data/sample/lamson", "build/lamson.duckdb", True)
    assert "danang" not in json.dumps(p.model_dump(mode="json"))


def test_minimal_params_of_a_city_that_does_not_say_where_its_data_live_stop_naming_the_key(tmp_path):
    root = two_cities(tmp_path)
    edit_yaml(root / "data" / "cities" / "lamson" / "city.yaml", "submissions: data/sample/lamson\n", "")
    with pytest.raises(ConfigError) as e:
        params.load_params(root / "params" / "lamson-2026-Q3.yaml", root)
    assert e.value.key == "submissions" and e.value.exit_code == 2
    assert "data/cities/lamson/city.yaml" in str(e.value) and "lamson-2026-Q3.yaml" in str(e.value)


def test_params_of_a_city_not_configured_list_the_cities_there_are(tmp_path):
    root = two_cities(tmp_path)
    (root / "params" / "hanoi-2026-Q3.yaml").write_text("city: hanoi\nperiod: 2026-Q3\nreport_date: 2026-10-05\n",
                                                        encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        params.load_params(root / "params" / "hanoi-2026-Q3.yaml", root)
    assert e.value.key == "city" and "danang, lamson" in str(e.value)


def test_a_notebook_without_a_city_runs_the_projects_default_run_and_says_so(tmp_path):
    root = two_cities(tmp_path)
    r = params.notebook_run(root, needs_unit=True)
    default = yaml.safe_load((root / "data" / "cities" / "default.yaml").read_text(encoding="utf-8"))
    assert r.source == root / default["params"] and r.unit == default["unit"]
    assert "data/cities/default.yaml" in r.note and "dữ liệu mẫu" in r.note
    given = params.notebook_run(root, city="lamson", period="2026-Q3", report_date="2026-10-20",
                                submissions=str(root / "x"), database=str(root / "x.duckdb"), sample_data=False,
                                on_track=0.9, at_risk=0.7, history_quarters=4)
    assert given.note == "" and given.submissions == root / "x" and given.sample_data is False


def test_a_notebook_with_a_city_and_no_period_takes_that_citys_latest_params(tmp_path):
    root = two_cities(tmp_path)
    r = params.notebook_run(root, city="lamson", needs_unit=True)
    assert (r.city, r.period, r.report_date) == ("lamson", "2026-Q3", "2026-10-20")
    assert r.submissions == root / "data" / "sample" / "lamson" and r.unit == "X-THACHBAN"  # first unit that reports
    with pytest.raises(ConfigError) as e:
        params.notebook_run(root, city="lamson", period="2025-Q1")  # no params file for that period
    assert e.value.key == "report_date"


def test_a_unit_of_another_city_without_a_city_names_the_city_it_belongs_to(tmp_path):
    root = two_cities(tmp_path)
    with pytest.raises(ConfigError) as e:
        params.notebook_run(root, unit="X-TANPHU", needs_unit=True)
    assert e.value.key == "unit" and "thuộc: lamson" in str(e.value)


def test_no_default_run_and_no_city_lists_the_cities(tmp_path):
    root = two_cities(tmp_path)
    (root / "data" / "cities" / "default.yaml").unlink()
    with pytest.raises(ConfigError) as e:
        params.notebook_run(root)
    assert "danang, lamson" in str(e.value)


# ---------------------------------------------------------------- the city is explicit


def stamped(tmp_path: Path, root: Path, city: str, unit: str, name: str = "a") -> Path:
    from dxreport.domain.config import load_indicators
    from dxreport.domain.units import indicators_for, load_units
    from dxreport.intake.workbook import blank_rows, write_workbook

    city_dir = root / "data" / "cities" / city
    units = load_units(city_dir)
    rows = blank_rows(indicators_for(unit, units, load_indicators(city_dir)))
    path = tmp_path / name / f"{unit}.xlsx"
    write_workbook(path, unit=unit, unit_name=units.loc[unit, "name"], period="2026-Q3", rows=rows, city=city)
    return path


def test_the_workbooks_stamp_decides_and_a_disagreement_lists_the_choices(tmp_path):
    root = two_cities(tmp_path / "p")
    ls = stamped(tmp_path, root, "lamson", "X-TANPHU")
    dn = stamped(tmp_path, root, "danang", "SNV", "b")
    assert intake.city_stamp(ls) == "lamson" and intake.resolve_city([ls], root) == root / "data" / "cities" / "lamson"
    with pytest.raises(UsageError) as e:
        intake.resolve_city([ls], root, "danang")
    assert e.value.exit_code == 2 and "lamson" in str(e.value) and "--city" in str(e.value)
    with pytest.raises(UsageError) as e:
        intake.resolve_city([ls, dn], root)
    assert "danang (1 tệp), lamson (1 tệp)" in str(e.value)


def test_without_a_stamp_one_city_is_enough_two_are_a_choice(tmp_path):
    root = two_cities(tmp_path / "p")
    csv = tmp_path / "X-TANPHU.csv"
    csv.write_text("x\n", encoding="utf-8")
    with pytest.raises(UsageError) as e:
        intake.resolve_city([csv], root)
    assert "danang, lamson" in str(e.value)
    shutil.rmtree(root / "data" / "cities" / "lamson")
    assert intake.resolve_city([csv], root).name == "danang"


def test_the_city_is_not_guessed_from_the_files_path(tmp_path):
    root = two_cities(tmp_path / "p")
    inside = tmp_path / "lamson" / "incoming" / "SNV.csv"  # a folder named like the other city
    inside.parent.mkdir(parents=True)
    inside.write_text("x\n", encoding="utf-8")
    with pytest.raises(UsageError):
        intake.resolve_city([inside], root)


def test_ingest_rejects_a_workbook_made_for_another_city(tmp_path):
    root = two_cities(tmp_path / "p")
    dn = stamped(tmp_path, root, "danang", "SNV")
    result = intake.ingest([dn], tmp_path / "store.duckdb", root=root, city_dir=root / "data" / "cities" / "lamson")
    assert result.counts == {"added": 0, "skipped": 0, "rejected": 1}
    assert "'danang', không phải 'lamson'" in result.rejected[0].problems[0].message


def test_cli_check_with_a_city_that_disagrees_exits_2(tmp_path, capsys, monkeypatch):
    root = two_cities(tmp_path / "p")
    ls = stamped(tmp_path, root, "lamson", "X-TANPHU")
    monkeypatch.setenv("DXREPORT_ROOT", str(root))
    assert main(["check", str(ls), "--city", "danang"]) == 2
    assert "lamson" in capsys.readouterr().err
    assert main(["check", str(ls)]) == 1  # its own city: blank values are problems of the data, exit 1


def test_a_run_whose_submissions_hold_another_citys_workbooks_stops_before_any_kernel(tmp_path):
    root = two_cities(tmp_path / "p")
    folder = root / "data" / "sample" / "lamson" / "2026-Q3"
    folder.mkdir(parents=True)
    shutil.copy(stamped(tmp_path, root, "danang", "SNV"), folder / "SNV.xlsx")
    (root / "notebooks").mkdir()
    (root / "notebooks" / "city_quarterly.ipynb").write_text("{}", encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        run.check(root / "params" / "lamson-2026-Q3.yaml", root)
    assert e.value.key == "submissions" and "danang: 1 tệp" in str(e.value)


# ---------------------------------------------------------------- every input of a report


def test_frameworks_city_files_fonts_templates_params_and_text_are_inputs(root):
    params_file = root / "params" / "danang-2026-Q3.yaml"
    job = run.Job(params_file, params.load_params(params_file, root), "city_quarterly")
    inputs = {p.relative_to(root).as_posix() for p in run.input_files(root, job)}
    for needed in ("data/frameworks/danang-dvi-so.yaml", "data/frameworks/danang-dvi-xa.yaml",
                   "data/cities/danang/city.yaml", "data/cities/danang/programme.yaml",
                   "params/danang-2026-Q3.yaml", "params/danang-2026-Q3.text.md",
                   "templates/_ranking.html.j2", "templates/report.css", "data/fonts/LiberationSerif-Regular.ttf",
                   "notebooks/city_quarterly.ipynb"):
        assert needed in inputs, needed
    assert "data/frameworks/dti-2022.yaml" not in inputs  # a framework the city does not use


def test_index_frameworks_come_from_the_city_file(tmp_path):
    root = two_cities(tmp_path, with_sample=False)
    assert frameworks.city_framework_ids(root, "danang") == ["danang-dvi-so", "danang-dvi-xa"]
    assert frameworks.city_framework_ids(root, "lamson") == []
    edit_yaml(root / "data" / "cities" / "danang" / "city.yaml", "index_frameworks: [danang-dvi-so, danang-dvi-xa]",
              "index_frameworks: [danang-dvi-xa]")
    config.load_city.cache_clear()
    assert frameworks.city_framework_ids(root, "danang") == ["danang-dvi-xa"]


# ---------------------------------------------------------------- check-config


def findings(root: Path, code: str) -> list[str]:
    return [f.text() for f in check_city(root, code)]


def test_the_configured_cities_are_clean(tmp_path):
    root = two_cities(tmp_path)
    assert not [t for t in findings(root, "danang") if t.startswith("LỖI")]
    assert not [t for t in findings(root, "lamson") if t.startswith("LỖI")]


def test_a_target_below_its_baseline_for_an_increasing_measure_names_file_line_and_key(tmp_path):
    root = two_cities(tmp_path, with_sample=False)
    programme = root / "data" / "cities" / "lamson" / "programme.yaml"
    edit_yaml(programme, "    target: 0.95\n", "    target: 0.60\n")  # CT03, baseline 0.70, increase
    lines = programme.read_text(encoding="utf-8").splitlines()
    ct03 = next(n for n, line in enumerate(lines, 1) if "code: CT03" in line)
    out = findings(root, "lamson")
    hit = [t for t in out if "targets[CT03]" in t]
    assert hit and f"dòng {ct03}," in hit[0] and "thấp hơn giá trị cơ sở" in hit[0] and "programme.yaml" in hit[0]
    with pytest.raises(ConfigError):
        config.load_programme(root / "data" / "cities" / "lamson")  # the loader refuses it too


def test_unknown_unit_share_written_as_a_percentage_and_unknown_reporter_are_each_reported(tmp_path):
    root = two_cities(tmp_path, with_sample=False)
    city = root / "data" / "cities" / "lamson"
    edit_yaml(city / "programme.yaml", "    responsible: LSO\n", "    responsible: SO-KHONG-CO\n")
    edit_yaml(city / "programme.yaml", "    baseline: {value: 0.50,", "    baseline: {value: 50,")
    edit_yaml(city / "programme.yaml", "    target: 1.0\n", "    target: 100\n")
    edit_yaml(city / "indicators.yaml", "reported_by: [commune]}", "reported_by: [xa]}")
    out = "\n".join(findings(root, "lamson"))
    assert "targets[CT01].responsible" in out and "SO-KHONG-CO" in out
    assert "targets[CT02].baseline.value" in out and "có lẽ là 0,5" in out
    assert "indicators[HS_TONG].reported_by" in out and "'xa'" in out


def test_a_framework_whose_points_do_not_add_up_is_named_with_its_line(tmp_path):
    root = two_cities(tmp_path, with_sample=False)
    fw = root / "data" / "frameworks" / "danang-dvi-xa.yaml"
    text = fw.read_text(encoding="utf-8")
    total = re.search(r"total: \{code: (\w+), name: \"[^\"]+\", points: (\d+)", text)
    assert total
    fw.write_text(text.replace(f"points: {total.group(2)}, basis", f"points: {int(total.group(2)) + 7}, basis", 1),
                  encoding="utf-8")
    out = [t for t in findings(root, "danang") if "danang-dvi-xa.yaml" in t]
    assert out and "total.points" in out[0] and "dòng " in out[0] and "khác tổng điểm khai báo" in out[0]


def test_cli_check_config_exit_codes(tmp_path, capsys, monkeypatch):
    root = two_cities(tmp_path, with_sample=False)
    monkeypatch.setenv("DXREPORT_ROOT", str(root))
    assert main(["check-config", "lamson"]) == 0
    edit_yaml(root / "data" / "cities" / "lamson" / "units.csv", "X-HOABINH,Xã Hòa Bình,commune,LSO",
              "X-HOABINH,Xã Hòa Bình,xa,LSO")
    config.load_city.cache_clear()
    assert main(["check-config", "lamson"]) == 2
    out = capsys.readouterr().out
    assert "units.csv, dòng 7, khóa 'cột kind'" in out


# ---------------------------------------------------------------- new-city


def test_new_city_writes_a_commented_skeleton_that_loads_and_lists_what_to_fill(tmp_path, capsys, monkeypatch):
    root = two_cities(tmp_path, with_sample=False)
    monkeypatch.setenv("DXREPORT_ROOT", str(root))
    assert main(["new-city", "ma-tinh", "--name", "Tỉnh Mẫu Sơn", "--period", "2026-Q3"]) == 0
    city_dir = root / "data" / "cities" / "ma-tinh"
    for name in ("city.yaml", "units.csv", "indicators.yaml", "programme.yaml", "succession.csv", "sample.yaml"):
        assert (city_dir / name).is_file(), name
    for rel in ("data/frameworks/ma-tinh-dvi-xa.yaml", "params/ma-tinh-2026-Q3.yaml", "params/ma-tinh-2026-Q3.text.md"):
        assert (root / rel).is_file(), rel
    assert "# " in (city_dir / "city.yaml").read_text(encoding="utf-8")  # commented
    city = config.load_city(city_dir)
    assert (city.kind, city.short_name, city.issuing_body_parent) == ("province", "Mẫu Sơn", "UBND TỈNH MẪU SƠN")
    config.load_programme(city_dir)
    frameworks.load_file(root / "data" / "frameworks" / "ma-tinh-dvi-xa.yaml")
    errors = [t for t in findings(root, "ma-tinh") if t.startswith("LỖI")]
    assert errors and all("(điền" in t for t in errors)  # only what the office must fill
    assert main(["new-city", "ma-tinh"]) == 2  # never overwrites
    assert main(["new-city", "Mã Tỉnh"]) == 2
    assert "đã có" in capsys.readouterr().err


# ---------------------------------------------------------------- sample


def test_sample_regenerates_the_committed_sample_from_the_citys_files(tmp_path, root):
    """Same files and seed, same bytes; and the same figures, notes and dates as the committed sample workbooks
    (kept in the version-1 layout: the intake tests build their broken workbooks from them)."""
    city_dir = root / "data" / "cities" / "danang"
    written = sample.generate(city_dir, tmp_path / "a")
    again = sample.generate(city_dir, tmp_path / "b")
    assert [hashlib.sha256(p.read_bytes()).digest() for p in written] == [hashlib.sha256(p.read_bytes()).digest() for p in again]
    committed = sorted((root / "data" / "sample" / "danang").rglob("*.xlsx"))
    assert sorted(p.relative_to(tmp_path / "a") for p in written) == [p.relative_to(root / "data" / "sample" / "danang") for p in committed]
    expected = intake.expected_for(city_dir)
    workbooks = [p for p in committed if p.parent.name != sample.ASSESSMENT_FOLDER]
    sheets = [p for p in committed if p.parent.name == sample.ASSESSMENT_FOLDER]
    assert {p.parent.parent / p.name for p in sheets} == set(workbooks)  # every unit that reported has its assessment sheet
    for old in sheets[::9]:  # the assessment sheets of the city's index: the same entries, item by item
        new = tmp_path / "a" / old.relative_to(root / "data" / "sample" / "danang")
        assert intake.check_file(old, expected).parsed.records == intake.check_file(new, expected).parsed.records, old
    for old in workbooks[::7]:  # every 7th file: all periods and kinds of unit, a few seconds
        new = tmp_path / "a" / old.relative_to(root / "data" / "sample" / "danang")
        a, b = intake.check_file(old, expected).submission(), intake.check_file(new, expected).submission()
        columns = ["indicator", "value", "note"]
        assert a.observations[columns].fillna("").values.tolist() == b.observations[columns].fillna("").values.tolist(), old
        assert (a.unit, a.period, a.submitted_on) == (b.unit, b.period, b.submitted_on)
        assert intake.city_stamp(new) == "danang"
    # The units that lead programme tasks are committed in the current layout, with their NhiemVu sheet: the same
    # progress, dates and evidence as regenerated.
    leads = {t.lead for t in load_programme(city_dir).tasks}
    task_books = [p for p in workbooks if p.stem in leads]
    assert task_books and all(p.read_bytes() == (tmp_path / "a" / p.relative_to(root / "data" / "sample" / "danang")).read_bytes()
                              for p in task_books)


def test_sample_for_another_city_follows_its_own_files(tmp_path):
    root = two_cities(tmp_path / "p", with_sample=False)
    city_dir = root / "data" / "cities" / "lamson"
    written = sample.generate(city_dir, tmp_path / "a", sample.parse_periods("2025-Q3:2026-Q3"))
    again = sample.generate(city_dir, tmp_path / "b", sample.parse_periods("2025-Q3:2026-Q3"))
    assert [p.read_bytes() for p in written] == [p.read_bytes() for p in again]
    names = {p.stem for p in written}
    assert names <= {"X-THACHBAN", "X-TANPHU", "X-HOABINH", "X-SUOIDA", "X-DONGLAM", "X-NAMLAM"}
    assert not (tmp_path / "a" / "2026-Q3" / "X-SUOIDA.xlsx").exists()  # missing_last_period
    assert not (tmp_path / "a" / "2025-Q4" / "X-NAMLAM.xlsx").exists()  # created on 2026-01-01
    checked = intake.check_file(written[0], intake.expected_for(city_dir))
    assert checked.ok, [p.line() for p in checked.problems]
    index_values = checked.submission().observations.set_index("indicator")["value"]
    assert 0 < index_values["CS_XA"] < 1 and index_values["CS_XA"] == round(index_values["CS_XA"], 4)


def test_sample_help_writes_nothing_and_periods_are_checked(tmp_path, capsys, monkeypatch):
    root = two_cities(tmp_path, with_sample=False)
    monkeypatch.setenv("DXREPORT_ROOT", str(root))
    before = sorted(p for p in root.rglob("*"))
    with pytest.raises(SystemExit) as e:
        main(["sample", "--help"])
    assert e.value.code == 0 and sorted(p for p in root.rglob("*")) == before
    assert main(["sample", "--city", "lamson", "--periods", "2026-Q3:2025-Q1"]) == 2
    assert main(["sample"]) == 2  # two cities: which one?
    assert "danang, lamson" in capsys.readouterr().err
    assert main(["sample", "--city", "lamson", "--periods", "2026-Q2:2026-Q3"]) == 0
    assert sorted(p.parent.name for p in (root / "data" / "sample" / "lamson").rglob("*.xlsx"))[0] == "2026-Q2"


# ---------------------------------------------------------------- small items


def test_index_kind_is_formatted_as_an_index_not_a_percentage():
    assert fmt.measure(0.58991, fmt.INDEX_UNIT) == "0,5899"
    assert fmt.change(0.02151, fmt.INDEX_UNIT) == "+0,0215"
    assert fmt.measure(0.58991, "%") == "59,0%"


def test_index_values_are_read_and_bounded(tmp_path):
    from dxreport.intake.validate import _number

    indicator = config.Indicator(code="CS_XA", name="Chỉ số", unit_of_measure=fmt.INDEX_UNIT, kind="index",
                                 reported_by=["commune"])
    assert _number("0,8123", indicator)[0] == pytest.approx(0.8123)
    value, message, hint = _number(1.5, indicator)
    assert value is None and "0–1" in message and "0,8123" in hint


def test_a_period_before_a_unit_started_is_not_started_not_missing(tmp_path):
    root = two_cities(tmp_path, with_sample=False)
    city = config.load_city(root / "data" / "cities" / "lamson")
    subs = pd.DataFrame({"unit": ["X-NAMLAM"], "period": ["2026-Q1"], "revision": [1],
                         "submitted_on": [pd.Timestamp("2026-04-05")], "received_at": [pd.Timestamp("2026-04-06")]})
    from datetime import date

    starts = scorecard.reporting_starts(city, subs, date(2026, 1, 1))
    assert starts.id == "2026-Q1"
    history = scorecard.submission_history(subs, city, "X-NAMLAM", ["2025-Q4", "2026-Q1", "2026-Q2"], starts=starts)
    assert [h["state"] for h in history] == ["not_started", "on_time", "missing"]
    assert scorecard.SUBMISSION_STATES["not_started"] == "Chưa bắt đầu báo cáo"
    assert scorecard.reporting_starts(city, subs).id == "2025-Q3"  # the province's first_period


def test_header_and_recipients_come_from_the_city_file(tmp_path):
    root = two_cities(tmp_path, with_sample=False)
    city = config.load_city(root / "data" / "cities" / "lamson")
    ctx = render.document_context(city=city, period="2026-Q3", report_date="2026-10-20", title="t", sample_mark="")
    assert ctx["locality"] == "tỉnh" and ctx["recipients"][-1] == "Lưu: VT, SKHCN" and ctx["place_long"] is False
    assert "UBND các xã" in ctx["recipients"]
    long = city.model_copy(update={"place": "Thành phố Hồ Chí Minh", "recipients": []})
    ctx = render.document_context(city=long, period="2026-Q3", report_date="2026-10-20", title="t", sample_mark="")
    assert ctx["place_long"] is True and ctx["recipients"][0].startswith(city.steering_body)
    header = render.environment(ROOT / "templates").get_template("_header.html.j2").render(**ctx)
    assert 'class="place-date long"' in header and "Thành phố Hồ Chí Minh, ngày 20 tháng 10 năm 2026" in header


# ---------------------------------------------------------------- no city in the code


GENERIC = {"Sở Khoa học và Công nghệ", "SKHCN"}  # every province has one; the skeleton writes it


def city_words() -> set[str]:
    words: set[str] = set()
    for city_dir in [*(ROOT / "data" / "cities").iterdir(), TEST_DATA / "config"]:
        if not (city_dir / "city.yaml").is_file():
            continue
        c = yaml.safe_load((city_dir / "city.yaml").read_text(encoding="utf-8"))
        words |= {c["code"], c["name"], c["short_name"]}
        units = pd.read_csv(city_dir / "units.csv", dtype=str, keep_default_na=False)
        words |= {u for u in units["code"] if "-" in u or len(u) >= 4} | set(units["name"])
    return words - GENERIC


def without_comments(source: str) -> str:
    """Python code without its comments and docstrings (a docstring's example may name the sample city)."""
    import ast
    import io
    import tokenize

    docs: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        body = getattr(node, "body", None)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and body \
                and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
                and isinstance(body[0].value.value, str):
            docs.update(range(body[0].lineno, body[0].end_lineno + 1))
    return " ".join(t.string for t in tokenize.generate_tokens(io.StringIO(source).readline)
                    if t.type != tokenize.COMMENT and t.start[0] not in docs)


def code_texts():
    for p in sorted((ROOT / "lib" / "dxreport").rglob("*.py")):
        yield p, without_comments(p.read_text(encoding="utf-8"))
    for p in sorted((ROOT / "templates").rglob("*")):
        if p.is_file():
            text = p.read_text(encoding="utf-8")
            yield p, re.sub(r"\{#.*?#\}|/\*.*?\*/", "", text, flags=re.S)  # Jinja and CSS comments
    for p in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(p.read_text(encoding="utf-8"))["cells"]
        yield p, "\n".join("".join(c["source"]) for c in cells)  # code and prose, not the stored outputs


def test_no_city_is_named_in_code_templates_or_notebooks():
    words = city_words()
    assert {"danang", "Đà Nẵng", "lamson", "P-HCH"} <= words
    found = []
    for path, text in code_texts():
        text = unicodedata.normalize("NFC", text)
        for w in words:
            flags = re.IGNORECASE if w.islower() else 0
            if re.search(r"(?<![\w-])" + re.escape(w) + r"(?![\w-])", text, flags):
                found.append(f"{path.relative_to(ROOT)}: {w}")
    assert not found


def test_run_without_a_file_and_without_a_default_run_exits_2_with_the_cities(tmp_path, capsys, monkeypatch):
    root = two_cities(tmp_path, with_sample=False)
    (root / "data" / "cities" / "default.yaml").unlink()
    monkeypatch.setenv("DXREPORT_ROOT", str(root))
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "danang, lamson" in err and "default.yaml" in err


def test_a_bad_period_given_to_a_notebook_names_the_parameter(tmp_path):
    root = two_cities(tmp_path, with_sample=False)
    with pytest.raises(ConfigError) as e:
        params.notebook_run(root, city="lamson", period="2026-Q5")
    assert e.value.key == "period"


@pytest.mark.parametrize("xml", [
    b'<Properties><property name="dxreport-city" pid="2"><vt:lpwstr>lamson</vt:lpwstr></property></Properties>',
    b'<Properties><property fmtid="{X}" pid="2" name="dxreport-city"><vt:lpwstr xmlns:vt="urn:x">lamson</vt:lpwstr>'
    b'</property></Properties>',  # with lxml, openpyxl declares the namespace on the element itself
])
def test_the_stamp_is_read_however_the_properties_are_serialised(tmp_path, xml):
    import zipfile

    path = tmp_path / "a.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("docProps/custom.xml", xml)
    assert intake.city_stamp(path) == "lamson"
