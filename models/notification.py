"""Time-driven records: in-app notifications, the reminder/escalation log, simulation runs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UtcDateTime
from models.instance import HumanTask

EMAIL_STATUSES = ("none", "pending", "sent", "failed")

# The reminder sweep asks for ready tasks by due date: keep that an index range scan.
HUMAN_TASK_DUE_INDEX = Index("ix_human_task_status_due", HumanTask.status, HumanTask.due_at)


class Notification(Base):
    """A message to one user (the bell in the web UI), optionally also sent by email."""

    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_inbox", "user_id", "read_at", "id"),
        Index("ix_notification_email", "email_status", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("human_task.id"))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    email_status: Mapped[str] = mapped_column(String(16), default="none")
    email_attempts: Mapped[int] = mapped_column(Integer, default=0)
    emailed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    email_error: Mapped[str | None] = mapped_column(String(255))


class ReminderLog(Base):
    """One reminder or escalation step of one task's due date: the unique key makes it happen once."""

    __tablename__ = "reminder_log"
    __table_args__ = (UniqueConstraint("task_id", "step", "due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("human_task.id"))
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    step: Mapped[str] = mapped_column(String(32))
    # The due date the step refers to: a task whose due date moves gets its own new steps.
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(16))  # sent | skipped (superseded by a later step)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    recipients: Mapped[list[str]] = mapped_column(JSON, default=list)


class SimulationRun(Base):
    """A simulated year run on this database (marks the database as made by a simulation)."""

    __tablename__ = "simulation_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    seed: Mapped[int] = mapped_column(Integer)
    agencies: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)  # virtual time
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # virtual time
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
