"""One error per reconciliation problem (stable code, Chinese message, real HTTP status)."""

from __future__ import annotations

from domain.errors import AppError, Conflict, NotFound


class DifferenceNotFound(NotFound):
    code, message = "reconciliation_difference_not_found", "对账差异不存在"


class DifferenceResolved(Conflict):
    code, message = "reconciliation_difference_resolved", "该对账差异已处理"


class ReconciliationDayInvalid(AppError):
    status, code, message = 422, "reconciliation_day_invalid", "只能对账今天以前的日期"
