"""In-app notifications (the bell: unread count, list, mark read) and their email delivery.

Emails go through an outbox: a notification is created as `pending` in the transaction that
decides to notify, and a separate job sends pending ones after that transaction committed.
A crash between sending and committing may repeat one email; it never loses one.
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import Protocol

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from engine.clock import SystemClock
from engine.errors import NotFound
from models import Notification, User

MAX_EMAIL_ATTEMPTS = 3
DEFAULT_SENDER = "isoflow@localhost"
DEFAULT_SMTP_PORT = 25


@dataclass(frozen=True)
class NotificationRecord:
    """A notification as the bell lists it."""

    id: int
    kind: str
    title: str
    body: str
    task_id: int | None
    instance_id: int | None
    created_at: datetime
    read_at: datetime | None

    @property
    def unread(self) -> bool:
        """True until the user marks it read."""
        return self.read_at is None


@dataclass(frozen=True)
class NewNotification:
    """What to tell a set of users."""

    kind: str
    title: str
    body: str
    task_id: int | None = None
    instance_id: int | None = None


@dataclass(frozen=True)
class DeliveryReport:
    """What one email delivery pass did."""

    sent: int
    retried: int
    failed: int


class Mailer(Protocol):
    """Anything that sends one email message (SMTP in production, a list in tests)."""

    def send(self, message: EmailMessage) -> None:
        """Send the message or raise OSError / smtplib.SMTPException."""
        ...


@dataclass(frozen=True)
class SmtpMailer:
    """Send through an SMTP server (plain SMTP, optionally STARTTLS and login)."""

    host: str
    port: int = DEFAULT_SMTP_PORT
    sender: str = DEFAULT_SENDER
    timeout: float = 10.0
    starttls: bool = False
    username: str | None = None
    password: str | None = None

    @classmethod
    def from_host_setting(cls, value: str, *, sender: str = DEFAULT_SENDER) -> SmtpMailer:
        """Build from ISOFLOW_SMTP_HOST, written `host` or `host:port`."""
        host, _, port = value.strip().rpartition(":")
        if not host or not port.isdigit():
            return cls(value.strip(), sender=sender)
        return cls(host, int(port), sender=sender)

    def send(self, message: EmailMessage) -> None:
        """Open a connection, send, close."""
        if "From" not in message:
            message["From"] = self.sender
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)


def notify(
    session: Session, now: datetime, user_ids: Iterable[int], note: NewNotification, *, send_email: bool = False
) -> int:
    """Create one notification per distinct user; queue an email for users with an address."""
    ids = sorted(set(user_ids))
    if not ids:
        return 0
    with_email = (
        set(session.scalars(select(User.id).where(User.id.in_(ids), User.email.is_not(None)))) if send_email else set()
    )
    for user_id in ids:
        session.add(
            Notification(
                user_id=user_id,
                kind=note.kind,
                title=note.title[:255],
                body=note.body,
                task_id=note.task_id,
                instance_id=note.instance_id,
                created_at=now,
                read_at=None,
                email_status="pending" if user_id in with_email else "none",
                email_attempts=0,
            )
        )
    session.flush()
    return len(ids)


def unread_count(session: Session, user_id: int) -> int:
    """How many notifications the user has not read (the number on the bell)."""
    query = (
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    )
    return int(session.scalar(query) or 0)


def list_notifications(
    session: Session, user_id: int, limit: int = 20, *, unread_only: bool = False
) -> list[NotificationRecord]:
    """The user's notifications, newest first."""
    query = select(Notification).where(Notification.user_id == user_id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    rows = session.scalars(query.order_by(Notification.id.desc()).limit(max(0, limit)))
    return [
        NotificationRecord(r.id, r.kind, r.title, r.body, r.task_id, r.instance_id, r.created_at, r.read_at)
        for r in rows
    ]


def mark_read(session: Session, user_id: int, notification_id: int, now: datetime | None = None) -> None:
    """Mark one of the user's notifications read (idempotent); someone else's is NotFound."""
    row = session.get(Notification, notification_id)
    if row is None or row.user_id != user_id:
        raise NotFound(f"Không tìm thấy thông báo {notification_id} (no notification {notification_id})")
    if row.read_at is None:
        row.read_at = now or SystemClock().now()
        session.flush()


def mark_all_read(session: Session, user_id: int, now: datetime) -> int:
    """Mark every unread notification of the user read; returns how many."""
    result = session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def email_message(note: Notification, to_address: str, to_name: str) -> EmailMessage:
    """The email of a notification: Vietnamese first, then English, as plain UTF-8 text."""
    message = EmailMessage()
    message["Subject"] = f"[isoflow] {note.title}"
    message["To"] = f"{to_name} <{to_address}>" if to_name else to_address
    message.set_content(
        f"{note.body}\n\n--\nThư tự động từ hệ thống isoflow, vui lòng không trả lời.\n"
        "Automatic message from isoflow; please do not reply.\n"
    )
    return message


def deliver_pending_emails(session: Session, now: datetime, mailer: Mailer, *, limit: int = 50) -> DeliveryReport:
    """Send up to `limit` pending emails; a failing one is retried, then parked as failed."""
    query = (
        select(Notification, User)
        .join(User, User.id == Notification.user_id)
        .where(Notification.email_status == "pending")
        .order_by(Notification.id)
        .limit(limit)
        # Parallel delivery jobs on PostgreSQL take disjoint rows.
        .with_for_update(skip_locked=True, of=Notification)
    )
    sent = retried = failed = 0
    for note, user in session.execute(query).all():
        if not user.email:
            note.email_status = "none"
            continue
        try:
            mailer.send(email_message(note, user.email, user.full_name))
        except (OSError, smtplib.SMTPException) as exc:
            note.email_attempts += 1
            note.email_error = f"{type(exc).__name__}: {exc}"[:255]
            if note.email_attempts >= MAX_EMAIL_ATTEMPTS:
                note.email_status = "failed"
                failed += 1
            else:
                retried += 1
            continue
        note.email_attempts += 1
        note.email_status = "sent"
        note.emailed_at = now
        note.email_error = None
        sent += 1
    session.flush()
    return DeliveryReport(sent, retried, failed)
