"""The contract's error table is generated from the OpenAPI document, and every error code the code can raise
reaches it."""

from __future__ import annotations

import re

from api import docs
from api.app import create_app  # noqa: F401 - imports every router, so every AppError subclass exists
from domain.errors import AppError
from domain.settings import ROOT

# Codes that never leave a route as such: base classes only raised with a code of their own, and errors of
# steps that run in activities (the workflow's failure reaches the route as domain.bookings.commands.FAILURES says).
NOT_FROM_ROUTES = {
    "too_many_requests", "service_unavailable", "media_rejected", "booking_refused",
    "refund_amount_invalid", "refund_step_conflict", "booking_slot_missing",
    "payout_not_retryable",  # retry_payout runs in the settlement workflow's activity, never in a route
    # The backup activity and the restore command line raise these; the backup routes only start and list.
    "backup_tool_missing", "restore_target_not_empty",
}


def _subclasses(cls: type[AppError]) -> set[type[AppError]]:
    return {c for sub in cls.__subclasses__() for c in (sub, *_subclasses(sub))}


def test_committed_error_table_is_the_generated_one():
    text = docs.DOC.read_text(encoding="utf-8")
    assert docs.START in text, "docs/api-v1.md has no generated error table: run python -m api.docs"
    assert docs.updated(text, docs.render(docs.openapi_document())) == text, \
        "docs/api-v1.md's error table is out of date: run python -m api.docs"


def test_every_error_code_in_the_code_is_in_the_table():
    table = {code for pairs in docs.route_codes(docs.openapi_document()).values() for _, code in pairs}
    used = {cls.code for cls in _subclasses(AppError)}
    for folder in ("api", "domain", "storage", "integrations"):
        for path in (ROOT / folder).rglob("*.py"):
            used |= set(re.findall(r'\bcode="([a-z_]+)"', path.read_text(encoding="utf-8")))
    missing = used - table - NOT_FROM_ROUTES
    assert not missing, f"raised but declared by no route (api.error_codes.raises): {sorted(missing)}"
    assert not NOT_FROM_ROUTES & table, "listed as never leaving a route, but a route declares it"
