"""A production app refuses the development secret and the demo accounts."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from engine.settings import Settings
from web.app import create_app


def test_production_needs_a_real_secret(sqlite_url: str) -> None:
    with pytest.raises(RuntimeError, match="ISOFLOW_SECRET_KEY"):
        create_app(Settings(database_url=sqlite_url, environment="production"))


def test_production_refuses_demo_accounts(seeded: Session, sqlite_url: str) -> None:
    with pytest.raises(RuntimeError, match="demo accounts"):
        create_app(Settings(database_url=sqlite_url, environment="production", secret_key="a-real-secret"))


def test_production_without_demo_accounts_starts(sqlite_url: str) -> None:
    app = create_app(Settings(database_url=sqlite_url, environment="production", secret_key="a-real-secret"))
    assert app.config["SESSION_COOKIE_SECURE"] is True
