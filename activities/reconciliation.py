"""Activities of the daily reconciliation: which gateways are configured, and one gateway's bill of one day
against our books (domain.reconciliation.service)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import date
from typing import Protocol

from temporalio import activity
from temporalio.exceptions import ApplicationError

from domain.db import session_scope
from domain.payments.gateway import BillLine
from domain.reconciliation.messages import (
    LIST_GATEWAYS,
    RECONCILE_GATEWAY,
    GatewayList,
    ReconcileGatewayInput,
    RunSummary,
)
from domain.reconciliation.service import reconcile_day
from integrations.errors import IntegrationError

log = logging.getLogger(__name__)


class BillSource(Protocol):
    """What reconciliation needs of a payment gateway (domain.payments.gateway.PaymentGateway has it)."""

    @property
    def name(self) -> str: ...

    def bill(self, day: date) -> list[BillLine]: ...


class ReconciliationActivities:
    def __init__(self, database_url: str, gateways: Iterable[BillSource]):
        self.database_url = database_url
        self.gateways = {g.name: g for g in gateways}

    @activity.defn(name=LIST_GATEWAYS.name)
    def list_gateways(self, _: None = None) -> GatewayList:
        return GatewayList(sorted(self.gateways))

    @activity.defn(name=RECONCILE_GATEWAY.name)
    def reconcile_gateway(self, inp: ReconcileGatewayInput) -> RunSummary:
        gateway = self.gateways.get(inp.gateway)
        if gateway is None:
            raise ApplicationError(f"payment gateway {inp.gateway!r} is not configured", non_retryable=True)
        day = date.fromisoformat(inp.day)
        try:
            lines = gateway.bill(day)
        except IntegrationError as exc:
            if exc.status < 500:  # the gateway refused the bill request itself (no bill for that day yet, …)
                raise ApplicationError(f"{exc.code}: {exc.message} ({exc.provider_code})", non_retryable=True) from exc
            raise
        with session_scope(self.database_url) as session:
            return reconcile_day(session, gateway.name, day, lines)

    def all(self) -> list[Callable[..., object]]:
        return [self.list_gateways, self.reconcile_gateway]
