"""Preparing a database for a simulated year: refuse real data, reset an old simulation, create staff."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from engine.accounts import hash_password
from engine.errors import Conflict
from engine.records import Actor
from models import Agency, ProcessDefinition, ProcessInstance, RoleMembership, SimulationRun, User
from models.db import make_engine
from models.migrate import upgrade

SIM_PREFIX = "sim."
SIM_PASSWORD = "demo"  # noqa: S105 - simulated (demo) accounts only, refused in production
AGENCY_ROLES = ("iso_officer", "agency_head", "internal_auditor")
# The units of an agency, by level: the ISO officer works in the first; auditors come from the next three.
_UNITS = {
    "province": ("Văn phòng", "Phòng Kế hoạch - Tài chính", "Phòng Quản lý chuyên ngành", "Thanh tra",
                 "Bộ phận Một cửa"),
    "district": ("Văn phòng HĐND và UBND", "Phòng Tư pháp", "Phòng Tài nguyên và Môi trường",
                 "Phòng Kinh tế và Hạ tầng", "Bộ phận Một cửa"),
    "commune": ("Văn phòng - Thống kê", "Địa chính - Xây dựng", "Tư pháp - Hộ tịch", "Văn hóa - Xã hội",
                "Bộ phận Một cửa"),
}
_LEADERSHIP = "Lãnh đạo cơ quan"
_DOST_UNIT = "Chi cục Tiêu chuẩn Đo lường Chất lượng"
_FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Phan", "Trương", "Bùi", "Đặng", "Đỗ", "Ngô")
_MIDDLE = ("Văn", "Thị", "Minh", "Thanh", "Hoàng", "Ngọc", "Hữu", "Kim")
_GIVEN = ("An", "Bình", "Cường", "Dung", "Giang", "Hải", "Hạnh", "Khoa", "Lan", "Long", "Mai", "Nam", "Phúc", "Tâm")


def _counts(session: Session) -> dict[str, int]:
    models = {"agency": Agency, "user": User, "definition": ProcessDefinition, "instance": ProcessInstance}
    return {name: int(session.scalar(select(func.count()).select_from(m)) or 0) for name, m in models.items()}


def _made_by_simulation(session: Session) -> bool:
    runs = int(session.scalar(select(func.count()).select_from(SimulationRun)) or 0)
    others = session.scalar(select(func.count()).select_from(User).where(~User.username.startswith(SIM_PREFIX)))
    return runs > 0 and not others


def _wipe(url: str) -> None:
    engine = make_engine(url)
    try:
        if engine.dialect.name == "postgresql":
            tables = [t for t in inspect(engine).get_table_names() if t != "alembic_version"]
            with engine.begin() as conn:
                conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
            return
    finally:
        engine.dispose()
    database = make_url(url).database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        raise Conflict(f"cannot reset {engine.dialect.name} database {database!r} for a new simulation")
    for suffix in ("", "-wal", "-shm"):
        Path(database + suffix).unlink(missing_ok=True)


def prepare_database(url: str) -> str:
    """Make `url` ready for a simulation: 'empty' or 'simulation' (reset); refuse real data."""
    database = make_url(url).database
    if make_url(url).get_backend_name() == "sqlite" and database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(url)
    try:
        tables = set(inspect(engine).get_table_names())
        state = "empty"
        if {"agency", "user_account", "process_definition", "process_instance"} <= tables:
            with Session(engine) as session:
                if any(_counts(session).values()):
                    if "simulation_run" not in tables or not _made_by_simulation(session):
                        raise Conflict(
                            "Cơ sở dữ liệu này đã có dữ liệu thật (cơ quan, người dùng hoặc hồ sơ) không do mô phỏng "
                            "tạo ra; mô phỏng chỉ chạy trên cơ sở dữ liệu trống hoặc do mô phỏng tạo. "
                            "Hãy dùng --database-url với một cơ sở dữ liệu trống. / "
                            "This database holds real data (agencies, users or instances) that no simulation made; "
                            "the simulator only runs on an empty database or one made by a simulation. "
                            "Use --database-url with an empty database."
                        )
                    state = "simulation"
    finally:
        engine.dispose()
    if state == "simulation":
        _wipe(url)
    upgrade(url)
    return state


@dataclass(frozen=True)
class Person:
    """A simulated member of staff: who they are and which unit of their agency they work in."""

    actor: Actor
    full_name: str
    unit: str


@dataclass
class Staff:
    """The simulated people: who holds each role in each agency, their units, and the supervisors."""

    by_role: dict[tuple[int, str], list[Actor]] = field(default_factory=dict)
    supervisors: list[Actor] = field(default_factory=list)
    people: dict[str, Person] = field(default_factory=dict)
    units: dict[int, tuple[str, ...]] = field(default_factory=dict)

    def holders(self, agency_id: int, role: str | None) -> list[Actor]:
        """The actors who may take a task offered to `role` in the agency."""
        if role is None:
            return []
        if role == "supervisor":
            return self.supervisors
        return self.by_role.get((agency_id, role), [])

    def person(self, username: str) -> Person | None:
        """The simulated person with a login name."""
        return self.people.get(username)


def _name(rng: random.Random) -> str:
    return f"{rng.choice(_FAMILY)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}"


def _agency_plan(agency: Agency, units: tuple[str, ...], rng: random.Random) -> list[tuple[str, str, str, tuple[str, ...]]]:
    """(username, full name, unit, roles) of one agency's staff: the officer is also a trained auditor."""
    prefix = f"{SIM_PREFIX}{agency.code.lower()}."
    plan = [(f"{prefix}officer1", _name(rng), units[0], ("iso_officer", "internal_auditor"))]
    plan.append((f"{prefix}officer2", _name(rng), units[0], ("iso_officer",)))
    plan += [(f"{prefix}head{i}", _name(rng), _LEADERSHIP, ("agency_head",)) for i in (1, 2)]
    # Auditors come from different units, so that an audit team can avoid auditing its own work.
    plan += [(f"{prefix}auditor{i}", _name(rng), units[i], ("internal_auditor",)) for i in (1, 2, 3)]
    return plan


def create_staff(session: Session, now: datetime, agencies: list[Agency], home: Agency, rng: random.Random) -> Staff:
    """Seven people per agency (officers, heads, auditors), two supervisors and an administrator at `home`."""
    password_hash = hash_password(SIM_PASSWORD)  # one hash for all: scrypt per user would dominate the run
    staff = Staff()
    plan: list[tuple[str, str, Agency, str, tuple[str, ...]]] = []
    for agency in agencies:
        staff.units[agency.id] = _UNITS.get(agency.level, _UNITS["province"])
        plan += [(u, n, agency, unit, roles) for u, n, unit, roles in _agency_plan(agency, staff.units[agency.id], rng)]
    for index in (1, 2):
        plan.append((f"{SIM_PREFIX}supervisor{index}", f"{_name(rng)} (Sở KH&CN)", home, _DOST_UNIT, ("supervisor",)))
    plan.append((f"{SIM_PREFIX}admin", "Quản trị mô phỏng", home, _DOST_UNIT, ("admin",)))
    users = [
        User(
            username=username,
            full_name=full_name,
            email=f"{username}@example.invalid",
            password_hash=password_hash,
            is_active=True,
            is_demo=True,
            created_at=now,
        )
        for username, full_name, _, _, _ in plan
    ]
    session.add_all(users)
    session.flush()
    session.add_all(
        RoleMembership(user_id=user.id, agency_id=agency.id, role=role)
        for user, (_, _, agency, _, roles) in zip(users, plan, strict=True)
        for role in roles
    )
    session.flush()
    for user, (_, full_name, agency, unit, roles) in zip(users, plan, strict=True):
        actor = Actor(user_id=user.id, username=user.username, memberships=frozenset((agency.id, r) for r in roles))
        staff.people[user.username] = Person(actor, full_name, unit)
        for role in roles:
            if role == "supervisor":
                staff.supervisors.append(actor)
            elif role in AGENCY_ROLES:
                staff.by_role.setdefault((agency.id, role), []).append(actor)
    return staff
