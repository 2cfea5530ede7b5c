"""An index for the supervisor inbox: ready tasks by role, whatever the agency

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 09:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the (status, role) index of human_task."""
    op.create_index("ix_human_task_role_ready", "human_task", ["status", "role"])


def downgrade() -> None:
    """Drop it."""
    op.drop_index("ix_human_task_role_ready", table_name="human_task")
