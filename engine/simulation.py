"""A simulated cycle year: a virtual clock moves day by day while simulated staff work.

The simulator plays the entry points (the staff's browsers and the scheduler), so, like them,
it owns its transactions: one per simulated morning and evening. Everything random comes from
`random.Random(seed)` and time only from the virtual clock, so a seed always gives the same year.

Each working morning, staff complete the tasks they planned for that day; each evening, reminders
and escalations are sent and due timers fire. Form data is generated from the task's form; then the
simulated people play the roles that the `rules` of the task's process.json demand, driven by each
rule's own parameters (which fields, which share): the audit team and its impartial rows, who may
sign, the mandatory documents, the share of on-site inspections. The supervisors run the Department's
yearly plan (windows from the plan's Appendix 2) and start an inspection for each agency they choose.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.business_calendar import BusinessCalendar
from engine.clock import VIETNAM, VirtualClock
from engine.definitions import definition_of_process, form_of
from engine.errors import Forbidden, IsoflowError, ValidationFailed
from engine.plan_windows import start_yearly_plan
from engine.records import Actor
from engine.reminders import send_reminders
from engine.sample_data import SampleContext, SampleDataError, generate, is_finding_field
from engine.simulation_report import SimulationSummary, compute_summary
from engine.simulation_roles import Play, RolePlayError, play_rules, start_process
from engine.simulation_setup import SIM_ACTOR, SimulationConfig, World, build_world
from engine.tasks import complete_task
from engine.timers import fire_due
from models import HumanTask, ProcessDefinition, ProcessInstance, SimulationRun
from models.db import unit_of_work

__all__ = ["SimulationConfig", "run_simulation"]

MORNING = time(9, 0)
EVENING = time(18, 0)
# Working days a task waits before its holder does it: (fewest, most), by agency habit.
_DELAY = {"prompt": (1, 3), "normal": (1, 6), "late": (3, 10)}
_LATE_CHANCE = {"prompt": 0.02, "normal": 0.08, "late": 0.5}
_LATE_BY = {"prompt": (1, 5), "normal": (1, 10), "late": (5, 40)}
_SUPERVISOR_HABIT = "normal"


def _at(day: date, moment: time) -> datetime:
    return datetime.combine(day, moment, VIETNAM)


def _plan(world: World, task: HumanTask) -> datetime:
    """When the task's holder will do it: soon, or by its due date, or (sometimes) late."""
    habit = _SUPERVISOR_HABIT if task.role == "supervisor" else world.habits.get(task.agency_id, "normal")
    rng, calendar, today = world.rng, world.calendar, world.clock.now().astimezone(VIETNAM).date()
    day = calendar.add_working_days(today, rng.randint(*_DELAY[habit]))
    if task.due_at is not None:
        due_day = task.due_at.astimezone(VIETNAM).date()
        if rng.random() < _LATE_CHANCE[habit]:
            day = calendar.add_working_days(max(due_day, today), rng.randint(*_LATE_BY[habit]))
        elif day > due_day:
            span = max(0, calendar.working_days_between(today, due_day))
            day = calendar.add_working_days(today, rng.randint(min(1, span), span)) if span else today
    return _at(day, MORNING)


def _start_scheduled(session: Session, world: World, today: date) -> None:
    config = world.config
    for agency_id, data in world.legal_days.get(today, []):
        start_process(session, world, config.legal_process, world.agencies[agency_id], data)
    if world.plan_day == today:
        try:
            with session.begin_nested():
                start_yearly_plan(session, world.clock, config.year, csv_path=config.plan_csv,
                                  process_key=config.plan_process, actor=SIM_ACTOR)
        except IsoflowError as exc:
            world.problems.append(f"{config.plan_process}: {exc.message}")


# --- The simulated staff play the roles that the rules of process.json (engine/task_rules.py) demand. ---


def _definition(session: Session, world: World, task: HumanTask) -> tuple[ProcessInstance, ProcessDefinition]:
    """The task's instance and the pinned definition its step belongs to (a called one for a sub-process)."""
    instance = session.get_one(ProcessInstance, task.instance_id)
    cache_key = (instance.definition_id, task.process_key)
    owner_id = world.owners.get(cache_key)
    if owner_id is None:
        owner = definition_of_process(session, session.get_one(ProcessDefinition, instance.definition_id),
                                      task.process_key)
        world.owners[cache_key] = owner.id
        return instance, owner
    return instance, session.get_one(ProcessDefinition, owner_id)


def _fill(world: World, session: Session, task: HumanTask, definition: ProcessDefinition) -> dict[str, Any] | None:
    """Data generated from the task's form, with what the process was started with filled in as given."""
    form = form_of(session, definition, task.process_key, task.spec_id)
    if form is None:
        return {}
    code = world.codes.get(task.agency_id, "VL-000")
    today = world.clock.now().astimezone(VIETNAM).date()
    with_findings = world.rng.random() < world.config.findings_rate
    ctx = SampleContext(today, code, with_findings, f"iso.{code.lower()}@example.invalid", len(world.agencies))
    try:
        data = generate(form["schema"], world.rng, ctx)
    except SampleDataError as exc:
        world.problems.append(f"{task.process_key}/{task.spec_id}: {exc}")
        return None
    if not isinstance(data, dict):
        return None
    given = world.start_data.get(task.instance_id, {})
    data.update({k: v for k, v in given.items() if k in form["schema"].get("properties", {})})
    return data


def _holders(world: World, task: HumanTask) -> list[Actor]:
    """Who could do the task, in a random order (colleagues share work), its assignee first."""
    holders = list(world.staff.holders(task.agency_id, task.role))
    world.rng.shuffle(holders)
    if task.assignee_id is not None:
        holders.sort(key=lambda a: a.user_id != task.assignee_id)
    return holders


def _try_holders(world: World, session: Session, play: Play) -> str:
    for actor in play.actors:
        try:
            with session.begin_nested():
                complete_task(session, world.clock, actor, play.task.id, play.data)
            return "done"
        except Forbidden:
            continue  # a colleague holding the role may do it
        except ValidationFailed as exc:
            return f"invalid: {exc.message} {exc.details}"
        except IsoflowError as exc:
            return f"error: {exc.message}"
    return "nobody may complete it"


def _complete(world: World, session: Session, task: HumanTask) -> bool:
    instance, definition = _definition(session, world, task)
    outcome = f"nobody holds the role {task.role!r}"
    for _ in range(3 if world.staff.holders(task.agency_id, task.role) else 0):
        data = _fill(world, session, task, definition)
        if data is None:
            outcome = "no data"
            break
        play = Play(session, task, instance, definition, data, _holders(world, task))
        try:
            play_rules(world, play)
        except RolePlayError as exc:
            outcome = f"cannot play the rules: {exc}"
            break
        outcome = _try_holders(world, session, play)
        if outcome == "done":
            if any(is_finding_field(k) and isinstance(v, (list, int)) and v for k, v in play.data.items()):
                world.nonconformity_tasks += 1
            for follow_up in play.after:
                follow_up()
            return True
        if not outcome.startswith("invalid"):
            break
    world.unfillable.add(task.id)
    world.problems.append(f"{task.process_key}/{task.spec_id} #{task.id}: {outcome}")
    return False


def _morning(session: Session, world: World, today: date) -> int:
    _start_scheduled(session, world, today)
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


def _evening(session: Session, world: World) -> None:
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
    first = BusinessCalendar().next_working_day(date(config.year, 1, 1))
    clock = VirtualClock(_at(first, time(8, 0)))
    with unit_of_work(factory) as session:
        world = build_world(session, config, clock, rng)
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
            cycle_process=config.cycle_process,
            legal_process=config.legal_process,
            nonconformity_tasks=world.nonconformity_tasks,
            unfillable_tasks=len(world.unfillable),
            problems=world.problems,
        )
        run = session.scalars(select(SimulationRun).order_by(SimulationRun.id.desc()).limit(1)).one()
        run.finished_at = end
        run.summary = summary.as_dict()
    return summary
