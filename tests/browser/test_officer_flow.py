"""In Chromium: an ISO officer logs in, opens the first task, sees validation messages, completes it,
sees the next step, and switches the language. Screenshots go to test-artifacts/."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from engine.settings import PROJECT_ROOT
from tests.web.form_filler import fill

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]

try:
    from playwright.sync_api import Browser, Page, expect, sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None  # type: ignore[assignment]


def _unavailable() -> str | None:
    if sync_playwright is None:
        return "playwright is not installed (pip install playwright; never `playwright install`)"
    if not CHROMIUM.exists():
        return "Debian's Chromium is missing (apt-get install chromium)"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium; a missing browser fails in CI and skips elsewhere."""
    reason = _unavailable()
    if reason is not None:
        if os.environ.get("CI", "").lower() in ("1", "true"):
            pytest.fail(reason)
        pytest.skip(reason)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def base_url(app: Flask, cycles: dict[str, int]) -> Iterator[str]:
    """The app served on a free localhost port from a thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser tab."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    yield tab
    context.close()


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _type(page: Page, name: str, value: Any, spec: dict[str, Any]) -> None:
    """Put one schema value into the input the page rendered for it."""
    field = page.locator(f'[name="{name}"]')
    if spec.get("type") == "boolean":
        if value:
            field.check()
        return
    if field.first.evaluate("e => e.tagName") == "SELECT":
        field.select_option(str(value))
        return
    if spec.get("format") == "date":
        year, month, day = str(value).split("-")
        value = f"{day}/{month}/{year}"
    if isinstance(value, list):
        value = "\n".join(str(v) for v in value)
    field.fill(str(value))


def _fill_form(page: Page, schema: dict[str, Any], data: dict[str, Any]) -> None:
    for key, value in data.items():
        spec = schema["properties"][key]
        items = spec.get("items", {})
        if spec.get("type") == "array" and items.get("type") == "object":
            for index, row in enumerate(value):
                if index > 0:
                    page.get_by_role("button", name="Thêm dòng").first.click()
                names = page.locator(f'[name^="f.{key}."][name$=".{next(iter(row))}"]')
                prefix = names.nth(index).get_attribute("name").rsplit(".", 1)[0]  # type: ignore[union-attr]
                for column, cell in row.items():
                    _type(page, f"{prefix}.{column}", cell, items["properties"][column])
        else:
            _type(page, f"f.{key}", value, spec)


def _add_and_remove_a_row(page: Page) -> None:
    """Repeating rows grow and shrink in the page (when the form has a table of rows)."""
    tables = page.locator("table.rows")
    if tables.count() == 0:
        return
    rows = tables.first.locator("tbody tr")
    before = rows.count()
    page.get_by_role("button", name="Thêm dòng").first.click()
    expect(rows).to_have_count(before + 1)
    rows.last.get_by_role("button", name="Xóa dòng").click()
    expect(rows).to_have_count(before)


def test_an_officer_completes_the_first_task_in_vietnamese_then_switches_to_english(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/login")
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    page.get_by_label("Tên đăng nhập").fill("demo.officer")
    page.get_by_label("Mật khẩu").fill("demo")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Công việc của tôi")).to_be_visible()
    expect(page.get_by_test_id("nav-count")).to_have_text("1")
    _shot(page, "01-inbox-vi")

    page.locator("table.tasks tbody tr").first.get_by_role("link").click()
    expect(page.get_by_test_id("legal-basis")).to_be_visible()
    task_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    page.get_by_role("button", name="Hoàn thành").click()
    expect(page.get_by_test_id("error-summary")).to_contain_text("Biểu mẫu có lỗi")
    expect(page.locator(".field-error").first).to_be_visible()
    _shot(page, "02-task-invalid-vi")

    _add_and_remove_a_row(page)
    form = page.request.get(f"{base_url}/api/v1/tasks/{task_id}").json()["form"]
    _fill_form(page, form["schema"], fill(form["schema"]))
    _shot(page, "03-task-filled-vi")
    page.get_by_role("button", name="Hoàn thành").click()
    expect(page.get_by_role("heading", name="Bước tiếp theo")).to_be_visible()
    expect(page.get_by_test_id("next-steps")).to_be_visible()
    _shot(page, "04-next-step-vi")

    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", name="What comes next")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("link", name="My tasks").first.click()
    expect(page.get_by_role("heading", name="My tasks")).to_be_visible()
    _shot(page, "05-inbox-en")
