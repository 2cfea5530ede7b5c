"""A task's JSON Schema turned into the fields a page renders, and submitted inputs back into JSON."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from werkzeug.datastructures import MultiDict

PREFIX = "f."
_INTEGER = re.compile(r"^[+-]?\d+$")
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")
_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
LONG_TEXT = 300


@dataclass
class Field:
    """One input of a form, or a table of rows (its `columns` are the inputs of one row)."""

    key: str
    kind: str  # text textarea integer number date boolean select multiselect lines rows file json
    label: str
    required: bool = False
    description: str = ""
    options: list[tuple[str, str]] = field(default_factory=list)
    columns: list[Field] = field(default_factory=list)
    attrs: dict[str, Any] = field(default_factory=dict)


def _label(spec: dict[str, Any], key: str, lang: str) -> str:
    if lang == "en" and spec.get("x-title-en"):
        return str(spec["x-title-en"])
    return str(spec.get("title") or key)


def _type(spec: dict[str, Any]) -> str:
    kind = spec.get("type", "string")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    return str(kind)


def _options(spec: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    if "enum" in spec:
        titles = spec.get("x-enum-titles-en" if lang == "en" else "x-enum-titles") or spec.get("x-enum-titles") or []
        return [(str(v), str(titles[i]) if i < len(titles) else str(v)) for i, v in enumerate(spec["enum"])]
    return [(str(o["const"]), _label(o, str(o["const"]), lang)) for o in spec.get("oneOf", []) if "const" in o]


def _kind(spec: dict[str, Any], hint: dict[str, Any]) -> str:
    widget = hint.get("widget") or spec.get("x-widget")
    if widget == "file" or spec.get("format") in ("attachment", "x-attachment"):
        return "file"
    if "enum" in spec or any("const" in o for o in spec.get("oneOf", [])):
        return "select"
    kind = _type(spec)
    if kind == "array":
        items = spec.get("items", {}) if isinstance(spec.get("items"), dict) else {}
        if _type(items) == "object" and items.get("properties"):
            return "rows"
        if "enum" in items:
            return "multiselect"
        return "lines" if _type(items) in ("string", "integer", "number") else "json"
    if kind in ("boolean", "integer", "number"):
        return kind
    if kind == "object":
        return "json"
    if spec.get("format") == "date":
        return "date"
    long_text = int(spec.get("maxLength", 0)) > LONG_TEXT
    return "textarea" if widget == "textarea" or long_text else "text"


def _attrs(spec: dict[str, Any]) -> dict[str, Any]:
    names = {"minimum": "min", "maximum": "max", "maxLength": "maxlength"}
    return {html: spec[json_name] for json_name, html in names.items() if json_name in spec}


def build_fields(schema: dict[str, Any], ui: dict[str, Any] | None, lang: str) -> list[Field]:
    """The fields of an object schema, in `ui.order` (or schema) order."""
    ui = ui or {}
    properties: dict[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", []))
    first = [k for k in ui.get("order", []) if k in properties]
    order = first + [k for k in properties if k not in first]
    fields = []
    for key in order:
        spec = properties[key] if isinstance(properties[key], dict) else {}
        hint = ui.get(key, {}) if isinstance(ui.get(key), dict) else {}
        kind = _kind(spec, hint)
        description = spec.get("x-description-en") if lang == "en" else None
        item = spec.get("items", {}) if isinstance(spec.get("items"), dict) else {}
        fields.append(Field(
            key=key, kind=kind, label=_label(spec, key, lang), required=key in required,
            description=str(description or spec.get("description") or ""),
            options=_options(item if kind == "multiselect" else spec, lang),
            columns=build_fields(item, hint.get("items"), lang) if kind == "rows" else [],
            attrs=_attrs(spec),
        ))
    return fields


def _coerce(field_: Field, raw: str) -> Any:
    """The JSON value of one text input; unparseable text is kept so validation names the field."""
    text = raw.strip()
    if field_.kind == "integer" and _INTEGER.match(text):
        return int(text)
    if field_.kind == "number" and _NUMBER.match(text):
        number = float(text.replace(",", "."))
        return int(number) if number.is_integer() else number
    if field_.kind == "date":
        match = _DMY.match(text)
        if match:
            day, month, year = (int(g) for g in match.groups())
            try:
                return date(year, month, day).isoformat()
            except ValueError:
                return text
    if field_.kind == "json":
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


def _one(field_: Field, name: str, form: MultiDict[str, str], enums: dict[str, dict[str, Any]]) -> Any:
    """The value of one field named `name`; None when left empty."""
    if field_.kind == "boolean":
        return form.get(name) in ("on", "true", "1")
    if field_.kind == "multiselect":
        return [enums.get(field_.key, {}).get(v, v) for v in form.getlist(name)]
    if field_.kind == "rows":
        return _rows(field_, name, form, enums)
    raw = form.get(name, "")
    if field_.kind == "lines":
        return [line.strip() for line in raw.splitlines() if line.strip()] or None
    if not raw.strip():
        return None
    if field_.kind == "select":
        return enums.get(field_.key, {}).get(raw, raw)
    return _coerce(field_, raw)


def _rows(field_: Field, name: str, form: MultiDict[str, str], enums: dict[str, dict[str, Any]]) -> list[Any]:
    indexes = sorted({int(k[len(name) + 1:].split(".", 1)[0]) for k in form if k.startswith(name + ".")
                      and k[len(name) + 1:].split(".", 1)[0].isdigit()})
    rows = []
    for index in indexes:
        row = {}
        for column in field_.columns:
            value = _one(column, f"{name}.{index}.{column.key}", form, enums)
            if value is not None and value != [] and not (column.kind == "boolean" and value is False):
                row[column.key] = value
        if row:
            for column in field_.columns:
                if column.kind == "boolean":
                    row.setdefault(column.key, False)
            rows.append(row)
    return rows


def enum_values(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """For each select field (also inside rows), its option text -> JSON value (enums may be numbers)."""
    found: dict[str, dict[str, Any]] = {}
    for key, spec in schema.get("properties", {}).items():
        if not isinstance(spec, dict):
            continue
        source = spec.get("items", {}) if _type(spec) == "array" and isinstance(spec.get("items"), dict) else spec
        values = list(source.get("enum", [])) + [o["const"] for o in source.get("oneOf", []) if "const" in o]
        if values:
            found[key] = {str(v): v for v in values}
        if _type(source) == "object":
            found.update(enum_values(source))
    return found


def parse_submission(schema: dict[str, Any], fields: list[Field], form: MultiDict[str, str]) -> dict[str, Any]:
    """The JSON object a submitted form stands for; empty optional inputs are left out."""
    enums = enum_values(schema)
    data: dict[str, Any] = {}
    for field_ in fields:
        value = _one(field_, PREFIX + field_.key, form, enums)
        if value is None or (value == [] and not field_.required):
            continue
        data[field_.key] = value
    return data


def shown(field_: Field, value: Any) -> str:
    """A value as an input shows it (dates as dd/mm/yyyy)."""
    if value is None:
        return ""
    if field_.kind == "date" and isinstance(value, str) and re.match(r"^\d{4}-\d{2}-\d{2}$", value):
        year, month, day = value.split("-")
        return f"{day}/{month}/{year}"
    if field_.kind == "lines" and isinstance(value, list):
        return "\n".join(str(v) for v in value)
    if field_.kind == "json" and not isinstance(value, str):
        return json.dumps(value, ensure_ascii=False, indent=2)
    return str(value)


def field_labels(fields: list[Field]) -> dict[str, str]:
    """Field key -> label, including row columns (used to name validation errors)."""
    labels = {}
    for field_ in fields:
        labels[field_.key] = field_.label
        for column in field_.columns:
            labels.setdefault(column.key, column.label)
    return labels
