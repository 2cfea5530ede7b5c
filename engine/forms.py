"""Form schemas: JSON Schema checked on deploy, submitted data validated on the server."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError
from jsonschema.exceptions import ValidationError as SchemaViolation

from engine.errors import InvalidDefinition, ValidationFailed

_FORMATS = FormatChecker(formats=("date", "email"))

_MESSAGES = {
    "required": "Trường này là bắt buộc",
    "type": "Giá trị không đúng kiểu dữ liệu",
    "minimum": "Giá trị nhỏ hơn mức tối thiểu",
    "maximum": "Giá trị lớn hơn mức tối đa",
    "minLength": "Nội dung quá ngắn",
    "maxLength": "Nội dung quá dài",
    "enum": "Giá trị không nằm trong danh sách cho phép",
    "format": "Giá trị không đúng định dạng",
    "additionalProperties": "Trường không có trong biểu mẫu",
    "minItems": "Cần thêm dòng",
    "maxItems": "Quá nhiều dòng",
    "pattern": "Giá trị không đúng mẫu",
}


def check_form(name: str, form: Any) -> None:
    """Refuse a form file that is not a usable JSON Schema form."""
    if not isinstance(form, dict) or not isinstance(form.get("schema"), dict):
        raise InvalidDefinition(f"form {name}: expected an object with a 'schema' member")
    schema = form["schema"]
    if schema.get("type") != "object":
        raise InvalidDefinition(f"form {name}: the schema must describe an object")
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        raise InvalidDefinition(f"form {name}: invalid JSON Schema: {exc.message}") from exc


def _field_of(error: SchemaViolation) -> str:
    """The dotted path of the field an error is about, rows included (e.g. `findings.1.clause`)."""
    path = [str(part) for part in error.absolute_path]
    if error.validator in ("required", "additionalProperties"):
        # "'x' is a required property" / "('x' was unexpected)": the field is the first quoted word.
        quoted = str(error.message).split("'")
        if len(quoted) > 1:
            path.append(quoted[1])
    return ".".join(path) or "(form)"


def validate_submission(form: dict[str, Any] | None, data: Any) -> dict[str, Any]:
    """Return the data if it matches the form, else raise ValidationFailed field by field."""
    if not isinstance(data, dict):
        raise ValidationFailed("Dữ liệu biểu mẫu phải là một đối tượng JSON", details={"(form)": "object expected"})
    if form is None:
        return data
    validator = Draft202012Validator(form["schema"], format_checker=_FORMATS)
    details: dict[str, str] = {}
    for error in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path)):
        name = _field_of(error)
        details.setdefault(name, f"{_MESSAGES.get(str(error.validator), 'Giá trị không hợp lệ')} ({error.message})")
    if details:
        fields = ", ".join(sorted(details))
        raise ValidationFailed(f"Dữ liệu không hợp lệ ở các trường: {fields}", details=details)
    defaults = {
        name: spec["default"]
        for name, spec in form["schema"].get("properties", {}).items()
        if isinstance(spec, dict) and "default" in spec and name not in data
    }
    return {**defaults, **data}
