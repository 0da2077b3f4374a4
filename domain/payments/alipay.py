"""Alipay (支付宝) through `python-alipay-sdk`: the wap/H5 cashier (alipay.trade.wap.pay, a signed URL the payer
opens) and, for a payer with an Alipay user id, the mini-program order (alipay.trade.create → tradeNO).

Async notifications are form posts signed RSA2 over the sorted `k=v` pairs (without sign and sign_type) with
Alipay's public key; we also check our app id, the notify_time window (±5 min), and take only TRADE_SUCCESS /
TRADE_FINISHED as paid. Amounts travel in yuan with two decimals and are turned into fen here."""

from __future__ import annotations

import csv
import io
import logging
import zipfile
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qsl
from urllib.request import urlopen

from alipay import AliPay

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

CALLBACK_PATH = "/api/v1/payments/callbacks/alipay"
MAX_CLOCK_SKEW_SECONDS = 300
SUCCESS = "10000"

# sub_codes that will never succeed when asked again (the rest, e.g. ACQ.SYSTEM_ERROR, are retried).
_PERMANENT = {"ACQ.TRADE_HAS_SUCCESS": (409, "payment_order_paid", "该订单已支付"),
              "ACQ.TRADE_STATUS_ERROR": (409, "payment_order_paid", "订单状态不允许此操作（可能已支付）"),
              "ACQ.TRADE_HAS_CLOSE": (409, "payment_order_closed", "订单已关闭"),
              "ACQ.TRADE_NOT_EXIST": (404, "payment_order_not_found", "支付宝订单不存在"),
              "ACQ.INVALID_PARAMETER": (400, "payment_request_invalid", "支付请求参数无效"),
              "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL": (409, "payment_refund_refused", "退款金额与原退款请求不一致"),
              "ACQ.REFUND_FEE_ERROR": (409, "payment_refund_refused", "退款金额超过订单可退金额"),
              "ACQ.SELLER_BALANCE_NOT_ENOUGH": (502, "payment_gateway_failed", "商户余额不足，稍后将自动重试"),
              "isv.invalid-app-id": (400, "payment_config_invalid", "支付宝应用 ID 无效"),
              "isv.invalid-signature": (400, "payment_config_invalid", "支付宝签名错误，请检查密钥配置")}


def fen_to_yuan(amount: int) -> str:
    return f"{amount // 100}.{amount % 100:02d}"


def yuan_to_fen(text: Any) -> int:
    try:
        value = Decimal(str(text).strip())
        fen = value * 100
        if fen != fen.to_integral_value() or value < 0:
            raise ValueError(text)
        return int(fen)
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"not a yuan amount: {text!r}") from exc


def _signed_fen(text: str) -> int:
    text = text.strip()
    return -yuan_to_fen(text[1:]) if text.startswith("-") else yuan_to_fen(text)


def _beijing(text: Any) -> datetime:
    return datetime.strptime(str(text), "%Y-%m-%d %H:%M:%S").replace(tzinfo=SHANGHAI).astimezone(UTC)


class AlipayGateway:
    name = "alipay"
    label = "支付宝"
    is_sandbox = False

    def __init__(self, *, app_id: str, app_private_key: str, alipay_public_key: str, notify_base_url: str,
                 gateway_url: str = "https://openapi.alipay.com/gateway.do", return_url: str | None = None):
        self.app_id = app_id
        self.notify_url = notify_base_url.rstrip("/") + CALLBACK_PATH
        self.return_url = return_url
        self.gateway_url = gateway_url
        self.client = AliPay(appid=app_id, app_notify_url=self.notify_url, app_private_key_string=app_private_key,
                             alipay_public_key_string=alipay_public_key, sign_type="RSA2")
        self.client._gateway = gateway_url

    # --- calls to Alipay

    def _call(self, what: str, fn: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        try:
            answer = fn(*args, **kwargs)
        except Exception as exc:  # network, an unsigned error_response, or a forged answer
            log.warning("alipay %s failed: %s", what, type(exc).__name__)
            raise IntegrationError("payment_gateway_unavailable", "支付宝暂时不可用，请稍后重试",
                                   provider_code=type(exc).__name__) from exc
        if not isinstance(answer, dict):
            raise IntegrationError("payment_gateway_failed", "支付宝返回格式不正确", provider_code="FORMAT")
        return answer

    @staticmethod
    def _error(what: str, answer: dict[str, Any]) -> IntegrationError:
        sub = str(answer.get("sub_code") or answer.get("code") or "UNKNOWN")
        log.warning("alipay %s refused: %s %s %s", what, answer.get("code"), sub, answer.get("sub_msg", ""))
        if sub in _PERMANENT:
            status, code, message = _PERMANENT[sub]
            return IntegrationError(code, message, status=status, provider_code=sub)
        return IntegrationError("payment_gateway_failed", "支付宝处理失败，稍后将自动重试", status=502,
                                provider_code=sub)

    def create_order(self, order_id: str, amount: int, description: str, payer: Payer | None = None) -> PayStart:
        if amount <= 0:
            raise IntegrationError("payment_amount_invalid", "支付金额必须大于 0", status=400,
                                   provider_code="ACQ.INVALID_PARAMETER")
        if payer is not None and payer.alipay_user_id:  # inside the Alipay mini-program: my.tradePay({tradeNO})
            answer = self._call("trade.create", self.client.api_alipay_trade_create, subject=description[:256],
                                out_trade_no=order_id, total_amount=fen_to_yuan(amount),
                                buyer_id=payer.alipay_user_id)
            if answer.get("code") != SUCCESS:
                raise self._error("trade.create", answer)
            return PayStart(params={"tradeNO": str(answer["trade_no"])})
        query = self.client.api_alipay_trade_wap_pay(subject=description[:256], out_trade_no=order_id,
                                                     total_amount=fen_to_yuan(amount), return_url=self.return_url,
                                                     timeout_express="2h")
        return PayStart(pay_url=f"{self.gateway_url}?{query}")

    def query_order(self, order_id: str) -> OrderStatus | None:
        answer = self._call("trade.query", self.client.api_alipay_trade_query, out_trade_no=order_id)
        if answer.get("code") != SUCCESS:
            if answer.get("sub_code") == "ACQ.TRADE_NOT_EXIST":
                return None  # the payer never opened the cashier
            raise self._error("trade.query", answer)
        raw = str(answer.get("trade_status", ""))
        if raw in ("TRADE_SUCCESS", "TRADE_FINISHED"):
            try:
                return OrderStatus(order_id, "paid", amount=yuan_to_fen(answer["total_amount"]),
                                   gateway_txn_id=str(answer["trade_no"]),
                                   paid_at=_beijing(answer.get("send_pay_date")) if answer.get("send_pay_date")
                                   else utc_now(), raw_state=raw)
            except (KeyError, ValueError) as exc:
                raise IntegrationError("payment_gateway_failed", "支付宝查询结果不完整",
                                       provider_code="QUERY_INCOMPLETE") from exc
        return OrderStatus(order_id, "closed" if raw == "TRADE_CLOSED" else "created", raw_state=raw)

    def close_order(self, order_id: str) -> None:
        answer = self._call("trade.close", self.client.api_alipay_trade_close, out_trade_no=order_id)
        if answer.get("code") == SUCCESS or answer.get("sub_code") in ("ACQ.TRADE_NOT_EXIST", "ACQ.TRADE_HAS_CLOSE"):
            return  # never opened by the payer, or closed already: nothing can pay it
        raise self._error("trade.close", answer)

    def refund(self, order_id: str, refund_id: str, amount: int, *, total: int) -> RefundResult:
        if amount <= 0 or amount > total:
            raise IntegrationError("payment_refund_invalid", "退款金额无效", status=400,
                                   provider_code="ACQ.INVALID_PARAMETER")
        answer = self._call("trade.refund", self.client.api_alipay_trade_refund, refund_amount=fen_to_yuan(amount),
                            out_trade_no=order_id, out_request_no=refund_id)
        if answer.get("code") != SUCCESS:
            raise self._error("trade.refund", answer)
        if answer.get("fund_change") == "Y":
            return RefundResult(str(answer.get("trade_no", ""))[:64], "succeeded", "fund_change=Y")
        # fund_change N: a repeat of a refund already made, or one still being processed: ask.
        return self.query_refund(order_id, refund_id) or RefundResult(str(answer.get("trade_no", ""))[:64],
                                                                      "processing", "fund_change=N")

    def query_refund(self, order_id: str, refund_id: str) -> RefundResult | None:
        answer = self._call("refund.query", self.client.api_alipay_trade_fastpay_refund_query,
                            out_request_no=refund_id, out_trade_no=order_id)
        if answer.get("code") != SUCCESS:
            if answer.get("sub_code") == "ACQ.TRADE_NOT_EXIST":
                return None
            raise self._error("refund.query", answer)
        if not answer.get("out_request_no"):
            return None  # Alipay answers 10000 without the refund when it has none of that request number
        raw = str(answer.get("refund_status", ""))
        state = "succeeded" if raw == "REFUND_SUCCESS" else "processing"
        return RefundResult(str(answer.get("trade_no", ""))[:64], state, raw)  # type: ignore[arg-type]

    def bill(self, day: date) -> list[BillLine]:
        """The trade bill of `day` (alipay.data.dataservice.bill.downloadurl.query, bill_type trade): a zip of
        GBK CSV files; the 业务明细 file lists each 交易 and 退款."""
        answer = self._call("bill url", self.client.server_api, "alipay.data.dataservice.bill.downloadurl.query",
                            {"bill_type": "trade", "bill_date": day.isoformat()})
        if answer.get("code") != SUCCESS:
            if answer.get("sub_code") == "isp.bill_not_exist":
                return []
            raise self._error("bill url", answer)
        url = str(answer["bill_download_url"])
        if not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
            raise IntegrationError("payment_bill_invalid", "支付宝账单地址无效", provider_code="BILL_URL")
        try:
            with urlopen(url, timeout=30) as res:  # noqa: S310 - https (or the loopback fake), checked above
                data = res.read()
        except OSError as exc:
            raise IntegrationError("payment_gateway_unavailable", "支付宝账单下载失败",
                                   provider_code="DOWNLOAD") from exc
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = [n for n in archive.namelist() if "汇总" not in n and n.endswith(".csv")]
            text = "".join(archive.read(n).decode("gbk") for n in names)
        return self.parse_bill(text)

    def parse_bill(self, text: str) -> list[BillLine]:
        rows = [r for r in csv.reader(io.StringIO(text)) if r and not r[0].startswith("#")]
        if not rows:
            return []
        col = {name.strip(): i for i, name in enumerate(rows[0])}
        lines = []
        for row in rows[1:]:
            v = {name: row[i].strip() for name, i in col.items() if i < len(row)}
            if v.get("业务类型") not in ("交易", "退款"):
                continue
            at = _beijing(v["完成时间"])
            # The bill shows the service fee as money out of the merchant's account (negative): we count it charged.
            amount, fee = abs(_signed_fen(v["订单金额（元）"])), -_signed_fen(v.get("服务费（元）") or "0")
            if v["业务类型"] == "交易":
                lines.append(BillLine(self.name, "payment", v["商户订单号"], None, v["支付宝交易号"], amount, fee, at))
            else:
                lines.append(BillLine(self.name, "refund", v["商户订单号"], v.get("退款批次号/请求号") or None,
                                      v["支付宝交易号"], amount, fee, at))
        return lines

    # --- notifications from Alipay

    def _verified_form(self, body: bytes) -> dict[str, str]:
        try:
            pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True)
        except (UnicodeDecodeError, ValueError) as exc:
            raise CallbackRejected() from exc
        data = dict(pairs)
        if len(data) != len(pairs):
            raise CallbackRejected()  # a repeated field: not what Alipay signs
        signature = data.pop("sign", "")
        if not signature or data.get("sign_type") != "RSA2":
            raise CallbackRejected("支付通知缺少签名信息")
        try:
            valid = self.client.verify(dict(data), signature)
        except Exception as exc:  # bad base64, key mismatch
            raise CallbackRejected() from exc
        if not valid:
            raise CallbackRejected()
        try:
            sent = _beijing(data.get("notify_time"))
        except ValueError as exc:
            raise CallbackRejected("支付通知时间戳无效") from exc
        if abs((utc_now() - sent).total_seconds()) > MAX_CLOCK_SKEW_SECONDS:
            raise CallbackRejected("支付通知已过期")
        if data.get("app_id") != self.app_id:
            raise CallbackMalformed("支付通知不属于本应用")
        if not data.get("notify_id") or len(data["notify_id"]) > 80 or not data.get("out_trade_no"):
            raise CallbackMalformed()
        return data

    def verify_callback(self, headers: Mapping[str, str], body: bytes) -> CallbackEvent:
        data = self._verified_form(body)
        if data.get("trade_status") not in ("TRADE_SUCCESS", "TRADE_FINISHED") or data.get("refund_fee"):
            raise CallbackMalformed("不支持的支付通知类型", code="callback_event_unsupported")
        try:
            return CallbackEvent(notification_id=data["notify_id"], order_id=data["out_trade_no"][:40],
                                 amount=yuan_to_fen(data["total_amount"]), gateway_txn_id=data["trade_no"][:64],
                                 paid_at=_beijing(data.get("gmt_payment") or data["notify_time"]),
                                 payload={k: v for k, v in data.items()})
        except (KeyError, ValueError) as exc:
            raise CallbackMalformed() from exc

    def verify_refund_callback(self, headers: Mapping[str, str], body: bytes) -> RefundEvent:
        data = self._verified_form(body)
        if not data.get("refund_fee") or not data.get("out_biz_no"):
            raise CallbackMalformed("不支持的支付通知类型", code="callback_event_unsupported")
        try:
            return RefundEvent(notification_id=data["notify_id"], order_id=data["out_trade_no"][:40],
                               refund_no=data["out_biz_no"][:64], gateway_refund_id=data.get("trade_no", "")[:64],
                               amount=yuan_to_fen(data["refund_fee"]), state="succeeded",
                               raw_state=data.get("trade_status", ""), payload=dict(data))
        except (KeyError, ValueError) as exc:
            raise CallbackMalformed() from exc

    def is_refund_notification(self, body: bytes) -> bool:
        """Alipay posts refunds to the same notify URL as payments: a notification with refund_fee is one."""
        try:
            return any(k == "refund_fee" and v for k, v in parse_qsl(body.decode("utf-8", "replace")))
        except ValueError:
            return False
