"""Valid data for any form schema, so tests do not hard-code the fields of processes being rewritten."""

from __future__ import annotations

from typing import Any


def fill(schema: dict[str, Any]) -> dict[str, Any]:
    """Valid data for a form schema, whatever its fields: every property is given a plausible value,
    which also satisfies conditional (if/then) requirements."""
    return {name: _value(spec) for name, spec in schema.get("properties", {}).items()}


def _value(spec: dict[str, Any]) -> Any:
    if "enum" in spec:
        return spec["enum"][0]
    if "const" in spec:
        return spec["const"]
    kind = spec.get("type")
    kind = next(k for k in kind if k != "null") if isinstance(kind, list) else kind
    if kind == "boolean":
        return True
    if kind in ("integer", "number"):
        return max(1, spec.get("minimum", 1))
    if kind == "array":
        count = spec.get("minItems", 1)
        return [_value(spec.get("items", {"type": "string"})) for _ in range(count)]
    if kind == "object":
        return fill(spec)
    if spec.get("format") == "date":
        return "2024-03-15"
    if spec.get("format") == "email":
        return "thu.ky@example.gov.vn"
    return "Nội dung kiểm thử đầy đủ"[: max(spec.get("maxLength", 100), 3)].ljust(spec.get("minLength", 0), ".")
