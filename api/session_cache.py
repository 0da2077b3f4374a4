"""Login sessions this process checked a moment ago, so a read doesn't spend two queries (the session row and the
account's banned check) on every request.

Bounds, stated: an entry serves only GET/HEAD requests, only a client's or an artist's session (an operator's is
checked every time), for at most `TTL` seconds, never past its access token's expiry, and only while this process
has committed no write since it was read (api/local_writes.py). So a logout, a ban, a role switch or a phone
merge answered by this process applies to its very next request; one answered by another API process applies
here within `TTL` seconds, to reads only: a write request always reads the session from the database."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import jwt
from sqlalchemy import inspect
from sqlalchemy.orm import Session, make_transient_to_detached

from api import local_writes
from domain.models import AuthSession, User

TTL = 2.0  # seconds
MAX_ENTRIES = 20_000
READS = ("GET", "HEAD")
M = TypeVar("M", AuthSession, User)


def _snapshot(row: M) -> M:
    """A detached copy of the row's columns: shared by the threads that serve hits, never by their sessions."""
    mapper = inspect(row).mapper
    copy: M = mapper.class_(**{a.key: getattr(row, a.key) for a in mapper.column_attrs})
    make_transient_to_detached(copy)
    return copy


@dataclass(frozen=True)
class CachedLogin:
    token_expires: float  # epoch seconds
    auth: AuthSession
    user: User

    @property
    def user_id(self) -> int:
        return self.user.id

    def attach(self, db: Session) -> tuple[AuthSession, User]:
        """The session and the account as rows of `db` (their relationships load on use), without a query."""
        return db.merge(self.auth, load=False), db.merge(self.user, load=False)


class SessionCache(local_writes.Fresh[str, CachedLogin]):
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(TTL, MAX_ENTRIES, clock)

    def get(self, token: str) -> CachedLogin | None:
        login = super().get(token)
        if login is not None and time.time() >= login.token_expires:
            self.drop(token)
            return None
        return login

    def keep(self, token: str, read_at: int, auth: AuthSession, user: User | None) -> None:
        """Keep a session `sessions.authenticate_user` has just accepted; `read_at` the generation read before."""
        if user is None or auth.user_id is None:
            return
        claims = jwt.decode(token, options={"verify_signature": False})  # already verified by the caller
        self.put(token, read_at, CachedLogin(float(claims["exp"]), _snapshot(auth), _snapshot(user)))
