"""WeChat Pay API v3 (微信支付, JSAPI for the mini-program) through `wechatpayv3`.

Orders: JSAPI prepay for the payer's openid; the client gets the signed `uni.requestPayment` parameters (RSA over
appId, timeStamp, nonceStr, package). Notifications (payments and refunds) are verified here, not by the SDK's
`callback()`: it returns None on a bad signature and doesn't check the timestamp, so we check the
`Wechatpay-Timestamp` window (±5 min), refuse `WECHATPAY/SIGNTEST/` probes, verify the RSA signature with the
platform public key (or certificate) named by `Wechatpay-Serial`, then decrypt the AES-256-GCM resource with the
APIv3 key and check it is ours (appid, mchid)."""

from __future__ import annotations

import csv
import gzip
import io
import json
import logging
import secrets
import time
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from wechatpayv3 import WeChatPay, WeChatPayType
from wechatpayv3.utils import aes_decrypt, rsa_verify

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
from domain.time import SHANGHAI
from integrations.errors import IntegrationError

log = logging.getLogger(__name__)

CALLBACK_PATH = "/api/v1/payments/callbacks/wechatpay"
REFUND_CALLBACK_PATH = "/api/v1/payments/callbacks/wechatpay/refund"
MAX_CLOCK_SKEW_SECONDS = 300
PROBE_PREFIX = "WECHATPAY/SIGNTEST/"
SIGNATURE_TYPE = "WECHATPAY2-SHA256-RSA2048"

# Error codes WeChat Pay answers with that will never succeed when asked again (the rest: retry later).
_PERMANENT = {"ORDERPAID": (409, "payment_order_paid", "该订单已支付"),
              "ORDER_CLOSED": (409, "payment_order_closed", "订单已关闭，请重新发起支付"),
              "OUT_TRADE_NO_USED": (409, "payment_order_conflict", "商户订单号重复"),
              "INVALID_REQUEST": (400, "payment_request_invalid", "支付请求参数不符合要求"),
              "PARAM_ERROR": (400, "payment_request_invalid", "支付请求参数错误"),
              "APPID_MCHID_NOT_MATCH": (400, "payment_config_invalid", "微信支付商户号与小程序不匹配"),
              "MCH_NOT_EXISTS": (400, "payment_config_invalid", "微信支付商户号不存在"),
              "SIGN_ERROR": (400, "payment_config_invalid", "微信支付签名错误，请检查商户证书配置"),
              "NO_AUTH": (400, "payment_config_invalid", "商户无此接口权限"),
              "RESOURCE_NOT_EXISTS": (404, "payment_order_not_found", "微信支付订单不存在"),
              "ORDER_NOT_EXIST": (404, "payment_order_not_found", "微信支付订单不存在"),
              "USER_ACCOUNT_ABNORMAL": (409, "payment_refund_refused", "退款请求失败：用户账户异常"),
              "NOT_ENOUGH_REFUND": (409, "payment_refund_refused", "退款金额超过订单可退金额")}


def _yuan_to_fen(text: str) -> int:
    try:
        return int((Decimal(text.strip().lstrip("`") or "0") * 100).to_integral_exact())
    except (InvalidOperation, ValueError) as exc:
        raise IntegrationError("payment_bill_invalid", "微信支付账单格式不正确", provider_code="BILL") from exc


def _wechat_time(value: Any) -> datetime:
    if not isinstance(value, str) or len(value) > 40:
        raise ValueError(value)
    at = datetime.fromisoformat(value)
    if at.tzinfo is None:
        raise ValueError(value)
    return at.astimezone(UTC)


class WechatPayGateway:
    """微信支付 (API v3). `client` is a configured `wechatpayv3.WeChatPay`; `api_base` replaces the SDK's fixed
    https://api.mch.weixin.qq.com (tests point it at the loopback fake)."""

    name = "wechatpay"
    label = "微信支付"
    is_sandbox = False

    def __init__(self, *, mchid: str, appid: str, private_key: str, cert_serial_no: str, apiv3_key: str,
                 notify_base_url: str, public_key: str | None = None, public_key_id: str | None = None,
                 cert_dir: str | None = None, api_base: str = "https://api.mch.weixin.qq.com",
                 timeout: tuple[float, float] = (5, 15)):
        if len(apiv3_key.encode()) != 32:
            raise ValueError("WECHATPAY_APIV3_KEY must be 32 bytes")
        self.mchid, self.appid, self._apiv3_key = mchid, appid, apiv3_key
        self.notify_url = notify_base_url.rstrip("/") + CALLBACK_PATH
        self.refund_notify_url = notify_base_url.rstrip("/") + REFUND_CALLBACK_PATH
        self.client = WeChatPay(wechatpay_type=WeChatPayType.MINIPROG, mchid=mchid, private_key=private_key,
                                cert_serial_no=cert_serial_no, appid=appid, apiv3_key=apiv3_key,
                                notify_url=self.notify_url, cert_dir=cert_dir, public_key=public_key,
                                public_key_id=public_key_id, timeout=timeout)
        self.client._core._gate_way = api_base.rstrip("/")

    # --- calls to WeChat Pay

    def _call(self, what: str, fn: Any, *args: Any, **kwargs: Any) -> tuple[int, Any]:
        try:
            code, body = fn(*args, **kwargs)
        except Exception as exc:  # network, timeout, or the SDK refusing the answer's signature
            log.warning("wechatpay %s failed: %s", what, exc)
            raise IntegrationError("payment_gateway_unavailable", "微信支付暂时不可用，请稍后重试",
                                   provider_code=type(exc).__name__) from exc
        return code, body

    @staticmethod
    def _error(what: str, code: int, body: Any) -> IntegrationError:
        try:
            answer = json.loads(body) if isinstance(body, str | bytes) else {}
        except ValueError:
            answer = {}
        provider = str(answer.get("code") or code) if isinstance(answer, dict) else str(code)
        log.warning("wechatpay %s refused: http %s %s %s", what, code, provider,
                    answer.get("message") if isinstance(answer, dict) else "")
        if provider in _PERMANENT:
            status, our_code, message = _PERMANENT[provider]
            return IntegrationError(our_code, message, status=status, provider_code=provider)
        # SYSTEM_ERROR, NOT_ENOUGH (商户余额不足), FREQUENCY_LIMITED, BANKERROR, 5xx …: try again later.
        return IntegrationError("payment_gateway_failed", "微信支付处理失败，稍后将自动重试", status=502,
                                provider_code=provider)

    def create_order(self, order_id: str, amount: int, description: str, payer: Payer | None = None) -> PayStart:
        if amount <= 0:
            raise IntegrationError("payment_amount_invalid", "支付金额必须大于 0", status=400,
                                   provider_code="PARAM_ERROR")
        if payer is None or not payer.wechat_openid:
            raise IntegrationError("wechatpay_openid_missing", "请在微信小程序中使用微信支付", status=400,
                                   provider_code="PAYER_OPENID")
        code, body = self._call("jsapi order", self.client.pay, description=description[:127],
                                out_trade_no=order_id, amount={"total": amount, "currency": "CNY"},
                                payer={"openid": payer.wechat_openid}, pay_type=WeChatPayType.MINIPROG)
        if code != 200:
            raise self._error("jsapi order", code, body)
        prepay_id = json.loads(body).get("prepay_id")
        if not isinstance(prepay_id, str) or not prepay_id:
            raise IntegrationError("payment_gateway_failed", "微信支付下单失败", provider_code="NO_PREPAY_ID")
        return PayStart(params=self.request_payment_params(prepay_id))

    def request_payment_params(self, prepay_id: str) -> dict[str, str]:
        """What the mini-program passes to uni.requestPayment / wx.requestPayment."""
        timestamp, nonce, package = str(int(time.time())), secrets.token_hex(16), f"prepay_id={prepay_id}"
        pay_sign = self.client.sign([self.appid, timestamp, nonce, package])
        return {"appId": self.appid, "timeStamp": timestamp, "nonceStr": nonce, "package": package,
                "signType": "RSA", "paySign": pay_sign}

    def query_order(self, order_id: str) -> OrderStatus | None:
        code, body = self._call("query", self.client.query, out_trade_no=order_id)
        if code == 404:
            return None
        if code != 200:
            raise self._error("query", code, body)
        t = json.loads(body)
        raw = str(t.get("trade_state", ""))
        state = {"SUCCESS": "paid", "REFUND": "refunded", "CLOSED": "closed", "REVOKED": "closed"}.get(raw, "created")
        if state in ("paid", "refunded"):
            try:
                return OrderStatus(order_id, state, amount=int(t["amount"]["total"]),  # type: ignore[arg-type]
                                   gateway_txn_id=str(t["transaction_id"]), paid_at=_wechat_time(t["success_time"]),
                                   raw_state=raw)
            except (KeyError, TypeError, ValueError) as exc:
                raise IntegrationError("payment_gateway_failed", "微信支付查询结果不完整",
                                       provider_code="QUERY_INCOMPLETE") from exc
        return OrderStatus(order_id, state, raw_state=raw)  # type: ignore[arg-type]

    def close_order(self, order_id: str) -> None:
        code, body = self._call("close", self.client.close, out_trade_no=order_id)
        if code not in (200, 204):
            raise self._error("close", code, body)

    def refund(self, order_id: str, refund_id: str, amount: int, *, total: int) -> RefundResult:
        if amount <= 0 or amount > total:
            raise IntegrationError("payment_refund_invalid", "退款金额无效", status=400, provider_code="PARAM_ERROR")
        code, body = self._call("refund", self.client.refund, out_refund_no=refund_id, out_trade_no=order_id,
                                amount={"refund": amount, "total": total, "currency": "CNY"},
                                notify_url=self.refund_notify_url)
        if code != 200:
            raise self._error("refund", code, body)
        return self._refund_result(json.loads(body))

    def query_refund(self, order_id: str, refund_id: str) -> RefundResult | None:
        code, body = self._call("refund query", self.client.query_refund, out_refund_no=refund_id)
        if code == 404:
            return None
        if code != 200:
            raise self._error("refund query", code, body)
        return self._refund_result(json.loads(body))

    @staticmethod
    def _refund_result(answer: dict[str, Any]) -> RefundResult:
        raw = str(answer.get("status", ""))
        state = {"SUCCESS": "succeeded", "CLOSED": "failed", "ABNORMAL": "failed"}.get(raw, "processing")
        return RefundResult(str(answer.get("refund_id", ""))[:64], state, raw)  # type: ignore[arg-type]

    def bill(self, day: date) -> list[BillLine]:
        """The trade bill (交易账单, ALL) of `day`: applied for, then downloaded (gzip CSV, yuan with a leading `)."""
        code, body = self._call("trade bill", self.client.trade_bill, bill_date=day.isoformat())
        if code == 400 and "NO_STATEMENT_EXIST" in str(body):
            return []
        if code != 200:
            raise self._error("trade bill", code, body)
        url = json.loads(body)["download_url"]
        code, content = self._call("bill download", self.client.download_bill, url)
        if code != 200:
            raise self._error("bill download", code, content)
        raw = content if isinstance(content, bytes) else str(content).encode()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        return self.parse_bill(raw.decode("utf-8-sig"))

    def parse_bill(self, text: str) -> list[BillLine]:
        rows = list(csv.reader(io.StringIO(text)))
        if not rows:
            return []
        header = [h.strip() for h in rows[0]]
        col = {name: i for i, name in enumerate(header)}
        lines = []
        for row in rows[1:]:
            if not row or row[0].startswith("总交易单数") or not row[0].startswith("`"):
                break  # the summary block ends the detail lines
            v = {name: row[i].strip().lstrip("`") for name, i in col.items() if i < len(row)}
            at = datetime.strptime(v["交易时间"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=SHANGHAI).astimezone(UTC)
            fee = _yuan_to_fen(v.get("手续费", "0"))
            if v.get("交易状态") == "REFUND":
                lines.append(BillLine(self.name, "refund", v["商户订单号"], v.get("商户退款单号") or None,
                                      v.get("微信退款单号") or v["微信订单号"], _yuan_to_fen(v["退款金额"]), fee, at))
            elif v.get("交易状态") == "SUCCESS":
                lines.append(BillLine(self.name, "payment", v["商户订单号"], None, v["微信订单号"],
                                      _yuan_to_fen(v["应结订单金额"]), fee, at))
        return lines

    # --- notifications from WeChat Pay

    def _verified_resource(self, headers: Mapping[str, str], body: bytes, original_type: str) -> tuple[dict, dict]:
        h = {k.lower(): v for k, v in headers.items()}
        timestamp, nonce = h.get("wechatpay-timestamp", ""), h.get("wechatpay-nonce", "")
        signature, serial = h.get("wechatpay-signature", ""), h.get("wechatpay-serial", "")
        if not (timestamp and nonce and signature and serial):
            raise CallbackRejected("支付通知缺少签名信息")
        if h.get("wechatpay-signature-type", SIGNATURE_TYPE) != SIGNATURE_TYPE:
            raise CallbackRejected("支付通知签名算法不受支持")
        if signature.startswith(PROBE_PREFIX):
            raise CallbackRejected()  # WeChat's own signature probes must fail
        if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > 12:
            raise CallbackRejected("支付通知时间戳无效")
        if abs(time.time() - int(timestamp)) > MAX_CLOCK_SKEW_SECONDS:
            raise CallbackRejected("支付通知已过期")  # a captured notification replayed later
        key = self._platform_key(serial)
        if key is None:
            raise CallbackRejected("支付通知的签名密钥未知")
        try:
            text = body.decode()
        except UnicodeDecodeError as exc:
            raise CallbackRejected() from exc
        if not rsa_verify(timestamp, nonce, text, signature, key):
            raise CallbackRejected()
        try:
            envelope = json.loads(text)
            resource = envelope["resource"]
            if envelope.get("resource_type") != "encrypt-resource" or resource.get("algorithm") != "AEAD_AES_256_GCM":
                raise CallbackMalformed()
            if resource.get("original_type") not in (None, original_type):
                raise CallbackMalformed("不支持的支付通知类型", code="callback_event_unsupported")
            plain = aes_decrypt(nonce=resource["nonce"], ciphertext=resource["ciphertext"],
                                associated_data=resource.get("associated_data") or "", apiv3_key=self._apiv3_key)
        except CallbackRejected:
            raise
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise CallbackMalformed() from exc
        if plain is None:
            raise CallbackMalformed("支付通知解密失败")
        try:
            data = json.loads(plain)
        except ValueError as exc:
            raise CallbackMalformed() from exc
        if not isinstance(data, dict) or data.get("mchid") != self.mchid:
            raise CallbackMalformed("支付通知不属于本商户")
        if not isinstance(envelope.get("id"), str) or not envelope["id"] or len(envelope["id"]) > 80:
            raise CallbackMalformed()
        return envelope, data

    def _platform_key(self, serial: str) -> Any:
        core = self.client._core
        if core._public_key_id and serial == core._public_key_id:
            return core._public_key
        for cert in core._certificates:
            if format(cert.serial_number, "X") == serial.upper().lstrip("0"):
                return cert.public_key()
        return None

    def verify_callback(self, headers: Mapping[str, str], body: bytes) -> CallbackEvent:
        envelope, t = self._verified_resource(headers, body, "transaction")
        if envelope.get("event_type") != "TRANSACTION.SUCCESS" or t.get("trade_state") != "SUCCESS":
            raise CallbackMalformed("不支持的支付通知类型", code="callback_event_unsupported")
        if t.get("appid") != self.appid:
            raise CallbackMalformed("支付通知不属于本小程序")
        try:
            amount = t["amount"]
            total = amount["total"]
            if not isinstance(total, int) or isinstance(total, bool) or total <= 0:
                raise ValueError(total)
            return CallbackEvent(notification_id=envelope["id"], order_id=str(t["out_trade_no"])[:40],
                                 amount=total, gateway_txn_id=str(t["transaction_id"])[:64],
                                 paid_at=_wechat_time(t["success_time"]), currency=str(amount.get("currency", "CNY")),
                                 payload={**envelope, "resource": t})
        except (KeyError, TypeError, ValueError) as exc:
            raise CallbackMalformed() from exc

    def verify_refund_callback(self, headers: Mapping[str, str], body: bytes) -> RefundEvent:
        envelope, r = self._verified_resource(headers, body, "refund")
        state = {"REFUND.SUCCESS": "succeeded", "REFUND.ABNORMAL": "failed", "REFUND.CLOSED": "failed"}.get(
            str(envelope.get("event_type")))
        if state is None:
            raise CallbackMalformed("不支持的支付通知类型", code="callback_event_unsupported")
        try:
            refund = r["amount"]["refund"]
            if not isinstance(refund, int) or isinstance(refund, bool) or refund <= 0:
                raise ValueError(refund)
            return RefundEvent(notification_id=envelope["id"], order_id=str(r["out_trade_no"])[:40],
                               refund_no=str(r["out_refund_no"])[:64], gateway_refund_id=str(r["refund_id"])[:64],
                               amount=refund, state=state, raw_state=str(r.get("refund_status", "")),  # type: ignore[arg-type]
                               payload={**envelope, "resource": r})
        except (KeyError, TypeError, ValueError) as exc:
            raise CallbackMalformed() from exc
