"""Messages of the quarterly cycle, in Vietnamese, as MIME messages.

The standard library's email package encodes Vietnamese subjects and names
(RFC 2047) and UTF-8 bodies; :mod:`dxreport.execute.mailer` sends them.
"""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from email.header import Header
from email.message import Message
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, make_msgid
from pathlib import Path

from dxreport.domain import fmt


@dataclass(frozen=True)
class Outgoing:
    """One message to send: who, what, and its idempotence key in the cycle's log."""

    key: str
    to: list[tuple[str, str]]  # (display name, address)
    subject: str
    body: str
    attachments: tuple[Path, ...] = ()


def build(message: Outgoing, sender: tuple[str, str], today: date) -> Message:
    """A MIME message ready for SMTP; attachments read now, with their own content types.

    Headers are folded by :class:`email.header.Header` (the compat32 path): Python 3.11's newer folder
    drops the space where it splits a long Vietnamese subject into two encoded words ("số Quý" read as
    "sốQuý" by every client), so the subject and names are encoded here, each encoded word whole.
    """
    msg = MIMEMultipart()
    msg["From"] = formataddr(sender, charset="utf-8")
    msg["To"] = ", ".join(formataddr(to, charset="utf-8") for to in message.to)
    msg["Subject"] = Header(message.subject, "utf-8", header_name="Subject")
    msg["Date"] = format_datetime(datetime(today.year, today.month, today.day, 8, tzinfo=timezone.utc))
    msg["Message-ID"] = make_msgid(idstring=re.sub(r"[^A-Za-z0-9.+-]", ".", message.key),
                                   domain=sender[1].partition("@")[2] or None)
    msg.attach(MIMEText(message.body, "plain", "utf-8"))
    for path in message.attachments:
        kind, _ = mimetypes.guess_type(path.name)
        if path.suffix == ".docx":
            kind = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        maintype, subtype = (kind or "application/octet-stream").split("/", 1)
        part = MIMEApplication(path.read_bytes(), _subtype=subtype) if maintype == "application" else MIMEApplication(path.read_bytes())
        part.add_header("Content-Disposition", "attachment", filename=path.name)
        msg.attach(part)
    return msg


# ---------------------------------------------------------------- the messages of the cycle


def reminder(*, key: str, unit: tuple[str, str], period_label: str, deadline: date, today: date, office: str,
             inbox_hint: str) -> Outgoing:
    """Đôn đốc: a unit that has not sent its workbook, before or after the deadline."""
    name, email = unit
    days = (deadline - today).days
    when = (f"còn {fmt.number(days)} ngày nữa đến hạn" if days > 0 else "hôm nay là hạn cuối" if days == 0
            else f"đã quá hạn {fmt.number(-days)} ngày")
    subject = f"Đôn đốc gửi số liệu chuyển đổi số {period_label} – {name}"
    body = (f"Kính gửi: {name}\n\n"
            f"Đến {fmt.date_admin(today)}, {office} chưa nhận được biểu số liệu chuyển đổi số {period_label} của đơn vị. "
            f"Hạn gửi là {fmt.date_admin(deadline)} ({when}).\n\n"
            f"Đề nghị đơn vị hoàn thành biểu mẫu và gửi về {inbox_hint}. Biểu mẫu trống của kỳ này do {office} cung cấp; "
            f"mọi vướng mắc xin liên hệ cán bộ đầu mối chuyển đổi số của {office}.\n\n"
            f"Thư này được gửi tự động; đơn vị đã gửi số liệu sau thời điểm trên xin bỏ qua.\n")
    return Outgoing(key=key, to=[unit], subject=subject, body=body)


def scorecard(*, key: str, unit: tuple[str, str], period_label: str, office: str, files: list[Path], draft: bool) -> Outgoing:
    """Each unit its scorecard (PDF, and Word when there is one)."""
    name, _ = unit
    kind = "dự thảo " if draft else ""
    subject = f"Phiếu đánh giá kết quả chuyển đổi số {period_label} – {name}"
    body = (f"Kính gửi: {name}\n\n"
            f"{office} gửi đơn vị {kind}phiếu đánh giá kết quả chuyển đổi số {period_label} (tệp đính kèm), lập từ số liệu "
            f"đơn vị đã gửi. Đề nghị đơn vị rà soát; nếu số liệu chưa chính xác, gửi lại biểu mẫu đã sửa để được cập nhật.\n")
    return Outgoing(key=key, to=[unit], subject=subject, body=body, attachments=tuple(files))


def office_summary(*, key: str, office: tuple[str, str], period_label: str, lines: list[str], links: list[str],
                   draft: bool) -> Outgoing:
    """The office: what the cycle built and sent, with where the reports are."""
    kind = "Dự thảo báo cáo" if draft else "Báo cáo"
    subject = f"{kind} chuyển đổi số {period_label} đã được lập"
    body = (f"{kind} tình hình thực hiện chuyển đổi số {period_label} đã được lập tự động.\n\n"
            + "\n".join(f"- {line}" for line in lines) + "\n\nCác tệp:\n" + "\n".join(f"- {link}" for link in links) + "\n")
    return Outgoing(key=key, to=[office], subject=subject, body=body)
