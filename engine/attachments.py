"""Evidence files on a task: type and size limits, a checksum, and reading scoped like the task."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access import can_read_instance
from engine.clock import Clock
from engine.errors import NotFound, ValidationFailed
from engine.projection import record
from engine.records import Actor
from engine.task_access import load_task_to_act_on, load_visible_task, require_actionable
from models import Attachment, User

MAX_BYTES = 10 * 1024 * 1024
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"
# Extension -> (content type, leading bytes the file must start with; None for plain text).
ALLOWED_TYPES: dict[str, tuple[str, bytes | None]] = {
    ".pdf": ("application/pdf", b"%PDF-"),
    ".png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    ".jpg": ("image/jpeg", b"\xff\xd8\xff"),
    ".jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
    ".odt": ("application/vnd.oasis.opendocument.text", _ZIP),
    ".ods": ("application/vnd.oasis.opendocument.spreadsheet", _ZIP),
    ".doc": ("application/msword", _OLE),
    ".xls": ("application/vnd.ms-excel", _OLE),
    ".txt": ("text/plain; charset=utf-8", None),
}


@dataclass(frozen=True)
class AttachmentRecord:
    """An attachment without its bytes."""

    id: int
    task_id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime


def clean_filename(name: str) -> str:
    """The last path segment of a client's file name, without control characters, at most 200 characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C")
    base = base.strip().lstrip(".")
    return base[-200:] or "tep-dinh-kem"


def _check(filename: str, content: bytes) -> str:
    """The content type of an acceptable file; ValidationFailed otherwise."""
    extension = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    allowed = ALLOWED_TYPES.get(extension)
    if allowed is None:
        kinds = ", ".join(sorted(ALLOWED_TYPES))
        raise ValidationFailed("Loại tệp không được chấp nhận (file type not accepted)", details={"file": kinds})
    if not content or len(content) > MAX_BYTES:
        raise ValidationFailed("Tệp rỗng hoặc lớn hơn 10 MB (file empty or larger than 10 MB)",
                               details={"file": "1 B – 10 MB"})
    content_type, magic = allowed
    if magic is not None and not content.startswith(magic):
        raise ValidationFailed("Nội dung tệp không khớp với loại tệp (content does not match the file type)",
                               details={"file": extension})
    if magic is None:
        try:
            content.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValidationFailed("Tệp văn bản phải mã hóa UTF-8 (text files must be UTF-8)",
                                   details={"file": extension}) from exc
    return content_type


def add_attachment(
    session: Session, clock: Clock, actor: Actor, task_id: int, filename: str, content: bytes
) -> AttachmentRecord:
    """Attach evidence to a task the actor works on."""
    task = load_task_to_act_on(session, actor, task_id)
    require_actionable(task, actor)
    name = clean_filename(filename)
    content_type = _check(name, content)
    assert actor.user_id is not None
    digest = hashlib.sha256(content).hexdigest()
    row = Attachment(task_id=task.id, instance_id=task.instance_id, agency_id=task.agency_id, filename=name,
                     content_type=content_type, size=len(content), sha256=digest, content=content,
                     uploaded_by_id=actor.user_id, uploaded_at=clock.now())
    session.add(row)
    record(session, task.instance_id, clock.now(), actor.username, "attachment_added", spec_id=task.spec_id,
           task_name=task.name, data={"filename": name, "size": len(content), "sha256": digest})
    session.flush()
    return AttachmentRecord(row.id, task.id, name, content_type, row.size, digest, actor.username, row.uploaded_at)


def attachments_of(session: Session, actor: Actor, task_id: int) -> list[AttachmentRecord]:
    """The attachments of a task the actor can see, oldest first."""
    load_visible_task(session, actor, task_id)
    rows = session.execute(
        select(Attachment.id, Attachment.task_id, Attachment.filename, Attachment.content_type, Attachment.size,
               Attachment.sha256, User.username, Attachment.uploaded_at)
        .join(User, User.id == Attachment.uploaded_by_id)
        .where(Attachment.task_id == task_id)
        .order_by(Attachment.id)
    )
    return [AttachmentRecord(*row) for row in rows]


def attachment_content(session: Session, actor: Actor, attachment_id: int) -> tuple[AttachmentRecord, bytes]:
    """An attachment and its bytes, for someone allowed to see its task."""
    row = session.get(Attachment, attachment_id)
    if row is None or not can_read_instance(actor, row.agency_id):
        raise NotFound(f"Không tìm thấy tệp {attachment_id} (no attachment {attachment_id})")
    uploader = session.get_one(User, row.uploaded_by_id)
    meta = AttachmentRecord(row.id, row.task_id, row.filename, row.content_type, row.size, row.sha256,
                            uploader.username, row.uploaded_at)
    return meta, row.content
