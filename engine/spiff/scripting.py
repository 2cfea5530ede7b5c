"""A restricted environment for BPMN scripts and expressions (RestrictedPython).

No imports, no names or attributes starting with an underscore, no file, network or
process access: a process modeller must not get a shell on the server.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from functools import lru_cache
from types import CodeType
from typing import Any

from RestrictedPython.compile import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safe_builtins,
    safer_getattr,
)
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from engine.deadlines import deadline_text
from engine.spiff.time_hook import current_instant

# Names that RestrictedPython compiles but which must never be reachable from a script.
FORBIDDEN_NAMES = frozenset(
    {
        "open",
        "eval",
        "exec",
        "compile",
        "getattr",
        "setattr",
        "delattr",
        "globals",
        "locals",
        "vars",
        "dir",
        "input",
        "breakpoint",
        "help",
        "exit",
        "quit",
        "memoryview",
        "type",
        "object",
        "super",
        "classmethod",
        "staticmethod",
        "property",
        "print",
    }
)

_INPLACE: dict[str, Callable[[Any, Any], Any]] = {
    "+=": operator.add,
    "-=": operator.sub,
    "*=": operator.mul,
    "/=": operator.truediv,
    "//=": operator.floordiv,
    "%=": operator.mod,
    "|=": operator.or_,
    "&=": operator.and_,
}


class ScriptRefused(ValueError):
    """A script or expression that the sandbox will not run."""


def _inplacevar(op: str, left: Any, right: Any) -> Any:
    try:
        return _INPLACE[op](left, right)
    except KeyError:
        raise ScriptRefused(f"the operator {op} is not allowed in scripts") from None


def _check_names(code: CodeType) -> None:
    used = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, CodeType):
            used |= set(const.co_names)
    refused = sorted(used & FORBIDDEN_NAMES)
    if refused:
        raise ScriptRefused(f"'{refused[0]}' is not available in process scripts")


MAX_RANGE = 100_000


def _bounded_range(*args: int) -> range:
    """range() that refuses more than MAX_RANGE steps, so a loop in a script always ends soon."""
    steps = range(*args)
    if len(steps) > MAX_RANGE:
        raise ScriptRefused(f"range() of more than {MAX_RANGE:,} steps is not allowed in process scripts")
    return steps


def _check_syntax(source: str, mode: str) -> None:
    try:
        tree = ast.parse(source, mode=mode)
    except SyntaxError as exc:
        raise ScriptRefused(f"syntax error: {exc.msg} (line {exc.lineno})") from exc
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            raise ScriptRefused("imports are not allowed in process scripts")
        if isinstance(node, (ast.Global, ast.Nonlocal)):
            raise ScriptRefused("global and nonlocal are not allowed in process scripts")
        # Scripts must end: no open-ended loops, and no arithmetic that can run for hours.
        if isinstance(node, ast.While):
            raise ScriptRefused("while loops are not allowed in process scripts (loop over data or range())")
        if isinstance(node, (ast.BinOp, ast.AugAssign)) and isinstance(node.op, ast.Pow):
            raise ScriptRefused("the ** operator is not allowed in process scripts")


@lru_cache(maxsize=4096)
def compile_expression(source: str) -> CodeType:
    """Compile an expression in the sandbox, or raise ScriptRefused."""
    _check_syntax(source.strip(), "eval")
    result = compile_restricted_eval(source.strip())
    if result.errors or result.code is None:
        raise ScriptRefused("; ".join(result.errors) or "the expression does not compile")
    _check_names(result.code)
    return result.code


@lru_cache(maxsize=4096)
def compile_script(source: str) -> CodeType:
    """Compile a script in the sandbox, or raise ScriptRefused."""
    _check_syntax(source, "exec")
    result = compile_restricted_exec(source)
    if result.errors or result.code is None:
        raise ScriptRefused("; ".join(result.errors) or "the script does not compile")
    _check_names(result.code)
    return result.code


def _workflow_now() -> datetime:
    instant = current_instant()
    if instant is None:
        raise ScriptRefused("no workflow clock is running")
    return instant


def _helpers() -> dict[str, Any]:
    return {
        "date": date,
        "datetime": datetime,
        "timedelta": timedelta,
        "now": lambda: _workflow_now().isoformat(),
        "today": lambda: _workflow_now().date().isoformat(),
        "deadline": deadline_text,
        "parse_date": date.fromisoformat,
        "range": _bounded_range,
        "sum": sum,
        "min": min,
        "max": max,
        "any": any,
        "all": all,
        "sorted": sorted,
        "enumerate": enumerate,
        "list": list,
        "dict": dict,
        "set": set,
        "reversed": reversed,
        "map": map,
        "filter": filter,
    }


def _base_globals(extra: Mapping[str, Any]) -> dict[str, Any]:
    builtins = dict(safe_builtins)
    builtins.update(_helpers())
    builtins.update(extra)
    return {
        "__builtins__": builtins,
        "_getattr_": safer_getattr,
        "_getitem_": default_guarded_getitem,
        "_getiter_": default_guarded_getiter,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_unpack_sequence_": guarded_unpack_sequence,
        "_write_": full_write_guard,
        "_inplacevar_": _inplacevar,
    }


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):  # type: ignore[misc]
    """SpiffWorkflow script environment that evaluates and executes in the sandbox."""

    def __init__(self, helpers: Mapping[str, Any] | None = None) -> None:
        super().__init__({})
        self._extra = dict(helpers or {})

    def evaluate(self, expression: str, context: dict[str, Any], external_context: Any = None) -> Any:
        """Evaluate an expression against task data."""
        scope = _base_globals(self._extra)
        scope.update(external_context or {})
        scope.update(context)
        return eval(compile_expression(expression), scope)  # noqa: S307 - restricted bytecode

    def execute(self, script: str, context: dict[str, Any], external_context: Any = None) -> bool:
        """Run a script; plain-data variables it leaves become task data."""
        base = _base_globals(self._extra)
        scope = dict(base)
        scope.update(external_context or {})
        scope.update(context)
        exec(compile_script(script), scope)  # noqa: S102 - restricted bytecode
        for name in list(context):
            if name not in scope:
                del context[name]
        for name, value in scope.items():
            if name in base or name.startswith("_") or callable(value):
                continue
            context[name] = value
        return True
