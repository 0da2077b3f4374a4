"""One base error: stable code, Chinese user-facing message, real HTTP status."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar


class AppError(Exception):
    status = 400
    code = "bad_request"
    message = "请求有误"

    def __init__(self, message: str | None = None, *, detail: Any = None, code: str | None = None,
                 status: int | None = None, keep_writes: bool = False):
        self.message = message or type(self).message
        self.detail = detail
        # True when the refusal is itself a fact to keep (a counted miss, a revoked session): the unit of work
        # (domain.db.session_scope) commits what it wrote instead of rolling back. Services never commit.
        self.keep_writes = keep_writes
        if code:
            self.code = code
        if status:
            self.status = status
        super().__init__(f"{self.code}: {self.message}")


class NotAuthenticated(AppError):
    status, code, message = 401, "not_authenticated", "请先登录"


class TokenExpired(AppError):
    status, code, message = 401, "token_expired", "登录已过期，请重新登录"


class TokenInvalid(AppError):
    status, code, message = 401, "token_invalid", "登录状态无效，请重新登录"


class AccountBanned(AppError):
    status, code, message = 403, "account_banned", "账号已被封禁，如有疑问请联系平台客服"


class PermissionDenied(AppError):
    status, code, message = 403, "permission_denied", "没有权限执行此操作"


class RoleRequired(AppError):
    status, code = 403, "role_required"

    def __init__(self, role_label: str):
        super().__init__(f"请切换到{role_label}身份后再操作")


class NotFound(AppError):
    status, code, message = 404, "not_found", "内容不存在或已删除"


class ArtistNotFound(NotFound):
    code, message = "artist_not_found", "艺人不存在或已下架"


class Conflict(AppError):
    status, code, message = 409, "conflict", "操作冲突，请刷新后重试"


class TooManyRequests(AppError):
    status, code, message = 429, "too_many_requests", "操作过于频繁，请稍后再试"


class ServiceUnavailable(AppError):
    status, code, message = 503, "service_unavailable", "服务暂时不可用，请稍后重试"


# --- declared codes (read by api.error_codes to build the OpenAPI error table)
ERROR_CODES_ATTR = "__error_codes__"
F = TypeVar("F", bound=Callable[..., Any])


def raises(*declared: type[AppError] | tuple[int, str]) -> Callable[[F], F]:
    """Declare what a function answers that its code can't show (an adapter behind an interface, a workflow's
    failure): AppError subclasses, or (status, code). Read by `api.error_codes.raised_by` wherever the function
    is called:

        @raises((503, "temporal_unavailable"), *FAILURES.values())
        async def send_action(...): ...
    """
    pairs = [item if isinstance(item, tuple) else (item.status, item.code) for item in declared]

    def mark(func: F) -> F:
        setattr(func, ERROR_CODES_ATTR, [*getattr(func, ERROR_CODES_ATTR, []), *pairs])  # noqa: B010 - keeps the type
        return func

    return mark
