"""Form data generated from JSON Schemas for the simulated year (engine.sample_data)."""

from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.forms import validate_submission
from engine.sample_data import SampleContext, SampleDataError, generate
from engine.settings import PROJECT_ROOT

FORMS = sorted(
    [*PROJECT_ROOT.glob("processes/*/forms/*.json"), *PROJECT_ROOT.glob("tests/integration/processes/*/forms/*.json")]
)
TODAY = date(2024, 5, 20)


@pytest.mark.parametrize("path", FORMS, ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), findings=st.booleans())
def test_generated_data_is_valid_for_every_deployed_form(path: Path, seed: int, findings: bool) -> None:
    form = json.loads(path.read_text(encoding="utf-8"))
    data = generate(form["schema"], random.Random(seed), SampleContext(TODAY, "VL-013", findings))
    validate_submission(form, data)  # raises ValidationFailed if the data does not fit


def audit_schema() -> dict[str, Any]:
    path = PROJECT_ROOT / "tests/integration/processes/sim_cycle/forms/internal_audit.json"
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["schema"]
    return schema


def test_findings_lists_follow_the_context() -> None:
    with_findings = generate(audit_schema(), random.Random(1), SampleContext(TODAY, with_findings=True))
    without = generate(audit_schema(), random.Random(1), SampleContext(TODAY, with_findings=False))
    assert with_findings["findings"] and all(f["severity"] in ("major", "minor") for f in with_findings["findings"])
    assert without["findings"] == []
    assert with_findings["audit_date"] == "2024-05-20"


def test_same_seed_same_data() -> None:
    one = generate(audit_schema(), random.Random(5), SampleContext(TODAY, with_findings=True))
    two = generate(audit_schema(), random.Random(5), SampleContext(TODAY, with_findings=True))
    assert one == two


def test_schema_features() -> None:
    schema = {
        "type": "object",
        "required": ["kind", "count", "tags", "choice", "fixed"],
        "properties": {
            "kind": {"enum": ["a", "b"]},
            "count": {"type": "integer", "exclusiveMinimum": 5, "exclusiveMaximum": 8},
            "tags": {
                "type": "array",
                "minItems": 2,
                "maxItems": 2,
                "uniqueItems": True,
                "items": {"enum": ["x", "y", "z"]},
            },
            "choice": {"oneOf": [{"type": "null"}, {"type": "string", "minLength": 3, "maxLength": 5}]},
            "fixed": {"const": 42},
            "rate": {"type": "number", "minimum": 0, "maximum": 100},
        },
    }
    for seed in range(50):
        data = generate(schema, random.Random(seed), SampleContext(TODAY))
        assert data["kind"] in ("a", "b") and data["count"] in (6, 7) and data["fixed"] == 42
        assert len(set(data["tags"])) == 2 and 3 <= len(data["choice"]) <= 5
        assert "rate" not in data or 80 <= data["rate"] <= 100


def test_unsatisfiable_schemas_are_reported() -> None:
    with pytest.raises(SampleDataError, match="pattern"):
        generate({"type": "string", "pattern": "^ZZ$"}, random.Random(1), SampleContext(TODAY))
    with pytest.raises(SampleDataError, match="local"):
        generate({"$ref": "https://example.com/schema"}, random.Random(1), SampleContext(TODAY))


def test_examples_are_used_as_given() -> None:
    schema = {
        "type": "object",
        "properties": {"team": {"type": "array", "examples": [["An", "Bình"]]}},
        "required": ["team"],
    }
    assert generate(schema, random.Random(2), SampleContext(TODAY)) == {"team": ["An", "Bình"]}
    whole = {**schema, "examples": [{"team": ["Cường"]}]}
    assert generate(whole, random.Random(2), SampleContext(TODAY)) == {"team": ["Cường"]}


def test_field_name_hints() -> None:
    fields = {
        "due_date": {"type": "string", "format": "date"},
        "meeting_date": {"type": "string", "format": "date"},
        "owner_name": {"type": "string", "maxLength": 200},
        "agency_count": {"type": "integer", "minimum": 0},
        "reports_received": {"type": "integer", "minimum": 0},
        "members_changed": {"type": "boolean"},
    }
    schema = {"type": "object", "required": list(fields), "properties": fields}
    values = [generate(schema, random.Random(seed), SampleContext(TODAY, agencies=143)) for seed in range(200)]
    assert all(v["due_date"] > TODAY.isoformat() == v["meeting_date"] for v in values), "a due date lies ahead"
    assert all(len(v["owner_name"].split()) == 3 for v in values), "a person's name, not a sentence"
    assert all(v["agency_count"] == 143 and 0 <= v["reports_received"] <= 143 for v in values)
    assert 0 < sum(v["members_changed"] for v in values) < 80, "a change is the exception"
