"""Who may read what: the scoping rules every query applies."""

from __future__ import annotations

from engine.records import SYSTEM, Actor


def reads_everything(actor: Actor) -> bool:
    """The system, supervisors and administrators read every agency (read-only for supervisors)."""
    return actor is SYSTEM or actor.is_supervisor or actor.is_admin


def can_read_instance(actor: Actor, agency_id: int) -> bool:
    """Agency members read their agency; supervisors and administrators read everything."""
    return reads_everything(actor) or agency_id in actor.agency_ids()
