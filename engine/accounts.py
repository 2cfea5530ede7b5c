"""People and their roles: password checks and the Actor a use case acts as."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from engine.clock import Clock
from engine.errors import Forbidden, NotFound, ValidationFailed
from engine.records import Actor
from models import Agency, LoginFailure, RoleMembership, User
from models.agency import ROLES


def hash_password(password: str) -> str:
    """A salted scrypt hash of a password."""
    return generate_password_hash(password, method="scrypt")


def actor_for(session: Session, user: User) -> Actor:
    """The Actor of a user, with every role they hold."""
    rows = session.execute(
        select(RoleMembership.agency_id, RoleMembership.role).where(RoleMembership.user_id == user.id)
    )
    return Actor(user_id=user.id, username=user.username, memberships=frozenset((a, r) for a, r in rows))


def actor_by_username(session: Session, username: str) -> Actor:
    """The Actor of a login name, or NotFound."""
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None or not user.is_active:
        raise NotFound(f"no active user '{username}'")
    return actor_for(session, user)


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The user if the password is right, else None."""
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None or not user.is_active or not check_password_hash(user.password_hash, password):
        return None
    return user


def create_user(
    session: Session,
    now: datetime,
    username: str,
    full_name: str,
    password: str,
    *,
    email: str | None = None,
    is_demo: bool = False,
    password_hash: str | None = None,
) -> User:
    """Create a user (or return the existing one with that name); `password_hash` skips hashing."""
    existing = session.scalars(select(User).where(User.username == username)).first()
    if existing is not None:
        return existing
    hashed = password_hash or hash_password(password)
    user = User(
        username=username,
        full_name=full_name,
        email=email,
        password_hash=hashed,
        is_active=True,
        is_demo=is_demo,
        created_at=now,
    )
    session.add(user)
    session.flush()
    return user


def grant_role(session: Session, user: User, agency: Agency, role: str) -> None:
    """Give a user a role in an agency (idempotent)."""
    if role not in ROLES:
        raise ValidationFailed(f"unknown role '{role}'", details={"role": f"one of {', '.join(ROLES)}"})
    exists = session.scalars(
        select(RoleMembership).where(
            RoleMembership.user_id == user.id, RoleMembership.agency_id == agency.id, RoleMembership.role == role
        )
    ).first()
    if exists is None:
        session.add(RoleMembership(user_id=user.id, agency_id=agency.id, role=role))
        session.flush()


def has_demo_accounts(session: Session) -> bool:
    """True if any demo account exists (refused in production)."""
    return session.scalars(select(User.id).where(User.is_demo.is_(True)).limit(1)).first() is not None


# Login throttling: failures are kept in the database so every web worker sees them.
LOGIN_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_REMOTE = 50
_UNKNOWN_USER_HASH: list[str] = []


@dataclass(frozen=True)
class LoginResult:
    """The outcome of a login attempt: the user, or why not."""

    user: User | None
    throttled: bool = False


def _recent_failures(session: Session, column: Any, value: str, since: datetime) -> int:
    query = select(func.count(LoginFailure.id)).where(column == value, LoginFailure.at >= since)
    return int(session.scalar(query) or 0)


def log_in(session: Session, now: datetime, username: str, password: str, remote: str) -> LoginResult:
    """Check a login, refusing without a password check after too many recent failures."""
    since = now - LOGIN_WINDOW
    if (
        _recent_failures(session, LoginFailure.username, username, since) >= MAX_FAILURES_PER_USER
        or _recent_failures(session, LoginFailure.remote, remote, since) >= MAX_FAILURES_PER_REMOTE
    ):
        return LoginResult(None, throttled=True)
    user = authenticate(session, username, password)
    if user is None:
        if not _UNKNOWN_USER_HASH:
            _UNKNOWN_USER_HASH.append(hash_password("unknown-user"))
        # Spend the same time on unknown names as on wrong passwords: names are not revealed.
        check_password_hash(_UNKNOWN_USER_HASH[0], password)
        session.execute(delete(LoginFailure).where(LoginFailure.at < since))
        session.add(LoginFailure(username=username[:64], remote=remote[:64], at=now))
        session.flush()
        return LoginResult(None)
    session.execute(delete(LoginFailure).where(LoginFailure.username == username))
    return LoginResult(user)


def memberships_of(session: Session, user_id: int) -> list[tuple[str, str, str]]:
    """(agency code, agency name, role) for each role a user holds, by agency code."""
    rows = session.execute(
        select(Agency.code, Agency.name, RoleMembership.role)
        .join(RoleMembership, RoleMembership.agency_id == Agency.id)
        .where(RoleMembership.user_id == user_id)
        .order_by(Agency.code, RoleMembership.role)
    )
    return [(code, name, role) for code, name, role in rows]


def active_usernames(session: Session) -> list[str]:
    """Every active login name (the administrator's choices when issuing a token)."""
    return list(session.scalars(select(User.username).where(User.is_active.is_(True)).order_by(User.username)))


MIN_PASSWORD_LENGTH = 10


def new_password_problems(username: str, new: str) -> dict[str, str]:
    """Why a new password is refused, per field (empty when it is acceptable)."""
    if len(new) < MIN_PASSWORD_LENGTH:
        return {"new_password": f"Mật khẩu mới phải có ít nhất {MIN_PASSWORD_LENGTH} ký tự "
                                f"(at least {MIN_PASSWORD_LENGTH} characters)"}
    if new.strip().casefold() == username.casefold():
        return {"new_password": "Mật khẩu mới không được trùng với tên đăng nhập (must differ from the username)"}
    return {}


def _refuse(details: dict[str, str]) -> None:
    if details:
        raise ValidationFailed("Không thể đổi mật khẩu (the password was not changed)", details=details)


def change_password(session: Session, clock: Clock, actor: Actor, current: str, new: str) -> None:
    """The logged-in user replaces their own password; the current one must be given.

    Nothing secret is recorded: neither password reaches the history, a log or an error message.
    """
    user = session.get(User, actor.user_id) if actor.user_id is not None else None
    if user is None or not user.is_active:
        raise Forbidden("Chỉ người dùng đã đăng nhập mới đổi được mật khẩu (only a logged-in user can do this)")
    details = {} if check_password_hash(user.password_hash, current) else {
        "current_password": "Mật khẩu hiện tại không đúng (the current password is wrong)"}
    _refuse({**details, **new_password_problems(user.username, new)})
    user.password_hash = hash_password(new)
    session.flush()


def set_password(session: Session, clock: Clock, actor: Actor, username: str, new: str) -> None:
    """An administrator (or the server's shell) resets a user's password and lifts their login throttle."""
    if actor.user_id is not None and not actor.is_admin:
        raise Forbidden("Chỉ quản trị viên mới đặt lại được mật khẩu (only an administrator can reset passwords)")
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFound(f"Không có người dùng '{username}' (no user '{username}')")
    _refuse(new_password_problems(user.username, new))
    user.password_hash = hash_password(new)
    session.execute(delete(LoginFailure).where(LoginFailure.username == username))
    session.flush()
