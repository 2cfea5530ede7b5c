"""Changing one's own password on /account/password, and the administrator's reset from the shell."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cli import main
from engine.accounts import actor_by_username, set_password
from engine.clock import VirtualClock
from engine.errors import Forbidden
from models import HistoryEvent, LoginFailure, User
from tests.web.conftest import csrf_token, log_in

Login = Callable[[str], FlaskClient]
NEW = "Mật-khẩu-mới-2024"


def _hash(session: Session, username: str) -> str:
    session.expire_all()
    return session.scalars(select(User.password_hash).where(User.username == username)).one()


def _change(client: FlaskClient, current: str, new: str, confirm: str | None = None) -> tuple[int, str]:
    response = client.post("/account/password", data={
        "csrf_token": csrf_token(client, "/account/password"), "current_password": current,
        "new_password": new, "confirm_password": new if confirm is None else confirm})
    return response.status_code, response.get_data(as_text=True)


def _can_log_in(app: Flask, username: str, password: str) -> bool:
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": password,
                                           "csrf_token": csrf_token(client)})
    return response.status_code == 302


def test_the_page_needs_a_login_and_is_linked_from_the_header(client: FlaskClient, login: Login) -> None:
    response = client.get("/account/password")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    officer = login("demo.officer")
    assert 'href="/account/password"' in officer.get("/inbox").get_data(as_text=True)
    html = officer.get("/account/password").get_data(as_text=True)
    assert "Đổi mật khẩu" in html and "Mật khẩu hiện tại" in html and "Nhập lại mật khẩu mới" in html
    assert "ít nhất 10 ký tự" in html


def test_a_user_changes_their_password_and_stays_logged_in(app: Flask, seeded: Session, login: Login) -> None:
    officer = login("demo.officer")
    events = seeded.scalar(select(func.count(HistoryEvent.id)))
    status, _ = _change(officer, "demo", NEW)
    assert status == 302
    page = officer.get("/inbox")
    assert page.status_code == 200 and "Mật khẩu của bạn đã được thay đổi." in page.get_data(as_text=True)
    assert not _can_log_in(app, "demo.officer", "demo") and _can_log_in(app, "demo.officer", NEW)
    stored = _hash(seeded, "demo.officer")
    assert stored.startswith("scrypt:") and NEW not in stored
    assert seeded.scalar(select(func.count(HistoryEvent.id))) == events  # nothing recorded, nothing secret


@pytest.mark.parametrize(("current", "new", "confirm", "fields", "message"), [
    ("sai-mat-khau", NEW, None, {"current_password"}, "Mật khẩu hiện tại không đúng"),
    ("demo", "ngắn-quá", None, {"new_password"}, "ít nhất 10 ký tự"),
    ("demo", "Demo.Officer", None, {"new_password"}, "trùng với tên đăng nhập"),
    ("demo", NEW, NEW + "x", {"confirm_password"}, "không khớp"),
    ("sai", "ngắn", None, {"current_password", "new_password"}, "Mật khẩu chưa được thay đổi."),
    ("demo", "ngắn", "khác", {"new_password", "confirm_password"}, "Hai lần nhập mật khẩu mới không khớp"),
])
def test_refusals_name_each_field_in_vietnamese_and_change_nothing(
    app: Flask, seeded: Session, login: Login, current: str, new: str, confirm: str | None, fields: set[str],
    message: str,
) -> None:
    officer = login("demo.officer")
    before = _hash(seeded, "demo.officer")
    status, html = _change(officer, current, new, confirm)
    assert status == 400 and message in html
    shown = {name for name in ("current_password", "new_password", "confirm_password")
             if f'data-testid="error-{name}"' in html}
    assert shown == fields
    assert new not in html and f'value="{current}"' not in html  # typed passwords are never sent back
    assert _hash(seeded, "demo.officer") == before
    assert officer.get("/inbox").status_code == 200 and _can_log_in(app, "demo.officer", "demo")


def test_a_post_without_the_csrf_token_is_refused(seeded: Session, login: Login) -> None:
    officer = login("demo.officer")
    before = _hash(seeded, "demo.officer")
    response = officer.post("/account/password", data={"current_password": "demo", "new_password": NEW,
                                                       "confirm_password": NEW})
    assert response.status_code == 400
    assert _hash(seeded, "demo.officer") == before


def test_the_page_speaks_english_on_request(login: Login) -> None:
    officer = login("demo.officer")
    officer.get("/lang/en")
    status, html = _change(officer, "demo", NEW, "other")
    assert status == 400 and "The two new passwords do not match." in html and "Current password" in html


def test_an_administrator_resets_a_password_from_the_shell(
    app: Flask, seeded: Session, clock: VirtualClock, sqlite_url: str
) -> None:
    seeded.add(LoginFailure(username="demo.head", remote="203.0.113.9", at=clock.now()))
    seeded.commit()
    runner, env = CliRunner(), {"ISOFLOW_DATABASE_URL": sqlite_url}
    result = runner.invoke(main, ["users", "set-password", "--user", "demo.head"], input=f"{NEW}\n{NEW}\n", env=env)
    assert result.exit_code == 0, result.output
    assert NEW not in result.output and "demo.head" in result.output
    assert seeded.scalar(select(func.count(LoginFailure.id)).where(LoginFailure.username == "demo.head")) == 0
    assert _can_log_in(app, "demo.head", NEW) and not _can_log_in(app, "demo.head", "demo")


def test_the_reset_asks_again_on_a_mismatch_and_refuses_weak_passwords(
    seeded: Session, sqlite_url: str
) -> None:
    runner, env = CliRunner(), {"ISOFLOW_DATABASE_URL": sqlite_url}
    before = _hash(seeded, "demo.head")
    retried = runner.invoke(main, ["users", "set-password", "--user", "demo.head"],
                            input=f"{NEW}\nkhác-hẳn-nhau\n{NEW}\n{NEW}\n", env=env)
    assert retried.exit_code == 0, retried.output
    changed = _hash(seeded, "demo.head")
    assert changed != before
    short = runner.invoke(main, ["users", "set-password", "--user", "demo.head"], input="ngắn\nngắn\n", env=env)
    assert short.exit_code == 1 and "new_password" in short.output
    same = runner.invoke(main, ["users", "set-password", "--user", "demo.head"],
                         input="demo.head\ndemo.head\n", env=env)
    assert same.exit_code == 1
    unknown = runner.invoke(main, ["users", "set-password", "--user", "nobody"], input=f"{NEW}\n{NEW}\n", env=env)
    assert unknown.exit_code == 1 and "nobody" in unknown.output
    assert _hash(seeded, "demo.head") == changed


def test_only_administrators_reset_passwords(seeded: Session, clock: VirtualClock) -> None:
    before = _hash(seeded, "demo.head")
    with pytest.raises(Forbidden):
        set_password(seeded, clock, actor_by_username(seeded, "demo.officer"), "demo.head", NEW)
    set_password(seeded, clock, actor_by_username(seeded, "demo.admin"), "demo.head", NEW)
    seeded.rollback()
    assert _hash(seeded, "demo.head") == before


def test_a_changed_password_keeps_other_logins_of_the_user_working(app: Flask, login: Login) -> None:
    first, second = login("demo.officer"), app.test_client()
    log_in(second, "demo.officer")
    assert _change(first, "demo", NEW)[0] == 302
    assert second.get("/inbox").status_code == 200
