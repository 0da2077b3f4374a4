"""The Temporal UI behind the operators' login: the console hands an operator a ticket (an HttpOnly cookie, signed
like the access tokens, tied to the operator's login session) and the reverse proxy asks the API whether the ticket
in a request to the UI is still good (nginx auth_request, deploy/nginx.conf). Logging out of the console, disabling
the operator or taking order:list away from their role ends their access to the UI."""

from __future__ import annotations

from datetime import datetime, timedelta

import jwt
from sqlalchemy.orm import Session

from domain.accounts.permissions import Permission, operator_may
from domain.accounts.sessions import TokenConfig
from domain.errors import NotAuthenticated, PermissionDenied, TokenInvalid
from domain.models import AuthSession, Operator
from domain.time import utc_now

COOKIE = "yanyue_temporal_ui"
COOKIE_PATH = "/temporal/"  # where compose serves the UI (TEMPORAL_UI_PUBLIC_PATH); the cookie goes nowhere else
TICKET_HOURS = 8  # a working day; the console issues a new one with every link to the UI


def issue(cfg: TokenConfig, auth: AuthSession) -> tuple[str, datetime]:
    expires = utc_now() + timedelta(hours=TICKET_HOURS)
    claims = {"sub": f"o:{auth.operator_id}", "sid": auth.id, "typ": "temporal_ui", "iat": utc_now(),
              "exp": expires}
    return jwt.encode(claims, cfg.secret, algorithm="HS256"), expires


def operator_for(session: Session, cfg: TokenConfig, ticket: str | None) -> Operator:
    """The operator a ticket stands for, if it may still look at orders (401 / 403 otherwise)."""
    if not ticket:
        raise NotAuthenticated()
    try:
        claims = jwt.decode(ticket, cfg.secret, algorithms=["HS256"], options={"require": ["exp", "sid", "sub"]})
    except jwt.PyJWTError as exc:
        raise TokenInvalid() from exc
    auth = session.get(AuthSession, claims["sid"])
    if claims.get("typ") != "temporal_ui" or auth is None or auth.revoked_at is not None \
            or auth.operator_id is None or claims["sub"] != f"o:{auth.operator_id}":
        raise TokenInvalid()
    op = session.get(Operator, auth.operator_id)
    if op is None or not op.is_active:
        raise TokenInvalid()
    return allowed(session, op)


def allowed(session: Session, op: Operator) -> Operator:
    if not operator_may(session, op, Permission.SYSTEM_TEMPORAL_UI):
        raise PermissionDenied("当前角色没有此功能的权限")
    return op
