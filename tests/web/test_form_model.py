"""Unit tests of the schema-to-inputs mapping (no database)."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from web.form_model import build_fields, parse_submission, shown

SCHEMA = {
    "type": "object",
    "properties": {
        "level": {"type": "integer", "enum": [1, 2, 3], "title": "Mức"},
        "kind": {"type": "string", "title": "Loại",
                 "oneOf": [{"const": "a", "title": "Loại A", "x-title-en": "Kind A"}]},
        "tags": {"type": "array", "items": {"type": "string", "enum": ["x", "y"]}, "title": "Nhãn"},
        "extra": {"type": "object", "title": "Khác"},
        "note": {"type": ["string", "null"], "maxLength": 2000, "title": "Ghi chú"},
        "when": {"type": "string", "format": "date", "title": "Ngày"},
        "amount": {"type": "number", "title": "Số tiền"},
    },
}


def test_kinds_labels_and_options_follow_the_schema_and_language() -> None:
    fields = {f.key: f for f in build_fields(SCHEMA, {"order": ["note"]}, "en")}
    assert next(iter(fields)) == "note" and fields["note"].kind == "textarea"
    assert fields["level"].kind == "select" and fields["level"].options == [("1", "1"), ("2", "2"), ("3", "3")]
    assert fields["kind"].options == [("a", "Kind A")]
    assert fields["tags"].kind == "multiselect" and fields["extra"].kind == "json"


def test_submitted_text_becomes_typed_json_and_bad_text_is_kept_for_the_validator() -> None:
    fields = build_fields(SCHEMA, None, "vi")
    form = MultiDict([("f.level", "2"), ("f.kind", "a"), ("f.tags", "x"), ("f.tags", "y"), ("f.extra", '{"a": 1}'),
                      ("f.note", ""), ("f.when", "29/02/2024"), ("f.amount", "1.234,5")])
    assert parse_submission(SCHEMA, fields, form) == {
        "level": 2, "kind": "a", "tags": ["x", "y"], "extra": {"a": 1}, "when": "2024-02-29", "amount": "1.234,5",
    }
    assert parse_submission(SCHEMA, fields, MultiDict([("f.when", "30/02/2024"), ("f.amount", "3,5")])) == {
        "when": "30/02/2024", "amount": 3.5,
    }


def test_values_are_shown_as_people_type_them() -> None:
    fields = {f.key: f for f in build_fields(SCHEMA, None, "vi")}
    assert shown(fields["when"], "2024-03-15") == "15/03/2024"
    assert shown(fields["extra"], {"a": "á"}) == '{\n  "a": "á"\n}'
    assert shown(fields["note"], None) == ""
