"""The inbox page: my tasks and my roles' tasks, claim/release, due dates, filters, sorting, pagination."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.clock import VirtualClock
from models import HumanTask
from tests.web.conftest import csrf_token

Login = Callable[[str], FlaskClient]


def _rows(html: str) -> int:
    return html.count('href="/tasks/')


def _cycle_task(session: Session, cycles: dict[str, int]) -> HumanTask:
    """The officer's ready task of the VL-013 cycle (whatever the real process calls it)."""
    return session.scalars(select(HumanTask).where(HumanTask.instance_id == cycles["VL-013"],
                                                   HumanTask.status == "ready")).one()


def test_the_officer_sees_their_roles_tasks_with_a_count_in_the_navigation(
    login: Login, cycles: dict[str, int], form_process: int, seeded: Session
) -> None:
    html = login("demo.officer").get("/inbox").get_data(as_text=True)
    assert "Công việc của tôi" in html
    assert 'data-testid="nav-count" aria-label="công việc đang chờ">2<' in html
    assert _cycle_task(seeded, cycles).name in html and "Lập báo cáo đánh giá nội bộ" in html
    assert "UBND xã Mỹ Lộc" not in html  # another agency's task
    assert "2 công việc" in html


def test_other_roles_and_agencies_see_nothing_of_it(login: Login, cycles: dict[str, int]) -> None:
    assert "Không có công việc nào đang chờ bạn." in login("demo.head").get("/inbox").get_data(as_text=True)
    commune = login("demo.commune.officer").get("/inbox").get_data(as_text=True)
    assert "VL-049/2024" in commune and "VL-013/2024" not in commune


def test_claim_and_release_move_the_task_between_me_and_my_role(login: Login, form_process: int) -> None:
    client = login("demo.officer")
    token = csrf_token(client, "/inbox")
    assert client.post(f"/tasks/{form_process}/claim", data={"csrf_token": token}).status_code == 302
    mine = client.get("/inbox?status=mine").get_data(as_text=True)
    assert "Lập báo cáo đánh giá nội bộ" in mine and "demo.officer" in mine
    assert "Lập báo cáo" not in client.get("/inbox?status=unclaimed").get_data(as_text=True)
    page = client.get(f"/tasks/{form_process}").get_data(as_text=True)
    assert "do demo.officer nhận" in page and "Trả lại cho đồng nghiệp" in page
    assert client.post(f"/tasks/{form_process}/release", data={"csrf_token": token}).status_code == 302
    assert "Lập báo cáo" in client.get("/inbox?status=unclaimed").get_data(as_text=True)


def test_due_dates_show_days_left_and_overdue_tasks_are_highlighted(
    login: Login, form_process: int, clock: VirtualClock
) -> None:
    client = login("demo.officer")
    assert "còn 8 ngày" in client.get("/inbox").get_data(as_text=True)
    clock.advance(timedelta(days=10))
    html = client.get("/inbox").get_data(as_text=True)
    assert '<tr class="overdue">' in html and "quá hạn 2 ngày" in html
    overdue = client.get("/inbox?due=overdue").get_data(as_text=True)
    assert _rows(overdue) == 1 and "Lập báo cáo" in overdue


def test_filters_sorting_and_pagination(
    login: Login, cycles: dict[str, int], form_process: int, seeded: Session
) -> None:
    client = login("demo.officer")
    cycle_task = _cycle_task(seeded, cycles)
    only_cycle = client.get("/inbox?process=iso_annual_cycle").get_data(as_text=True)
    assert _rows(only_cycle) == 1 and cycle_task.name in only_cycle
    assert _rows(client.get("/inbox?agency=VL-049").get_data(as_text=True)) == 0
    assert _rows(client.get("/inbox?agency=VL-013").get_data(as_text=True)) == 2
    undated = client.get("/inbox?due=none").get_data(as_text=True)
    assert "Lập báo cáo" not in undated and (cycle_task.name in undated) == (cycle_task.due_at is None)
    by_created = client.get("/inbox?sort=due").get_data(as_text=True)
    assert by_created.index("Lập báo cáo") < by_created.index(cycle_task.name)
    first = client.get("/inbox?per_page=1&sort=due").get_data(as_text=True)
    assert _rows(first) == 1 and "Trang 1 / 2" in first and "page=2" in first and "Lập báo cáo" in first
    second = client.get("/inbox?per_page=1&sort=due&page=2").get_data(as_text=True)
    assert cycle_task.name in second and "Trang 2 / 2" in second


def test_a_bad_filter_is_explained(login: Login) -> None:
    response = login("demo.officer").get("/inbox?status=everything")
    assert response.status_code == 400 and "status" in response.get_data(as_text=True)


def test_a_head_sees_the_agencys_open_work_and_everyone_sees_what_they_completed(
    login: Login, form_process: int
) -> None:
    head = login("demo.head")
    assert "Cơ quan của tôi (thủ trưởng)" in head.get("/inbox").get_data(as_text=True)
    assert "Lập báo cáo" in head.get("/inbox?status=team").get_data(as_text=True)
    officer = login("demo.officer")
    assert "Cơ quan của tôi (thủ trưởng)" not in officer.get("/inbox").get_data(as_text=True)
    assert _rows(officer.get("/inbox?status=team").get_data(as_text=True)) == 0
    token = csrf_token(officer, f"/tasks/{form_process}")
    officer.post(f"/tasks/{form_process}", data={"csrf_token": token, "action": "complete", "f.auditor": "Lê Văn A",
                                                 "f.audit_date": "15/03/2024", "f.nonconformities": "0",
                                                 "f.result": "dat"})
    done = officer.get("/inbox?status=done").get_data(as_text=True)
    assert "Lập báo cáo" in done and "Đã hoàn thành" not in done.split("<tbody>")[0]


def test_a_user_with_roles_in_two_agencies_sees_both(
    login: Login, cycles: dict[str, int], seeded: Session, clock: VirtualClock
) -> None:
    from engine.accounts import grant_role
    from engine.instances import agency_by_code
    from models import User

    officer = seeded.scalars(select(User).where(User.username == "demo.officer")).one()
    grant_role(seeded, officer, agency_by_code(seeded, "VL-049"), "iso_officer")
    seeded.commit()
    html = login("demo.officer").get("/inbox?sort=agency").get_data(as_text=True)
    assert html.index("VL-013/2024") < html.index("VL-049/2024")
    assert _rows(login("demo.officer").get("/inbox?agency=VL-049").get_data(as_text=True)) == 1
