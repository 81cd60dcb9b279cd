"""The quarterly cycle: what is due on which day, and a real cycle against a local SMTP server on 127.0.0.1.

The test province (Tỉnh Lâm Sơn: calendar quarters, deadline 10 days after the quarter) is set up as its
analyst would, with a ``cycle`` section and contacts; one commune (X-SUOIDA) has not sent its 2026-Q3 workbook. The
SMTP server is aiosmtpd, started by the test on a free loopback port; the test reads what it received.
"""

from __future__ import annotations

import json
import shutil
import socket
from datetime import date
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from dxreport.domain.config import load_city
from dxreport.execute import cycle
from test_run import dxreport, project_copy

TEST_DATA = Path(__file__).parent / "data" / "lamson"
MISSING = "X-SUOIDA"  # the sample recipe (sample.yaml) leaves out its 2026-Q3 workbook


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """aiosmtpd's handler keeping every message it accepts."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append(message_from_bytes(envelope.original_content or envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture()
def smtp():
    aiosmtpd = pytest.importorskip("aiosmtpd.controller")
    port = free_port()
    inbox = Inbox()
    controller = aiosmtpd.Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.port = port
    try:
        yield inbox
    finally:
        controller.stop()


def setup_province(project: Path, port: int) -> None:
    assert dxreport(project, "new-city", "lamson", "--name", "Tỉnh Lâm Sơn", "--period", "2026-Q3").returncode == 0
    city = project / "data" / "cities" / "lamson"
    for f in (TEST_DATA / "config").iterdir():
        shutil.copy(f, city / f.name)
    (project / "data" / "frameworks" / "lamson-dvi-xa.yaml").unlink()
    for f in (TEST_DATA / "params").glob("lamson-*"):
        shutil.copy(f, project / "params" / f.name)
    (project / "params" / "lamson-2026-Q3.yaml").unlink()  # the cycle builds from the city's files alone
    assert dxreport(project, "sample", "--city", "lamson", "--periods", "2025-Q3:2026-Q3").returncode == 0
    assert not (project / "data" / "sample" / "lamson" / "2026-Q3" / f"{MISSING}.xlsx").exists()
    with open(city / "city.yaml", "a", encoding="utf-8") as f:
        f.write(f"""
cycle:
  remind_before_days: [7, 2]
  remind_after_days: [1, 5]
  sender: {{name: Sở Khoa học và Công nghệ tỉnh Lâm Sơn, email: chuyendoiso@skhcn.lamson.example}}
  office: {{name: Văn phòng Chuyển đổi số, email: vanphong@skhcn.lamson.example}}
  mail: {{host: 127.0.0.1, port: {port}}}
""")
    units = [line.split(",")[0] for line in (city / "units.csv").read_text(encoding="utf-8").splitlines()[1:]]
    (city / "contacts.csv").write_text("unit,email\n" + "".join(f"{u},{u.lower()}@lamson.example\n" for u in units),
                                       encoding="utf-8")


def test_what_is_due_on_each_day_around_the_deadline(root):
    city = load_city(TEST_DATA / "config")
    assert cycle.current_period(city, date(2026, 10, 11)).id == "2026-Q4"
    assert cycle.resolve_period(city, "previous", date(2026, 10, 11)).id == "2026-Q3"
    deadline = date(2026, 10, 10)  # 30/9 + 10 days
    before, after = [7, 2], [1, 5]
    assert cycle.reminder_offset(deadline, date(2026, 10, 2), before, after) is None
    assert cycle.reminder_offset(deadline, date(2026, 10, 3), before, after) == -7
    assert cycle.reminder_offset(deadline, date(2026, 10, 9), before, after) == -2  # a missed day does not pile up
    assert cycle.reminder_offset(deadline, date(2026, 10, 11), before, after) == 1
    assert cycle.reminder_offset(deadline, date(2026, 10, 15), before, after) == 5
    assert cycle.reminder_offset(deadline, date(2026, 10, 16), before, after) is None


def test_a_long_vietnamese_subject_keeps_its_spaces_when_folded():
    """Python 3.11's own folder dropped the space between two encoded words ("số Quý" → "sốQuý")."""
    from email import message_from_bytes, policy

    from dxreport.publish import mail

    subject = "Dự thảo báo cáo chuyển đổi số Quý III/2026 đã được lập"
    out = mail.Outgoing(key="send-office:2026-Q3:x", to=[("Văn phòng Chuyển đổi số", "vp@lamson.example")],
                        subject=subject, body="Nội dung thư.")
    raw = mail.build(out, ("Sở Khoa học và Công nghệ", "s@lamson.example"), date(2026, 10, 11)).as_bytes()
    back = message_from_bytes(raw, policy=policy.default)
    assert raw.isascii() and back["Subject"] == subject
    assert back["To"].addresses[0].display_name == "Văn phòng Chuyển đổi số"
    assert back.get_body().get_content() == "Nội dung thư.\n" or back.get_body().get_content() == "Nội dung thư."


@pytest.mark.slow
def test_a_real_cycle_sends_once_and_logs(root, tmp_path, smtp):
    project = project_copy(root, tmp_path / "p")
    setup_province(project, smtp.port)
    # three dates around the deadline: the plan only, nothing sent or written
    plans = {}
    for day in ("2026-10-03", "2026-10-09", "2026-10-11"):
        r = dxreport(project, "cycle", "--city", "lamson", "--today", day, "--dry-run", "--json", "-")
        assert r.returncode == 0, r.stderr
        plans[day] = json.loads(r.stdout[r.stdout.index("{"):])
    assert not smtp.messages and not (project / "build" / "lamson.duckdb").exists()
    kinds = {d: sorted({a["kind"] for a in p["actions"]}) for d, p in plans.items()}
    assert kinds["2026-10-03"] == ["ingest", "remind"] and kinds["2026-10-09"] == ["ingest", "remind"]
    assert {"ingest", "build", "send_office"} <= set(kinds["2026-10-11"])
    reminders = [a for a in plans["2026-10-03"]["actions"] if a["kind"] == "remind"]
    assert [a["unit"] for a in reminders if a["period"] == "2026-Q3"] == [MISSING]
    assert reminders[0]["key"].endswith(":-7")

    # the real cycle the day after the deadline
    r = dxreport(project, "cycle", "--city", "lamson", "--today", "2026-10-11", "--json", str(tmp_path / "run.json"))
    assert r.returncode == 0, r.stdout + r.stderr
    summary = json.loads((tmp_path / "run.json").read_text(encoding="utf-8"))
    assert summary["counts"].get("failed", 0) == 0
    assert (project / "reports" / "lamson" / "2026-Q3" / "report.pdf").is_file()
    subjects = sorted(m["Subject"] for m in smtp.messages)
    assert any(s.startswith("Đôn đốc gửi số liệu chuyển đổi số Quý III/2026 – Xã") for s in subjects)
    assert any(s.startswith("Phiếu đánh giá kết quả chuyển đổi số Quý III/2026 – ") for s in subjects)
    assert any(s == "Dự thảo báo cáo chuyển đổi số Quý III/2026 đã được lập" for s in subjects)
    sent = len(smtp.messages)
    scorecard = next(m for m in smtp.messages if m["Subject"].startswith("Phiếu đánh giá"))
    raw = scorecard.as_bytes()
    assert b"=?utf-8?" in raw and raw.isascii()  # Vietnamese subject and names encoded (RFC 2047), plain ASCII bytes
    assert scorecard["From"].addresses[0].display_name == "Sở Khoa học và Công nghệ tỉnh Lâm Sơn"
    names = sorted(p.get_filename() for p in scorecard.iter_attachments())
    assert names == ["report.docx", "report.pdf"]
    pdf = next(p for p in scorecard.iter_attachments() if p.get_filename() == "report.pdf").get_content()
    unit = scorecard["To"].addresses[0].username.upper()
    on_disk = project / "reports" / "lamson" / "2026-Q3" / "don-vi" / unit / "report.pdf"
    assert pdf == on_disk.read_bytes()  # the attachment intact

    # a second call the same day does nothing, and says so
    again = dxreport(project, "cycle", "--city", "lamson", "--today", "2026-10-11", "--json", "-")
    assert again.returncode == 0 and "không có việc nào đến hạn" in again.stdout
    assert len(smtp.messages) == sent
    log = json.loads(again.stdout[again.stdout.index("{"):])
    assert log["actions"] == []


@pytest.mark.slow
def test_a_mail_that_fails_is_logged_and_retried_and_never_blocks_the_build(root, tmp_path, smtp):
    project = project_copy(root, tmp_path / "p")
    setup_province(project, free_port())  # nothing listens there
    r = dxreport(project, "cycle", "--city", "lamson", "--today", "2026-10-11", "--json", "-")
    assert r.returncode == 1  # something failed, and will be retried
    summary = json.loads(r.stdout[r.stdout.index("{"):])
    by_kind = {}
    for a in summary["actions"]:
        by_kind.setdefault(a["kind"], set()).add(a["status"])
    assert by_kind["build"] == {"done"} and by_kind["remind"] == {"failed"} and by_kind["send_office"] == {"failed"}
    assert "không kết nối được máy chủ thư" in r.stdout
    # the server is back: the next call sends what failed, and builds nothing again
    city = project / "data" / "cities" / "lamson" / "city.yaml"
    text = city.read_text(encoding="utf-8")
    city.write_text(text[:text.rindex("port: ")] + f"port: {smtp.port}}}\n", encoding="utf-8")
    retry = dxreport(project, "cycle", "--city", "lamson", "--today", "2026-10-11", "--json", "-")
    assert retry.returncode == 0, retry.stdout + retry.stderr
    kinds = {a["kind"] for a in json.loads(retry.stdout[retry.stdout.index("{"):])["actions"]}
    assert "build" not in kinds and {"remind", "send_office"} <= kinds
    assert smtp.messages
