"""web: api tokens, attachments, comments, drafts, substitutions, login failures

Revision ID: 0004
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.base

revision = "0004"
down_revision = "0001"
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, models.base.UtcDateTime(timezone=True), nullable=nullable)


def _user_fk(table: str, column: str = "user_id") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], ["user_account.id"], name=op.f(f"fk_{table}_{column}_user_account"))


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        _when("created_at"), _when("last_used_at", True), _when("revoked_at", True),
        _user_fk("api_token"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )
    op.create_index(op.f("ix_api_token_user_id"), "api_token", ["user_id"])
    op.create_table(
        "attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=128), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        _when("uploaded_at"),
        sa.ForeignKeyConstraint(["task_id"], ["human_task.id"], name=op.f("fk_attachment_task_id_human_task")),
        sa.ForeignKeyConstraint(["instance_id"], ["process_instance.id"],
                                name=op.f("fk_attachment_instance_id_process_instance")),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], name=op.f("fk_attachment_agency_id_agency")),
        _user_fk("attachment", "uploaded_by_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachment")),
    )
    op.create_index(op.f("ix_attachment_task_id"), "attachment", ["task_id"])
    op.create_index(op.f("ix_attachment_instance_id"), "attachment", ["instance_id"])
    op.create_table(
        "task_comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        _when("created_at"),
        sa.ForeignKeyConstraint(["task_id"], ["human_task.id"], name=op.f("fk_task_comment_task_id_human_task")),
        _user_fk("task_comment", "author_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_comment")),
    )
    op.create_index(op.f("ix_task_comment_task_id"), "task_comment", ["task_id"])
    op.create_table(
        "task_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        _when("updated_at"),
        sa.ForeignKeyConstraint(["task_id"], ["human_task.id"], name=op.f("fk_task_draft_task_id_human_task")),
        _user_fk("task_draft"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_draft")),
        sa.UniqueConstraint("task_id", "user_id", name=op.f("uq_task_draft_task_id_user_id")),
    )
    op.create_index(op.f("ix_task_draft_task_id"), "task_draft", ["task_id"])
    op.create_table(
        "substitution",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("substitute_id", sa.Integer(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        _when("created_at"), _when("cancelled_at", True),
        _user_fk("substitution"),
        _user_fk("substitution", "substitute_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_substitution")),
    )
    op.create_index(op.f("ix_substitution_user_id"), "substitution", ["user_id"])
    op.create_index("ix_substitution_substitute", "substitution", ["substitute_id", "first_day", "last_day"])
    op.create_table(
        "login_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("remote", sa.String(length=64), nullable=False),
        _when("at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failure")),
    )
    op.create_index("ix_login_failure_username_at", "login_failure", ["username", "at"])
    op.create_index("ix_login_failure_remote_at", "login_failure", ["remote", "at"])
    op.create_index("ix_role_membership_agency_role", "role_membership", ["agency_id", "role"])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_role_membership_agency_role", table_name="role_membership")
    for table in ("login_failure", "substitution", "task_draft", "task_comment", "attachment", "api_token"):
        op.drop_table(table)
