"""Scheduler jobs: each batch is one transaction around one engine call."""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from engine.calendar_overrides import install_calendar
from engine.clock import Clock
from engine.notifications import DeliveryReport, Mailer, deliver_pending_emails
from engine.records import FiredTimer
from engine.reminders import ReminderPolicy, ReminderSent, send_reminders
from engine.timers import fire_due
from models.db import unit_of_work

log = logging.getLogger("isoflow.scheduler")

# Called inside a batch's transaction, before its commit (tests use it to crash mid-sweep).
BatchHook = Callable[[int, list[FiredTimer]], None]


def sweep_timers(
    factory: sessionmaker[Session],
    clock: Clock,
    *,
    batch: int = 50,
    max_batches: int = 10_000,
    on_batch: BatchHook | None = None,
) -> list[FiredTimer]:
    """Fire everything due now, committing batch by batch so a crash loses at most one batch."""
    now = clock.now()
    fired: list[FiredTimer] = []
    for number in range(1, max_batches + 1):
        with unit_of_work(factory) as session:
            done = fire_due(session, now, limit=batch)
            if on_batch is not None:
                on_batch(number, done)
        fired.extend(done)
        # Stop when a batch finds nothing to fire (rows locked by a parallel sweep are skipped,
        # not waited for: that sweep fires them).
        if not done:
            break
    for item in fired:
        if not item.ok:
            log.warning("timer %s of instance %s failed: %s", item.timer_id, item.instance_id, item.message)
    return fired


def sweep_reminders(
    factory: sessionmaker[Session], clock: Clock, *, policy: ReminderPolicy | None = None, send_email: bool = False
) -> list[ReminderSent]:
    """Send the reminders and escalations due now (one transaction)."""
    with unit_of_work(factory) as session:
        sent = send_reminders(session, clock.now(), policy=policy, send_email=send_email)
    if sent:
        log.info("reminders and escalations sent: %d", len(sent))
    return sent


def deliver_emails(factory: sessionmaker[Session], clock: Clock, mailer: Mailer, *, batch: int = 50) -> DeliveryReport:
    """Send pending notification emails (one transaction)."""
    with unit_of_work(factory) as session:
        report = deliver_pending_emails(session, clock.now(), mailer, limit=batch)
    if report.retried or report.failed:
        log.warning("emails: %d sent, %d to retry, %d failed", report.sent, report.retried, report.failed)
    return report


def refresh_calendar(factory: sessionmaker[Session]) -> None:
    """Reload the administrators' calendar overrides into the process-script date helpers."""
    with unit_of_work(factory) as session:
        install_calendar(session)
