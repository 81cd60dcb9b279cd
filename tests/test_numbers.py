"""The Vietnamese number parser: round trips with fmt, and refusals of ambiguous input."""

from __future__ import annotations

from decimal import Decimal

import pytest
from dxreport.domain import fmt
from dxreport.intake.numbers import NumberError, parse_number, parse_share
from hypothesis import given, settings
from hypothesis import strategies as st


@given(st.integers(min_value=-10**12, max_value=10**12))
def test_integers_round_trip_through_fmt(n):
    assert parse_number(fmt.number(n)) == n


@given(st.decimals(min_value=-10**9, max_value=10**9, places=3, allow_nan=False, allow_infinity=False))
def test_decimals_round_trip_through_fmt(x):
    text = fmt.number(float(x), 3)
    assert parse_number(text) == Decimal(text.replace(".", "").replace(",", ".").replace("−", "-"))
    assert abs(parse_number(text) - x) <= Decimal("0.0005")


@given(st.integers(min_value=0, max_value=1000))
def test_percentages_round_trip_through_fmt(tenths):
    share = tenths / 1000  # 0..1 in steps of 0,1%
    text = fmt.percent(share, 1)
    assert parse_share(text) == Decimal(tenths) / 1000
    assert parse_share(text.replace("%", " %")) == Decimal(tenths) / 1000


@pytest.mark.parametrize("text, value", [
    ("1.234,5", Decimal("1234.5")), ("1.234.567", 1234567), ("1 234", 1234), ("\u00a012\u00a0", 12),
    ("−5", -5), ("0,85", Decimal("0.85")), ("1.234", 1234),
])
def test_vietnamese_forms(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text, value", [("85%", "0.85"), ("85 %", "0.85"), ("85,5%", "0.855"), ("0,85", "0.85"), ("1", "1"), ("100%", "1")])
def test_share_forms(text, value):
    assert parse_share(text) == Decimal(value)


@pytest.mark.parametrize("text, says", [
    ("0.85", "dấu chấm thập phân"), ("1,234.5", "kiểu tiếng Anh.*1.234,5"), ("1,234,567", "kiểu Việt Nam là 1.234.567"), ("12.34", "dấu chấm thập phân"), ("1.23.456", "dấu chấm phân cách"),
    ("1,2,3", "nhiều hơn một dấu phẩy"), ("12,34.5", "không phải là số"), ("", "trống"), ("abc", "không phải là số"), ("1.2345", "dấu chấm thập phân"),
])
def test_refusals_explain(text, says):
    with pytest.raises(NumberError, match=says):
        parse_number(text)


@pytest.mark.parametrize("text", ["85", "1,5", "%", "0.85"])
def test_share_refusals(text):
    with pytest.raises(NumberError):
        parse_share(text)


@settings(max_examples=300)
@given(st.text(max_size=20))
def test_any_text_parses_or_is_refused_in_vietnamese(text):
    for parse in (parse_number, parse_share):
        try:
            parse(text)
        except NumberError as e:
            assert str(e)


@given(st.integers(min_value=1000, max_value=10**9))
def test_english_thousands_comma_never_read_as_thousands(n):
    english = f"{n:,}"  # 1,234,567
    try:
        value = parse_number(english)
    except NumberError:
        return
    assert value != n  # read as a decimal comma (then refused by the integer check), never silently as n
