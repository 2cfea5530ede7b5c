"""Instances: the cycles the caller may read, and one with its history."""

from __future__ import annotations

from typing import Any

from flask import request

from engine.instances import instance_detail, list_instances
from web.api import bp
from web.api.schemas import InstanceDetailSchema, InstanceListSchema, InstanceQuerySchema, load
from web.auth import require_actor
from web.db import get_session


@bp.get("/instances")
def list_all() -> Any:
    """Instances of the caller's agencies (every agency for supervisors), oldest first."""
    query = load(InstanceQuerySchema(), request.args.to_dict())
    rows = list_instances(get_session(), require_actor(), year=query["year"], status=query["status"],
                          limit=query["limit"], offset=query["offset"])
    return InstanceListSchema().dump({"items": rows, "limit": query["limit"], "offset": query["offset"]})


@bp.get("/instances/<int:instance_id>")
def show(instance_id: int) -> Any:
    """One instance with its tasks, timers and history."""
    return InstanceDetailSchema().dump(instance_detail(get_session(), instance_id, require_actor()))
