"""The operator audit log: who changed what, when, from where (console, Temporal UI, the system itself).

`record(...)` writes one row; console writes are captured by `capture` (api.deps.require_permission starts it on
every non-GET /admin request) without the route doing anything."""

from domain.audit import capture
from domain.audit.log import Source, record

__all__ = ["Source", "capture", "record"]
