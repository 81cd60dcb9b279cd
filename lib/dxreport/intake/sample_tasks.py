"""Sample progress on the programme's tasks (DỮ LIỆU MẪU), for the sample workbooks' ``NhiemVu`` sheet.

Each task gets a course once, from its own generator (the sample seed + :data:`SEED_OFFSET`, so
the indicator values do not move): finished in time, finished late, or stalled. Each quarter
then shows where that course is at the quarter's end: not started yet, in progress with a
percent, or done with its date and evidence; funded tasks disburse part of their allocation
each quarter. Recurring work is done or in progress quarter by quarter. Same seed, same values.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from dxreport.domain.periods import Period
from dxreport.domain.tasks import REPORTED_DONE, REPORTED_IN_PROGRESS, REPORTED_NOT_STARTED, Task
from dxreport.intake.tasksheet import TaskRow

SEED_OFFSET = 33
COURSES = ("in_time", "late", "stalled")
CHANCES = (0.5, 0.2, 0.3)
DOCUMENTS = ("Quyết định số {n}/QĐ-{unit} ngày {day}", "Công văn số {n}/{unit}-CĐS ngày {day}",
             "Báo cáo số {n}/BC-{unit} ngày {day}", "Kế hoạch số {n}/KH-{unit} ngày {day}")
DIFFICULTIES = ("Chưa bố trí được kinh phí thực hiện trong năm",
                "Thiếu nhân lực chuyên trách về công nghệ thông tin",
                "Các đơn vị phối hợp chậm cung cấp số liệu, hồ sơ",
                "Hướng dẫn của bộ, ngành trung ương chưa được ban hành",
                "Hạ tầng kỹ thuật chưa đáp ứng yêu cầu kết nối, chia sẻ dữ liệu")
PROPOSALS = ("Đề nghị cơ quan tài chính bố trí bổ sung kinh phí thực hiện",
             "Đề nghị cơ quan nội vụ hướng dẫn bố trí biên chế chuyên trách chuyển đổi số",
             "Kiến nghị Bộ Khoa học và Công nghệ sớm ban hành hướng dẫn kỹ thuật",
             "Đề nghị gia hạn thời gian thực hiện nhiệm vụ đến hết năm")


class TaskProgress:
    """The sample course of every task, drawn once; :meth:`rows` gives one unit's sheet for one quarter."""

    def __init__(self, tasks: list[Task], periods: list[Period], seed: int):
        self.rng = np.random.default_rng(seed + SEED_OFFSET)
        self.tasks = tasks
        first = periods[0].start
        self.course: dict[str, dict] = {}
        for t in tasks:
            course = COURSES[int(self.rng.choice(len(COURSES), p=CHANCES))]
            due = t.due
            room = max(((due - first).days if due else 200) * 0.8, 30)  # a task may start late in its span
            start = first + timedelta(days=int(self.rng.integers(0, int(room))))
            finish = None
            if due is not None and course == "in_time":
                finish = max(start + timedelta(days=20), due - timedelta(days=int(self.rng.integers(0, 60))))
            elif due is not None and course == "late":
                finish = due + timedelta(days=int(self.rng.integers(20, 160)))
            self.course[t.code] = {"course": course, "start": start, "finish": finish, "plateau": float(self.rng.uniform(35, 85)),
                                   "document": DOCUMENTS[int(self.rng.integers(0, len(DOCUMENTS)))],
                                   "number": int(self.rng.integers(50, 900)), "spent": 0.0}

    def rows(self, unit: str, period: Period, asof: date) -> list[TaskRow]:
        """``unit``'s sheet for ``period`` as written on ``asof`` (the day it is sent: nothing done after it)."""
        return [self._row(t, unit, period, min(asof, period.end)) for t in self.tasks if t.lead == unit]

    def _row(self, t: Task, unit: str, period: Period, end: date) -> TaskRow:
        c = self.course[t.code]
        rng = self.rng
        if t.recurring:
            done = rng.random() < 0.75
            if done:
                day = end - timedelta(days=int(rng.integers(0, 20)))
                return TaskRow(t, REPORTED_DONE, 100, day, self._evidence(c, unit, day, period))
            return TaskRow(t, REPORTED_IN_PROGRESS, float(int(rng.integers(5, 19)) * 5),
                           difficulties=DIFFICULTIES[int(rng.integers(0, len(DIFFICULTIES)))])
        if end < c["start"]:
            return TaskRow(t, REPORTED_NOT_STARTED, 0.0)
        finish: date | None = c["finish"]
        disbursed = self._disburse(t, c, done=finish is not None and finish <= end)
        if finish is not None and finish <= end:
            return TaskRow(t, REPORTED_DONE, 100.0, finish, self._evidence(c, unit, finish, period), disbursed=disbursed)
        span = ((finish or (t.due or end)) - c["start"]).days or 1
        share = min((end - c["start"]).days / span, 0.95)
        percent = share * 100 if c["course"] != "stalled" else min(share * 100, c["plateau"])
        percent = float(max(5, int(percent // 5) * 5))
        behind = t.due is not None and t.due < end + timedelta(days=92)
        difficulty = DIFFICULTIES[int(rng.integers(0, len(DIFFICULTIES)))] if behind and c["course"] != "in_time" else ""
        proposal = PROPOSALS[int(rng.integers(0, len(PROPOSALS)))] if difficulty and rng.random() < 0.6 else ""
        return TaskRow(t, REPORTED_IN_PROGRESS, percent, difficulties=difficulty, proposals=proposal, disbursed=disbursed)

    def _disburse(self, t: Task, c: dict, done: bool) -> float | None:
        if t.funds is None:
            return None
        if c.get("paid_out"):
            return None  # completed and settled in an earlier quarter
        c["paid_out"] = done
        left = t.funds.allocated - c["spent"]
        share = float(self.rng.uniform(0.25, 0.4)) if done else float(self.rng.uniform(0.04, 0.14))
        amount = float(round(min(left, t.funds.allocated * share)))
        c["spent"] += amount
        return amount

    @staticmethod
    def _evidence(c: dict, unit: str, day: date, period: Period) -> str:
        return c["document"].format(n=c["number"], unit=unit.split("-")[-1], day=f"{day:%d/%m/%Y}")
