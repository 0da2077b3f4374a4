"""Request-scoped dependencies: the database session (committed at the request boundary) and who is asking."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header, Path, Query, Request
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from api import local_writes, session_cache
from api.context import AppContext
from api.public_cache import CardCache
from api.session_cache import SessionCache
from domain.accounts import sessions
from domain.accounts.permissions import Permission, operator_may
from domain.artists import changes
from domain.artists.search_sync import index_writer
from domain.audit import capture
from domain.db import session_scope
from domain.enums import ROLE_LABELS
from domain.errors import AppError, NotAuthenticated, PermissionDenied, RoleRequired, TokenInvalid
from domain.models import AuthSession, Operator, User
from domain.profiles import managers
from integrations.wechat.security import ContentSecurity

# Every id is a BIGINT: a larger or non-positive number is the caller's mistake (422), not a database error.
PathId = Annotated[int, Path(ge=1, le=2**62)]
# List paging, the same bounds on every list route (the public artist search caps its page size lower).
Page = Annotated[int, Query(ge=1, le=10_000)]
PageSize = Annotated[int, Query(ge=1, le=100)]


# Dependencies that do no I/O are `async def`: FastAPI runs a plain `def` dependency on the thread pool, a hop
# (two thread switches) per dependency per request for what is an attribute read.
async def get_ctx(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


Ctx = Annotated[AppContext, Depends(get_ctx)]


async def get_cards(request: Request) -> CardCache:
    cards: CardCache = request.app.state.card_cache
    return cards


Cards = Annotated[CardCache, Depends(get_cards)]


async def get_content_security(ctx: Ctx) -> ContentSecurity:
    return ctx.content_security


ContentChecker = Annotated[ContentSecurity, Depends(get_content_security)]


def get_db(ctx: Ctx) -> Iterator[Session]:
    with session_scope(ctx.database_url) as session:
        # Artists a service marks changed reach the configured search backend when the request commits.
        changes.on_commit(session, index_writer(ctx.search))
        yield session


# scope="function": commit before the response leaves, so a failed commit is never reported as success.
Db = Annotated[Session, Depends(get_db, scope="function")]


def client_ip(request: Request) -> str:
    """The caller's address for per-IP limits and session records. Behind a trusted proxy (settings
    `trusted_proxies`) create_app's ProxyHeadersMiddleware has already replaced the peer with the client the
    proxy saw; a client's own X-Forwarded-For is never read here."""
    host = request.client.host if request.client else "unknown"
    return host[:64]  # the width of the ip columns, whatever a proxy forwards


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _login(request: Request, ctx: AppContext, db: Session, token: str) -> tuple[AuthSession, User | None]:
    """The session behind `token` and its account: from this process's session cache on a read (bounds in
    api/session_cache.py), else from the database (and kept for the next reads)."""
    cache: SessionCache = request.app.state.session_cache
    if request.method in session_cache.READS and (hit := cache.get(token)) is not None:
        return hit.attach(db)
    generation = local_writes.generation()
    auth, user = sessions.authenticate_user(db, ctx.tokens, token)
    cache.keep(token, generation, auth, user)
    return auth, user


def get_auth(request: Request, ctx: Ctx, db: Db) -> AuthSession:
    token = _bearer(request)
    if token is None:
        raise NotAuthenticated()
    auth, request.state.account = _login(request, ctx, db, token)
    return auth


Auth = Annotated[AuthSession, Depends(get_auth)]


def get_viewer_id(request: Request, ctx: Ctx, db: Db) -> int | None:
    """The logged-in user looking at a public page, or None. A missing, expired or otherwise unusable token
    means an anonymous visitor: public pages never fail because of a stale login."""
    token = _bearer(request)
    if token is None:
        return None
    try:
        auth, _user = _login(request, ctx, db, token)
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


async def get_current_user(request: Request, auth: Auth) -> CurrentUser:
    if auth.user_id is None:
        raise PermissionDenied("运营账号不能使用用户端接口")
    # The account get_auth has just read (the banned check), not read again; its profiles load only for a route
    # that uses them (most reads don't). Was 3 more queries on every logged-in request.
    user: User | None = getattr(request.state, "account", None)
    if user is None or user.id != auth.user_id:
        raise TokenInvalid()
    return CurrentUser(user, auth)


Me = Annotated[CurrentUser, Depends(get_current_user)]


def require_role(role: str) -> Callable[[CurrentUser], Awaitable[CurrentUser]]:
    """A dependency that lets the request through only when the user acts in `role`:
    `me: Annotated[CurrentUser, Depends(require_role("artist"))]`."""

    async def check(me: Me) -> CurrentUser:
        if me.acting_role != role:
            raise RoleRequired(ROLE_LABELS[role])
        return me

    return check


ClientMe = Annotated[CurrentUser, Depends(require_role("client"))]
ArtistMe = Annotated[CurrentUser, Depends(require_role("artist"))]


@dataclass
class ActingFor:
    """Whose artist profile a request works on, and who is doing it.

    `artist_id` is the artist acted for; `user` is the logged-in person (the artist themself or a member of
    the artist's team). Services take `artist_id` for what they read and write, and `user` only where the
    person matters (whose uploads may be attached, whose WeChat openid the content check names)."""

    artist_id: int
    user: User
    auth: AuthSession
    manager_role: str | None  # None: the artist themself; else 'agent' / 'assistant'

    @property
    def is_artist(self) -> bool:
        return self.manager_role is None


ArtistIdHeader = Annotated[int | None, Header(alias="X-Artist-Id", ge=1, le=2**62,
                                              description="代为操作的艺人 id（经纪人/助理使用）；不传则为本人")]


def get_acting_artist(me: Me, db: Db, artist_id: ArtistIdHeader = None) -> ActingFor:
    """`X-Artist-Id: <id>`: act for that artist, as the artist or one of their managers (404 for an unknown
    artist, 403 otherwise). Without the header: the user's own artist profile, acting as artist (as ArtistMe).
    A manager never reaches any other artist: every service call is keyed by this `artist_id`."""
    if artist_id is None:
        if me.acting_role != "artist":
            raise RoleRequired(ROLE_LABELS["artist"])
        return ActingFor(me.user.id, me.user, me.auth, None)
    role = managers.acting_role_for(db, artist_id, me.user.id)
    return ActingFor(artist_id, me.user, me.auth, role)


ActingArtist = Annotated[ActingFor, Depends(get_acting_artist)]


def get_artist_self(acting: ActingArtist) -> ActingFor:
    """ActingArtist, refused to the artist's managers: for what only the artist decides (the team, privacy)."""
    if not acting.is_artist:
        raise PermissionDenied("仅艺人本人可以进行此操作，经纪人/助理无权限", code="artist_only")
    return acting


ArtistSelf = Annotated[ActingFor, Depends(get_artist_self)]


def get_operator(auth: Auth, db: Db) -> Operator:
    if auth.operator_id is None:
        raise PermissionDenied("仅运营人员可访问")
    op = db.get(Operator, auth.operator_id)
    assert op is not None  # authenticate() checked it
    return op


CurrentOperator = Annotated[Operator, Depends(get_operator)]


async def audit_body(request: Request) -> Any:
    """The request's body for the audit log: JSON as sent, a form's fields with file names (never file bytes).
    FastAPI has already read it for the route, so this costs nothing; GET requests are not audited."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        form = await request.form()
        return {k: (f"<文件 {v.filename}>" if isinstance(v, UploadFile) else v) for k, v in form.multi_items()}
    raw = await request.body()
    if not raw:
        return None
    if len(raw) > 64_000:
        return {"_omitted_bytes": len(raw)}
    try:
        return json.loads(raw)
    except ValueError:
        return {"_omitted_bytes": len(raw)}


AuditBody = Annotated[Any, Depends(audit_body)]


def _audit_start(request: Request, db: Session, op: Operator, body: Any) -> None:
    """Arm the request's session: its writes become one audit row when it commits (domain.audit.capture)."""
    route = request.scope.get("route")
    template = getattr(route, "path_format", request.url.path)
    action_path = template.removeprefix("/api/v1")
    params = dict(request.path_params)
    # The target is the area after /admin/ and the first id of the path (e.g. roles / 3).
    area = action_path.removeprefix("/admin/").split("/", 1)[0] or None
    first_id = next(iter(params.values()), None)
    capture.start(db, operator_id=op.id, action=f"{request.method} {action_path}"[:200],
                  summary=(getattr(route, "summary", None) or getattr(route, "name", "") or action_path)[:200],
                  target_type=area, target_id=None if first_id is None else str(first_id),
                  request={"path": params, "query": dict(request.query_params), "body": body},
                  ip=client_ip(request))


def require_permission(code: Permission) -> Callable[..., Operator]:
    """A dependency that lets an operator through only when their role grants `code`:
    `op: Annotated[Operator, Depends(require_permission(Permission.FINANCE_FLOW))]`. Every /admin route but
    /admin/me and the login names one (tests/api/test_authz_matrix.py reads it from the route). On a write
    (non-GET) it also starts the audit of the request: whatever it changes is logged with the operator."""

    def check(op: CurrentOperator, db: Db, request: Request, body: AuditBody) -> Operator:
        if not operator_may(db, op, code):
            raise PermissionDenied("当前角色没有此功能的权限")
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            _audit_start(request, db, op, body)
        return op

    check.permission = code  # type: ignore[attr-defined]
    return check
