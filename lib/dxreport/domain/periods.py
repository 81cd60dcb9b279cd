"""Reporting periods (kỳ báo cáo): quarter, half-year and year.

Canonical ids are ``2026-Q3``, ``2026-H1`` and ``2026``; everything a reader sees
goes through :func:`dxreport.domain.fmt.period_label`. The data cut-off window follows
Nghị định 09/2019/NĐ-CP, art. 12 (a quarter's data runs from the 15th of the month
before it to the 14th of its last month) and is configurable per city through
:class:`CutoffRule`.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

Kind = Literal["quarter", "half", "year"]

_ID = re.compile(r"^(?P<year>\d{4})(?:-(?P<kind>[QH])(?P<n>\d))?$")
_MONTHS = {"quarter": 3, "half": 6, "year": 12}
_COUNT = {"quarter": 4, "half": 2, "year": 1}


class PeriodError(ValueError):
    """A period id that cannot be understood."""


@dataclass(frozen=True, order=True)
class Period:
    year: int
    kind: Kind
    n: int = 1

    def __post_init__(self) -> None:
        if self.kind not in _MONTHS:
            raise PeriodError(f"Loại kỳ báo cáo không hợp lệ: {self.kind!r}")
        if not 1 <= self.n <= _COUNT[self.kind]:
            raise PeriodError(f"Số thứ tự kỳ không hợp lệ: {self.n} (loại kỳ {self.kind})")
        if not 1900 <= self.year <= 2200:
            raise PeriodError(f"Năm không hợp lệ: {self.year}")

    @classmethod
    def parse(cls, text: str | "Period") -> "Period":
        """Read ``2026-Q3``, ``2026-H1`` or ``2026``."""
        if isinstance(text, Period):
            return text
        m = _ID.match(str(text).strip())
        if not m:
            raise PeriodError(
                f"Kỳ báo cáo '{text}' không đúng dạng: dùng 2026-Q3 (quý), 2026-H1 (6 tháng) hoặc 2026 (năm)"
            )
        year = int(m["year"])
        if m["kind"] is None:
            return cls(year, "year", 1)
        return cls(year, "quarter" if m["kind"] == "Q" else "half", int(m["n"]))

    @property
    def id(self) -> str:
        if self.kind == "year":
            return f"{self.year}"
        return f"{self.year}-{'Q' if self.kind == 'quarter' else 'H'}{self.n}"

    def __str__(self) -> str:
        return self.id

    @property
    def first_month(self) -> int:
        return (self.n - 1) * _MONTHS[self.kind] + 1

    @property
    def last_month(self) -> int:
        return self.first_month + _MONTHS[self.kind] - 1

    @property
    def start(self) -> date:
        return date(self.year, self.first_month, 1)

    @property
    def end(self) -> date:
        return date(self.year, self.last_month, calendar.monthrange(self.year, self.last_month)[1])

    def shift(self, steps: int) -> "Period":
        count = _COUNT[self.kind]
        index = self.year * count + (self.n - 1) + steps
        return Period(index // count, self.kind, index % count + 1)

    @property
    def previous(self) -> "Period":
        return self.shift(-1)

    @property
    def next(self) -> "Period":
        return self.shift(1)

    def quarters(self) -> list["Period"]:
        """The quarters this period covers, in order."""
        first = (self.first_month - 1) // 3 + 1
        last = (self.last_month - 1) // 3 + 1
        return [Period(self.year, "quarter", q) for q in range(first, last + 1)]

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def period_range(first: str | Period, last: str | Period) -> list[Period]:
    """Every period from ``first`` to ``last`` inclusive (same kind)."""
    a, b = Period.parse(first), Period.parse(last)
    if a.kind != b.kind:
        raise PeriodError(f"Hai kỳ {a} và {b} không cùng loại")
    out = []
    while a <= b:
        out.append(a)
        a = a.next
    return out


@dataclass(frozen=True)
class CutoffRule:
    """When a period's data starts and stops counting.

    The default is the national regime (NĐ 09/2019, art. 12): from day 15 of the
    month before the period to day 14 of its last month. ``start_day=1,
    months_before=0`` gives calendar periods.
    """

    start_day: int = 15
    months_before: int = 1

    def __post_init__(self) -> None:
        if not 1 <= self.start_day <= 28:
            raise PeriodError(f"Ngày chốt số liệu phải từ 1 đến 28, không phải {self.start_day}")
        if not 0 <= self.months_before <= 2:
            raise PeriodError(f"Số tháng lùi phải từ 0 đến 2, không phải {self.months_before}")

    def window(self, period: Period) -> tuple[date, date]:
        """First and last day (inclusive) whose data belongs to ``period``."""
        start = _add_months(date(period.year, period.first_month, self.start_day), -self.months_before)
        if self.start_day == 1 and self.months_before == 0:
            return start, period.end
        end_month_first = _add_months(date(period.year, period.first_month, 1), _MONTHS[period.kind] - self.months_before)
        end = date(end_month_first.year, end_month_first.month, self.start_day) - timedelta(days=1)
        return start, end


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, day.day)
