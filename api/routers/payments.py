"""Payments: the gateway's callback (verified, de-duplicated, turned into one workflow signal) and the
sandbox gateway's cashier page (沙箱支付), which stands in for WeChat Pay's own payment sheet."""

from __future__ import annotations

import html
import logging
import re
from urllib.parse import unquote, urlencode, urlsplit

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from pydantic import BaseModel
from temporalio.service import RPCError

from api.context import AppContext
from api.deps import Ctx, Db, Me
from domain.bookings.messages import PaymentReceived
from domain.db import session_scope
from domain.errors import NotFound, ServiceUnavailable, raises
from domain.models import PaymentOrder
from domain.payments import service, signals
from domain.payments.alipay import AlipayGateway
from domain.payments.gateway import CallbackMalformed, CallbackRejected, PaymentGateway
from domain.payments.sandbox import SandboxGateway
from domain.time import SHANGHAI

log = logging.getLogger(__name__)

router = APIRouter(tags=["payments"])

# Our out_trade_no alphabet (WeChat's); anything else can't be an order, and NUL bytes never reach SQL.
ORDER_ID = re.compile(r"[A-Za-z0-9_\-|*]{1,40}")


class CallbackAck(BaseModel):
    code: str = "SUCCESS"
    message: str = "成功"


# --- gateway callbacks


async def _signal_booking(ctx: AppContext, db: Db, booking_id: int, received: PaymentReceived) -> None:
    client = await ctx.temporal()  # unreachable -> 503: nothing is committed and the gateway re-delivers
    try:
        delivered = await signals.signal_payment(client, booking_id, received)
    except RPCError as exc:
        log.warning("payment signal to booking %s failed: %s", booking_id, exc)
        raise ServiceUnavailable("工作流服务暂时不可用，请稍后重试", code="temporal_unavailable") from exc
    if not delivered:
        await run_in_threadpool(service.flag_for_operator, db, booking_id,
                                signals.ended_workflow_reason(received.order_id))


async def _handle_callback(gateway: PaymentGateway, request: Request, ctx: AppContext, db: Db) -> CallbackAck:
    event = gateway.verify_callback(request.headers, await request.body())  # the raw bytes that were signed
    received = await run_in_threadpool(service.record_callback, db, gateway.name, event)
    if received is not None:
        order = db.get(PaymentOrder, received.order_id)
        assert order is not None
        # Signalled before the request's commit: if the signal fails the inbox row rolls back with it and
        # the gateway's retry delivers again. (If the commit fails after the signal, the retry signals again:
        # the workflow ignores a PaymentReceived for an order it already took.)
        await _signal_booking(ctx, db, order.booking_id, received)
        log.info("payment received booking=%s order=%s kind=%s amount=%s via %s", order.booking_id,
                 received.order_id, received.kind, received.amount, gateway.name)
    return CallbackAck()


async def _handle_refund_callback(gateway: PaymentGateway, request: Request, db: Db) -> CallbackAck:
    event = gateway.verify_refund_callback(request.headers, await request.body())
    row = await run_in_threadpool(service.record_refund_event, db, gateway.name, event)
    if row is not None:
        log.info("refund %s of booking %s: part %s %s via %s", row.step, row.booking_id, event.refund_no,
                 event.state, gateway.name)
    return CallbackAck()


def _configured(ctx: AppContext, name: str) -> PaymentGateway:
    gateway = ctx.gateways.get(name)
    if gateway is None:
        raise NotFound("接口不存在")
    return gateway


_VERDICTS = (CallbackRejected, CallbackMalformed, (400, "callback_event_unsupported"), (400, "callback_order_mismatch"),
             (404, "payment_order_not_found"))


@router.post("/payments/callbacks/sandbox", response_model=CallbackAck, summary="沙箱支付网关回调")
@raises(CallbackRejected, CallbackMalformed, (400, "callback_event_unsupported"))  # the gateway's verdicts
async def sandbox_callback(request: Request, ctx: Ctx, db: Db) -> CallbackAck:
    return await _handle_callback(_configured(ctx, "sandbox"), request, ctx, db)


@router.post("/payments/callbacks/wechatpay", response_model=CallbackAck, summary="微信支付支付结果通知")
@raises(*_VERDICTS)
async def wechatpay_callback(request: Request, ctx: Ctx, db: Db) -> CallbackAck:
    return await _handle_callback(_configured(ctx, "wechatpay"), request, ctx, db)


@router.post("/payments/callbacks/wechatpay/refund", response_model=CallbackAck, summary="微信支付退款结果通知")
@raises(*_VERDICTS, (404, "refund_not_found"))
async def wechatpay_refund_callback(request: Request, ctx: Ctx, db: Db) -> CallbackAck:
    return await _handle_refund_callback(_configured(ctx, "wechatpay"), request, db)


@router.post("/payments/callbacks/alipay", response_class=PlainTextResponse, summary="支付宝异步通知（支付与退款）")
@raises(*_VERDICTS, (404, "refund_not_found"))
async def alipay_callback(request: Request, ctx: Ctx, db: Db) -> PlainTextResponse:
    gateway = _configured(ctx, "alipay")
    body = await request.body()
    if isinstance(gateway, AlipayGateway) and gateway.is_refund_notification(body):
        await _handle_refund_callback(gateway, request, db)
    else:
        await _handle_callback(gateway, request, ctx, db)
    return PlainTextResponse("success")  # anything else and Alipay sends it again


class PaymentMethodOut(BaseModel):
    name: str  # wechatpay / alipay / sandbox: the `gateway` of the pay actions
    label: str  # 微信支付 / 支付宝 / 沙箱支付
    is_sandbox: bool
    default: bool


@router.get("/payments/methods", response_model=list[PaymentMethodOut], summary="可选的支付方式")
def payment_methods(ctx: Ctx, me: Me) -> list[PaymentMethodOut]:
    registry = ctx.gateways
    return [PaymentMethodOut(name=c.name, label=c.label, is_sandbox=c.is_sandbox,
                             default=c.name == registry.default_name) for c in registry.choices]


# --- the sandbox cashier page (HTML for people, so it stays out of the API schema)

_STYLE = """
body{margin:0;font-family:-apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;
background:#f5f6f8;color:#1f2329}
.banner{background:#fff4e5;color:#ad5b00;border-bottom:1px solid #ffd591;padding:10px 16px;font-size:14px;
text-align:center}
.card{max-width:420px;margin:24px auto;background:#fff;border-radius:12px;padding:24px;
box-shadow:0 2px 12px rgba(0,0,0,.06)}
h1{font-size:18px;margin:0 0 16px}.amount{font-size:36px;font-weight:600;margin:8px 0 20px}
dl{display:grid;grid-template-columns:auto 1fr;gap:8px 16px;margin:0 0 24px;font-size:14px}
dt{color:#8f959e}dd{margin:0;word-break:break-all}
button{width:100%;padding:12px;border:0;border-radius:8px;background:#07c160;color:#fff;font-size:16px}
.state{text-align:center;font-size:18px;font-weight:600;padding:12px;border-radius:8px}
.paid{background:#e8f8ee;color:#07a350}.closed{background:#f2f3f5;color:#8f959e}
.notice{background:#fff1f0;color:#cf1322;padding:10px;border-radius:8px;margin-bottom:16px;font-size:14px}
.back{display:block;text-align:center;margin-top:16px;color:#576b95;text-decoration:none;font-size:15px}
"""

_NOTICES = {"failed": "支付通知投递失败，请稍后再试", "closed": "订单已关闭，无法支付"}
_STATES = {"created": "待支付", "paid": "已支付", "closed": "已关闭"}
_HEADERS = {"Cache-Control": "no-store",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'"}


# Where the cashier sends the payer back: a page of the H5 app on this origin, nothing else (no open redirect).
RETURN_PREFIX = "/h5/"
_RETURN_MAX = 500


def safe_return_to(value: str | None) -> str | None:
    """`value` when it is a path of the H5 app on this origin (`/h5/…`, query and `#/…` hash route allowed),
    else None: other origins (`//host`, `http://…`), schemes (`javascript:`), backslashes, control characters
    and dot segments that would climb out of /h5/ (also percent-encoded) are all ignored."""
    if not value or len(value) > _RETURN_MAX or not value.startswith(RETURN_PREFIX):
        return None
    if "\\" in value or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return None
    if any(segment in (".", "..") for segment in unquote(parts.path).split("/")):
        return None
    return value


def _with_query(path: str, **params: str | None) -> str:
    query = urlencode({k: v for k, v in params.items() if v})
    return f"{path}?{query}" if query else path


def _page(body: str, status: int = 200) -> HTMLResponse:
    doc = ('<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
           '<meta name="viewport" content="width=device-width,initial-scale=1">'
           f"<title>沙箱支付</title><style>{_STYLE}</style></head><body>"
           '<div class="banner">沙箱环境：不会产生真实扣款</div>'
           f'<div class="card">{body}</div></body></html>')
    return HTMLResponse(doc, status_code=status, headers=_HEADERS)


def _not_found() -> HTMLResponse:
    return _page("<h1>沙箱支付</h1><p>支付订单不存在或已失效。</p>", status=404)


def _sandbox_order(ctx: AppContext, order_id: str) -> PaymentOrder | None:
    if not isinstance(ctx.gateways.get("sandbox"), SandboxGateway) or not ORDER_ID.fullmatch(order_id):
        return None
    with session_scope(ctx.database_url) as session:
        order = session.get(PaymentOrder, order_id)
        return order if order is not None and order.gateway == "sandbox" else None


@router.get("/payments/sandbox/{order_id}", include_in_schema=False, response_class=HTMLResponse)
def sandbox_page(order_id: str, request: Request, ctx: Ctx, notice: str | None = None,
                 return_to: str | None = None) -> HTMLResponse:
    order = _sandbox_order(ctx, order_id)
    if order is None:
        return _not_found()
    back = safe_return_to(return_to)
    e = html.escape
    rows = [("款项", service.KIND_LABELS.get(order.kind, order.kind)), ("预约编号", f"#{order.booking_id}"),
            ("订单号", order.id), ("状态", _STATES.get(order.status, order.status))]
    if order.paid_at is not None:
        rows.append(("支付时间", order.paid_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")))
    parts = ["<h1>沙箱支付</h1>"]
    if notice in _NOTICES and order.status != "paid":
        parts.append(f'<div class="notice">{_NOTICES[notice]}</div>')
    parts.append(f'<div class="amount">{e(service.format_fen(order.amount))}</div>')
    parts.append("<dl>" + "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in rows) + "</dl>")
    if order.status == "created":
        action = _with_query(request.url_for("sandbox_confirm", order_id=order.id).path, return_to=back)
        parts.append(f'<form method="post" action="{e(action)}"><button type="submit">确认支付</button></form>')
    else:
        parts.append(f'<div class="state {e(order.status)}">{e(_STATES.get(order.status, order.status))}</div>')
    if back:
        label = "返回订单" if order.status == "paid" else "返回"
        parts.append(f'<a class="back" data-test="sandbox-return" href="{e(back)}">{label}</a>')
    return _page("".join(parts))


@router.post("/payments/sandbox/{order_id}/confirm", include_in_schema=False)
async def sandbox_confirm(order_id: str, request: Request, ctx: Ctx, return_to: str | None = None) -> Response:
    """The payer confirms: the sandbox gateway delivers its signed notification, as WeChat Pay would. The
    cashier page comes back with its `return_to` (if acceptable) so the payer can return to the order."""
    order = await run_in_threadpool(_sandbox_order, ctx, order_id)
    if order is None:
        return _not_found()
    page = request.url_for("sandbox_page", order_id=order.id).path
    back = safe_return_to(return_to)
    if order.status == "closed":
        return RedirectResponse(_with_query(page, notice="closed", return_to=back), status_code=303)
    if order.status == "created":
        sandbox = ctx.gateways.get("sandbox")
        assert isinstance(sandbox, SandboxGateway)
        if not await sandbox.confirm_sandbox_payment(order.id, order.amount):
            return RedirectResponse(_with_query(page, notice="failed", return_to=back), status_code=303)
    return RedirectResponse(_with_query(page, return_to=back), status_code=303)
