"""`isoflow users`: the administrator's password reset from the server's shell."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from engine.accounts import set_password
from engine.records import SYSTEM

if TYPE_CHECKING:
    from cli.main import Context


@click.group("users")
def users_group() -> None:
    """User accounts."""


@users_group.command("set-password")
@click.option("--user", "username", required=True, help="The user whose password is reset.")
@click.pass_obj
def users_set_password(obj: Context, username: str) -> None:
    """Reset a user's password (asked twice, never echoed, never taken from the command line)."""
    password = click.prompt("Mật khẩu mới / New password", hide_input=True,
                            confirmation_prompt="Nhập lại / Repeat")
    with obj.session() as session:
        set_password(session, obj.clock, SYSTEM, username, password)
    click.echo(f"Mật khẩu của {username} đã được đặt lại (password of {username} reset).")
