"""What every payment gateway adapter offers (WeChat Pay v3, Alipay, the sandbox), and what a verified
callback says. The choice of adapters is configuration (see `factory`), never a test switch in code."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal, Protocol

from domain.errors import AppError


class CallbackRejected(AppError):
    """Not from the gateway (bad or missing signature, unknown key, stale timestamp): record nothing."""

    status, code, message = 401, "callback_signature_invalid", "支付通知签名校验失败"


class CallbackMalformed(CallbackRejected):
    """Signed by the gateway but not a payment notification we can read."""

    status, code, message = 400, "callback_malformed", "支付通知内容格式不正确"


@dataclass(frozen=True)
class CallbackEvent:
    """A verified "transaction succeeded" notification (or the answer of an order query saying so)."""

    notification_id: str   # the gateway's id of this notification: the inbox de-duplicates on it
    order_id: str          # our out_trade_no
    amount: int            # fen actually paid
    gateway_txn_id: str    # the gateway's transaction id
    paid_at: datetime      # timezone-aware
    currency: str = "CNY"
    payload: dict[str, Any] = field(default_factory=dict, compare=False)  # kept in the inbox as evidence


@dataclass(frozen=True)
class Payer:
    """Who pays, as far as a gateway needs to know: WeChat JSAPI needs the payer's openid for our appid."""

    wechat_openid: str | None = None
    alipay_user_id: str | None = None
    client_ip: str | None = None


@dataclass(frozen=True)
class PayStart:
    """What the client needs to pay an order: a page to open (the sandbox cashier, Alipay's wap cashier) and/or
    parameters for the platform's own payment sheet (WeChat's uni.requestPayment, Alipay's tradeNO)."""

    pay_url: str | None = None
    params: dict[str, str] | None = None


OrderState = Literal["created", "paid", "closed", "refunded"]


@dataclass(frozen=True)
class OrderStatus:
    """An order as the gateway sees it (query). `paid` carries what a callback would have said."""

    order_id: str
    state: OrderState
    amount: int | None = None
    gateway_txn_id: str | None = None
    paid_at: datetime | None = None
    raw_state: str = ""  # the gateway's own word (SUCCESS, NOTPAY, TRADE_SUCCESS, WAIT_BUYER_PAY …)

    def as_event(self) -> CallbackEvent:
        """A paid order found by query, in the shape of its missing callback (a synthetic notification id
        scoped to the gateway transaction, so a late real callback and a second query are both deduplicated
        against the payment, not the notification)."""
        assert self.state in ("paid", "refunded") and self.amount and self.gateway_txn_id and self.paid_at
        return CallbackEvent(notification_id=f"query:{self.gateway_txn_id}"[:80], order_id=self.order_id,
                             amount=self.amount, gateway_txn_id=self.gateway_txn_id, paid_at=self.paid_at,
                             payload={"source": "query", "trade_state": self.raw_state})


RefundState = Literal["processing", "succeeded", "failed"]


@dataclass(frozen=True)
class RefundResult:
    """The gateway's answer to a refund request or a refund query."""

    gateway_refund_id: str
    state: RefundState
    raw_state: str = ""


@dataclass(frozen=True)
class RefundEvent:
    """A verified refund notification: one gateway refund (our out_refund_no) reached a final state."""

    notification_id: str
    order_id: str          # out_trade_no of the refunded order
    refund_no: str         # our out_refund_no
    gateway_refund_id: str
    amount: int            # fen refunded
    state: RefundState     # succeeded, or failed (ABNORMAL / CLOSED at WeChat)
    raw_state: str = ""
    payload: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class BillLine:
    """One line of a gateway's daily bill (for reconciliation against the ledger)."""

    gateway: str
    kind: Literal["payment", "refund"]
    order_id: str
    refund_no: str | None
    gateway_txn_id: str
    amount: int   # fen, positive for both kinds
    fee: int      # fen the gateway charged (negative when a refund gives a fee back)
    at: datetime


class PaymentGateway(Protocol):
    name: str  # stored on payment_orders.gateway and payment_notifications.gateway: sandbox | wechatpay | alipay
    label: str  # what a payer sees: 微信支付 / 支付宝 / 沙箱支付
    is_sandbox: bool

    def create_order(self, order_id: str, amount: int, description: str, payer: Payer | None = None) -> PayStart:
        """Open the order at the gateway; returns what the client needs to pay it.
        Calling it again with the same order id is allowed (gateways return the same or a fresh link).
        Raises integrations.errors.IntegrationError on failure (status < 500: will never succeed)."""
        ...

    def verify_callback(self, headers: Mapping[str, str], body: bytes) -> CallbackEvent:
        """Check the signature over the raw body and the timestamp's freshness (±5 min), then parse.
        Raises CallbackRejected (401) or CallbackMalformed (400)."""
        ...

    def verify_refund_callback(self, headers: Mapping[str, str], body: bytes) -> RefundEvent:
        """Like verify_callback, for a refund notification."""
        ...

    def query_order(self, order_id: str) -> OrderStatus | None:
        """The order as the gateway has it; None when the gateway doesn't know it. Raises IntegrationError."""
        ...

    def close_order(self, order_id: str) -> None:
        """Close an unpaid order so it can no longer be paid (closing a closed one is fine).
        Raises IntegrationError; code `payment_order_paid` when it was paid meanwhile."""
        ...

    def refund(self, order_id: str, refund_id: str, amount: int, *, total: int) -> RefundResult:
        """Refund `amount` fen of order `order_id` (whose total was `total` fen; WeChat Pay needs it).
        `refund_id` is our out_refund_no: the same id again is the same refund at the gateway, so retries
        are safe. Raises IntegrationError (retriable when status >= 500) on failure."""
        ...

    def query_refund(self, order_id: str, refund_id: str) -> RefundResult | None:
        """A refund as the gateway has it; None when unknown."""
        ...

    def bill(self, day: date) -> list[BillLine]:
        """The gateway's bill of `day` (Asia/Shanghai): every payment and refund it settled."""
        ...
