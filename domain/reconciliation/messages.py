"""What the daily reconciliation workflow sends its activities and gets back (plain dataclasses: the workflow
sandbox imports this module, never the activities' implementation)."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.activity_refs import ActivityRef

SCHEDULE_ID = "reconciliation-daily"


@dataclass(frozen=True)
class ReconcileInput:
    """`day` (YYYY-MM-DD, Asia/Shanghai) unset: yesterday; `gateways` unset: every configured gateway."""

    day: str | None = None
    gateways: list[str] | None = None


@dataclass(frozen=True)
class ReconcileGatewayInput:
    gateway: str
    day: str


@dataclass(frozen=True)
class RunSummary:
    gateway: str
    day: str
    bill_lines: int = 0
    matched: int = 0
    differences: int = 0       # found by this run (including ones an earlier run of the day already queued)
    new_differences: int = 0   # added to the queue by this run
    fee_amount: int = 0
    error: str | None = None   # the bill could not be reconciled (the run is recorded as failed)


@dataclass(frozen=True)
class GatewayList:
    names: list[str] = field(default_factory=list)


LIST_GATEWAYS = ActivityRef("reconciliation.list_gateways", type(None), GatewayList)
RECONCILE_GATEWAY = ActivityRef("reconciliation.reconcile_gateway", ReconcileGatewayInput, RunSummary)
