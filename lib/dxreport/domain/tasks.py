"""A programme's tasks (nhiệm vụ): what the plan asks units to do, by whom, by when, with what money.

A task has a code, a name, a group, a lead unit (đơn vị chủ trì) and co-ordinating units
(đơn vị phối hợp), a deadline — a date, a period (``2026-Q4``, ``2026``) or ``thường xuyên``
for recurring work, judged period by period — the expected product (sản phẩm), the plan it
comes from, and optional funds (kinh phí: the amount allocated, in million đồng, and where it
comes from). Tasks live in the city's ``programme.yaml`` under ``tasks:``, or in a
``tasks.yaml`` beside it (``tasks:`` and optionally ``task_groups:``).

The status words units pick in their workbook, and the statuses computed at a period's end,
are defined here so intake, compute and publish say the same thing.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from dxreport.domain.periods import Period, PeriodError

RECURRING = "thường xuyên"
SHEET = "NhiemVu"  # the unit workbook's sheet of task progress (intake.tasksheet)
FUND_SOURCES = ("ngân sách thành phố", "ngân sách tỉnh", "ngân sách trung ương", "xã hội hóa", "nguồn khác")
MONEY_UNIT = "triệu đồng"

# What a unit reports (the workbook's dropdown), in the order of progress.
REPORTED_NOT_STARTED, REPORTED_IN_PROGRESS, REPORTED_DONE = "Chưa triển khai", "Đang thực hiện", "Hoàn thành"
REPORTED_STATUSES = (REPORTED_NOT_STARTED, REPORTED_IN_PROGRESS, REPORTED_DONE)

# The status at a period's end (computed), in the order a report lists them.
DONE_ON_TIME = "Hoàn thành đúng hạn"
DONE_LATE = "Hoàn thành quá hạn"
IN_PROGRESS = "Đang thực hiện trong hạn"
OVERDUE = "Quá hạn chưa hoàn thành"
NOT_STARTED = "Chưa triển khai"
NOT_REPORTED = "Chưa báo cáo"
STATUSES = (DONE_ON_TIME, DONE_LATE, IN_PROGRESS, OVERDUE, NOT_STARTED, NOT_REPORTED)
DONE = (DONE_ON_TIME, DONE_LATE)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PlanRef(_Strict):
    """The document a task comes from (số/ký hiệu and when it was issued)."""

    document: str
    issued: str = ""
    note: str = ""


class Funds(_Strict):
    """Kinh phí: the amount allocated to the task (million đồng) and its source."""

    allocated: float = Field(ge=0)
    source: Literal[FUND_SOURCES] = "ngân sách thành phố"  # type: ignore[valid-type]
    note: str = ""


class Task(_Strict):
    code: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    name: str
    group: str | None = None
    lead: str  # đơn vị chủ trì (a code of units.csv)
    partners: list[str] = []  # đơn vị phối hợp: codes of units.csv, or words ("các sở, ban, ngành")
    deadline: date | str  # a date, a period id (2026-Q4, 2026-H2, 2026), or "thường xuyên"
    product: str = ""  # sản phẩm: what shows the task is done
    source: PlanRef | None = None
    funds: Funds | None = None
    note: str = ""

    @field_validator("deadline", mode="before")
    @classmethod
    def _deadline(cls, value: object) -> date | str:
        if isinstance(value, date):
            return value
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise ValueError(f"thời hạn phải là một ngày (2026-09-30), một kỳ (2026-Q4, 2026) hoặc '{RECURRING}'")
        text = str(value).strip()
        if text.casefold() == RECURRING:
            return RECURRING
        try:
            return Period.parse(text).id
        except PeriodError:
            raise ValueError(f"thời hạn '{text}' không hợp lệ: ghi một ngày (2026-09-30), một kỳ (2026-Q4, 2026) "
                             f"hoặc '{RECURRING}'") from None

    @property
    def recurring(self) -> bool:
        return self.deadline == RECURRING

    @property
    def due(self) -> date | None:
        """The last day the task may be completed on; None for recurring work."""
        if isinstance(self.deadline, date):
            return self.deadline
        if self.recurring:
            return None
        return Period.parse(self.deadline).end


class TaskGroup(_Strict):
    code: str
    name: str


class TaskFile(_Strict):
    """``tasks.yaml`` beside ``programme.yaml``."""

    task_groups: list[TaskGroup] = []
    tasks: list[Task]


def check_tasks(tasks: list[Task], group_codes: set[str]) -> str | None:
    """What is wrong with a task list as a whole (a repeated code, an unknown group), or None."""
    seen: set[str] = set()
    for t in tasks:
        if t.code in seen:
            return f"mã nhiệm vụ '{t.code}' bị lặp"
        seen.add(t.code)
        if group_codes and t.group is not None and t.group not in group_codes:
            return f"nhiệm vụ '{t.code}': nhóm '{t.group}' không có trong danh sách nhóm ({', '.join(sorted(group_codes))})"
    return None
