"""How simulated staff keep the `rules` of a task's process.json, as real staff would.

Each rule's own parameters drive what is done: the audit team and its impartial rows, who may sign,
the mandatory documents, the share of on-site inspections.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.definitions import parsed_process
from engine.errors import IsoflowError
from engine.instances import agency_by_code, business_key, start_instance
from engine.qms_records import lookup
from engine.records import Actor
from engine.simulation_setup import SIM_ACTOR, World
from engine.spiff.inspect import task_context
from models import Agency, HumanTask, ProcessDefinition, ProcessInstance

AUDITOR_ROLE = "internal_auditor"  # audit teams are made of the agency's internal auditors


def start_process(session: Session, world: World, process_key: str, agency: Agency, data: dict[str, Any]) -> None:
    """Start a process for an agency as the simulated staff would; its start data is remembered for its forms."""
    key = business_key(agency.code, world.config.year, process_key, world.config.cycle_process)
    try:
        with session.begin_nested():
            result = start_instance(session, world.clock, process_key, agency, world.config.year, key=key,
                                    data=data, actor=SIM_ACTOR)
        world.start_data[result.instance_id] = data
    except IsoflowError as exc:
        world.problems.append(f"{key}: {exc.message}")


@dataclass
class Play:
    """One completion being prepared: the task, its data, who may submit it (best first), what follows."""

    session: Session
    task: HumanTask
    instance: ProcessInstance
    definition: ProcessDefinition  # the definition that declares the task: its forms and rules
    data: dict[str, Any]
    actors: list[Actor]
    after: list[Callable[[], None]] = field(default_factory=list)


class RolePlayError(Exception):
    """The simulated staff cannot satisfy a rule of the task's process."""


def _task_data(play: Play) -> dict[str, Any]:
    definition = play.session.get_one(ProcessDefinition, play.instance.definition_id)
    context = task_context(parsed_process(play.session, definition), play.instance.state, play.task.spiff_task_id)
    return context.data


def _audit_team(world: World, play: Play, generated: Any) -> list[dict[str, Any]]:
    """Two or three of the agency's internal auditors (each from another unit), the first one leading."""
    auditors = list(world.staff.holders(play.task.agency_id, AUDITOR_ROLE))
    chosen = world.rng.sample(auditors, min(len(auditors), world.rng.randint(2, 3)))
    template = generated[0] if isinstance(generated, list) and generated and isinstance(generated[0], dict) else {}
    team = []
    for index, actor in enumerate(chosen):
        person = world.staff.people[actor.username]
        member = {**template, "username": actor.username, "unit": person.unit}
        if "full_name" in template:
            member["full_name"] = person.full_name
        if "lead" in template:
            member["lead"] = index == 0
        team.append(member)
    return team


def _impartial_auditors(world: World, play: Play, rule: dict[str, Any]) -> None:
    """The plan names the team; each row pairs a team member with a unit other than their own."""
    source, _, path = str(rule.get("team", "form.team")).partition(".")
    if source == "form":
        play.data[path] = _audit_team(world, play, play.data.get(path))
        team = play.data[path]
    else:
        team = lookup(_task_data(play), path)
    members = [str(m.get("username")) for m in team or [] if isinstance(m, dict)]
    if rule.get("submitter_in_team"):
        play.actors = [a for a in play.actors if a.username in members]
        members = [a.username for a in play.actors[:1]]  # whoever submits records their own rows
    if not members:
        raise RolePlayError(f"no simulated member of the audit team may do {play.task.spec_id}")
    rows = play.data.get(str(rule.get("rows", "rows"))) or []
    if rows and source == "form":  # a plan gives every team member at least one unit to audit
        rows += [dict(rows[0]) for _ in range(len(members) - len(rows))]
    units = world.staff.units.get(play.task.agency_id, ())
    for index, row in enumerate(rows):
        auditor = members[index % len(members)]
        person = world.staff.person(auditor)
        others = [u for u in units if person is None or u != person.unit]
        row["auditor"] = auditor
        row["unit"] = world.rng.choice(others) if others else row.get("unit")


def _different_person(world: World, play: Play, rule: dict[str, Any]) -> None:
    """Whoever did `other_task` in this instance is asked last."""
    done = set(
        play.session.scalars(
            select(HumanTask.completed_by_id).where(
                HumanTask.instance_id == play.task.instance_id,
                HumanTask.spec_id == str(rule.get("other_task")),
                HumanTask.status == "completed",
            )
        )
    )
    play.actors.sort(key=lambda actor: actor.user_id in done)


def _mandatory_documents(world: World, play: Play, rule: dict[str, Any]) -> None:
    """The list gets a row for every kind the framework model version makes mandatory."""
    lists = play.definition.settings.get("mandatory_documents", {})
    required = lists.get(str(play.data.get(str(rule.get("version_field", "framework_version")))), [])
    rows_field, kind_field = str(rule.get("rows", "documents")), str(rule.get("field", "kind"))
    rows = play.data.setdefault(rows_field, [])
    present = {row.get(kind_field) for row in rows}
    template = rows[0] if rows else {}
    rows += [{**template, kind_field: kind} for kind in required if kind not in present]


def _onsite_share(world: World, play: Play, rule: dict[str, Any]) -> None:
    """At least the legal share of the year's agencies, chosen at random; each then gets an inspection."""
    year, process = play.instance.cycle_year, str(rule.get("process", world.config.cycle_process))
    codes = sorted(
        play.session.scalars(
            select(func.distinct(Agency.code))
            .join(ProcessInstance, ProcessInstance.agency_id == Agency.id)
            .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
            .where(ProcessDefinition.key == process, ProcessInstance.cycle_year == year,
                   ProcessInstance.status != "cancelled")
        )
    )
    numerator, denominator = (int(n) for n in rule.get("share", [1, 3]))
    needed = -(-len(codes) * numerator // denominator)
    chosen = sorted(world.rng.sample(codes, min(len(codes), needed + world.rng.randint(0, needed // 10))))
    play.data[str(rule.get("field", "onsite_agencies"))] = chosen

    def inspect_on_site() -> None:
        for code in chosen:
            agency = agency_by_code(play.session, code)
            data = dict(world.config.inspection_data)
            start_process(play.session, world, world.config.inspection_process, agency, data)

    play.after.append(inspect_on_site)


_ROLE_PLAY: dict[str, Callable[[World, Play, dict[str, Any]], None]] = {
    "impartial_auditors": _impartial_auditors,
    "different_person": _different_person,
    "mandatory_documents": _mandatory_documents,
    "onsite_share": _onsite_share,
}


def play_rules(world: World, play: Play) -> None:
    """Shape the data and order the actors so that the task's rules are kept, as real staff would."""
    for rule in play.definition.settings.get("rules", []):
        if rule.get("task") != play.task.spec_id:
            continue
        if not all(play.data.get(name) == value for name, value in (rule.get("when") or {}).items()):
            continue
        handler = _ROLE_PLAY.get(str(rule.get("rule")))
        if handler is None:
            raise RolePlayError(f"the simulator does not know the rule {rule.get('rule')!r}")
        handler(world, play, rule)
