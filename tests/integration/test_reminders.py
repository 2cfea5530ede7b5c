"""Reminders before a due date, overdue reminders, escalation, notifications and email (SQLite)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import date, datetime
from email import message_from_bytes
from email.header import decode_header, make_header
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from engine.accounts import create_user, grant_role
from engine.clock import VIETNAM, VirtualClock
from engine.definitions import deploy_folder
from engine.errors import NotFound
from engine.instances import agency_by_code, start_cycle
from engine.notifications import SmtpMailer, deliver_pending_emails, list_notifications, mark_read, unread_count
from engine.reminders import ReminderPolicy, send_reminders
from engine.seed import seed_agencies
from engine.timers import fire_due
from models import HistoryEvent, HumanTask, Notification, ReminderLog, User

PROCESS = Path(__file__).resolve().parent / "processes" / "sim_cycle"


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=VIETNAM)


@pytest.fixture
def cycle(factory: sessionmaker[Session], clock: VirtualClock) -> dict[str, Any]:
    """VL-013 runs the short test cycle from Tue 2/1/2024; its first task is due Tue 16/1 17:00."""
    with factory() as session:
        seed_agencies(session)
        agency = agency_by_code(session, "VL-013")
        people = {}
        for username, role in [
            ("officer", "iso_officer"),
            ("officer2", "iso_officer"),
            ("head", "agency_head"),
            ("supervisor", "supervisor"),
        ]:
            user = create_user(session, clock.now(), username, username.title(), "x", email=f"{username}@example.vn")
            grant_role(session, user, agency, role)
            people[username] = user.id
        deploy_folder(session, clock, PROCESS, "test")
        start_cycle(session, clock, 2024, process_key="sim_cycle", agency_code="VL-013")
        session.commit()
        task = session.scalars(select(HumanTask).where(HumanTask.spec_id == "prepare_plan")).one()
        assert task.due_at == at(date(2024, 1, 16), 17)
        return {"task_id": task.id, "instance_id": task.instance_id, **people}


def sweep(factory: sessionmaker[Session], now: datetime, **kwargs: Any) -> list[str]:
    with factory() as session:
        sent = send_reminders(session, now, **kwargs)
        session.commit()
    return [s.step for s in sent]


def test_the_whole_chain_happens_once_each(factory: sessionmaker[Session], cycle: dict[str, Any]) -> None:
    assert sweep(factory, at(date(2024, 1, 8))) == []
    assert sweep(factory, at(date(2024, 1, 9))) == ["before_7d"]
    assert sweep(factory, at(date(2024, 1, 9), 18)) == []
    assert sweep(factory, at(date(2024, 1, 15))) == ["before_1d"]
    assert sweep(factory, at(date(2024, 1, 16), 16, 59)) == []
    assert sweep(factory, at(date(2024, 1, 16), 17)) == ["overdue"]
    # The deadline timer attached to the task fires; the chain goes on with the announced due date.
    with factory() as session:
        assert [f.spec_id for f in fire_due(session, at(date(2024, 1, 16), 18))] == ["prepare_plan_deadline"]
        session.commit()
    assert sweep(factory, at(date(2024, 1, 19), 16)) == []
    # 3 working days after Tue 16/1 is Fri 19/1; 10 working days is Tue 30/1.
    assert sweep(factory, at(date(2024, 1, 19), 17)) == ["escalate_agency_head"]
    assert sweep(factory, at(date(2024, 1, 29), 18)) == []
    assert sweep(factory, at(date(2024, 1, 30), 17)) == ["escalate_supervisor"]
    assert sweep(factory, at(date(2024, 3, 1))) == []

    with factory() as session:
        kinds = session.execute(
            select(HistoryEvent.kind, HistoryEvent.data).where(HistoryEvent.kind.in_(["reminder_sent", "escalated"]))
        ).all()
        assert [k for k, _ in kinds] == ["reminder_sent"] * 3 + ["escalated"] * 2
        assert kinds[0][1]["recipients"] == ["officer", "officer2"]
        assert kinds[3][1]["recipients"] == ["head"] and kinds[4][1]["recipients"] == ["supervisor"]
        assert unread_count(session, cycle["officer"]) == 3
        assert unread_count(session, cycle["head"]) == 1
        assert unread_count(session, cycle["supervisor"]) == 1
        notes = list_notifications(session, cycle["head"], 10)
        assert notes[0].kind == "escalation" and "16/01/2024" in notes[0].body and "Escalation" in notes[0].title
        officer_notes = list_notifications(session, cycle["officer"], 10)
        assert [n.kind for n in officer_notes] == ["overdue", "reminder", "reminder"]
        assert "còn 7 ngày" in officer_notes[-1].body


def test_mark_read_is_per_user(factory: sessionmaker[Session], cycle: dict[str, Any]) -> None:
    sweep(factory, at(date(2024, 1, 9)))
    with factory() as session:
        note = list_notifications(session, cycle["officer"], 5)[0]
        with pytest.raises(NotFound):
            mark_read(session, cycle["head"], note.id, at(date(2024, 1, 9), 10))
        mark_read(session, cycle["officer"], note.id, at(date(2024, 1, 9), 10))
        mark_read(session, cycle["officer"], note.id, at(date(2024, 1, 9), 11))  # idempotent
        session.commit()
        assert unread_count(session, cycle["officer"]) == 0
        assert unread_count(session, cycle["officer2"]) == 1
        assert list_notifications(session, cycle["officer"], 5)[0].read_at == at(date(2024, 1, 9), 10)


def test_a_late_first_sweep_sends_only_the_latest_reminder(
    factory: sessionmaker[Session], cycle: dict[str, Any]
) -> None:
    assert sweep(factory, at(date(2024, 1, 17))) == ["overdue"]
    with factory() as session:
        rows = dict(session.execute(select(ReminderLog.step, ReminderLog.status)).all())
    assert rows == {"before_7d": "skipped", "before_1d": "skipped", "overdue": "sent"}
    assert sweep(factory, at(date(2024, 1, 17), 10)) == []


def test_a_claimed_task_reminds_its_assignee_only(factory: sessionmaker[Session], cycle: dict[str, Any]) -> None:
    with factory() as session:
        session.get_one(HumanTask, cycle["task_id"]).assignee_id = cycle["officer2"]
        session.commit()
    sweep(factory, at(date(2024, 1, 9)))
    with factory() as session:
        assert unread_count(session, cycle["officer"]) == 0
        assert unread_count(session, cycle["officer2"]) == 1


def test_a_completed_task_gets_no_more_reminders(factory: sessionmaker[Session], cycle: dict[str, Any]) -> None:
    with factory() as session:
        session.get_one(HumanTask, cycle["task_id"]).status = "completed"
        session.commit()
    assert sweep(factory, at(date(2024, 1, 20))) == []


def test_the_policy_is_configurable(factory: sessionmaker[Session], cycle: dict[str, Any]) -> None:
    policy = ReminderPolicy.from_settings({"reminder_days_before": "3", "escalation": "supervisor:1"})
    assert sweep(factory, at(date(2024, 1, 9)), policy=policy) == []
    assert sweep(factory, at(date(2024, 1, 12)), policy=policy) == ["before_3d"]
    assert sweep(factory, at(date(2024, 1, 17), 17), policy=policy) == ["overdue", "escalate_supervisor"]


# --- email ------------------------------------------------------------------------------


class Sink:
    """An SMTP handler that keeps what it receives."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_sink() -> Iterator[tuple[Sink, int]]:
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    yield sink, port
    controller.stop()


def test_emails_go_through_smtp_after_the_commit(
    factory: sessionmaker[Session], cycle: dict[str, Any], smtp_sink: tuple[Sink, int]
) -> None:
    sink, port = smtp_sink
    sweep(factory, at(date(2024, 1, 9)), send_email=True)
    assert sink.envelopes == []  # the outbox is sent by its own job
    with factory() as session:
        report = deliver_pending_emails(session, at(date(2024, 1, 9), 9, 1), SmtpMailer("127.0.0.1", port))
        session.commit()
    assert (report.sent, report.retried, report.failed) == (2, 0, 0)
    assert sorted(e.rcpt_tos[0] for e in sink.envelopes) == ["officer2@example.vn", "officer@example.vn"]
    message = message_from_bytes(sink.envelopes[0].content)
    assert str(make_header(decode_header(message["Subject"]))).startswith("[isoflow] Nhắc việc")
    body = message.get_payload(decode=True).decode("utf-8")
    assert "đến hạn ngày 16/01/2024" in body and "is due on 16/01/2024" in body
    with factory() as session:
        again = deliver_pending_emails(session, at(date(2024, 1, 9), 9, 2), SmtpMailer("127.0.0.1", port))
        assert again.sent == 0
        statuses = session.scalars(select(Notification.email_status)).all()
        assert statuses == ["sent", "sent"]


def test_an_unreachable_server_is_retried_then_parked(factory: sessionmaker[Session], cycle: dict[str, Any]) -> None:
    with factory() as session:
        session.execute(User.__table__.update().where(User.username == "officer2").values(email=None))
        session.commit()
    sweep(factory, at(date(2024, 1, 9)), send_email=True)
    dead = SmtpMailer("127.0.0.1", free_port(), timeout=2)
    reports = []
    for minute in range(4):
        with factory() as session:
            reports.append(deliver_pending_emails(session, at(date(2024, 1, 9), 10, minute), dead))
            session.commit()
    assert [(r.sent, r.retried, r.failed) for r in reports] == [(0, 1, 0), (0, 1, 0), (0, 0, 1), (0, 0, 0)]
    with factory() as session:
        rows = session.execute(select(Notification.email_status, func.count()).group_by(Notification.email_status))
        assert dict(rows.all()) == {"failed": 1, "none": 1}
