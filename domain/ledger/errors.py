"""Ledger errors (stable codes, Chinese messages)."""

from __future__ import annotations

from domain.errors import AppError


class LedgerUnbalanced(AppError):
    """A posting whose lines don't add up to zero, or has none: a programming error, nothing is written."""

    status, code, message = 500, "ledger_unbalanced", "记账分录借贷不平衡"
