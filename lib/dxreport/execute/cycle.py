"""The quarterly cycle, run daily by a scheduler: remind, ingest, build, send — each once, logged in the store.

``dxreport cycle --city CODE [--today DATE] [--dry-run]`` decides from the date and
the store what is due:

- **ingest** the city's submissions folder (the inbox) when a file in it is not in
  the store yet;
- **remind** (đôn đốc) the units that have not sent their workbook for a period,
  on the days the city's file names before and after the deadline (the latest
  reminder day reached is sent once; a scheduler that missed a day does not send
  a pile);
- **build** the period's reports once its deadline has passed, and again when a
  unit resubmits (the key is the store's fingerprint of the period);
- **send** each unit its scorecard (PDF and Word) and the office a summary, once
  per build.

Each action has a key; what the log records as done is not done again, so a
second call the same day does nothing. A mail that fails is logged as failed and
retried by the next call; it never blocks the build. The plan and its outcome are
returned as plain data (and printed as JSON for a monitoring system).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from dxreport import store
from dxreport.compute.scorecard import deadline_for
from dxreport.domain.config import City
from dxreport.domain.periods import Period
from dxreport.domain.units import expected_reports


@dataclass(frozen=True)
class Action:
    key: str  # idempotence key: done once
    kind: str  # ingest | remind | build | send_unit | send_office
    period: str | None
    unit: str | None
    detail: str  # what it does, in Vietnamese, for the plan and the log


@dataclass
class Outcome:
    action: Action
    status: str  # done | failed | skipped
    detail: str = ""


@dataclass
class Summary:
    city: str
    today: str
    dry_run: bool
    actions: list[Outcome] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for o in self.actions:
            out[o.status] = out.get(o.status, 0) + 1
        return out

    def exit_code(self) -> int:
        """0 nothing failed; 1 something failed (and will be retried)."""
        return 1 if any(o.status == "failed" for o in self.actions) else 0

    def to_json(self) -> str:
        return json.dumps({
            "city": self.city, "today": self.today, "dry_run": self.dry_run, "counts": self.counts(),
            "exit_code": self.exit_code(),
            "actions": [dict(asdict(o.action), status=o.status, outcome=o.detail) for o in self.actions],
        }, ensure_ascii=False, indent=2)


def current_period(city: City, today: date) -> Period:
    """The quarter whose data window (the city's cut-off rule) holds ``today``."""
    p = Period(today.year, "quarter", (today.month - 1) // 3 + 1)
    rule = city.cutoff.rule()
    for candidate in (p.previous, p, p.next):
        start, end = rule.window(candidate)
        if start <= today <= end:
            return candidate
    return p


def resolve_period(city: City, text: str, today: date) -> Period:
    """``current``, ``previous`` (from the date and the city's cut-off rule) or a period id."""
    if text == "current":
        return current_period(city, today)
    if text == "previous":
        return current_period(city, today).previous
    return Period.parse(text)


def reminder_offset(deadline: date, today: date, before: list[int], after: list[int]) -> int | None:
    """The latest reminder day reached (days from the deadline, negative before it), or None outside the window."""
    offsets = sorted({-abs(b) for b in before} | {abs(a) for a in after})
    if not offsets or today > deadline + timedelta(days=max(offsets)):
        return None
    due = [o for o in offsets if deadline + timedelta(days=o) <= today]
    return max(due) if due else None


def period_fingerprint(submissions: pd.DataFrame, period: str) -> str:
    """The period's submissions (unit, revision, sha256): a resubmission changes it, and the build is due again."""
    own = submissions[submissions["period"] == period].sort_values(["unit", "revision"]) if len(submissions) else submissions
    text = "\n".join(f"{r.unit}:{r.revision}:{r.sha256}" for r in own.itertuples()) if len(own) else ""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def plan(*, city: City, units: pd.DataFrame, indicators: dict, contacts: dict[str, str], submissions: pd.DataFrame,
         done: set[str], new_files: list[str], today: date, before: list[int], after: list[int]) -> list[Action]:
    """What is due today, in the order it is done, leaving out what the log says is done."""
    actions: list[Action] = []
    if new_files:
        digest = hashlib.sha256("\n".join(sorted(new_files)).encode()).hexdigest()[:16]
        actions.append(Action(f"ingest:{digest}", "ingest", None, None, f"nhập {len(new_files)} tệp mới trong thư mục nhận"))
    current = current_period(city, today)
    for p in (current.previous, current):
        deadline = deadline_for(city, p)
        sent = set(submissions.loc[submissions["period"] == p.id, "unit"]) if len(submissions) else set()
        expected = sorted(set(expected_reports(units, indicators, p)["unit"]))
        offset = reminder_offset(deadline, today, before, after)
        if offset is not None:
            for unit in expected:
                if unit in sent:
                    continue
                where = contacts.get(unit)
                name = str(units.loc[unit, "name"]) if unit in units.index else unit
                detail = (f"nhắc {name} gửi số liệu {p.id} (hạn {deadline.isoformat()}, {offset:+d} ngày)"
                          + ("" if where else "; đơn vị chưa có địa chỉ thư trong contacts.csv"))
                actions.append(Action(f"remind:{p.id}:{unit}:{offset:+d}", "remind", p.id, unit, detail))
        if today > deadline:
            fp = period_fingerprint(submissions, p.id)
            actions.append(Action(f"build:{p.id}:{fp}", "build", p.id, None, f"lập báo cáo {p.id} (hết hạn gửi {deadline.isoformat()})"))
            for unit in expected:
                if unit in sent and contacts.get(unit):
                    actions.append(Action(f"send:{p.id}:{unit}:{fp}", "send_unit", p.id, unit, f"gửi phiếu đánh giá {p.id} cho {unit}"))
            actions.append(Action(f"send-office:{p.id}:{fp}", "send_office", p.id, None, f"gửi văn phòng bản tóm tắt {p.id}"))
    return [a for a in actions if a.key not in done]


def log_rows(outcomes: list[Outcome], today: date) -> list[dict[str, Any]]:
    return [{"day": today, "action": o.action.key, "kind": o.action.kind, "period": o.action.period, "unit": o.action.unit,
             "status": o.status, "detail": o.detail or o.action.detail} for o in outcomes if o.status in ("done", "failed")]


def done_keys(database: Path) -> set[str]:
    if not Path(database).is_file():
        return set()
    log = store.load_cycle_log(database)
    return set(log.loc[log["status"] == "done", "action"])


def read_contacts(path: Path) -> dict[str, str]:
    """``contacts.csv`` beside units.csv: unit code → e-mail address (units without one get no mail)."""
    if not path.is_file():
        return {}
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    return {r["unit"].strip(): r["email"].strip() for _, r in frame.iterrows() if r.get("unit") and r.get("email")}
