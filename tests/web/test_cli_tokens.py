"""`isoflow tokens create/list/revoke`."""

from __future__ import annotations

from click.testing import CliRunner
from flask import Flask
from sqlalchemy.orm import Session

from cli import main


def test_a_token_is_printed_once_works_and_can_be_revoked(app: Flask, seeded: Session, sqlite_url: str) -> None:
    runner = CliRunner()
    env = {"ISOFLOW_DATABASE_URL": sqlite_url}
    created = runner.invoke(main, ["tokens", "create", "--user", "demo.officer", "--name", "một cửa"], env=env)
    assert created.exit_code == 0, created.output
    secret = created.stdout.strip().splitlines()[0]
    assert secret.startswith("isf_")
    client = app.test_client()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    listed = runner.invoke(main, ["tokens", "list"], env=env)
    assert "demo.officer" in listed.output and secret not in listed.output
    token_id = listed.output.split("#")[1].split()[0]
    assert runner.invoke(main, ["tokens", "revoke", token_id], env=env).exit_code == 0
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    unknown = runner.invoke(main, ["tokens", "create", "--user", "nobody"], env=env)
    assert unknown.exit_code == 1
