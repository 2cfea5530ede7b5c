"""Plausible form data generated from a task's JSON Schema (for the simulated year).

It works for whatever forms are deployed: it reads types, bounds, enums, formats, required
fields, local `$ref`s, `oneOf`/`anyOf`/`allOf`, `if`/`then`/`else`, and a few field-name hints
(numbers, due dates ahead of today, findings, counts of the province's agencies). Where a form
has rules beyond its schema, the form author gives JSON Schema `examples` (for the whole form or
a field) and one of them is used as is; rules declared in process.json are the simulator's part.
Nothing here knows a particular process.
"""

from __future__ import annotations

import copy
import random
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from jsonschema import Draft202012Validator

_SENTENCES = (
    "Rà soát, cập nhật quy trình theo mô hình khung",
    "Phổ biến chính sách chất lượng đến toàn thể công chức",
    "Cập nhật danh mục thủ tục hành chính theo quyết định công bố mới",
    "Kiểm soát hồ sơ, tài liệu theo đúng quy định",
    "Bổ sung biểu mẫu theo dõi mục tiêu chất lượng",
    "Tổ chức họp xem xét của lãnh đạo và ghi biên bản",
    "Khắc phục điểm không phù hợp, xác định nguyên nhân gốc rễ",
    "Đo lường sự hài lòng của người dân và tổ chức",
    "Đánh giá rủi ro và cơ hội trong giải quyết thủ tục hành chính",
    "Đào tạo chuyên gia đánh giá nội bộ",
)
_FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Phan", "Trương", "Bùi", "Đặng", "Đỗ", "Ngô")
_MIDDLE = ("Văn", "Thị", "Minh", "Thanh", "Hoàng", "Ngọc", "Hữu", "Kim")
_GIVEN = ("An", "Bình", "Cường", "Dung", "Giang", "Hải", "Hạnh", "Khoa", "Lan", "Long", "Mai", "Nam", "Phúc", "Tâm")
_PERSON_ENDINGS = ("full_name", "owner_name", "owner", "leader", "chaired_by")  # fields that hold a person's name
_FINDING_WORDS = ("finding", "nonconform", "non_conform", "khong_phu_hop", "nc_")
_NUMBER_WORDS = ("number", "so_", "_no", "code", "ma_")
_RATE_WORDS = ("rate", "ratio", "percent", "ty_le")
_EXCEPTION_WORDS = ("changed", "needed")  # yes/no fields flagging a change from the usual: mostly no
_DUE_WORDS = ("due", "deadline", "resubmit", "expected")  # dates a person sets ahead of today
_DUE_DAYS = (10, 45)
_AGENCY_WORDS = ("agenc", "recipient", "reports_", "inspected")  # counts of the province's agencies
_ALL_AGENCIES_WORDS = ("count", "applying", "expected", "recipients")  # ... that are all of them
_CONDITIONS = "x-isoflow-conditions"  # if/then/else parts collected from allOf


class SampleDataError(ValueError):
    """The schema uses something the generator cannot satisfy."""


@dataclass(frozen=True)
class SampleContext:
    """What the generated data may depend on: the day it is filled in, who fills it, how it goes."""

    today: date
    agency_code: str = "VL-000"
    with_findings: bool = False  # this task reports nonconformities (non-empty findings lists)
    email: str = "can.bo@example.gov.vn"
    agencies: int | None = None  # how many agencies the province has (bounds counts of agencies)


def person_name(rng: random.Random) -> str:
    """A plausible Vietnamese full name."""
    return f"{rng.choice(_FAMILY)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}"


def is_finding_field(name: str) -> bool:
    """True for field names that hold audit findings or nonconformities."""
    lowered = name.lower()
    return any(word in lowered for word in _FINDING_WORDS)


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    seen = 0
    while "$ref" in schema:
        ref = str(schema["$ref"])
        if not ref.startswith("#/"):
            raise SampleDataError(f"only local $ref are supported, not {ref!r}")
        target: Any = root
        for part in ref[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        merged = {k: v for k, v in schema.items() if k != "$ref"}
        schema = {**target, **merged}
        seen += 1
        if seen > 32:
            raise SampleDataError(f"$ref cycle at {ref!r}")
    return schema


def _type_of(schema: dict[str, Any], rng: random.Random) -> str:
    declared = schema.get("type")
    if isinstance(declared, list):
        concrete = [t for t in declared if t != "null"]
        return str(concrete[0] if concrete else "null")
    if isinstance(declared, str):
        return declared
    if "properties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    if "enum" in schema:
        return "enum"
    return "string"


class _Generator:
    def __init__(self, root: dict[str, Any], rng: random.Random, ctx: SampleContext) -> None:
        self.root = root
        self.rng = rng
        self.ctx = ctx

    def value(self, schema: dict[str, Any], name: str) -> Any:
        schema = _resolve(schema, self.root)
        if "const" in schema:
            return schema["const"]
        examples = schema.get("examples")
        if isinstance(examples, list) and examples:
            # A form author's `examples` satisfy rules the schema cannot say (e.g. cross-field rules).
            return copy.deepcopy(self.rng.choice(examples))
        if "enum" in schema:
            return self.rng.choice(list(schema["enum"]))
        for key in ("oneOf", "anyOf"):
            if key in schema:
                options = [s for s in schema[key] if _resolve(s, self.root).get("type") != "null"] or schema[key]
                base = {k: v for k, v in schema.items() if k != key}
                return self.value({**base, **self.rng.choice(options)}, name)
        if "allOf" in schema:
            merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
            conditions = list(merged.pop(_CONDITIONS, []))
            for part in schema["allOf"]:
                part = _resolve(part, self.root)
                if "if" in part:
                    conditions.append(part)  # applied once the object's values are known
                    part = {k: v for k, v in part.items() if k not in ("if", "then", "else")}
                merged = {
                    **merged,
                    **part,
                    "properties": {**merged.get("properties", {}), **part.get("properties", {})},
                    "required": [*merged.get("required", []), *part.get("required", [])],
                }
            merged[_CONDITIONS] = conditions
            return self.value(merged, name)
        kind = _type_of(schema, self.rng)
        handler = getattr(self, f"_{kind}", None)
        if handler is None:
            raise SampleDataError(f"field {name!r}: unsupported type {kind!r}")
        return handler(schema, name)

    def _null(self, schema: dict[str, Any], name: str) -> None:
        return None

    def _object(self, schema: dict[str, Any], name: str) -> dict[str, Any]:
        required = set(schema.get("required", []))
        properties: dict[str, Any] = schema.get("properties", {})
        result: dict[str, Any] = {}
        for prop, sub in properties.items():
            if prop in required or is_finding_field(prop) or self.rng.random() < 0.7:
                result[prop] = self.value(sub, prop)
        conditions = list(schema.get(_CONDITIONS, []))
        if "if" in schema:
            conditions.append(schema)
        for condition in conditions:
            matched = Draft202012Validator(condition["if"]).is_valid(result)
            branch = condition.get("then" if matched else "else")
            if not isinstance(branch, dict):
                continue
            extra = branch.get("properties", {})
            for prop in [*branch.get("required", []), *(p for p in extra if p in result)]:
                if prop not in result or prop in extra:
                    result[prop] = self.value({**properties.get(prop, {}), **extra.get(prop, {})}, prop)
        return result

    def _array(self, schema: dict[str, Any], name: str) -> list[Any]:
        low = int(schema.get("minItems", 0))
        high = int(schema.get("maxItems", max(low, 4)))
        if is_finding_field(name):
            count = self.rng.randint(max(low, 1), max(low, 1, min(high, 4))) if self.ctx.with_findings else low
        elif low == 0 and self.rng.random() < 0.3:
            count = 0
        else:
            count = self.rng.randint(max(low, 1), max(low, 1, min(high, 3)))
        items = schema.get("items", {})
        values: list[Any] = []
        for attempt in range(count * 10):
            if len(values) == count:
                break
            item = self.value(items if isinstance(items, dict) else {}, name)
            if schema.get("uniqueItems") and item in values:
                if attempt == count * 10 - 1:
                    raise SampleDataError(f"field {name!r}: cannot make {count} unique items")
                continue
            values.append(item)
        return values

    def _boolean(self, schema: dict[str, Any], name: str) -> bool:
        if isinstance(schema.get("default"), bool):
            default: bool = schema["default"]
            return default if self.rng.random() < 0.85 else not default
        if any(word in name.lower() for word in _EXCEPTION_WORDS):
            return self.rng.random() < 0.2
        # Gates such as "approved" or "effective" mostly pass, sometimes send work back.
        return self.rng.random() < 0.95

    def _bounds(self, schema: dict[str, Any]) -> tuple[float | None, float | None]:
        low = schema.get("minimum")
        if "exclusiveMinimum" in schema:
            low = schema["exclusiveMinimum"] + (1 if schema.get("type") == "integer" else 0.01)
        high = schema.get("maximum")
        if "exclusiveMaximum" in schema:
            high = schema["exclusiveMaximum"] - (1 if schema.get("type") == "integer" else 0.01)
        return low, high

    def _integer(self, schema: dict[str, Any], name: str) -> int:
        low, high = self._bounds(schema)
        lo = int(low) if low is not None else 0
        hi = int(high) if high is not None else lo + 50
        if is_finding_field(name):
            value = self.rng.randint(max(lo, 1), max(lo, 1, min(hi, 5))) if self.ctx.with_findings else lo
            return min(value, hi)
        lowered = name.lower()
        if self.ctx.agencies is not None and any(word in lowered for word in _AGENCY_WORDS):
            total = max(lo, self.ctx.agencies if high is None else min(int(high), self.ctx.agencies))
            return total if any(word in lowered for word in _ALL_AGENCIES_WORDS) else self.rng.randint(lo, total)
        if lo == 0 and self.rng.random() < 0.2:
            return 0
        step = int(schema.get("multipleOf", 1))
        value = self.rng.randint(max(lo, 1) if hi >= 1 else lo, max(lo, min(hi, lo + 40)))
        return min(hi, value - value % step) if step > 1 else value

    def _number(self, schema: dict[str, Any], name: str) -> float:
        low, high = self._bounds(schema)
        lo = float(low) if low is not None else 0.0
        hi = float(high) if high is not None else lo + 100.0
        if any(word in name.lower() for word in _RATE_WORDS):
            lo = max(lo, min(hi, 80.0))
        return round(self.rng.uniform(lo, hi), 1) if hi - lo >= 0.1 else lo

    def _string(self, schema: dict[str, Any], name: str) -> str:
        fmt = schema.get("format")
        lowered = name.lower()
        if fmt == "date":
            if any(word in lowered for word in _DUE_WORDS):
                return (self.ctx.today + timedelta(days=self.rng.randint(*_DUE_DAYS))).isoformat()
            return self.ctx.today.isoformat()
        if fmt == "date-time":
            return datetime.combine(self.ctx.today, datetime.min.time()).isoformat() + "+07:00"
        if fmt == "email" or "email" in lowered:
            return self.ctx.email
        if fmt in ("uri", "url") or "url" in lowered or "link" in lowered:
            return f"https://{self.ctx.agency_code.lower()}.example.gov.vn/iso/{self.rng.randint(1, 999)}"
        pattern = schema.get("pattern")
        if pattern is None and lowered.endswith(_PERSON_ENDINGS):
            return self._fit(person_name(self.rng), schema)
        candidates = []
        if pattern is not None or any(word in lowered for word in _NUMBER_WORDS):
            n = self.rng.randint(1, 999)
            candidates = [
                f"{n}/QĐ-UBND",
                f"{n}/BC-{self.ctx.agency_code.split('-')[0]}",
                f"{n}/KH",
                str(n),
                f"BC-{n:03d}",
            ]
        if pattern is not None:
            matching = [c for c in candidates if re.search(str(pattern), c)]
            if not matching:
                raise SampleDataError(f"field {name!r}: no sample matches the pattern {pattern!r}")
            return self._fit(matching[0], schema)
        if candidates:
            return self._fit(candidates[0], schema)
        count = self.rng.randint(1, 3)
        text = ". ".join(self.rng.sample(_SENTENCES, count)) + "."
        return self._fit(text, schema)

    def _fit(self, text: str, schema: dict[str, Any]) -> str:
        low = int(schema.get("minLength", 0))
        high = schema.get("maxLength")
        while len(text) < low:
            text += " " + self.rng.choice(_SENTENCES) + "."
        if high is not None and len(text) > int(high):
            text = text[: int(high)].rstrip() or text[: int(high)]
        return text


def generate(schema: dict[str, Any], rng: random.Random, ctx: SampleContext) -> Any:
    """Data that satisfies `schema` (a JSON Schema), drawn from `rng`."""
    return _Generator(schema, rng, ctx).value(schema, "")
