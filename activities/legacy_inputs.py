"""Activity tasks scheduled with the old positional arguments still run.

Booking activities used to take several positional arguments (`refund(booking_id, step, amount)`); they now
take one input dataclass whose fields are those arguments in the same order. A task scheduled by a worker of
the previous version (a refund retried for hours across a deploy, say) still carries one payload per argument:
the SDK then decodes them as plain values, and this interceptor folds them into the dataclass the activity
expects. Remove it once no such task can be pending (no booking activity scheduled before the deploy is still
retrying).
"""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any, get_type_hints

from temporalio.worker import ActivityInboundInterceptor, ExecuteActivityInput, Interceptor


def _single_dataclass_input(fn: Any) -> type | None:
    params = list(inspect.signature(fn).parameters.values())
    if len(params) != 1:
        return None
    hint = get_type_hints(fn).get(params[0].name)
    return hint if isinstance(hint, type) and dataclasses.is_dataclass(hint) else None


class _Inbound(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        if len(input.args) > 1:
            cls = _single_dataclass_input(input.fn)
            if cls is not None:
                input.args = [cls(*input.args)]
        return await super().execute_activity(input)


class LegacyPositionalInputs(Interceptor):
    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _Inbound(next)
