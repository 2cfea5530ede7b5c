"""Web fixtures: an app on the seeded test database with running cycles, clients and a login helper."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.clock import VirtualClock
from engine.definitions import deploy_folder
from engine.instances import agency_by_code, start_cycle, start_instance
from engine.settings import Settings
from models import HumanTask, ProcessInstance
from web.app import create_app

TEST_PROCESSES = Path(__file__).resolve().parent / "processes"
FORM_DUE = "2024-01-10T17:00:00+07:00"  # eight days after the test clock starts
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def cycles(seeded: Session, clock: VirtualClock) -> dict[str, int]:
    """The 2024 cycle started for the two demo agencies: agency code -> instance id."""
    start_cycle(seeded, clock, 2024, agency_code="VL-013")
    start_cycle(seeded, clock, 2024, agency_code="VL-049")
    seeded.commit()
    rows = seeded.execute(select(ProcessInstance.business_key, ProcessInstance.id)).all()
    return {key.split("/")[0]: instance_id for key, instance_id in rows}


@pytest.fixture
def form_process(seeded: Session, clock: VirtualClock) -> int:
    """The tiny test process with every kind of input, started for VL-013; returns its first task id."""
    deploy_folder(seeded, clock, TEST_PROCESSES, "test")
    agency = agency_by_code(seeded, "VL-013")
    result = start_instance(seeded, clock, "web_form_test", agency, 2024, key="VL-013/2024/web_form_test",
                            data={"fill_due": FORM_DUE})
    seeded.commit()
    return int(seeded.scalars(select(HumanTask.id).where(HumanTask.instance_id == result.instance_id)).one())


def first_task(session: Session, agency_instance: int) -> int:
    """The id of the ready task of an instance."""
    session.expire_all()
    return int(session.scalars(
        select(HumanTask.id).where(HumanTask.instance_id == agency_instance, HumanTask.status == "ready")
    ).first() or 0)


@pytest.fixture
def app(seeded: Session, sqlite_url: str, clock: VirtualClock) -> Flask:
    """The web app on the seeded database, driven by the virtual clock."""
    application = create_app(Settings(database_url=sqlite_url, secret_key="test"), clock=clock)
    application.config.update(TESTING=True)
    return application


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """An anonymous browser."""
    return app.test_client()


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """The CSRF token a page of `path` carries."""
    match = _CSRF.search(client.get(path).get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def log_in(client: FlaskClient, username: str, password: str = "demo") -> None:  # noqa: S107 - demo data
    """Log a client in through the login form."""
    response = client.post("/login", data={"username": username, "password": password,
                                           "csrf_token": csrf_token(client)})
    assert response.status_code == 302, response.get_data(as_text=True)


@pytest.fixture
def login(app: Flask) -> Callable[[str], FlaskClient]:
    """A fresh client logged in as a user."""

    def make(username: str) -> FlaskClient:
        user_client = app.test_client()
        log_in(user_client, username)
        return user_client

    return make
