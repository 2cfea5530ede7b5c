"""Delegation: the head reassigns within the agency; an absent user's new tasks go to their substitute."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.clock import VirtualClock
from models import HistoryEvent
from tests.web.conftest import csrf_token

Login = Callable[[str], FlaskClient]


def test_the_head_reassigns_a_task_to_a_colleague_of_the_agency(
    login: Login, form_process: int, seeded: Session
) -> None:
    head = login("demo.head")
    page = head.get(f"/tasks/{form_process}").get_data(as_text=True)
    assert "Giao lại cho" in page and 'value="demo.auditor"' in page and "demo.commune" not in page
    token = csrf_token(head, "/inbox")
    response = head.post(f"/tasks/{form_process}/reassign", data={"csrf_token": token, "username": "demo.auditor"})
    assert response.status_code == 302
    assert "Lập báo cáo" in login("demo.auditor").get("/inbox?status=mine").get_data(as_text=True)
    event = seeded.scalars(select(HistoryEvent).where(HistoryEvent.kind == "task_reassigned")).one()
    assert event.actor == "demo.head" and event.data == {"from": None, "to": "demo.auditor"}
    outsider = head.post(f"/tasks/{form_process}/reassign", data={"csrf_token": token,
                                                                  "username": "demo.commune.officer"})
    assert outsider.status_code == 400


def test_only_the_head_may_reassign(login: Login, form_process: int) -> None:
    officer = login("demo.officer")
    response = officer.post(f"/tasks/{form_process}/reassign",
                            data={"csrf_token": csrf_token(officer, "/inbox"), "username": "demo.auditor"})
    assert response.status_code == 403
    assert "Giao lại cho" not in officer.get(f"/tasks/{form_process}").get_data(as_text=True)


def test_new_tasks_of_an_absent_user_go_to_the_substitute_and_history_says_for_whom(
    login: Login, form_process: int, clock: VirtualClock, seeded: Session
) -> None:
    officer = login("demo.officer")
    page = officer.get("/absence").get_data(as_text=True)
    assert "Người thay thế" in page and 'value="demo.auditor"' in page
    response = officer.post("/absence", data={"csrf_token": csrf_token(officer, "/absence"),
                                              "substitute": "demo.auditor", "first_day": "02/01/2024",
                                              "last_day": "05/01/2024"})
    assert response.status_code == 302
    auditor = login("demo.auditor")
    assert "Lập báo cáo" in auditor.get("/inbox").get_data(as_text=True)
    token = csrf_token(auditor, "/inbox")
    assert auditor.post(f"/tasks/{form_process}/claim", data={"csrf_token": token}).status_code == 302
    event = seeded.scalars(select(HistoryEvent).where(HistoryEvent.kind == "acted_for")).one()
    assert event.actor == "demo.auditor" and event.data == {"on_behalf_of": "demo.officer", "action": "claim"}
    history = auditor.get("/instances/" + str(event.instance_id)).get_data(as_text=True)
    assert "thay cho demo.officer" in history


def test_the_substitution_ends_with_its_date_range(login: Login, form_process: int, clock: VirtualClock) -> None:
    officer = login("demo.officer")
    officer.post("/absence", data={"csrf_token": csrf_token(officer, "/absence"), "substitute": "demo.auditor",
                                   "first_day": "02/01/2024", "last_day": "03/01/2024"})
    clock.advance(timedelta(days=2))
    assert "Lập báo cáo" not in login("demo.auditor").get("/inbox").get_data(as_text=True)


def test_absences_are_checked(login: Login, cycles: dict[str, int]) -> None:
    officer = login("demo.officer")
    token = csrf_token(officer, "/absence")

    def post(**data: str) -> int:
        return officer.post("/absence", data={"csrf_token": token, **data}).status_code

    assert post(substitute="demo.commune.officer", first_day="02/01/2024", last_day="05/01/2024") == 400
    assert post(substitute="demo.auditor", first_day="05/01/2024", last_day="02/01/2024") == 400
    assert post(substitute="demo.auditor", first_day="hôm nay", last_day="02/01/2024") == 400
    assert post(substitute="demo.head", first_day="02/01/2024", last_day="05/01/2024") == 302
    assert post(substitute="demo.auditor", first_day="04/01/2024", last_day="06/01/2024") == 409
    html = officer.get("/absence").get_data(as_text=True)
    substitution_id = html.split("/absence/")[1].split("/cancel")[0]
    assert officer.post(f"/absence/{substitution_id}/cancel", data={"csrf_token": token}).status_code == 302
    assert post(substitute="demo.auditor", first_day="04/01/2024", last_day="06/01/2024") == 302
