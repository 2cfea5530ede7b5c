"""Login, logout, throttling, secure cookies, CSRF refusal and security headers."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient

from engine.clock import VirtualClock
from tests.web.conftest import csrf_token, log_in


def test_the_login_page_is_vietnamese_and_a_wrong_password_is_refused(client: FlaskClient) -> None:
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="vi">' in html and "Tên đăng nhập" in html and "Mật khẩu" in html
    response = client.post("/login", data={"username": "demo.officer", "password": "sai",
                                           "csrf_token": csrf_token(client)})
    assert response.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.get_data(as_text=True)
    assert client.get("/inbox").status_code == 302


def test_login_sets_a_hardened_session_cookie_and_logout_forgets_it(client: FlaskClient) -> None:
    token = csrf_token(client)
    response = client.post("/login?next=/instances", data={"username": "demo.officer", "password": "demo",
                                                           "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/instances"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/inbox").status_code == 200
    assert client.post("/logout", data={"csrf_token": csrf_token(client, "/inbox")}).status_code == 302
    assert client.get("/inbox").status_code == 302


def test_an_outside_next_target_is_ignored(client: FlaskClient) -> None:
    token = csrf_token(client)
    response = client.post("/login?next=//evil.example/", data={"username": "demo.officer", "password": "demo",
                                                                "csrf_token": token})
    assert response.headers["Location"] == "/inbox"


def test_repeated_failures_throttle_the_account_for_a_while(client: FlaskClient, clock: VirtualClock) -> None:
    for _ in range(5):
        client.post("/login", data={"username": "demo.head", "password": "x", "csrf_token": csrf_token(client)})
    response = client.post("/login", data={"username": "demo.head", "password": "demo",
                                           "csrf_token": csrf_token(client)})
    assert response.status_code == 429
    assert "Vui lòng chờ 15 phút" in response.get_data(as_text=True)
    clock.advance(timedelta(minutes=16))
    log_in(client, "demo.head")


def test_forms_without_the_csrf_token_are_refused(login: object, client: FlaskClient, cycles: dict[str, int]) -> None:
    assert client.post("/login", data={"username": "demo.officer", "password": "demo"}).status_code == 400
    log_in(client, "demo.officer")
    for path in ("/tasks/1/claim", "/tasks/1", "/tasks/1/comments", "/logout", "/absence", "/tasks/1/reassign"):
        response = client.post(path, data={"body": "x"})
        assert response.status_code == 400, path
        assert "Biểu mẫu đã hết hạn" in response.get_data(as_text=True)
    assert client.get("/inbox").status_code == 200  # still logged in: logout was refused too


def test_every_response_carries_security_headers(client: FlaskClient) -> None:
    response = client.get("/login")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


def test_health_answers(client: FlaskClient) -> None:
    assert client.get("/healthz").get_json() == {"status": "ok"}
