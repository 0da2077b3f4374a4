"""What every payment gateway adapter offers (WeChat Pay v3, Alipay, the sandbox), and what a verified
callback says. The choice of adapter is configuration (see `factory`), never a test switch in code."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from domain.errors import AppError


class CallbackRejected(AppError):
    """Not from the gateway (bad or missing signature, unknown key, stale timestamp): record nothing."""

    status, code, message = 401, "callback_signature_invalid", "支付通知签名校验失败"


class CallbackMalformed(CallbackRejected):
    """Signed by the gateway but not a payment notification we can read."""

    status, code, message = 400, "callback_malformed", "支付通知内容格式不正确"


@dataclass(frozen=True)
class CallbackEvent:
    """A verified "transaction succeeded" notification."""

    notification_id: str   # the gateway's id of this notification: the inbox de-duplicates on it
    order_id: str          # our out_trade_no
    amount: int            # fen actually paid
    gateway_txn_id: str    # the gateway's transaction id
    paid_at: datetime      # timezone-aware
    currency: str = "CNY"
    payload: dict[str, Any] = field(default_factory=dict, compare=False)  # kept in the inbox as evidence


class PaymentGateway(Protocol):
    name: str  # stored on payment_orders.gateway and payment_notifications.gateway: "sandbox" | "wechatpay"
    is_sandbox: bool

    def create_order(self, order_id: str, amount: int, description: str) -> str:
        """Open the order at the gateway; returns the URL (or page path) the client opens to pay.
        Calling it again with the same order id is allowed (gateways return the same or a fresh link).
        Raises integrations.errors.IntegrationError on failure."""
        ...

    def verify_callback(self, headers: Mapping[str, str], body: bytes) -> CallbackEvent:
        """Check the signature over the raw body and the timestamp's freshness (±5 min), then parse.
        Raises CallbackRejected (401) or CallbackMalformed (400)."""
        ...

    def refund(self, order_id: str, refund_id: str, amount: int, *, total: int) -> str:
        """Refund `amount` fen of order `order_id` (whose total was `total` fen; WeChat Pay needs it).
        `refund_id` is our out_refund_no: the same id again is the same refund at the gateway, so retries
        are safe. Returns the gateway's refund id. Raises IntegrationError (retriable) on failure."""
        ...
