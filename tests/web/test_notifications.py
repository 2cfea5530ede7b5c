"""The bell: a user's reminders and escalations, their unread count, marking them read."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.clock import VirtualClock
from engine.notifications import NewNotification, notify
from models import Notification, User
from tests.web.conftest import csrf_token


def _notify(session: Session, username: str, now: datetime, title: str) -> None:
    user_id = session.scalars(select(User.id).where(User.username == username)).one()
    notify(session, now, [user_id], NewNotification(kind="reminder", title=title, body="Còn 7 ngày đến hạn"))
    session.commit()


def _bell(page: str) -> int:
    match = re.search(r'data-testid="bell"[^>]*>[^<]*<span class="count">(\d+)</span>', page)
    assert match, "no bell in the header"
    return int(match.group(1))


def test_the_bell_counts_unread_and_the_page_marks_them_read(
    login: Callable[[str], FlaskClient], seeded: Session, clock: VirtualClock
) -> None:
    _notify(seeded, "demo.officer", clock.now(), "Nhắc hạn báo cáo")
    _notify(seeded, "demo.officer", clock.now(), "Nhắc hạn đánh giá")
    officer = login("demo.officer")
    page = officer.get("/notifications").get_data(as_text=True)
    assert _bell(page) == 2 and "Nhắc hạn báo cáo" in page and "Thông báo" in page
    first = seeded.scalars(select(Notification.id).order_by(Notification.id)).first()
    token = csrf_token(officer, "/notifications")
    assert officer.post(f"/notifications/{first}/read", data={"csrf_token": token}).status_code == 302
    assert _bell(officer.get("/notifications").get_data(as_text=True)) == 1
    assert officer.post("/notifications/read-all", data={"csrf_token": token}).status_code == 302
    assert _bell(officer.get("/inbox").get_data(as_text=True)) == 0


def test_nobody_reads_or_marks_someone_elses(
    login: Callable[[str], FlaskClient], seeded: Session, clock: VirtualClock
) -> None:
    _notify(seeded, "demo.officer", clock.now(), "Riêng của thư ký")
    head = login("demo.head")
    assert "Riêng của thư ký" not in head.get("/notifications").get_data(as_text=True)
    mine = seeded.scalars(select(Notification.id)).one()
    token = csrf_token(head, "/notifications")
    assert head.post(f"/notifications/{mine}/read", data={"csrf_token": token}).status_code == 404
    seeded.expire_all()
    assert seeded.scalars(select(Notification.read_at)).one() is None
    assert head.post(f"/notifications/{mine}/read").status_code == 400  # no CSRF token
