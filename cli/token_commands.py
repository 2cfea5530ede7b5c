"""`isoflow tokens`: issue (printed once), list and revoke API tokens from the server's shell."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from engine.records import SYSTEM
from engine.tokens import create_token, list_tokens, revoke_token

if TYPE_CHECKING:
    from cli.main import Context


@click.group("tokens")
def tokens_group() -> None:
    """API tokens for integrations."""


@tokens_group.command("create")
@click.option("--user", "username", required=True, help="The user the token acts as.")
@click.option("--name", default="", help="What the token is for (shown in lists).")
@click.pass_obj
def tokens_create(obj: Context, username: str, name: str) -> None:
    """Issue a token and print it once: it is stored hashed and cannot be shown again."""
    with obj.session() as session:
        issued = create_token(session, obj.clock.now(), SYSTEM, username, name or "cli")
    click.echo(issued.secret)
    click.echo(f"Token #{issued.record.id} for {username}: store it now, it will not be shown again.", err=True)


@tokens_group.command("list")
@click.pass_obj
def tokens_list(obj: Context) -> None:
    """List tokens (never their secrets)."""
    with obj.session() as session:
        rows = list_tokens(session, SYSTEM)
    for row in rows:
        state = f"revoked {row.revoked_at.date().isoformat()}" if row.revoked_at else "active"
        click.echo(f"#{row.id:<5} {row.prefix}…  {row.username:<24} {row.name:<24} {state}")
    click.echo(f"{len(rows)} token(s)")


@tokens_group.command("revoke")
@click.argument("token_id", type=int)
@click.pass_obj
def tokens_revoke(obj: Context, token_id: int) -> None:
    """Revoke a token for good."""
    with obj.session() as session:
        revoke_token(session, obj.clock.now(), SYSTEM, token_id)
    click.echo(f"Token #{token_id} revoked.")
