"""API tokens for integrations: issued by an administrator, shown once, stored hashed, revocable."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import Forbidden, NotFound, ValidationFailed
from engine.records import SYSTEM, Actor
from models import ApiToken, User

TOKEN_PREFIX = "isf_"  # noqa: S105 - a public marker, not a secret
# Recording every use would turn each API read into a write; once in a while is enough.
_LAST_USED_PRECISION = timedelta(minutes=5)


@dataclass(frozen=True)
class TokenRecord:
    """A token as listed (never its secret)."""

    id: int
    username: str
    name: str
    prefix: str
    created_by: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class IssuedToken:
    """A new token: `secret` is shown to the administrator once and never stored."""

    record: TokenRecord
    secret: str


def _digest(secret: str) -> str:
    # Tokens are 256-bit random strings, so a plain SHA-256 is enough (no password stretching needed).
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _require_admin(actor: Actor) -> None:
    if actor is not SYSTEM and not actor.is_admin:
        raise Forbidden("Chỉ quản trị viên quản lý mã truy cập API (only administrators manage API tokens)")


def _record(token: ApiToken, username: str) -> TokenRecord:
    return TokenRecord(token.id, username, token.name, token.prefix, token.created_by, token.created_at,
                       token.last_used_at, token.revoked_at)


def create_token(session: Session, now: datetime, actor: Actor, username: str, name: str = "") -> IssuedToken:
    """Issue a token acting as `username`."""
    _require_admin(actor)
    user = session.scalars(select(User).where(User.username == username, User.is_active.is_(True))).first()
    if user is None:
        raise ValidationFailed("Không có người dùng này (no such active user)", details={"user": username})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=(name or "API")[:128], token_hash=_digest(secret), prefix=secret[:12],
                     created_by=actor.username, created_at=now)
    session.add(token)
    session.flush()
    return IssuedToken(_record(token, user.username), secret)


def user_for_token(session: Session, now: datetime, secret: str) -> User | None:
    """The active user a valid, unrevoked token acts as, or None."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    row = session.execute(
        select(ApiToken, User).join(User, User.id == ApiToken.user_id).where(ApiToken.token_hash == _digest(secret))
    ).first()
    if row is None:
        return None
    token, user = row
    if token.revoked_at is not None or not user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > _LAST_USED_PRECISION:
        token.last_used_at = now
    return user


def revoke_token(session: Session, now: datetime, actor: Actor, token_id: int) -> TokenRecord:
    """Revoke a token for good (idempotent)."""
    _require_admin(actor)
    row = session.execute(
        select(ApiToken, User.username).join(User, User.id == ApiToken.user_id).where(ApiToken.id == token_id)
    ).first()
    if row is None:
        raise NotFound(f"Không có mã truy cập {token_id} (no token {token_id})")
    token, username = row
    if token.revoked_at is None:
        token.revoked_at = now
        session.flush()
    return _record(token, username)


def list_tokens(session: Session, actor: Actor) -> list[TokenRecord]:
    """Every token, newest first."""
    _require_admin(actor)
    rows = session.execute(
        select(ApiToken, User.username).join(User, User.id == ApiToken.user_id).order_by(ApiToken.id.desc())
    )
    return [_record(token, username) for token, username in rows]
