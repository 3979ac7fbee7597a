"""Accounts: sign-up, login with throttling, server-side sessions, password change, deletion.

Sessions: a random 256-bit token goes to the cookie; the database keeps only its SHA-256
(`auth_sessions.token_hash`) with the session's CSRF token. A session ends after 14 idle days
or 30 days in all. Login, password change and deletion all start from `authenticate`, which
counts failures per account and per IP address in `login_throttle`: 5 failures for an account
(20 for an address) within 15 minutes lock it for 30 s, doubling with each further failure up
to an hour; the answer is a 429 with Retry-After. A successful login clears the account's count.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pixelsmith.core import ownership
from pixelsmith.core.db import Database, utcnow
from pixelsmith.core.errors import ApiError, Conflict, NotFound
from pixelsmith.core.ratelimit import retry_error

from .models import ROLES, AuthSession, LoginThrottle, User
from .passwords import (
    check_password,
    hash_password,
    needs_rehash,
    normalize_username,
    verify_password,
)
from .passwords import username_key as make_username_key

if TYPE_CHECKING:
    from pixelsmith.core.jobs.service import JobService
    from pixelsmith.core.storage import Storage

log = logging.getLogger("pixelsmith.accounts")

SESSION_IDLE = timedelta(days=14)
SESSION_ABSOLUTE = timedelta(days=30)
_TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often

FAILURE_WINDOW = timedelta(minutes=15)
USER_FAILURES, IP_FAILURES = 5, 20
BASE_LOCK_S, MAX_LOCK_S = 30.0, 3600.0


class InvalidCredentials(ApiError):
    status_code = 401
    code = "invalid_credentials"


GENERIC_LOGIN_FAILURE = "The username or password is wrong. Check both and try again."


@dataclass(frozen=True)
class SessionInfo:
    user_id: str
    username: str
    role: str
    csrf_token: str
    token: str | None = None  # the raw token, only right after it was made (for the cookie)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def user_dict(user: User) -> dict:
    return {
        "id": user.id,
        "username": user.username,
        "role": user.role,
        "created_at": _aware(user.created_at).isoformat(),
    }


class AccountService:
    def __init__(
        self, db: Database, storage: Storage | None = None, jobs: JobService | None = None
    ) -> None:
        self.db = db
        self.storage = storage
        self.jobs = jobs

    # ---- sessions ----------------------------------------------------------------------------
    def _new_session(self, s: Session, user: User) -> SessionInfo:
        token = secrets.token_urlsafe(32)
        now = utcnow()
        row = AuthSession(
            token_hash=token_hash(token),
            user_id=user.id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            last_seen_at=now,
            expires_at=now + SESSION_ABSOLUTE,
        )
        s.add(row)
        return SessionInfo(user.id, user.username, user.role, row.csrf_token, token)

    def lookup(self, token: str | None) -> SessionInfo | None:
        """The live session behind a cookie value, or None (unknown, expired or idle too long)."""
        if not token or len(token) > 200:
            return None
        now = utcnow()
        with self.db.session() as s:
            row = s.get(AuthSession, token_hash(token))
            if row is None:
                return None
            if _aware(row.expires_at) <= now or _aware(row.last_seen_at) + SESSION_IDLE <= now:
                s.delete(row)
                return None
            user = s.get(User, row.user_id)
            if user is None:
                return None
            if now - _aware(row.last_seen_at) > _TOUCH_EVERY:
                row.last_seen_at = now
            return SessionInfo(user.id, user.username, user.role, row.csrf_token)

    def is_account_id(self, user_id: str) -> bool:
        with self.db.session() as s:
            return s.get(User, user_id) is not None

    def logout(self, token: str | None) -> None:
        if token:
            with self.db.session() as s:
                s.execute(delete(AuthSession).where(AuthSession.token_hash == token_hash(token)))

    # ---- sign-up and login -------------------------------------------------------------------
    def signup(
        self,
        username: str,
        password: str,
        *,
        guest_id: str | None = None,
        role: str = "user",
        start_session: bool = True,
    ) -> SessionInfo:
        """A new account; with a valid guest id that is nobody's account, the account takes
        that id, and with it everything the guest made in every app."""
        name, key = normalize_username(username)
        check_password(password, name)
        if role not in ROLES:
            raise ApiError(f"Unknown role {role!r}: use user or admin.", code="invalid_role")
        password_hash = hash_password(password)
        try:
            with self.db.session() as s:
                if s.scalar(select(User.id).where(User.username_key == key)) is not None:
                    raise self._taken(name)
                user_id = guest_id if guest_id and s.get(User, guest_id) is None else None
                user = User(
                    id=user_id or secrets.token_hex(16),
                    username=name,
                    username_key=key,
                    password_hash=password_hash,
                    role=role,
                )
                s.add(user)
                s.flush()
                info = self._new_session(s, user) if start_session else None
        except IntegrityError:  # a concurrent sign-up took the name between check and insert
            raise self._taken(name) from None
        log.info("account created", extra={"user_id": user.id, "claimed_guest": bool(user_id)})
        return info or SessionInfo(user.id, user.username, user.role, "")

    @staticmethod
    def _taken(name: str) -> Conflict:
        return Conflict(
            f"The username {name!r} is taken. Choose another one, or log in if it is yours.",
            code="username_taken",
            details={"field": "username"},
        )

    def login(
        self,
        username: str,
        password: str,
        *,
        ip: str = "",
        guest_id: str | None = None,
        old_token: str | None = None,
    ) -> SessionInfo:
        """A fresh session (the old one, if any, ends: the id rotates at login); the guest's
        data moves into the account."""
        user_id = self.authenticate(username, password, ip=ip)
        with self.db.session() as s:
            user = s.get(User, user_id)
            if user is None:  # deleted meanwhile
                raise InvalidCredentials(GENERIC_LOGIN_FAILURE)
            if old_token:
                s.execute(
                    delete(AuthSession).where(AuthSession.token_hash == token_hash(old_token))
                )
            if guest_id and guest_id != user.id and s.get(User, guest_id) is None:
                ownership.claim_all(s, guest_id, user.id)
            if needs_rehash(user.password_hash):
                user.password_hash = hash_password(password)
            return self._new_session(s, user)

    def authenticate(self, username: str, password: str, *, ip: str = "") -> str:
        """The user id for a right username + password; else 401 (one message for an unknown
        user and a wrong password, after the same argon2 work) or 429 while locked out."""
        try:
            _, key = normalize_username(username)
        except ApiError:  # no such user can exist; still counted, under a hash of what came
            key = None
        digest = hashlib.sha256((username or "").encode("utf-8", "replace")).hexdigest()
        scopes = [(f"user:{key}" if key else f"user#{digest}", USER_FAILURES)]
        if ip:
            scopes.append((f"ip:{ip}"[:120], IP_FAILURES))
        now = utcnow()
        with self.db.session() as s:
            for scope, _ in scopes:
                row = s.get(LoginThrottle, scope)
                locked = _aware(row.locked_until) if row is not None else None
                if locked is not None and locked > now:
                    raise retry_error(
                        (locked - now).total_seconds(),
                        "Too many failed logins. Wait {seconds} s, then try again.",
                    )
            user = s.scalar(select(User).where(User.username_key == key)) if key else None
        ok = verify_password(user.password_hash if user else None, password)
        with self.db.session() as s:
            if ok:
                s.execute(delete(LoginThrottle).where(LoginThrottle.scope == scopes[0][0]))
                return user.id  # type: ignore[union-attr]
            for scope, limit in scopes:
                self._count_failure(s, scope, limit, now)
        raise InvalidCredentials(GENERIC_LOGIN_FAILURE)

    @staticmethod
    def _count_failure(s: Session, scope: str, limit: int, now: datetime) -> None:
        row = s.get(LoginThrottle, scope)
        if row is None:
            row = LoginThrottle(scope=scope, failures=0, last_failure_at=now)
            s.add(row)
        elif _aware(row.last_failure_at) + FAILURE_WINDOW < now:
            row.failures = 0
        row.failures += 1
        row.last_failure_at = now
        if row.failures >= limit:
            lock_s = min(BASE_LOCK_S * 2 ** (row.failures - limit), MAX_LOCK_S)
            row.locked_until = now + timedelta(seconds=lock_s)

    # ---- the signed-in user ------------------------------------------------------------------
    def change_password(
        self, token: str, current_password: str, new_password: str, *, ip: str = ""
    ) -> SessionInfo:
        """New hash; every session of the user ends, this one is replaced by a new one."""
        info = self._require(token)
        self._reauthenticate(info, current_password, ip)
        check_password(new_password, info.username, field="new_password")
        new_hash = hash_password(new_password)
        with self.db.session() as s:
            user = s.get(User, info.user_id)
            user.password_hash = new_hash
            user.password_changed_at = utcnow()
            s.execute(delete(AuthSession).where(AuthSession.user_id == user.id))
            return self._new_session(s, user)

    def delete_account(self, token: str, password: str, *, ip: str = "") -> int:
        """Everything the user has in every app, their blobs, sessions and account row; returns
        the number of blobs removed from storage."""
        info = self._require(token)
        self._reauthenticate(info, password, ip)
        return self.delete_user(info.user_id)

    def delete_user(self, user_id: str) -> int:
        self._cancel_jobs(user_id)
        with self.db.session() as s:
            keys = ownership.delete_all(s, user_id)
            s.execute(delete(AuthSession).where(AuthSession.user_id == user_id))
            s.execute(delete(User).where(User.id == user_id))
        removed = 0
        if self.storage is not None:
            for key in sorted(keys):
                try:
                    self.storage.delete(key)
                    removed += 1
                except NotFound:
                    pass
        log.info("account deleted", extra={"user_id": user_id, "blobs": removed})
        return removed

    def _cancel_jobs(self, user_id: str) -> None:
        if self.jobs is None:
            return
        from pixelsmith.core.jobs.models import Job, JobStatus

        with self.db.session() as s:
            ids = list(
                s.scalars(
                    select(Job.id).where(
                        Job.owner_id == user_id,
                        Job.status.in_([JobStatus.queued, JobStatus.running]),
                    )
                )
            )
        for job_id in ids:
            try:
                self.jobs.cancel(job_id)
            except ApiError:  # finished or gone meanwhile
                pass

    def _require(self, token: str | None) -> SessionInfo:
        info = self.lookup(token)
        if info is None:
            raise ApiError(
                "Log in first: this needs an account.", code="login_required", status_code=401
            )
        return info

    def _reauthenticate(self, info: SessionInfo, password: str, ip: str) -> None:
        try:
            self.authenticate(info.username, password, ip=ip)
        except InvalidCredentials:
            raise InvalidCredentials(
                "The current password is wrong. Type it again.",
                details={"field": "password"},
            ) from None

    # ---- administration (CLI) ----------------------------------------------------------------
    def list_users(self) -> list[dict]:
        with self.db.session() as s:
            return [user_dict(u) for u in s.scalars(select(User).order_by(User.created_at))]

    def set_role(self, username: str, role: str) -> dict:
        if role not in ROLES:
            raise ApiError(f"Unknown role {role!r}: use user or admin.", code="invalid_role")
        with self.db.session() as s:
            user = s.scalar(select(User).where(User.username_key == make_username_key(username)))
            if user is None:
                raise NotFound(f"No user {username!r}.", code="user_not_found")
            user.role = role
            return user_dict(user)
