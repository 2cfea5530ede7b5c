"""The one error hierarchy of isoflow; web/errors.py maps it to HTTP status codes once."""

from __future__ import annotations


class IsoflowError(Exception):
    """Base of every error a user can act on."""

    code = "error"

    def __init__(self, message: str, *, details: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


class NotFound(IsoflowError):
    """The thing asked for does not exist (or is not visible to the caller)."""

    code = "not_found"


class Forbidden(IsoflowError):
    """The caller may not do this."""

    code = "forbidden"


class Conflict(IsoflowError):
    """The state changed under the caller: stale version, already completed, claimed by someone else."""

    code = "conflict"


class ValidationFailed(IsoflowError):
    """Submitted data does not match what is expected; `details` maps field to message."""

    code = "validation_failed"


class InvalidDefinition(IsoflowError):
    """A BPMN definition that the engine refuses to deploy or run."""

    code = "invalid_definition"


class UnsafeScript(InvalidDefinition):
    """A script or expression that tries to leave its sandbox."""

    code = "unsafe_script"


class WorkflowFailed(IsoflowError):
    """The workflow raised an error while running a step."""

    code = "workflow_failed"
