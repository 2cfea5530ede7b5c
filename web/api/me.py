"""The caller and the agencies they may read."""

from __future__ import annotations

from typing import Any

from flask import g, request

from engine.accounts import memberships_of
from engine.agency_directory import visible_agencies
from web.api import bp
from web.api.schemas import AgencyListSchema, MeSchema, PageQuerySchema, load
from web.auth import require_actor
from web.db import get_session


@bp.get("/me")
def me() -> Any:
    """Who the caller is and which roles they hold where."""
    actor = require_actor()
    memberships = [
        {"agency_code": code, "agency_name": name, "role": role}
        for code, name, role in memberships_of(get_session(), g.user.id)
    ]
    return MeSchema().dump({
        "username": actor.username, "full_name": g.user.full_name, "is_supervisor": actor.is_supervisor,
        "is_admin": actor.is_admin, "memberships": memberships,
    })


@bp.get("/agencies")
def agencies() -> Any:
    """The agencies the caller may read."""
    paging = load(PageQuerySchema(), request.args.to_dict())
    items, total = visible_agencies(get_session(), require_actor(), limit=paging["limit"], offset=paging["offset"])
    return AgencyListSchema().dump({"items": items, "total": total, **paging})
