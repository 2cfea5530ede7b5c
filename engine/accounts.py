"""People and their roles: password checks and the Actor a use case acts as."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from engine.errors import NotFound, ValidationFailed
from engine.records import Actor
from models import Agency, RoleMembership, User
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
