"""Scheduler jobs: each batch is one transaction around one engine call."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session, sessionmaker

from engine.clock import Clock
from engine.records import FiredTimer
from engine.timers import fire_due
from models.db import unit_of_work

log = logging.getLogger("isoflow.scheduler")


def sweep_timers(factory: sessionmaker[Session], clock: Clock, *, batch: int = 50) -> list[FiredTimer]:
    """Fire everything due now, committing batch by batch so a crash loses at most one batch."""
    now = clock.now()
    fired: list[FiredTimer] = []
    while True:
        with unit_of_work(factory) as session:
            done = fire_due(session, now, limit=batch)
        fired.extend(done)
        if len({f.instance_id for f in done}) < batch:
            break
    for item in fired:
        if not item.ok:
            log.warning("timer %s of instance %s failed: %s", item.timer_id, item.instance_id, item.message)
    return fired
