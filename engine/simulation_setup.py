"""Preparing a simulated year: refuse real data, reset an old simulation, create staff, build the world."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from engine.accounts import hash_password
from engine.business_calendar import BusinessCalendar
from engine.calendar_overrides import install_calendar
from engine.clock import VirtualClock
from engine.deadlines import deadline_text
from engine.definitions import deploy_folder, latest_definition
from engine.errors import Conflict, IsoflowError
from engine.instances import start_cycle
from engine.plan_windows import PLAN_CSV, plan_windows
from engine.records import Actor
from engine.reminders import ReminderPolicy
from engine.sample_data import person_name
from engine.seed import AGENCIES_CSV, DOST_CODE, seed_agencies
from models import Agency, ProcessDefinition, ProcessInstance, RoleMembership, SimulationRun, User
from models.db import make_engine
from models.migrate import upgrade

SIM_ACTOR = Actor(user_id=None, username="simulation")
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


_Member = tuple[str, str, str, tuple[str, ...]]  # username, full name, unit, roles


def _agency_plan(agency: Agency, units: tuple[str, ...], rng: random.Random) -> list[_Member]:
    """(username, full name, unit, roles) of one agency's staff: the officer is also a trained auditor."""
    prefix = f"{SIM_PREFIX}{agency.code.lower()}."
    plan: list[_Member] = [(f"{prefix}officer1", person_name(rng), units[0], ("iso_officer", "internal_auditor"))]
    plan.append((f"{prefix}officer2", person_name(rng), units[0], ("iso_officer",)))
    plan += [(f"{prefix}head{i}", person_name(rng), _LEADERSHIP, ("agency_head",)) for i in (1, 2)]
    # Auditors come from different units, so that an audit team can avoid auditing its own work.
    plan += [(f"{prefix}auditor{i}", person_name(rng), units[i], ("internal_auditor",)) for i in (1, 2, 3)]
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
        name = f"{person_name(rng)} (Sở KH&CN)"
        plan.append((f"{SIM_PREFIX}supervisor{index}", name, home, _DOST_UNIT, ("supervisor",)))
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


@dataclass(frozen=True)
class SimulationConfig:
    """What to simulate."""

    year: int = 2024
    seed: int = 1
    agencies: int | None = None  # the first N agencies of the plan; None: all of them
    processes_dir: Path = Path("processes")
    cycle_process: str = "iso_annual_cycle"
    legal_process: str = "iso_legal_update"
    plan_process: str = "dost_yearly_plan"  # the Department's year, started (if deployed) when the plan opens
    plan_csv: Path = PLAN_CSV
    inspection_process: str = "dost_inspection"  # started for each agency chosen for an on-site visit
    inspection_data: dict[str, Any] = field(default_factory=lambda: {"inspection_kind": "onsite"})
    late_agency_share: float = 0.15
    prompt_agency_share: float = 0.3
    findings_rate: float = 0.3
    legal_change_rate: float = 0.25
    policy: ReminderPolicy = field(default_factory=ReminderPolicy)


@dataclass
class World:
    """What the simulator remembers between ticks."""

    config: SimulationConfig
    rng: random.Random
    clock: VirtualClock
    calendar: BusinessCalendar
    staff: Staff
    agencies: dict[int, Agency]  # the simulated agencies
    codes: dict[int, str]  # every agency's code, by id
    habits: dict[int, str]
    legal_days: dict[date, list[tuple[int, dict[str, Any]]]]  # legal changes: (agency id, start data) by day
    plan_day: date | None = None  # the day the Department starts its yearly plan
    start_data: dict[int, dict[str, Any]] = field(default_factory=dict)  # what the simulator started instances with
    owners: dict[tuple[int, str], int] = field(default_factory=dict)  # (definition, process key) -> its definition
    planned: dict[int, datetime] = field(default_factory=dict)
    unfillable: set[int] = field(default_factory=set)
    nonconformity_tasks: int = 0
    problems: list[str] = field(default_factory=list)


def _habits(config: SimulationConfig, agencies: list[Agency], rng: random.Random) -> dict[int, str]:
    habits = {}
    for agency in agencies:
        draw = rng.random()
        late, prompt = config.late_agency_share, config.late_agency_share + config.prompt_agency_share
        habits[agency.id] = "late" if draw < late else "prompt" if draw < prompt else "normal"
    return habits


def _legal_change(
    config: SimulationConfig, calendar: BusinessCalendar, day: date, rng: random.Random
) -> dict[str, Any]:
    """A changed legal document as the one-stop system announces it (the fields of the form that registers it)."""
    number, effective = rng.randint(10, 199), day - timedelta(days=rng.randint(0, 20))
    due = calendar.add_months(effective, 3)
    return {
        "legal_number": f"{number}/{config.year}/NĐ-CP",
        "legal_title": f"Nghị định {number}/{config.year}/NĐ-CP sửa đổi, bổ sung thủ tục hành chính",
        "effective_date": effective.isoformat(),
        "source": "one_stop_system",
        # Processes that register the change compute the 3-month deadline themselves; others read it here.
        "update_due": deadline_text(due.year, due.month, due.day),
    }


def _legal_days(
    session: Session, config: SimulationConfig, calendar: BusinessCalendar, agencies: list[Agency], rng: random.Random
) -> dict[date, list[tuple[int, dict[str, Any]]]]:
    days: dict[date, list[tuple[int, dict[str, Any]]]] = {}
    if latest_definition(session, config.legal_process) is None:
        return days
    first, last = date(config.year, 3, 1), date(config.year, 10, 31)
    for agency in agencies:
        if rng.random() < config.legal_change_rate:
            day = calendar.next_working_day(first + timedelta(days=rng.randint(0, (last - first).days)))
            days.setdefault(day, []).append((agency.id, _legal_change(config, calendar, day, rng)))
    return days


def _schedule_plan(session: Session, world: World) -> None:
    """The Department starts its yearly plan (if deployed) on the day the plan's first window opens."""
    config = world.config
    if latest_definition(session, config.plan_process) is None:
        return
    try:
        windows = plan_windows(config.plan_csv.read_text(encoding="utf-8"), world.calendar, config.year)
    except (OSError, IsoflowError) as exc:
        world.problems.append(f"{config.plan_process}: {config.plan_csv}: {exc}")
        return
    world.plan_day = date.fromisoformat(windows["deploy"]["from"])


def build_world(session: Session, config: SimulationConfig, clock: VirtualClock, rng: random.Random) -> World:
    """Agencies, staff, the deployed processes, the cycles started, and the year's events drawn from `rng`."""
    seed_agencies(session, AGENCIES_CSV, valid_from=date(config.year, 1, 1))
    everyone = list(session.scalars(select(Agency).order_by(Agency.code)))
    chosen = everyone[: config.agencies] if config.agencies is not None else everyone
    home = next((a for a in everyone if a.code == DOST_CODE), everyone[0])
    staff = create_staff(session, clock.now(), chosen, home, rng)
    deploy_folder(session, clock, config.processes_dir, "simulation")
    calendar = install_calendar(session)
    habits = _habits(config, chosen, rng)
    legal_days = _legal_days(session, config, calendar, chosen, rng)
    for agency in [None] if config.agencies is None else chosen:
        code = agency.code if agency is not None else None
        start_cycle(session, clock, config.year, process_key=config.cycle_process, agency_code=code, actor=SIM_ACTOR)
    session.add(
        SimulationRun(
            year=config.year, seed=config.seed, agencies=len(chosen), started_at=clock.now(), finished_at=None,
            summary={},
        )
    )
    codes = {a.id: a.code for a in everyone}
    world = World(config, rng, clock, calendar, staff, {a.id: a for a in chosen}, codes, habits, legal_days)
    _schedule_plan(session, world)
    return world
