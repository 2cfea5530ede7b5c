"""Untrusted BPMN and scripts are refused before they can do harm."""

from __future__ import annotations

import pytest

from engine.errors import InvalidDefinition, UnsafeScript
from engine.spiff.loader import BpmnDocument, validate_process
from engine.spiff.scripting import RestrictedEnvironment, ScriptRefused, compile_expression, compile_script
from engine.spiff.xml import UnsafeXml, parse_untrusted_xml
from tests.helpers import FIXTURE_PROCESSES

DEMO_XML = (FIXTURE_PROCESSES / "engine_demo" / "engine_demo.bpmn").read_text(encoding="utf-8")

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&lol3;</bpmn:definitions>"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&secret;</bpmn:definitions>"""

DTD_ONLY = """<?xml version="1.0"?>
<!DOCTYPE d SYSTEM "http://example.invalid/evil.dtd">
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"/>"""


@pytest.mark.parametrize("xml", [BILLION_LAUGHS, EXTERNAL_ENTITY, DTD_ONLY], ids=["billion-laughs", "xxe", "dtd"])
def test_dtds_and_entities_are_refused(xml: str) -> None:
    with pytest.raises(UnsafeXml, match="DTDs and entities"):
        parse_untrusted_xml(xml)
    with pytest.raises(InvalidDefinition, match="DTDs and entities"):
        validate_process([BpmnDocument("evil.bpmn", xml)], "evil")


def test_malformed_and_oversized_xml_are_refused() -> None:
    with pytest.raises(UnsafeXml, match="not well-formed"):
        parse_untrusted_xml("<bpmn:definitions><unclosed></bpmn:definitions>")
    with pytest.raises(UnsafeXml, match="limit"):
        parse_untrusted_xml("<a>" + "x" * 100 + "</a>", max_bytes=50)


def test_bpmn_that_breaks_the_schema_names_the_problem() -> None:
    broken = DEMO_XML.replace(
        '<bpmn:sequenceFlow id="f4" sourceRef="compute" targetRef="end" />',
        '<bpmn:sequenceFlow id="f4" sourceRef="compute" />',
    )
    with pytest.raises(InvalidDefinition, match=r"engine_demo\.bpmn"):
        validate_process([BpmnDocument("engine_demo.bpmn", broken)], "engine_demo")


def test_wrong_root_element_is_refused() -> None:
    with pytest.raises(InvalidDefinition, match="bpmn:definitions"):
        validate_process([BpmnDocument("x.bpmn", "<html/>")], "x")


@pytest.mark.parametrize(
    "source",
    [
        "__import__('os').system('id')",
        "open('/etc/passwd').read()",
        "().__class__.__mro__[1].__subclasses__()",
        "getattr(pages, '__class__')",
        "eval('1+1')",
        "[].__class__",
        "type(pages)",
        "compile('1', 'x', 'eval')",
    ],
)
def test_escaping_expressions_are_refused(source: str) -> None:
    with pytest.raises(ScriptRefused):
        compile_expression(source)


@pytest.mark.parametrize(
    "script",
    ["import os", "from os import path", "x = open('f', 'w')", "def _f(): pass", "while True:\n    pass",
     "x = 10 ** 10 ** 10", "x = 2\nx **= 100000"],
)
def test_escaping_scripts_are_refused(script: str) -> None:
    with pytest.raises(ScriptRefused):
        compile_script(script)


@pytest.mark.parametrize(
    "script",
    ["__import__('os').system('touch /tmp/pwned')", "data = open('/etc/passwd').read()", "x = ().__class__.__mro__"],
)
def test_bpmn_with_unsafe_script_is_refused_at_deploy(script: str) -> None:
    evil = DEMO_XML.replace(
        "<bpmn:script>total = pages * 2 // divisor</bpmn:script>", f"<bpmn:script>{script}</bpmn:script>"
    )
    with pytest.raises(UnsafeScript, match="element 'compute'") as raised:
        validate_process([BpmnDocument("engine_demo.bpmn", evil)], "engine_demo")
    assert raised.value.details == {"element": "compute"}


def test_unsafe_condition_expression_is_refused_at_deploy() -> None:
    evil = DEMO_XML.replace("deadline(cycle_year, 3, 31)", "__import__('os').getcwd()")
    with pytest.raises(UnsafeScript, match="prepare_deadline"):
        validate_process([BpmnDocument("engine_demo.bpmn", evil)], "engine_demo")


def test_sandbox_runs_safe_scripts_on_task_data() -> None:
    env = RestrictedEnvironment({"double": lambda x: 2 * x})
    context: dict[str, object] = {"pages": 4, "rows": [{"n": 1}, {"n": 2}]}
    env.execute("total = sum([r['n'] for r in rows]) + double(pages)\nlabel = 'xong'", context)
    assert context["total"] == 11 and context["label"] == "xong"
    assert env.evaluate("pages > 3 and len(rows) == 2", context) is True
    assert env.evaluate("deadline(2024, 9, 30)", context) == "2024-09-30T17:00:00+07:00"


def test_range_in_scripts_is_bounded() -> None:
    env = RestrictedEnvironment()
    context: dict[str, object] = {}
    env.execute("total = sum([i for i in range(10)])", context)
    assert context["total"] == 45
    with pytest.raises(ScriptRefused, match="range"):
        env.execute("total = sum([i for i in range(10000000000)])", {})

