"""Join the three branches; store workflow state as compressed bytes

Revision ID: 0005
Revises: 0002, 0003, 0004
Create Date: 2026-12-04 21:00:00
"""

from __future__ import annotations

import zlib

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = ("0002", "0003", "0004")
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Text state becomes binary; existing rows keep their JSON bytes (the loader reads both)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE process_instance ALTER COLUMN state TYPE bytea USING convert_to(state, 'UTF8')"
        )
        return
    with op.batch_alter_table("process_instance") as batch:
        batch.alter_column("state", existing_type=sa.Text(), type_=sa.LargeBinary(), existing_nullable=False)


def downgrade() -> None:
    """Back to text: compressed rows are expanded to their JSON first."""
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, state FROM process_instance")).all()
    expanded = [
        {"id": row.id, "state": (row.state if row.state[:1] == b"{" else zlib.decompress(row.state)).decode("utf-8")}
        for row in rows
    ]
    if bind.dialect.name == "postgresql":
        op.execute("ALTER TABLE process_instance ALTER COLUMN state TYPE text USING convert_from(state, 'UTF8')")
    else:
        with op.batch_alter_table("process_instance") as batch:
            batch.alter_column("state", existing_type=sa.LargeBinary(), type_=sa.Text(), existing_nullable=False)
    table = sa.table("process_instance", sa.column("id", sa.Integer), sa.column("state", sa.Text))
    for row in expanded:
        bind.execute(table.update().where(table.c.id == row["id"]).values(state=row["state"]))
