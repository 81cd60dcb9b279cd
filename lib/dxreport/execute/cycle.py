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


# ---------------------------------------------------------------- doing it


def run_cycle(root: Path, city_code: str, today: date, *, dry_run: bool = False, workers: int | None = None) -> Summary:
    """Plan today's actions for the city and, unless ``dry_run``, do them and log them in the store."""
    from dxreport.domain import paths
    from dxreport.domain.config import load_city, load_indicators
    from dxreport.domain.digest import sha256_file
    from dxreport.domain.errors import ConfigError
    from dxreport.domain.units import load_units

    city_dir = paths.city_dir(root, city_code)
    city = load_city(city_dir)
    if city.cycle is None:
        raise ConfigError(city_dir / "city.yaml", "cycle", "chưa khai báo mục 'cycle' (ngày nhắc, địa chỉ thư, máy chủ thư)")
    if not city.submissions or not city.database:
        raise ConfigError(city_dir / "city.yaml", "submissions" if not city.submissions else "database",
                          "chu trình cần thư mục nhận tệp (submissions) và kho số liệu (database) của thành phố")
    settings = city.cycle
    units, indicators = load_units(city_dir), load_indicators(city_dir)
    contacts = read_contacts(city_dir / settings.contacts)
    db, inbox = root / city.database, root / city.submissions
    known: set[str] = set()
    submissions = pd.DataFrame(columns=["unit", "period", "revision", "sha256"])
    if db.is_file():
        with store.connect(db, read_only=True) as con:
            known = store.known_sha256(con) | store.known_problem_sha256(con)
        submissions = store.load_submissions(db)
    files = sorted(inbox.rglob("*.xlsx")) if inbox.is_dir() else []
    new_files = [f for f in files if sha256_file(f) not in known]
    summary = Summary(city=city_code, today=today.isoformat(), dry_run=dry_run)
    if dry_run and new_files:
        submissions = _after_ingest(db, new_files, root, city_dir)
    planned = plan(city=city, units=units, indicators=indicators, contacts=contacts, submissions=submissions,
                   done=done_keys(db), new_files=[sha256_file(f) for f in new_files], today=today,
                   before=settings.remind_before_days, after=settings.remind_after_days)
    if dry_run:
        summary.actions = [Outcome(a, "planned") for a in planned]
        return summary
    outcomes: list[Outcome] = []
    # 1. ingest first: a workbook that arrived today is no longer owed a reminder
    for a in [a for a in planned if a.kind == "ingest"]:
        from dxreport.intake.submissions import ingest

        result = ingest(new_files, db, root=root, city_dir=city_dir)
        outcomes.append(Outcome(a, "done", f"nhập {len(new_files)} tệp ({_ingest_words(result)})"))
    if outcomes:
        store.log_cycle(db, log_rows(outcomes, today))
        return _continue_after_ingest(root, city_code, today, outcomes, workers)
    outcomes += _do(root, city, city_code, units, contacts, planned, today, workers)
    store.log_cycle(db, log_rows(outcomes, today))
    summary.actions = outcomes
    return summary


def _after_ingest(db: Path, files: list[Path], root: Path, city_dir: Path) -> pd.DataFrame:
    """The submissions the store would hold after ingesting ``files``: a dry run ingests into a throwaway copy."""
    import shutil
    import tempfile

    from dxreport.intake.submissions import ingest

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "store.duckdb"
        if db.is_file():
            shutil.copy(db, copy)
        ingest(files, copy, root=root, city_dir=city_dir)
        return store.load_submissions(copy)


def _continue_after_ingest(root: Path, city_code: str, today: date, first: list[Outcome], workers: int | None) -> Summary:
    """Plan again after an ingest (the store changed: reminders and build keys follow it), then do the rest."""
    rest = run_cycle(root, city_code, today, workers=workers)
    rest.actions = first + rest.actions
    return rest


def _ingest_words(result: Any) -> str:
    added = len(getattr(result, "added", []) or [])
    rejected = len(getattr(result, "rejected", []) or [])
    return f"{added} tệp nhận, {rejected} tệp không nhận"


def _do(root: Path, city: City, city_code: str, units: pd.DataFrame, contacts: dict[str, str], planned: list[Action],
        today: date, workers: int | None) -> list[Outcome]:
    """Build first; a failed build keeps its sends for the next call. Then every message over one connection."""
    from dxreport.domain import fmt
    from dxreport.domain.params import load_params
    from dxreport.execute import mailer
    from dxreport.execute.run import output_dir_for, params_for_city
    from dxreport.publish import mail

    settings = city.cycle
    assert settings is not None
    outcomes: list[Outcome] = []
    built: dict[str, Path] = {}
    failed_builds: set[str] = set()
    for a in [a for a in planned if a.kind == "build"]:
        try:
            params_file = params_for_city(root, city_code, a.period, today)
            status, detail = _build(root, params_file, workers)
        except Exception as e:  # a build that fails is logged and retried; it never stops the mail
            status, detail = "failed", f"lỗi: {e}"
        outcomes.append(Outcome(a, status, detail))
        if status == "done":
            built[a.period] = output_dir_for(root, load_params(params_file, root))
        else:
            failed_builds.add(a.period)
    sender, office = (settings.sender.name, settings.sender.email), (settings.office.name, settings.office.email)
    body = city.issuing_body_name or city.issuing_body
    messages: list[tuple[Action, Any]] = []
    for a in planned:
        if a.kind == "remind":
            email = contacts.get(a.unit or "")
            if not email:
                outcomes.append(Outcome(a, "skipped", "đơn vị chưa có địa chỉ thư"))
                continue
            from dxreport.domain.periods import Period

            deadline = deadline_for(city, Period.parse(a.period))
            messages.append((a, mail.reminder(key=a.key, unit=(_name(units, a.unit), email), period_label=fmt.period_label(a.period),
                                              deadline=deadline, today=today, office=body,
                                              inbox_hint=f"{body} qua địa chỉ {settings.office.email}")))
        elif a.kind in ("send_unit", "send_office"):
            if a.period in failed_builds or a.period not in built and not _published(root, city_code, a.period):
                outcomes.append(Outcome(a, "skipped", "chưa có báo cáo đã lập để gửi"))
                continue
            out = built.get(a.period) or root / "reports" / city_code / a.period
            draft = not _numbered(out)
            if a.kind == "send_unit":
                folder = out / "don-vi" / (a.unit or "")
                files = [f for f in (folder / "report.pdf", folder / "report.docx") if f.is_file()]
                if not files:
                    outcomes.append(Outcome(a, "skipped", "đơn vị không có phiếu đánh giá trong kỳ"))
                    continue
                messages.append((a, mail.scorecard(key=a.key, unit=(_name(units, a.unit), contacts[a.unit or ""]),
                                                   period_label=fmt.period_label(a.period), office=body, files=files, draft=draft)))
            else:
                links = [str((out / n).relative_to(root)) for n in ("report.pdf", "report.docx", "report.html",
                                                                      "chat-luong-so-lieu/report.pdf") if (out / n).is_file()]
                scorecards = len(list((out / "don-vi").glob("*/report.pdf"))) if (out / "don-vi").is_dir() else 0
                lines = [f"Báo cáo của thành phố và {scorecards} phiếu đánh giá của các đơn vị đã được lập.",
                         f"Phiếu đánh giá được gửi tới {sum(1 for x in planned if x.kind == 'send_unit' and x.period == a.period)} đơn vị có địa chỉ thư."]
                messages.append((a, mail.office_summary(key=a.key, office=office, period_label=fmt.period_label(a.period),
                                                        lines=lines, links=links, draft=draft)))
    built_messages = [mail.build(m, sender, today) for _, m in messages]
    results = mailer.send(settings.mail, built_messages) if built_messages else []
    for (a, m), error in zip(messages, results):
        outcomes.append(Outcome(a, "failed" if error else "done", error or f"đã gửi: {m.subject}"))
    return outcomes


def _build(root: Path, params_file: Path, workers: int | None) -> tuple[str, str]:
    from dxreport.execute.batch import default_workers, run_batch, summary
    from dxreport.execute.run import plan as plan_jobs
    from dxreport.publish.reports_index import write_index

    jobs = plan_jobs([params_file], root)
    results = run_batch(jobs, root, workers=min(workers or default_workers(), len(jobs)))
    write_index(root)
    counts = summary(results)
    if counts["failed"]:
        failed = [r.label for r in results if r.status == "failed"]
        return "failed", f"{counts['failed']} báo cáo lỗi: {', '.join(failed[:5])}"
    return "done", f"{counts['built']} báo cáo đã lập, {counts['unchanged']} không đổi"


def _published(root: Path, city: str, period: str) -> bool:
    return (root / "reports" / city / period / "manifest.json").is_file()


def _numbered(out: Path) -> bool:
    manifest = out / "manifest.json"
    if not manifest.is_file():
        return False
    return bool(json.loads(manifest.read_text(encoding="utf-8")).get("params", {}).get("document_number"))


def _name(units: pd.DataFrame, code: str | None) -> str:
    return str(units.loc[code, "name"]) if code in units.index else str(code)
