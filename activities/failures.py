"""Activity failures that can never succeed stop retrying and say so.

Temporal retries a failed activity until it succeeds. That is right for outages (the database restarting, a
gateway timing out) and wrong for an error that the same input will raise every time (PostgreSQL refusing a
value, a bug): the workflow would wait forever and nobody would know. Every activity of the worker runs
through `PermanentFailures`: outages are re-raised for Temporal to retry; any other error gets a few attempts
(a race can look like a bug once), then becomes a non-retryable `PermanentFailure` that the workflow turns
into an operator flag.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from temporalio import activity
from temporalio.exceptions import ApplicationError, CancelledError
from temporalio.worker import ActivityInboundInterceptor, ExecuteActivityInput, Interceptor

from domain.bookings.messages import PERMANENT_TYPE
from integrations.errors import IntegrationError

PERMANENT_AFTER_ATTEMPTS = 3
# Outages: worth retrying for as long as they last.
TRANSIENT = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout, IntegrationError, ConnectionError,
             TimeoutError)


def is_transient(exc: BaseException) -> bool:
    return isinstance(exc, TRANSIENT)


class _Inbound(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        try:
            return await super().execute_activity(input)
        except (ApplicationError, CancelledError):
            raise  # the activity decided itself (non_retryable or not)
        except Exception as exc:
            if is_transient(exc) or activity.info().attempt < PERMANENT_AFTER_ATTEMPTS:
                raise
            message = f"{type(exc).__name__}: {exc}"[:400]
            raise ApplicationError(message, type=PERMANENT_TYPE, non_retryable=True) from exc


class PermanentFailures(Interceptor):
    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _Inbound(next)
