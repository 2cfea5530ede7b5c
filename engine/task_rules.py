"""Rules a task completion must obey beyond its form (segregation of duties, legal minimums).

Declared in the process.json of the process that owns the task, under "rules":

- impartial_auditors: every row's auditor is in the audit team and does not audit their own unit
  (ISO 9001 9.2.2 c); with "submitter_in_team", only team members may record audit results.
- different_person: the task is not completed by whoever completed "other_task" in the same
  scope (ISO 9001 10.2: effectiveness is verified by someone other than the action owner).
- mandatory_documents: the first-year document list covers the framework model's mandatory kinds.
- onsite_share: at least share[0]/share[1] of the year's agencies are inspected on site (TT 26).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.definitions import definition_of_process
from engine.errors import Forbidden, InvalidDefinition, ValidationFailed
from engine.qms_records import lookup
from engine.records import Actor
from engine.spiff.inspect import TaskContext
from models import Agency, HumanTask, ProcessDefinition, ProcessInstance, User


@dataclass(frozen=True)
class Completion:
    """A task completion being checked."""

    session: Session
    instance: ProcessInstance
    task: HumanTask
    actor: Actor
    data: dict[str, Any]

    # Scope and data of a task of this instance (from the workflow loaded for this completion).
    context_of: Callable[[str], TaskContext]


def _norm(text: Any) -> str:
    return " ".join(str(text or "").split()).casefold()


def _team(rule: dict[str, Any], c: Completion) -> list[Any]:
    head, _, path = str(rule.get("team", "form.team")).partition(".")
    source = c.data if head == "form" else c.context_of(c.task.spiff_task_id).data
    team = lookup(source, path)
    return team if isinstance(team, list) else []


def impartial_auditors(c: Completion, rule: dict[str, Any]) -> None:
    """Refuse rows where an auditor audits their own unit, or someone outside the team records results."""
    units = {_norm(m.get("username")): _norm(m.get("unit")) for m in _team(rule, c)}
    if rule.get("submitter_in_team") and _norm(c.actor.username) not in units:
        raise Forbidden(
            f"Bạn ({c.actor.username}) không thuộc đoàn đánh giá nên không thể ghi nhận kết quả đánh giá "
            f"(you are not a member of the audit team)"
        )
    rows_field = str(rule.get("rows", "rows"))
    details: dict[str, str] = {}
    for index, row in enumerate(c.data.get(rows_field) or []):
        auditor, unit = _norm(row.get("auditor")), _norm(row.get("unit"))
        where = f"{rows_field}.{index}.auditor"
        if auditor not in units:
            details[where] = (f"Chuyên gia '{row.get('auditor')}' không có trong đoàn đánh giá "
                              f"(auditor '{row.get('auditor')}' is not in the audit team)")
        elif units[auditor] == unit:
            details[where] = (f"Chuyên gia '{row.get('auditor')}' không được đánh giá công việc của chính đơn vị mình "
                              f"({row.get('unit')}) (an auditor may not audit their own unit's work)")
    if details:
        first = next(iter(details.values()))
        raise ValidationFailed(f"Vi phạm tính khách quan của đánh giá nội bộ: {first}", details=details)


def different_person(c: Completion, rule: dict[str, Any]) -> None:
    """Refuse completion by the user who completed `other_task` in the same scope (latest completion)."""
    scope = c.context_of(c.task.spiff_task_id).scope
    done = c.session.scalars(
        select(HumanTask)
        .where(HumanTask.instance_id == c.instance.id, HumanTask.spec_id == rule["other_task"],
               HumanTask.status == "completed")
        .order_by(HumanTask.completed_at.desc(), HumanTask.id.desc())
    )
    owner = next((t for t in done if c.context_of(t.spiff_task_id).scope == scope), None)
    if owner is None or owner.completed_by_id is None or owner.completed_by_id != c.actor.user_id:
        return
    name = c.session.scalar(select(User.full_name).where(User.id == owner.completed_by_id)) or c.actor.username
    raise Forbidden(
        f"Người kiểm tra hiệu lực phải khác người đã thực hiện hành động khắc phục ({name}) "
        f"(effectiveness must be verified by someone other than the person who implemented the action)"
    )


def mandatory_documents(c: Completion, rule: dict[str, Any]) -> None:
    """Refuse a first-year document list that misses a kind the framework model makes mandatory."""
    lists = _settings_of(c.session, c.instance, c.task).get("mandatory_documents", {})
    required = lists.get(str(c.data.get(rule.get("version_field", "framework_version"))), [])
    present = {row.get(rule.get("field", "kind")) for row in c.data.get(rule.get("rows", "documents")) or []}
    missing = [kind for kind in required if kind not in present]
    if missing:
        field = str(rule.get("rows", "documents"))
        raise ValidationFailed(
            f"Thiếu tài liệu bắt buộc theo mô hình khung: {', '.join(missing)} "
            f"(mandatory documents of the framework model are missing)",
            details={field: f"Thiếu / missing: {', '.join(missing)}"},
        )


def onsite_share(c: Completion, rule: dict[str, Any]) -> None:
    """Refuse an inspection plan with unknown agencies or fewer on-site visits than the legal share."""
    field = str(rule.get("field", "onsite_agencies"))
    codes = [str(code) for code in c.data.get(field) or []]
    known = set(c.session.scalars(select(Agency.code).where(Agency.code.in_(codes)))) if codes else set()
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise ValidationFailed(f"Mã cơ quan không tồn tại: {', '.join(unknown)} (unknown agency codes)",
                               details={field: ", ".join(unknown)})
    total = _agencies_in_cycle(c.session, str(rule.get("process", "iso_annual_cycle")), c.instance.cycle_year)
    numerator, denominator = (int(n) for n in rule.get("share", [1, 3]))
    needed = -(-total * numerator // denominator)
    if len(codes) < needed:
        raise ValidationFailed(
            f"Phải kiểm tra tại chỗ ít nhất {needed}/{total} cơ quan ({numerator}/{denominator}); "
            f"mới chọn {len(codes)} "
            f"(at least {needed} of {total} agencies must be inspected on site)",
            details={field: f"≥ {needed}"},
        )


def _agencies_in_cycle(session: Session, process_key: str, year: int | None) -> int:
    query = (
        select(func.count(func.distinct(ProcessInstance.agency_id)))
        .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
        .where(ProcessDefinition.key == process_key, ProcessInstance.status != "cancelled")
    )
    if year is not None:
        query = query.where(ProcessInstance.cycle_year == year)
    return int(session.scalar(query) or 0)


RULES: dict[str, Callable[..., None]] = {
    "impartial_auditors": impartial_auditors,
    "different_person": different_person,
    "mandatory_documents": mandatory_documents,
    "onsite_share": onsite_share,
}


def _settings_of(session: Session, instance: ProcessInstance, task: HumanTask) -> dict[str, Any]:
    definition = session.get_one(ProcessDefinition, instance.definition_id)
    settings: dict[str, Any] = definition_of_process(session, definition, task.process_key).settings
    return settings


def check_task_rules(
    session: Session,
    instance: ProcessInstance,
    task: HumanTask,
    actor: Actor,
    data: dict[str, Any],
    context_of: Callable[[str], TaskContext],
) -> None:
    """Raise Forbidden or ValidationFailed if the completion breaks a rule of the task's process."""
    for rule in _settings_of(session, instance, task).get("rules", []):
        if rule.get("task") != task.spec_id:
            continue
        if not all(data.get(name) == value for name, value in (rule.get("when") or {}).items()):
            continue
        check = RULES.get(str(rule.get("rule")))
        if check is None:
            raise InvalidDefinition(f"rules: unknown rule '{rule.get('rule')}'")
        check(Completion(session, instance, task, actor, data, context_of), rule)
