"""Supervisors see the tasks whose role nobody holds in their agency; nobody else sees that page."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from engine.clock import VirtualClock
from engine.instances import start_cycle


def test_supervisor_sees_tasks_nobody_can_take(
    login: Callable[[str], FlaskClient], seeded: Session, clock: VirtualClock
) -> None:
    start_cycle(seeded, clock, 2024, agency_code="VL-020")
    start_cycle(seeded, clock, 2024, agency_code="VL-013")
    seeded.commit()
    page = login("demo.supervisor").get("/unassignable")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "VL-020/2024" in text and "Vai trò chưa có người" in text
    assert "VL-013/2024" not in text  # VL-013 has an ISO officer


def test_agency_staff_may_not_open_it(login: Callable[[str], FlaskClient]) -> None:
    assert login("demo.officer").get("/unassignable").status_code == 403
