"""The sandbox gateway (沙箱支付): the embedded default when no real gateway is configured. No money moves.

It speaks the shape of WeChat Pay v3 so the callback path is the one production uses: the notification is
signed over `timestamp\\nnonce\\nbody\\n` (HMAC-SHA256 here, RSA at WeChat), carried in `Sandboxpay-*`
headers, has its own notification id, and is delivered by HTTP POST to the notify URL and retried on
non-2xx like a real gateway does."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import secrets
import time
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select

from domain.payments.gateway import (
    BillLine,
    CallbackEvent,
    CallbackMalformed,
    CallbackRejected,
    OrderStatus,
    Payer,
    PayStart,
    RefundEvent,
    RefundResult,
)
from domain.time import SHANGHAI, utc_now
from integrations.errors import IntegrationError

log = logging.getLogger(__name__)

CALLBACK_PATH = "/api/v1/payments/callbacks/sandbox"
PAGE_PATH = "/api/v1/payments/sandbox/{order_id}"
SERIAL = "SANDBOX-KEY-1"
PROBE_PREFIX = "SANDBOXPAY/SIGNTEST/"  # WeChat sends WECHATPAY/SIGNTEST/ probes that must fail verification
MAX_CLOCK_SKEW_SECONDS = 300
DELIVERY_ATTEMPTS = 3

H_TIMESTAMP, H_NONCE, H_SIGNATURE, H_SERIAL = ("Sandboxpay-Timestamp", "Sandboxpay-Nonce", "Sandboxpay-Signature",
                                               "Sandboxpay-Serial")


def _message(timestamp: str, nonce: str, body: bytes) -> bytes:
    return timestamp.encode() + b"\n" + nonce.encode() + b"\n" + body + b"\n"


class SandboxGateway:
    """沙箱支付网关. `http` delivers notifications (tests pass a client bound to the ASGI app); without one a
    plain httpx.AsyncClient is made on first use."""

    name = "sandbox"
    label = "沙箱支付"
    is_sandbox = True

    def __init__(self, secret: str, notify_url: str, http: httpx.AsyncClient | None = None, *,
                 retry_delay: float = 0.2, database_url: str | None = None):
        self._secret = secret.encode()
        self.database_url = database_url  # bill(day) reads the sandbox's orders from it
        self.notify_url = notify_url
        self.http = http
        self.retry_delay = retry_delay
        self.fail_refunds = 0  # > 0: that many next refunds fail (to exercise retries)

    # --- the merchant side: what the platform calls

    def create_order(self, order_id: str, amount: int, description: str, payer: Payer | None = None) -> PayStart:
        if amount <= 0:
            raise IntegrationError("payment_amount_invalid", "支付金额必须大于 0", status=400,
                                   provider_code="PARAM_ERROR")
        log.info("沙箱支付 create order=%s amount=%s fen (%s): no real charge", order_id, amount, description)
        return PayStart(pay_url=PAGE_PATH.format(order_id=order_id))

    def query_order(self, order_id: str) -> OrderStatus | None:
        return None  # the sandbox keeps no order book: its notifications are delivered at once, on loopback

    def close_order(self, order_id: str) -> None:
        log.info("沙箱支付 close order=%s", order_id)

    def query_refund(self, order_id: str, refund_id: str) -> RefundResult | None:
        return None

    def verify_refund_callback(self, headers: Mapping[str, str], body: bytes) -> RefundEvent:
        raise CallbackMalformed("沙箱支付的退款即时完成，没有退款通知", code="callback_event_unsupported")

    def bill(self, day: date) -> list[BillLine]:
        """The sandbox's bill of `day` (Asia/Shanghai), from its own paid orders and refunds (no fees)."""
        if self.database_url is None:
            return []
        from domain.db import session_scope  # noqa: PLC0415 - only the bill reads the database
        from domain.models import PaymentOrder, Refund  # noqa: PLC0415

        start = datetime(day.year, day.month, day.day, tzinfo=SHANGHAI).astimezone(UTC)
        end = start + timedelta(days=1)
        lines = []
        with session_scope(self.database_url) as session:
            for o in session.scalars(select(PaymentOrder).where(
                    PaymentOrder.gateway == self.name, PaymentOrder.paid_at >= start, PaymentOrder.paid_at < end,
                    PaymentOrder.gateway_txn_id.is_not(None))):
                assert o.paid_at is not None and o.gateway_txn_id is not None
                lines.append(BillLine(self.name, "payment", o.id, None, o.gateway_txn_id, o.amount, 0, o.paid_at))
            for r in session.scalars(select(Refund).where(Refund.succeeded_at >= start, Refund.succeeded_at < end)):
                for part in r.parts or []:
                    if part.get("gateway") == self.name and part.get("state") == "succeeded":
                        lines.append(BillLine(self.name, "refund", part["order_id"], part["refund_no"],
                                              part.get("gateway_refund_id") or "", part["amount"], 0,
                                              r.succeeded_at or start))
        return lines

    def verify_callback(self, headers: Mapping[str, str], body: bytes) -> CallbackEvent:
        h = {k.lower(): v for k, v in headers.items()}
        timestamp, nonce = h.get(H_TIMESTAMP.lower(), ""), h.get(H_NONCE.lower(), "")
        signature, serial = h.get(H_SIGNATURE.lower(), ""), h.get(H_SERIAL.lower(), "")
        if not (timestamp and nonce and signature and serial):
            raise CallbackRejected("支付通知缺少签名信息")
        if serial != SERIAL:
            raise CallbackRejected("支付通知的签名密钥未知")
        if signature.startswith(PROBE_PREFIX):
            raise CallbackRejected()
        if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > 12:
            raise CallbackRejected("支付通知时间戳无效")
        if abs(time.time() - int(timestamp)) > MAX_CLOCK_SKEW_SECONDS:
            # Without this a captured notification could be replayed forever (wechatpayv3 doesn't check it).
            raise CallbackRejected("支付通知已过期")
        if not hmac.compare_digest(signature.encode(errors="replace"), self._sign(timestamp, nonce, body).encode()):
            raise CallbackRejected()
        return _parse(body)

    def refund(self, order_id: str, refund_id: str, amount: int, *, total: int) -> RefundResult:
        if amount <= 0:
            raise IntegrationError("payment_refund_invalid", "退款金额必须大于 0", status=400,
                                   provider_code="PARAM_ERROR")
        if amount > total:
            raise IntegrationError("payment_refund_invalid", "退款金额不能超过订单金额", status=400,
                                   provider_code="PARAM_ERROR")
        if self.fail_refunds > 0:
            self.fail_refunds -= 1
            raise IntegrationError("payment_refund_failed", "退款暂时失败，稍后将自动重试", status=502,
                                   provider_code="SYSTEM_ERROR")
        log.info("沙箱退款 order=%s refund=%s amount=%s fen: no real money moves", order_id, refund_id, amount)
        return RefundResult(f"sandbox-refund-{refund_id}", "succeeded", "SUCCESS")

    # --- the gateway side: what a payer's "pay" and the gateway's notification would do

    def transaction_id(self, order_id: str) -> str:
        # One payment of an order is one transaction, however often its notification is sent.
        return "sandbox-txn-" + hmac.new(self._secret, order_id.encode(), hashlib.sha256).hexdigest()[:20]

    def signed_notification(self, order_id: str, amount: int, *, notification_id: str | None = None,
                            timestamp: int | None = None, paid_at: datetime | None = None,
                            currency: str = "CNY") -> tuple[dict[str, str], bytes]:
        """The headers and raw body the sandbox POSTs for a successful payment."""
        payload = {
            "id": notification_id or f"sandbox-ntf-{secrets.token_hex(12)}",
            "create_time": utc_now().astimezone(SHANGHAI).isoformat(timespec="seconds"),
            "event_type": "TRANSACTION.SUCCESS",
            "resource_type": "plaintext",  # WeChat encrypts it (AES-256-GCM); the sandbox doesn't
            "summary": "支付成功",
            "resource": {
                "out_trade_no": order_id,
                "transaction_id": self.transaction_id(order_id),
                "trade_state": "SUCCESS",
                "amount": {"total": amount, "payer_total": amount, "currency": currency},
                "success_time": (paid_at or utc_now()).astimezone(SHANGHAI).isoformat(timespec="seconds"),
            },
        }
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        ts, nonce = str(timestamp if timestamp is not None else int(time.time())), secrets.token_hex(16)
        headers = {H_TIMESTAMP: ts, H_NONCE: nonce, H_SIGNATURE: self._sign(ts, nonce, body), H_SERIAL: SERIAL,
                   "Content-Type": "application/json"}
        return headers, body

    async def confirm_sandbox_payment(self, order_id: str, amount: int) -> bool:
        """The payer pressed 确认支付: deliver one signed notification, retrying on non-2xx. True if delivered.
        (The sandbox keeps no order book of its own, so the caller passes the amount from payment_orders.)"""
        headers, body = self.signed_notification(order_id, amount)
        http = self.http or self._default_http()
        for attempt in range(1, DELIVERY_ATTEMPTS + 1):
            try:
                res = await http.post(self.notify_url, content=body, headers=headers)
                if 200 <= res.status_code < 300:
                    return True
                log.warning("沙箱支付通知投递失败 order=%s attempt=%s status=%s", order_id, attempt, res.status_code)
            except httpx.HTTPError as exc:
                log.warning("沙箱支付通知投递失败 order=%s attempt=%s error=%s", order_id, attempt,
                            type(exc).__name__)
            if attempt < DELIVERY_ATTEMPTS:
                await asyncio.sleep(self.retry_delay * attempt)
        return False

    def _default_http(self) -> httpx.AsyncClient:
        self.http = httpx.AsyncClient(timeout=10)
        return self.http

    def _sign(self, timestamp: str, nonce: str, body: bytes) -> str:
        digest = hmac.new(self._secret, _message(timestamp, nonce, body), hashlib.sha256).digest()
        return base64.b64encode(digest).decode()


def _str(value: Any, max_len: int) -> str:
    if not isinstance(value, str) or not value or len(value) > max_len:
        raise CallbackMalformed()
    return value


def _parse(body: bytes) -> CallbackEvent:
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise CallbackMalformed() from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("resource"), dict):
        raise CallbackMalformed()
    if payload.get("event_type") != "TRANSACTION.SUCCESS":
        raise CallbackMalformed("不支持的支付通知类型", code="callback_event_unsupported")
    resource = payload["resource"]
    if resource.get("trade_state", "SUCCESS") != "SUCCESS":
        raise CallbackMalformed("不支持的支付通知类型", code="callback_event_unsupported")
    amount = resource.get("amount")
    total = amount.get("total") if isinstance(amount, dict) else None
    if not isinstance(total, int) or isinstance(total, bool) or total <= 0:
        raise CallbackMalformed()
    currency = amount.get("currency", "CNY") if isinstance(amount, dict) else "CNY"
    try:
        paid_at = datetime.fromisoformat(_str(resource.get("success_time"), 40))
    except ValueError as exc:
        raise CallbackMalformed() from exc
    if paid_at.tzinfo is None:
        raise CallbackMalformed()
    return CallbackEvent(
        notification_id=_str(payload.get("id"), 80), order_id=_str(resource.get("out_trade_no"), 40),
        amount=total, gateway_txn_id=_str(resource.get("transaction_id"), 64), paid_at=paid_at.astimezone(UTC),
        currency=_str(currency, 3), payload=payload)
