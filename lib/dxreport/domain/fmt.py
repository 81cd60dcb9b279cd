"""The one place where numbers, percentages, dates and periods become Vietnamese text.

Built on Babel's ``vi`` locale (decimal comma, thousands dot). Babel alone is not
enough: its default decimal pattern rounds to 3 digits (0.8002 → "0,8") and it
has no administrative date form, so every pattern here is explicit. Templates
use these functions as Jinja filters (:func:`jinja_filters`); nothing else in
the project formats a number or a date by hand.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from babel.numbers import format_decimal

from dxreport.domain.periods import Period

LOCALE = "vi_VN"
MISSING = "–"
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(value)
    except TypeError:
        return False


def _round_half_up(value: float, decimals: int) -> Decimal:
    """Round as a reader expects (0.125 → 0.13), not banker's rounding."""
    quantum = Decimal(1).scaleb(-decimals)
    return Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP)


def _pattern(decimals: int, group: bool = True) -> str:
    base = "#,##0" if group else "0"
    return base + ("." + "0" * decimals if decimals > 0 else "")


def number(value: Any, decimals: int = 0) -> str:
    """``1234.5`` → ``1.234,5`` with a fixed number of decimals."""
    if _is_missing(value):
        return MISSING
    rounded = _round_half_up(value, decimals)
    if rounded == 0:
        rounded = abs(rounded)
    return format_decimal(rounded, format=_pattern(decimals), locale=LOCALE, decimal_quantization=True)


def number_auto(value: Any, max_decimals: int = 2) -> str:
    """A quantity with as many decimals as it needs, up to ``max_decimals``: ``12`` → ``12``, ``12.5`` → ``12,5``."""
    if _is_missing(value):
        return MISSING
    rounded = _round_half_up(value, max_decimals).normalize()
    decimals = max(0, -rounded.as_tuple().exponent)  # type: ignore[operator]
    return number(value, min(decimals, max_decimals))


def index(value: Any) -> str:
    """An index value (0..1) to the 4 decimals the ministry publishes: ``0.8002`` → ``0,8002``."""
    return number(value, 4)


def percent(value: Any, decimals: int = 1) -> str:
    """A share (0..1) as a percentage: ``0.853`` → ``85,3%``."""
    if _is_missing(value):
        return MISSING
    return number(float(value) * 100, decimals) + "%"


POINTS_UNIT = "điểm phần trăm"


def points(value: Any, decimals: int = 1) -> str:
    """A change of a share in percentage points, signed: ``0.021`` → ``+2,1 điểm phần trăm``.

    A no-break space keeps the number with "điểm"; a narrow column may break before "phần trăm".
    """
    if _is_missing(value):
        return MISSING
    text = number(abs(float(value)) * 100, decimals)
    if text.strip("0,") == "":
        return "0\u00a0" + POINTS_UNIT
    return ("+" if value > 0 else "−") + text + "\u00a0" + POINTS_UNIT


def signed(value: Any, decimals: int = 0) -> str:
    """A signed difference: ``3`` → ``+3``, ``-2`` → ``−2``."""
    if _is_missing(value):
        return MISSING
    text = number(abs(float(value)), decimals)
    if float(_round_half_up(value, decimals)) == 0:
        return text
    return ("+" if value > 0 else "−") + text


def count(value: Any) -> str:
    """A count in running text as administrative documents write it: ``6`` → ``06``, ``15`` → ``15``."""
    if _is_missing(value):
        return MISSING
    n = int(value)
    return f"{n:02d}" if 0 < n < 10 else number(n)


YES, NO = "Có", "Chưa"


def yes_no(value: Any) -> str:
    """A unit's yes/no answer: ``1`` → ``Có``, ``0`` → ``Chưa``."""
    if _is_missing(value):
        return MISSING
    return YES if float(value) > 0 else NO


def units_of(yes: Any, total: Any) -> str:
    """How many units answered yes: ``8/14 đơn vị``."""
    if _is_missing(yes) or _is_missing(total):
        return MISSING
    return f"{number(yes)}/{number(total)} đơn\u00a0vị"


def units_change(value: Any) -> str:
    """Units gained or lost on a yes/no measure: ``+2 đơn vị``, ``−3 đơn vị``, ``0 đơn vị``."""
    if _is_missing(value):
        return MISSING
    return signed(value, 0) + " đơn\u00a0vị"


def sentence_case(text: str) -> str:
    """First letter upper-case, the rest as written (``quý III`` stays ``III``)."""
    return text[:1].upper() + text[1:]


def lower_first(text: str) -> str:
    """First letter lower-case for use inside a sentence, the rest as written (``Quý III/2026`` keeps ``III``)."""
    return text[:1].lower() + text[1:]


# Nghị định 30/2020, Phụ lục II: in running text the generic word of an administrative unit's name is
# written in lower case ("phường Hải Châu", "thành phố Đà Nẵng"); an agency's name keeps its capital ("Sở Nội vụ").
ADMINISTRATIVE_WORDS = ("Thành phố", "Tỉnh", "Quận", "Huyện", "Thị xã", "Thị trấn", "Phường", "Xã", "Đặc khu")


def unit_in_text(name: str) -> str:
    """A unit's name as running text writes it: ``Phường Thanh Khê`` → ``phường Thanh Khê``; ``Sở Nội vụ`` unchanged."""
    for word in ADMINISTRATIVE_WORDS:
        if name.startswith(word + " "):
            return word.lower() + name[len(word):]
    return name


def change(value: Any, unit_of_measure: str) -> str:
    """A change since the previous period in its unit: points for shares, 4 decimals for indices, else 2."""
    if unit_of_measure == "%":
        return points(value)
    return signed(value, 4 if unit_of_measure == INDEX_UNIT else 2)


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _day_month(value: Any) -> tuple[str, str, int]:
    """Day and month as NĐ 30/2020 writes them: days under 10 and months 1–2 take a leading zero."""
    d = _as_date(value)
    return f"{d.day:02d}", (f"{d.month:02d}" if d.month <= 2 else str(d.month)), d.year


def date_admin(value: Any) -> str:
    """``ngày 06 tháng 5 năm 2026`` (the administrative form)."""
    if _is_missing(value):
        return MISSING
    day, month, year = _day_month(value)
    return f"ngày {day} tháng {month} năm {year}"


def date_short(value: Any) -> str:
    """``06/5/2026`` style used in tables, with the same leading-zero rule as :func:`date_admin`."""
    if _is_missing(value):
        return MISSING
    day, month, year = _day_month(value)
    return f"{day}/{month}/{year}"


def period_label(value: Any) -> str:
    """``2026-Q3`` → ``Quý III/2026``; ``2026-H1`` → ``6 tháng đầu năm 2026``; ``2026`` → ``Năm 2026``."""
    p = Period.parse(value)
    if p.kind == "quarter":
        return f"Quý {ROMAN[p.n]}/{p.year}"
    if p.kind == "half":
        return f"6 tháng {'đầu' if p.n == 1 else 'cuối'} năm {p.year}"
    return f"Năm {p.year}"


INDEX_UNIT = "chỉ số"  # the unit of measure of an index-valued target or indicator (0..1, 4 decimals)


def measure(value: Any, unit_of_measure: str) -> str:
    """A value in its unit of measure: shares as percentages, indices to 4 decimals, counts as numbers."""
    if unit_of_measure == "%":
        return percent(value)
    if unit_of_measure == INDEX_UNIT:
        return index(value)
    if unit_of_measure in ("", None):
        return number_auto(value)
    return f"{number_auto(value)} {unit_of_measure}"


def jinja_filters() -> dict[str, Any]:
    """The filters every template uses."""
    return {
        "number": number,
        "number_auto": number_auto,
        "index": index,
        "percent": percent,
        "points": points,
        "count": count,
        "unit_in_text": unit_in_text,
        "yes_no": yes_no,
        "units_change": units_change,
        "signed": signed,
        "date_admin": date_admin,
        "date_short": date_short,
        "period_label": period_label,
        "measure": measure,
        "change": change,
    }
