"""Comments on a task, visible to everyone who may see the task."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.clock import Clock
from engine.errors import ValidationFailed
from engine.projection import record
from engine.records import Actor
from engine.task_access import load_task_to_act_on, load_visible_task
from models import TaskComment, User

MAX_COMMENT = 4000


@dataclass(frozen=True)
class CommentRecord:
    """A comment as shown under a task."""

    id: int
    author: str
    author_full_name: str
    body: str
    created_at: datetime


def add_comment(session: Session, clock: Clock, actor: Actor, task_id: int, body: str) -> CommentRecord:
    """Add a comment to a task the actor can see (supervisors may advise any agency)."""
    task = load_task_to_act_on(session, actor, task_id)
    text = body.strip()
    if not text or len(text) > MAX_COMMENT or actor.user_id is None:
        raise ValidationFailed(
            "Bình luận trống hoặc quá dài (the comment is empty or too long)",
            details={"body": f"1–{MAX_COMMENT} ký tự (characters)"},
        )
    comment = TaskComment(task_id=task.id, author_id=actor.user_id, body=text, created_at=clock.now())
    session.add(comment)
    record(session, task.instance_id, clock.now(), actor.username, "comment_added", spec_id=task.spec_id,
           task_name=task.name)
    session.flush()
    return comments_of(session, actor, task_id)[-1]


def comments_of(session: Session, actor: Actor, task_id: int) -> list[CommentRecord]:
    """The comments of a task the actor can see, oldest first."""
    load_visible_task(session, actor, task_id)
    rows = session.execute(
        select(TaskComment, User.username, User.full_name)
        .join(User, User.id == TaskComment.author_id)
        .where(TaskComment.task_id == task_id)
        .order_by(TaskComment.id)
    )
    return [CommentRecord(c.id, username, full_name, c.body, c.created_at) for c, username, full_name in rows]
