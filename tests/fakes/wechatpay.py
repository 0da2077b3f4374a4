"""A loopback fake of WeChat Pay API v3 (微信支付) for the JSAPI merchant calls the platform makes.

It speaks the documented protocol with test keys made here: it checks the merchant's `Authorization`
(WECHATPAY2-SHA256-RSA2048 over method, path, timestamp, nonce and body) with the merchant's public key, signs
every answer with the platform key (`Wechatpay-*` headers, serial = the platform public key id), encrypts
notification resources with AES-256-GCM under the APIv3 key and signs the notifications like the real gateway,
and answers with the real error codes (ORDERPAID, ORDER_CLOSED, ORDER_NOT_EXIST, RESOURCE_NOT_EXISTS, NOT_ENOUGH,
SYSTEM_ERROR, SIGN_ERROR …).

    with FakeWechatPay() as wx:
        gateway = wx.gateway(notify_base_url="http://testserver")
        headers, body = wx.pay(order_id)          # the payer pays: the signed TRANSACTION.SUCCESS notification
"""

from __future__ import annotations

import base64
import gzip
import http.client
import json
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from domain.payments.wechatpay import WechatPayGateway
from domain.time import SHANGHAI, utc_now
from tests.fakes.loopback import LoopbackServer, RecordedRequest, Reply

MCHID = "1900000109"
APPID = "wx0123456789abcdef"
PUBLIC_KEY_ID = "PUB_KEY_ID_0119000001092026120300000000000001"
MERCHANT_SERIAL = "3775B6A45ACD588826D15E583A95F5DD0000TEST"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def public_pem(key: rsa.RSAPrivateKey) -> str:
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def rsa_sign(key: rsa.RSAPrivateKey, message: str) -> str:
    return base64.b64encode(key.sign(message.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()


def _now_text() -> str:
    return utc_now().astimezone(SHANGHAI).isoformat(timespec="seconds")


@dataclass
class FakeOrder:
    out_trade_no: str
    total: int
    description: str
    openid: str
    prepay_id: str
    notify_url: str = ""
    state: str = "NOTPAY"  # NOTPAY / SUCCESS / CLOSED / REFUND
    transaction_id: str = ""
    success_time: str = ""


@dataclass
class FakeRefund:
    out_refund_no: str
    out_trade_no: str
    refund_id: str
    amount: int
    total: int
    status: str = "PROCESSING"
    notify_url: str = ""
    created: str = field(default_factory=_now_text)


class FakeWechatPay(LoopbackServer):
    thread_name = "fake-wechatpay"

    def __init__(self, *, merchant_key: rsa.RSAPrivateKey | None = None,
                 platform_key: rsa.RSAPrivateKey | None = None) -> None:
        super().__init__()
        self.merchant_key = merchant_key or new_key()
        self.platform_key = platform_key or new_key()
        self.apiv3_key = secrets.token_hex(16)  # 32 ASCII characters
        self.orders: dict[str, FakeOrder] = {}
        self.refunds: dict[str, FakeRefund] = {}
        self.failures: dict[str, list[str]] = {}  # operation -> error codes to answer next, in order
        self.refunds_succeed_at_once = False
        self.bill_lines: list[dict[str, str]] = []

    # --- the platform's side: an adapter configured for this fake
    def gateway(self, notify_base_url: str = "http://testserver") -> WechatPayGateway:
        return WechatPayGateway(mchid=MCHID, appid=APPID, private_key=private_pem(self.merchant_key),
                                cert_serial_no=MERCHANT_SERIAL, apiv3_key=self.apiv3_key,
                                notify_base_url=notify_base_url, public_key=public_pem(self.platform_key),
                                public_key_id=PUBLIC_KEY_ID, api_base=self.url)

    def write_settings_files(self, directory: Any) -> dict[str, str]:
        """Key files and the environment a platform process needs to use this fake (e2e stacks)."""
        key, pub = directory / "wechatpay_merchant.pem", directory / "wechatpay_platform_pub.pem"
        key.write_text(private_pem(self.merchant_key))
        pub.write_text(public_pem(self.platform_key))
        return {"WECHATPAY_MCHID": MCHID, "WECHATPAY_APPID": APPID, "WECHATPAY_PRIVATE_KEY_PATH": str(key),
                "WECHATPAY_CERT_SERIAL_NO": MERCHANT_SERIAL, "WECHATPAY_APIV3_KEY": self.apiv3_key,
                "WECHATPAY_PUBLIC_KEY_PATH": str(pub), "WECHATPAY_PUBLIC_KEY_ID": PUBLIC_KEY_ID,
                "WECHATPAY_API_BASE": self.url}

    def fail(self, operation: str, *codes: str) -> None:
        """The next calls of `operation` (jsapi, query, close, refund, refund_query, bill) answer these codes."""
        with self.lock:
            self.failures.setdefault(operation, []).extend(codes)

    # --- the payer's side and the gateway's notifications
    def pay(self, out_trade_no: str, **kwargs: Any) -> tuple[dict[str, str], bytes]:
        """The payer pays the order: it becomes SUCCESS; returns the signed notification WeChat would POST."""
        with self.lock:
            order = self.orders[out_trade_no]
            if order.state == "NOTPAY":
                order.state, order.success_time = "SUCCESS", _now_text()
                order.transaction_id = "4200" + secrets.token_hex(12)
        return self.payment_notification(out_trade_no, **kwargs)

    def deliver(self, out_trade_no: str) -> int:
        """The payer pays and WeChat POSTs the notification to the order's notify_url (as given at prepay);
        returns the HTTP status the merchant answered."""
        headers, body = self.pay(out_trade_no)
        url = urlsplit(self.orders[out_trade_no].notify_url)
        conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port or 80, timeout=10)
        try:
            conn.request("POST", url.path, body=body, headers=headers)
            return conn.getresponse().status
        finally:
            conn.close()

    def transaction(self, order: FakeOrder) -> dict[str, Any]:
        t: dict[str, Any] = {"appid": APPID, "mchid": MCHID, "out_trade_no": order.out_trade_no,
                             "trade_type": "JSAPI", "trade_state": order.state,
                             "trade_state_desc": {"SUCCESS": "支付成功", "NOTPAY": "未支付", "CLOSED": "已关闭",
                                                  "REFUND": "转入退款"}[order.state],
                             "payer": {"openid": order.openid},
                             "amount": {"total": order.total, "currency": "CNY"}}
        if order.transaction_id:
            t.update(transaction_id=order.transaction_id, success_time=order.success_time, bank_type="OTHERS",
                     amount={"total": order.total, "payer_total": order.total, "currency": "CNY",
                             "payer_currency": "CNY"})
        return t

    def payment_notification(self, out_trade_no: str, *, notification_id: str | None = None,
                             timestamp: int | None = None, resource: dict[str, Any] | None = None,
                             key: rsa.RSAPrivateKey | None = None) -> tuple[dict[str, str], bytes]:
        order = self.orders[out_trade_no]
        return self.notification("TRANSACTION.SUCCESS", "transaction", resource or self.transaction(order),
                                 "支付成功", notification_id=notification_id, timestamp=timestamp, key=key)

    def refund_notification(self, out_refund_no: str, status: str = "SUCCESS", *,
                            notification_id: str | None = None) -> tuple[dict[str, str], bytes]:
        """The gateway finished a refund (SUCCESS / ABNORMAL / CLOSED): returns the signed REFUND.* notification."""
        with self.lock:
            r = self.refunds[out_refund_no]
            r.status = status
        resource = {"mchid": MCHID, "out_trade_no": r.out_trade_no, "transaction_id":
                    self.orders[r.out_trade_no].transaction_id, "out_refund_no": r.out_refund_no,
                    "refund_id": r.refund_id, "refund_status": status, "success_time": _now_text(),
                    "user_received_account": "支付用户零钱",
                    "amount": {"total": r.total, "refund": r.amount, "payer_total": r.total, "payer_refund": r.amount}}
        summary = "退款成功" if status == "SUCCESS" else "退款异常"
        return self.notification(f"REFUND.{status}", "refund", resource, summary, notification_id=notification_id)

    def notification(self, event_type: str, original_type: str, resource: dict[str, Any], summary: str, *,
                     notification_id: str | None = None, timestamp: int | None = None,
                     key: rsa.RSAPrivateKey | None = None) -> tuple[dict[str, str], bytes]:
        nonce = secrets.token_hex(6)  # 12 bytes: AES-GCM's nonce
        ciphertext = AESGCM(self.apiv3_key.encode()).encrypt(
            nonce.encode(), json.dumps(resource, ensure_ascii=False).encode(), original_type.encode())
        envelope = {"id": notification_id or secrets.token_hex(16), "create_time": _now_text(),
                    "resource_type": "encrypt-resource", "event_type": event_type, "summary": summary,
                    "resource": {"original_type": original_type, "algorithm": "AEAD_AES_256_GCM",
                                 "ciphertext": base64.b64encode(ciphertext).decode(), "associated_data": original_type,
                                 "nonce": nonce}}
        body = json.dumps(envelope, ensure_ascii=False).encode()
        return self._signed_headers(body.decode(), timestamp=timestamp, key=key), body

    def _signed_headers(self, body: str, *, timestamp: int | None = None,
                        key: rsa.RSAPrivateKey | None = None) -> dict[str, str]:
        ts, nonce = str(timestamp if timestamp is not None else int(time.time())), secrets.token_hex(16)
        return {"Wechatpay-Timestamp": ts, "Wechatpay-Nonce": nonce, "Wechatpay-Serial": PUBLIC_KEY_ID,
                "Wechatpay-Signature": rsa_sign(key or self.platform_key, f"{ts}\n{nonce}\n{body}\n"),
                "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048", "Content-Type": "application/json"}

    # --- the server
    def _reply(self, status: int, payload: dict[str, Any] | None = None) -> Reply:
        body = json.dumps(payload, ensure_ascii=False) if payload is not None else ""
        headers = self._signed_headers(body)
        headers.pop("Content-Type")
        return Reply(status, body.encode(), "application/json", tuple(headers.items()))

    def _error(self, code: str) -> Reply:
        status = {"SYSTEM_ERROR": 500, "NOT_ENOUGH": 403, "ORDER_NOT_EXIST": 404, "RESOURCE_NOT_EXISTS": 404,
                  "SIGN_ERROR": 401, "FREQUENCY_LIMITED": 429}.get(code, 400)
        messages = {"ORDERPAID": "该订单已支付", "ORDER_CLOSED": "订单已关闭",
                    "NOT_ENOUGH": "基本账户余额不足，请充值后重新发起",
                    "SYSTEM_ERROR": "系统错误", "RESOURCE_NOT_EXISTS": "订单不存在", "ORDER_NOT_EXIST": "订单不存在",
                    "SIGN_ERROR": "签名错误", "PARAM_ERROR": "参数错误"}
        return self._reply(status, {"code": code, "message": messages.get(code, code)})

    def _authorized(self, request: RecordedRequest) -> bool:
        auth = request.header("Authorization") or ""
        if not auth.startswith("WECHATPAY2-SHA256-RSA2048 "):
            return False
        fields = dict(part.split("=", 1) for part in auth.split(" ", 1)[1].split(","))
        fields = {k.strip(): v.strip().strip('"') for k, v in fields.items()}
        if fields.get("mchid") != MCHID or fields.get("serial_no") != MERCHANT_SERIAL:
            return False
        message = f"{request.method}\n{request.path}\n{fields['timestamp']}\n{fields['nonce_str']}\n" \
                  f"{request.body.decode()}\n"
        try:
            self.merchant_key.public_key().verify(base64.b64decode(fields["signature"]), message.encode(),
                                                  padding.PKCS1v15(), hashes.SHA256())
        except Exception:
            return False
        return abs(time.time() - int(fields["timestamp"])) <= 300

    def _failure(self, operation: str) -> Reply | None:
        queued = self.failures.get(operation)
        return self._error(queued.pop(0)) if queued else None

    def handle(self, request: RecordedRequest) -> Reply:
        url = urlsplit(request.path)
        path, query = url.path, parse_qs(url.query)
        if path == "/v3/billdownload/file":
            return self._bill_file()
        if not self._authorized(request):
            return self._error("SIGN_ERROR")
        body = json.loads(request.body) if request.body else {}
        if request.method == "POST" and path == "/v3/pay/transactions/jsapi":
            return self._failure("jsapi") or self._jsapi(body)
        if path.startswith("/v3/pay/transactions/out-trade-no/"):
            rest = path.removeprefix("/v3/pay/transactions/out-trade-no/")
            if request.method == "POST" and rest.endswith("/close"):
                return self._failure("close") or self._close(rest.removesuffix("/close"))
            if query.get("mchid") != [MCHID]:
                return self._error("PARAM_ERROR")
            order = self.orders.get(rest)
            return self._failure("query") or (self._reply(200, self.transaction(order)) if order
                                              else self._error("ORDER_NOT_EXIST"))
        if request.method == "POST" and path == "/v3/refund/domestic/refunds":
            return self._failure("refund") or self._refund(body)
        if path.startswith("/v3/refund/domestic/refunds/"):
            r = self.refunds.get(path.rsplit("/", 1)[1])
            return self._failure("refund_query") or (self._reply(200, self._refund_json(r)) if r
                                                     else self._error("RESOURCE_NOT_EXISTS"))
        if path == "/v3/bill/tradebill":
            return self._failure("bill") or self._reply(200, {
                "hash_type": "SHA1", "hash_value": "0" * 40,
                "download_url": f"{self.url}/v3/billdownload/file?token={secrets.token_hex(8)}"})
        return self._error("PARAM_ERROR")

    def _jsapi(self, body: dict[str, Any]) -> Reply:
        if body.get("mchid") != MCHID or body.get("appid") != APPID or not body.get("notify_url"):
            return self._error("PARAM_ERROR")
        no = body["out_trade_no"]
        order = self.orders.get(no)
        if order is not None:
            if order.state == "SUCCESS":
                return self._error("ORDERPAID")
            if order.state == "CLOSED":
                return self._error("ORDER_CLOSED")
            if order.total != body["amount"]["total"]:
                return self._error("PARAM_ERROR")
        else:
            order = FakeOrder(no, body["amount"]["total"], body["description"], body["payer"]["openid"],
                              "wx" + secrets.token_hex(16), notify_url=body["notify_url"])
            self.orders[no] = order
        return self._reply(200, {"prepay_id": order.prepay_id})

    def _close(self, no: str) -> Reply:
        order = self.orders.get(no)
        if order is None:
            return self._error("ORDER_NOT_EXIST")
        if order.state == "SUCCESS":
            return self._error("ORDERPAID")
        order.state = "CLOSED"
        return self._reply(204)

    def _refund(self, body: dict[str, Any]) -> Reply:
        order = self.orders.get(body.get("out_trade_no", ""))
        if order is None or order.state not in ("SUCCESS", "REFUND"):
            return self._error("RESOURCE_NOT_EXISTS")
        amount = body["amount"]
        if amount["total"] != order.total:
            return self._error("PARAM_ERROR")
        existing = self.refunds.get(body["out_refund_no"])
        if existing is None:
            refunded = sum(r.amount for r in self.refunds.values() if r.out_trade_no == order.out_trade_no)
            if refunded + amount["refund"] > order.total:
                return self._error("NOT_ENOUGH_REFUND")
            existing = FakeRefund(body["out_refund_no"], order.out_trade_no, "5030" + secrets.token_hex(12),
                                  amount["refund"], order.total, notify_url=body.get("notify_url", ""),
                                  status="SUCCESS" if self.refunds_succeed_at_once else "PROCESSING")
            self.refunds[existing.out_refund_no] = existing
            order.state = "REFUND"
        return self._reply(200, self._refund_json(existing))

    @staticmethod
    def _refund_json(r: FakeRefund) -> dict[str, Any]:
        return {"refund_id": r.refund_id, "out_refund_no": r.out_refund_no, "out_trade_no": r.out_trade_no,
                "channel": "ORIGINAL", "user_received_account": "支付用户零钱", "status": r.status,
                "create_time": r.created, "funds_account": "AVAILABLE",
                "amount": {"total": r.total, "refund": r.amount, "payer_total": r.total, "payer_refund": r.amount,
                           "currency": "CNY"}}

    def _bill_file(self) -> Reply:
        header = ",".join((
            "交易时间", "公众账号ID", "商户号", "特约商户号", "设备号", "微信订单号", "商户订单号", "用户标识",
            "交易类型", "交易状态", "付款银行", "货币种类", "应结订单金额", "代金券金额", "微信退款单号",
            "商户退款单号", "退款金额",
            "充值券退款金额", "退款类型", "退款状态", "商品名称", "商户数据包", "手续费", "费率", "订单金额",
            "申请退款金额", "费率备注"))
        lines = [header]
        for order in self.orders.values():
            if order.transaction_id:
                at = datetime.fromisoformat(order.success_time).strftime("%Y-%m-%d %H:%M:%S")
                fee = f"{round(order.total * 0.006) / 100:.2f}"
                lines.append(",".join("`" + v for v in (
                    at, APPID, MCHID, "0", "", order.transaction_id, order.out_trade_no, order.openid, "JSAPI",
                    "SUCCESS", "OTHERS", "CNY", f"{order.total / 100:.2f}", "0.00", "0", "0", "0.00", "0.00", "", "",
                    order.description, "", fee, "0.60%", f"{order.total / 100:.2f}", "0.00", "")))
        for r in self.refunds.values():
            if r.status == "SUCCESS":
                order = self.orders[r.out_trade_no]
                lines.append(",".join("`" + v for v in (
                    datetime.fromisoformat(r.created).strftime("%Y-%m-%d %H:%M:%S"), APPID, MCHID, "0", "",
                    order.transaction_id, order.out_trade_no, order.openid, "JSAPI", "REFUND", "OTHERS", "CNY",
                    "0.00", "0.00", r.refund_id, r.out_refund_no, f"{r.amount / 100:.2f}", "0.00", "ORIGINAL",
                    "SUCCESS", order.description, "", f"-{round(r.amount * 0.006) / 100:.2f}", "0.60%",
                    f"{order.total / 100:.2f}", f"{r.amount / 100:.2f}", "")))
        lines += ["总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额",
                  "`0,`0.00,`0.00,`0.00,`0.00,`0.00,`0.00"]
        return Reply(200, gzip.compress(("\n".join(lines) + "\n").encode()), "application/octet-stream")
