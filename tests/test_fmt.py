from datetime import date, datetime

import pytest
from dxreport.domain import fmt


@pytest.mark.parametrize(
    "value,decimals,text",
    [(1234.5, 1, "1.234,5"), (1234567, 0, "1.234.567"), (0.125, 2, "0,13"), (-3.5, 1, "-3,5"),
     (-0.0001, 2, "0,00"), (None, 0, "–"), (float("nan"), 2, "–")],
)
def test_number(value, decimals, text):
    assert fmt.number(value, decimals) == text


def test_index_keeps_four_decimals():
    # Babel's default vi pattern would print 0,8
    assert fmt.index(0.8002) == "0,8002"
    assert fmt.index(1) == "1,0000"
    assert fmt.index(0.69245) == "0,6925"


def test_percent_and_points():
    assert fmt.percent(0.853) == "85,3%"
    assert fmt.percent(1) == "100,0%"
    assert fmt.percent(0.5, 0) == "50%"
    assert fmt.points(0.021) == "+2,1\u00a0điểm phần trăm"
    assert fmt.points(-0.295238) == "−29,5\u00a0điểm phần trăm"
    assert fmt.points(0.0001) == "0\u00a0điểm phần trăm"


def test_signed_and_auto():
    assert fmt.signed(3) == "+3"
    assert fmt.signed(-2.25, 1) == "−2,3"
    assert fmt.signed(0) == "0"
    assert fmt.number_auto(12) == "12"
    assert fmt.number_auto(12.5) == "12,5"
    assert fmt.number_auto(1500.25) == "1.500,25"


@pytest.mark.parametrize(
    "day,text",
    [(date(2026, 5, 6), "ngày 06 tháng 5 năm 2026"), (date(2026, 1, 15), "ngày 15 tháng 01 năm 2026"),
     (date(2026, 2, 9), "ngày 09 tháng 02 năm 2026"), (date(2026, 12, 31), "ngày 31 tháng 12 năm 2026"),
     ("2026-10-05", "ngày 05 tháng 10 năm 2026"), (datetime(2026, 3, 1, 8, 0), "ngày 01 tháng 3 năm 2026")],
)
def test_administrative_date(day, text):
    assert fmt.date_admin(day) == text


def test_short_date_and_measure():
    assert fmt.date_short(date(2025, 12, 31)) == "31/12/2025"
    assert fmt.date_short(date(2026, 2, 3)) == "03/02/2026"
    assert fmt.measure(0.95, "%") == "95,0%"
    assert fmt.measure(1200, "hồ sơ") == "1.200 hồ sơ"
    assert fmt.measure(None, "%") == "–"


def test_filters_cover_every_formatter():
    filters = fmt.jinja_filters()
    for name in ("number", "index", "percent", "points", "date_admin", "period_label", "measure"):
        assert callable(filters[name])


def test_counts_yes_no_and_unit_names_in_running_text():
    assert fmt.count(6) == "06"
    assert fmt.count(15) == "15"
    assert fmt.count(0) == "0"
    assert fmt.yes_no(1) == "Có" and fmt.yes_no(0) == "Chưa" and fmt.yes_no(None) == fmt.MISSING
    assert fmt.units_of(8, 14) == "8/14 đơn\u00a0vị"
    assert fmt.units_change(-3) == "−3 đơn\u00a0vị"
    assert fmt.unit_in_text("Phường Ngũ Hành Sơn") == "phường Ngũ Hành Sơn"
    assert fmt.unit_in_text("Xã Bà Nà") == "xã Bà Nà"
    assert fmt.unit_in_text("Thành phố Đà Nẵng") == "thành phố Đà Nẵng"
    assert fmt.unit_in_text("Sở Văn hóa và Thể thao") == "Sở Văn hóa và Thể thao"
    assert fmt.unit_in_text("Xây dựng") == "Xây dựng"  # only the whole word counts
    assert fmt.lower_first("Quý III/2026") == "quý III/2026"
