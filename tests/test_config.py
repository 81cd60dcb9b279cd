import shutil

import pytest
from dxreport.domain.config import load_city, load_indicators, load_programme
from dxreport.domain.errors import ConfigError
from dxreport.domain.params import load_params
from dxreport.domain.periods import Period
from dxreport.domain.units import active_on, expected_reports, load_units


def test_sample_city_is_complete(city_dir):
    units = load_units(city_dir)
    assert (units["kind"] == "department").sum() >= 12
    assert units["kind"].isin(["ward", "commune"]).sum() >= 10
    programme = load_programme(city_dir)
    assert len(programme.targets) >= 15
    for t in programme.targets:
        assert t.responsible in units.index, t.code
        assert t.source.document
    assert load_city(city_dir).short_name == "Đà Nẵng"


def test_districts_end_with_the_2025_reorganisation(city_dir):
    units = load_units(city_dir)
    before = active_on(units, Period.parse("2025-Q2").end)
    after = active_on(units, Period.parse("2025-Q3").end)
    assert (before["kind"] == "district").sum() == 7 and (before["kind"] == "ward").sum() == 0
    assert (after["kind"] == "district").sum() == 0 and (after["kind"] == "ward").sum() >= 10
    expected = expected_reports(units, load_indicators(city_dir), Period.parse("2026-Q3"))
    assert not expected["unit"].str.startswith("Q-").any()


def test_bad_programme_names_file_and_key(tmp_path, city_dir):
    for f in city_dir.iterdir():
        shutil.copy(f, tmp_path / f.name)
    text = (tmp_path / "programme.yaml").read_text(encoding="utf-8")
    (tmp_path / "programme.yaml").write_text(text.replace("direction: increase", "direction: upward", 1), encoding="utf-8")
    load_programme.cache_clear()
    with pytest.raises(ConfigError) as e:
        load_programme(tmp_path)
    assert "programme.yaml" in str(e.value) and "targets[CT01].direction" in str(e.value)


def write_params(tmp_path, body: str):
    p = tmp_path / "p.yaml"
    p.write_text(body, encoding="utf-8")
    return p


def test_params_unknown_key(tmp_path):
    p = write_params(tmp_path, "city: danang\nperiod: 2026-Q3\nreport_date: 2026-10-05\ncolour: red\n")
    with pytest.raises(ConfigError) as e:
        load_params(p)
    assert e.value.key == "colour" and "p.yaml" in str(e.value) and "không được hỗ trợ" in str(e.value)


@pytest.mark.parametrize(
    "body,key",
    [("city: danang\nperiod: 2026-Q5\nreport_date: 2026-10-05\n", "period"),
     ("city: danang\nperiod: 2026-Q3\nreport_date: hôm nay\n", "report_date"),
     ("city: ../etc\nperiod: 2026-Q3\nreport_date: 2026-10-05\n", "city"),
     ("city: danang\nperiod: 2026-Q3\nreport_date: 2026-10-05\ndatabase: /etc/passwd\n", "database"),
     ("city: danang\nperiod: 2026-Q3\nreport_date: 2026-10-05\nthresholds: {on_track: 0.5, at_risk: 0.9}\n", "thresholds.at_risk"),
     ("period: 2026-Q3\nreport_date: 2026-10-05\n", "city")],
)
def test_params_bad_values(tmp_path, body, key):
    with pytest.raises(ConfigError) as e:
        load_params(write_params(tmp_path, body))
    assert e.value.key == key


def test_default_params_are_valid(root):
    params = load_params(root / "params" / "danang-2026-Q3.yaml")
    assert params.period == "2026-Q3" and params.report_date.isoformat() == "2026-10-05"


@pytest.mark.parametrize(
    "body,key,words",
    [("city: ../etc\nperiod: 2026-Q3\nreport_date: 2026-10-05\n", "city", "chữ thường không dấu"),
     ("city: danang\nperiod: 2026-Q3\nreport_date: 2026-10-05\nthresholds: {on_track: 0}\n", "thresholds.on_track", "phải lớn hơn 0"),
     ("city: danang\nperiod: 2026-Q3\nreport_date: 2026-10-05\nhistory_quarters: 40\n", "history_quarters", "nhỏ hơn hoặc bằng 12"),
     ("city: danang\nperiod: 2026-Q3\nreport_date: 2026-10-05\nhistory_quarters: 2.5\n", "history_quarters", "số nguyên"),
     ("city: danang\nperiod: 2026-Q3\nreport_date: 2026-10-05\nthresholds: [1, 2]\n", "thresholds", "bảng khóa")],
)
def test_params_messages_are_vietnamese(tmp_path, body, key, words):
    """pydantic's own English ('String should match pattern', 'Input should be…') never reaches the analyst."""
    with pytest.raises(ConfigError) as e:
        load_params(write_params(tmp_path, body))
    assert e.value.key == key and words in e.value.message
    assert "should" not in e.value.message and "Input" not in e.value.message


def test_params_path_that_is_a_folder(tmp_path):
    with pytest.raises(ConfigError) as e:
        load_params(tmp_path)
    assert str(tmp_path) in str(e.value) and "thư mục" in str(e.value) and e.value.exit_code == 2
