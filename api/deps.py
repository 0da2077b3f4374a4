"""Request-scoped dependencies: the database session (committed at the request boundary) and who is asking."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path, Request
from sqlalchemy.orm import Session

from api.context import AppContext
from domain.accounts import sessions, users
from domain.db import session_scope
from domain.enums import ROLE_LABELS
from domain.errors import AppError, NotAuthenticated, PermissionDenied, RoleRequired
from domain.models import AuthSession, Operator, User

# Every id is a BIGINT: a larger or non-positive number is the caller's mistake (422), not a database error.
PathId = Annotated[int, Path(ge=1, le=2**62)]


def get_ctx(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


Ctx = Annotated[AppContext, Depends(get_ctx)]


def get_db(ctx: Ctx) -> Iterator[Session]:
    with session_scope(ctx.database_url) as session:
        yield session


# scope="function": commit before the response leaves, so a failed commit is never reported as success.
Db = Annotated[Session, Depends(get_db, scope="function")]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def get_auth(request: Request, ctx: Ctx, db: Db) -> AuthSession:
    token = _bearer(request)
    if token is None:
        raise NotAuthenticated()
    return sessions.authenticate(db, ctx.tokens, token)


Auth = Annotated[AuthSession, Depends(get_auth)]


def get_viewer_id(request: Request, ctx: Ctx, db: Db) -> int | None:
    """The logged-in user looking at a public page, or None. A missing, expired or otherwise unusable token
    means an anonymous visitor: public pages never fail because of a stale login."""
    token = _bearer(request)
    if token is None:
        return None
    try:
        auth = sessions.authenticate(db, ctx.tokens, token)
    except AppError:
        return None
    return auth.user_id


ViewerId = Annotated[int | None, Depends(get_viewer_id)]


@dataclass
class CurrentUser:
    user: User
    auth: AuthSession

    @property
    def acting_role(self) -> str | None:
        return self.auth.acting_role


def get_current_user(auth: Auth, db: Db) -> CurrentUser:
    if auth.user_id is None:
        raise PermissionDenied("运营账号不能使用用户端接口")
    return CurrentUser(users.get_user(db, auth.user_id), auth)


Me = Annotated[CurrentUser, Depends(get_current_user)]


def require_role(role: str) -> Callable[[CurrentUser], CurrentUser]:
    """A dependency that lets the request through only when the user acts in `role`:
    `me: Annotated[CurrentUser, Depends(require_role("artist"))]`."""

    def check(me: Me) -> CurrentUser:
        if me.acting_role != role:
            raise RoleRequired(ROLE_LABELS[role])
        return me

    return check


ClientMe = Annotated[CurrentUser, Depends(require_role("client"))]
ArtistMe = Annotated[CurrentUser, Depends(require_role("artist"))]


def get_operator(auth: Auth, db: Db) -> Operator:
    if auth.operator_id is None:
        raise PermissionDenied("仅运营人员可访问")
    op = db.get(Operator, auth.operator_id)
    assert op is not None  # authenticate() checked it
    return op


CurrentOperator = Annotated[Operator, Depends(get_operator)]
