"""A simulated cycle year: a virtual clock moves day by day while simulated staff work.

The simulator plays the entry points (the staff's browsers and the scheduler), so, like them,
it owns its transactions: one per simulated morning and evening. Everything random comes from
`random.Random(seed)` and time only from the virtual clock, so a seed always gives the same year.

Each working morning, staff complete the tasks they planned for that day (with data generated
from the task's form); each evening, reminders and escalations are sent and due timers fire.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.business_calendar import BusinessCalendar
from engine.calendar_overrides import install_calendar
from engine.clock import VIETNAM, VirtualClock
from engine.deadlines import deadline_text
from engine.definitions import deploy_folder, latest_definition
from engine.errors import Forbidden, IsoflowError, ValidationFailed
from engine.instances import business_key, start_cycle, start_instance
from engine.records import SYSTEM, Actor
from engine.reminders import ReminderPolicy, send_reminders
from engine.sample_data import SampleContext, SampleDataError, generate, is_finding_field
from engine.seed import AGENCIES_CSV, DOST_CODE, seed_agencies
from engine.simulation_report import SimulationSummary, compute_summary
from engine.simulation_setup import Staff, create_staff
from engine.tasks import complete_task, task_form
from engine.timers import fire_due
from models import Agency, HumanTask, SimulationRun
from models.db import unit_of_work

SIM_ACTOR = Actor(user_id=None, username="simulation")
MORNING = time(9, 0)
EVENING = time(18, 0)
# Working days a task waits before its holder does it: (fewest, most), by agency habit.
_DELAY = {"prompt": (1, 4), "normal": (2, 10), "late": (5, 25)}
_LATE_CHANCE = {"prompt": 0.02, "normal": 0.08, "late": 0.5}
_LATE_BY = {"prompt": (1, 5), "normal": (1, 10), "late": (5, 70)}


@dataclass(frozen=True)
class SimulationConfig:
    """What to simulate."""

    year: int = 2024
    seed: int = 1
    agencies: int | None = None  # the first N agencies of the plan; None: all of them
    processes_dir: Path = Path("processes")
    cycle_process: str = "iso_annual_cycle"
    legal_process: str = "iso_legal_update"
    late_agency_share: float = 0.15
    prompt_agency_share: float = 0.3
    findings_rate: float = 0.35
    legal_change_rate: float = 0.25
    policy: ReminderPolicy = field(default_factory=ReminderPolicy)


@dataclass
class _World:
    """What the simulator remembers between ticks."""

    config: SimulationConfig
    rng: random.Random
    clock: VirtualClock
    calendar: BusinessCalendar
    staff: Staff
    agencies: dict[int, Agency]
    habits: dict[int, str]
    legal_days: dict[date, list[int]]
    planned: dict[int, datetime] = field(default_factory=dict)
    unfillable: set[int] = field(default_factory=set)
    nonconformity_tasks: int = 0
    problems: list[str] = field(default_factory=list)


def _at(day: date, moment: time) -> datetime:
    return datetime.combine(day, moment, VIETNAM)


def _setup(session: Session, config: SimulationConfig, clock: VirtualClock, rng: random.Random) -> _World:
    seed_agencies(session, AGENCIES_CSV, valid_from=date(config.year, 1, 1))
    everyone = list(session.scalars(select(Agency).order_by(Agency.code)))
    chosen = everyone[: config.agencies] if config.agencies is not None else everyone
    home = next((a for a in everyone if a.code == DOST_CODE), everyone[0])
    staff = create_staff(session, clock.now(), chosen, home, rng)
    deploy_folder(session, clock, config.processes_dir, "simulation")
    calendar = install_calendar(session)
    habits = {}
    for agency in chosen:
        draw = rng.random()
        habits[agency.id] = (
            "late"
            if draw < config.late_agency_share
            else "prompt"
            if draw < config.late_agency_share + config.prompt_agency_share
            else "normal"
        )
    legal_days: dict[date, list[int]] = {}
    if latest_definition(session, config.legal_process) is not None:
        first, last = date(config.year, 3, 1), date(config.year, 10, 31)
        span = (last - first).days
        for agency in chosen:
            if rng.random() < config.legal_change_rate:
                day = calendar.next_working_day(first + timedelta(days=rng.randint(0, span)))
                legal_days.setdefault(day, []).append(agency.id)
    if config.agencies is None:
        start_cycle(session, clock, config.year, process_key=config.cycle_process, actor=SIM_ACTOR)
    else:
        for agency in chosen:
            start_cycle(
                session, clock, config.year, process_key=config.cycle_process, agency_code=agency.code, actor=SIM_ACTOR
            )
    session.add(
        SimulationRun(
            year=config.year,
            seed=config.seed,
            agencies=len(chosen),
            started_at=clock.now(),
            finished_at=None,
            summary={},
        )
    )
    return _World(config, rng, clock, calendar, staff, {a.id: a for a in chosen}, habits, legal_days)


def _plan(world: _World, task: HumanTask) -> datetime:
    """When the task's holder will do it: soon, or by its due date, or (sometimes) late."""
    habit = world.habits.get(task.agency_id, "normal")
    rng, today = world.rng, world.clock.now().astimezone(VIETNAM).date()
    day = world.calendar.add_working_days(today, rng.randint(*_DELAY[habit]))
    if task.due_at is not None:
        due_day = task.due_at.astimezone(VIETNAM).date()
        if rng.random() < _LATE_CHANCE[habit]:
            day = world.calendar.add_working_days(due_day, rng.randint(*_LATE_BY[habit]))
        elif day > due_day:
            span = max(0, world.calendar.working_days_between(today, due_day))
            day = world.calendar.add_working_days(today, rng.randint(min(1, span), span)) if span else today
    return _at(day, MORNING)


def _legal_update_data(world: _World, agency: Agency, number: int) -> dict[str, Any]:
    effective = world.clock.now().astimezone(VIETNAM).date() - timedelta(days=world.rng.randint(0, 20))
    due = world.calendar.add_months(effective, 3)
    return {
        "legal_document": f"Nghị định {number}/{world.config.year}/NĐ-CP sửa đổi thủ tục hành chính",
        "legal_document_number": f"{number}/{world.config.year}/NĐ-CP",
        "effective_date": effective.isoformat(),
        "update_due": deadline_text(due.year, due.month, due.day),
    }


def _start_legal_updates(session: Session, world: _World, today: date) -> None:
    for agency_id in world.legal_days.get(today, []):
        agency = world.agencies[agency_id]
        key = business_key(agency.code, world.config.year, world.config.legal_process, world.config.cycle_process)
        data = _legal_update_data(world, agency, world.rng.randint(10, 199))
        try:
            with session.begin_nested():
                start_instance(
                    session,
                    world.clock,
                    world.config.legal_process,
                    agency,
                    world.config.year,
                    key=key,
                    data=data,
                    actor=SIM_ACTOR,
                )
        except IsoflowError as exc:
            world.problems.append(f"{key}: {exc.message}")


def _fill(world: _World, session: Session, task: HumanTask) -> dict[str, Any] | None:
    form = task_form(session, SYSTEM, task.id)
    if form is None:
        return {}
    with_findings = world.rng.random() < world.config.findings_rate
    agency = world.agencies.get(task.agency_id)
    code = agency.code if agency is not None else "VL-000"
    today = world.clock.now().astimezone(VIETNAM).date()
    ctx = SampleContext(today, code, with_findings, f"iso.{code.lower()}@example.invalid")
    try:
        data = generate(form["schema"], world.rng, ctx)
    except SampleDataError as exc:
        world.problems.append(f"{task.process_key}/{task.spec_id}: {exc}")
        return None
    if not isinstance(data, dict):
        return None
    if any(is_finding_field(k) and isinstance(v, (list, int)) and v for k, v in data.items()):
        world.nonconformity_tasks += 1
    return data


def _try_holders(world: _World, session: Session, task: HumanTask, holders: list[Actor], data: dict[str, Any]) -> str:
    for actor in holders:
        try:
            with session.begin_nested():
                complete_task(session, world.clock, actor, task.id, data)
            return "done"
        except Forbidden:
            continue  # e.g. segregation of duties: a colleague holding the role does it
        except ValidationFailed as exc:
            return f"invalid: {exc.message} {exc.details}"
        except IsoflowError as exc:
            return f"error: {exc.message}"
    return "nobody may complete it"


def _complete(world: _World, session: Session, task: HumanTask) -> bool:
    holders = world.staff.holders(task.agency_id, task.role)
    if task.assignee_id is not None:
        holders = sorted(holders, key=lambda a: a.user_id != task.assignee_id)
    outcome = f"nobody holds the role {task.role!r}"
    for _ in range(3 if holders else 0):
        data = _fill(world, session, task)
        if data is None:
            outcome = "no data"
            break
        outcome = _try_holders(world, session, task, holders, data)
        if outcome == "done":
            return True
        if not outcome.startswith("invalid"):
            break
    world.unfillable.add(task.id)
    world.problems.append(f"{task.process_key}/{task.spec_id} #{task.id}: {outcome}")
    return False


def _morning(session: Session, world: _World, today: date) -> int:
    _start_legal_updates(session, world, today)
    now = world.clock.now()
    ready = list(session.scalars(select(HumanTask).where(HumanTask.status == "ready").order_by(HumanTask.id)))
    done = 0
    for task in ready:
        if task.id in world.unfillable or (task.agency_id not in world.agencies and task.role != "supervisor"):
            continue
        if task.id not in world.planned:
            world.planned[task.id] = _plan(world, task)
        # A completion earlier this morning may have cancelled this task (the session sees it).
        if world.planned[task.id] <= now and task.status == "ready":
            done += int(_complete(world, session, task))
    return done


def _evening(session: Session, world: _World) -> None:
    now = world.clock.now()
    # Reminders first: the overdue step is logged with the due date before the deadline timer fires.
    send_reminders(session, now, policy=world.config.policy, calendar=world.calendar)
    while fire_due(session, now, limit=200):
        pass


def run_simulation(
    factory: sessionmaker[Session], config: SimulationConfig, *, progress: Callable[[date], None] | None = None
) -> SimulationSummary:
    """Run the whole year on a prepared database (see simulation_setup.prepare_database)."""
    rng = random.Random(config.seed)  # noqa: S311 - a reproducible simulation, not cryptography
    calendar_probe = BusinessCalendar()
    first = calendar_probe.next_working_day(date(config.year, 1, 1))
    clock = VirtualClock(_at(first, time(8, 0)))
    with unit_of_work(factory) as session:
        world = _setup(session, config, clock, rng)
    day = first
    while day.year == config.year:
        if world.calendar.is_working_day(day):
            clock.set(_at(day, MORNING))
            with unit_of_work(factory) as session:
                _morning(session, world, day)
        clock.set(_at(day, EVENING))
        with unit_of_work(factory) as session:
            _evening(session, world)
        if progress is not None and day.day == 1:
            progress(day)
        day += timedelta(days=1)
    end = clock.now()
    with unit_of_work(factory) as session:
        summary = compute_summary(
            session,
            end,
            year=config.year,
            seed=config.seed,
            agencies=len(world.agencies),
            legal_process=config.legal_process,
            nonconformity_tasks=world.nonconformity_tasks,
            unfillable_tasks=len(world.unfillable),
            problems=world.problems,
        )
        run = session.scalars(select(SimulationRun).order_by(SimulationRun.id.desc()).limit(1)).one()
        run.finished_at = end
        run.summary = summary.as_dict()
    return summary
