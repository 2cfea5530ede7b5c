"""Language: Vietnamese by default, English on request (remembered), every string translated."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask.testing import FlaskClient

import web

Login = Callable[[str], FlaskClient]
WEB = Path(web.__file__).resolve().parent
CATALOG = WEB / "translations" / "vi" / "LC_MESSAGES"


def test_english_is_selectable_and_remembered(login: Login, form_process: int) -> None:
    client = login("demo.officer")
    assert "Công việc của tôi" in client.get("/inbox").get_data(as_text=True)
    response = client.get("/lang/en?next=/inbox")
    assert response.status_code == 302 and response.headers["Location"] == "/inbox"
    assert "isoflow_lang=en" in response.headers["Set-Cookie"]
    html = client.get(f"/tasks/{form_process}").get_data(as_text=True)
    assert '<html lang="en">' in html and "Write the internal audit report" in html
    assert "ISO 9001:2015 clause 9.2" in html and ">Auditor" in html and "10/01/2024" in html
    assert "8 days left" in html
    assert "My tasks" in client.get("/inbox").get_data(as_text=True)
    client.get("/lang/vi")
    assert "Công việc của tôi" in client.get("/inbox").get_data(as_text=True)


def test_the_cookie_keeps_the_language_for_a_new_session(client: FlaskClient) -> None:
    client.get("/lang/en")
    with client.session_transaction() as session:
        session.clear()
    assert "Username" in client.get("/login").get_data(as_text=True)


def test_an_unknown_language_or_outside_target_changes_nothing(client: FlaskClient) -> None:
    response = client.get("/lang/fr?next=https://evil.example/")
    assert response.headers["Location"] == "/"
    assert "Tên đăng nhập" in client.get("/login").get_data(as_text=True)


def _source_messages() -> set[str]:
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None}
    found = set()
    for _, _, message, _, _ in extract_from_dir(str(WEB), method_map, keywords=keywords):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_every_visible_string_has_a_vietnamese_translation() -> None:
    with (CATALOG / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    translated = {(m.id[0] if isinstance(m.id, tuple) else m.id) for m in catalog if m.id and m.string
                  and all(m.string if isinstance(m.string, tuple) else [m.string])}
    missing = sorted(_source_messages() - translated)
    assert not missing, f"untranslated (run pybabel extract/update, then translate): {missing}"


def _key(value: object) -> object:
    return tuple(value) if isinstance(value, (list, tuple)) else value


def test_the_compiled_catalog_matches_the_po_file() -> None:
    with (CATALOG / "messages.po").open("rb") as handle:
        source = {_key(m.id): _key(m.string) for m in read_po(handle) if m.id}
    with (CATALOG / "messages.mo").open("rb") as handle:
        compiled = {_key(m.id): _key(m.string) for m in read_mo(handle) if m.id}
    # The .mo is committed so that a fresh clone serves Vietnamese without a build step.
    assert compiled == source, "run: .venv/bin/pybabel compile -d web/translations"
