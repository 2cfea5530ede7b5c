"""time: notifications, reminder/escalation log, simulation runs, human-task due index

Revision ID: 0003
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.base

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, models.base.UtcDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        _when("created_at"),
        _when("read_at", nullable=True),
        sa.Column("email_status", sa.String(length=16), nullable=False),
        sa.Column("email_attempts", sa.Integer(), nullable=False),
        _when("emailed_at", nullable=True),
        sa.Column("email_error", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_notification_user_id_user_account")),
        sa.ForeignKeyConstraint(["task_id"], ["human_task.id"], name=op.f("fk_notification_task_id_human_task")),
        sa.ForeignKeyConstraint(
            ["instance_id"], ["process_instance.id"], name=op.f("fk_notification_instance_id_process_instance")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
    )
    op.create_index("ix_notification_inbox", "notification", ["user_id", "read_at", "id"], unique=False)
    op.create_index("ix_notification_email", "notification", ["email_status", "id"], unique=False)

    op.create_table(
        "reminder_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=32), nullable=False),
        _when("due_at"),
        sa.Column("status", sa.String(length=16), nullable=False),
        _when("at"),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["human_task.id"], name=op.f("fk_reminder_log_task_id_human_task")),
        sa.ForeignKeyConstraint(
            ["instance_id"], ["process_instance.id"], name=op.f("fk_reminder_log_instance_id_process_instance")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_log")),
        sa.UniqueConstraint("task_id", "step", "due_at", name=op.f("uq_reminder_log_task_id_step_due_at")),
    )
    op.create_index(op.f("ix_reminder_log_instance_id"), "reminder_log", ["instance_id"], unique=False)

    op.create_table(
        "simulation_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("agencies", sa.Integer(), nullable=False),
        _when("started_at"),
        _when("finished_at", nullable=True),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_simulation_run")),
    )

    op.create_index("ix_human_task_status_due", "human_task", ["status", "due_at"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_human_task_status_due", table_name="human_task")
    op.drop_table("simulation_run")
    op.drop_index(op.f("ix_reminder_log_instance_id"), table_name="reminder_log")
    op.drop_table("reminder_log")
    op.drop_index("ix_notification_email", table_name="notification")
    op.drop_index("ix_notification_inbox", table_name="notification")
    op.drop_table("notification")
