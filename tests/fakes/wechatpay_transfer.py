"""A loopback WeChat Pay v3 商家转账 ("发起转账" + "商户单号查询转账单") that speaks the real protocol:
requests must carry a valid WECHATPAY2-SHA256-RSA2048 Authorization signed with the merchant's key (method, path,
timestamp, nonce, body) within ±5 minutes; `user_name` must be RSA-OAEP encrypted with the platform public key
named in Wechatpay-Serial; answers are signed with the platform key (Wechatpay-Signature over timestamp, nonce,
body) so the SDK verifies them. Real error codes and bill states are replayed on demand."""

from __future__ import annotations

import base64
import json
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from domain.time import SHANGHAI
from tests.fakes.loopback import LoopbackServer, RecordedRequest, Reply

TRANSFER_PATH = "/v3/fund-app/mch-transfer/transfer-bills"
QUERY_PREFIX = "/v3/fund-app/mch-transfer/transfer-bills/out-bill-no/"
ERROR_STATUS = {"SYSTEM_ERROR": 500, "FREQUENCY_LIMITED": 429, "NOT_ENOUGH": 403, "NO_AUTH": 403,
                "INVALID_REQUEST": 400, "PARAM_ERROR": 400, "SIGN_ERROR": 401, "NOT_FOUND": 404}
ERROR_MESSAGES = {"SYSTEM_ERROR": "系统繁忙，请稍后重试", "FREQUENCY_LIMITED": "频率超限，请降低频率后原单重试",
                  "NOT_ENOUGH": "商户运营账户资金不足，充值后可以原单号发起重试，请勿更换商户单号",
                  "NO_AUTH": "商户号无权限", "INVALID_REQUEST": "超出商户单日转账额度",
                  "PARAM_ERROR": "参数错误", "SIGN_ERROR": "签名错误", "NOT_FOUND": "记录不存在"}


def _pem_private(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def _pem_public(key: rsa.RSAPublicKey) -> str:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


@dataclass
class Bill:
    out_bill_no: str
    transfer_bill_no: str
    openid: str
    transfer_amount: int
    transfer_remark: str
    transfer_scene_id: str
    user_name: str | None
    state: str
    fail_reason: str | None = None
    created: str = field(default_factory=lambda: datetime.now(SHANGHAI).isoformat(timespec="seconds"))


class FakeWechatTransfer(LoopbackServer):
    thread_name = "fake-wechatpay-transfer"
    mchid, appid = "1900000109", "wx0123456789abcdef"
    merchant_serial, public_key_id = "3775B6A45ACD588826D15E583A95F5DD00000001", "PUB_KEY_ID_0114232134912410"
    apiv3_key = "0123456789abcdef0123456789abcdef"

    def __init__(self) -> None:
        super().__init__()
        self.merchant_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.platform_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.bills: dict[str, Bill] = {}
        self.errors: list[str] = []  # error codes the next transfer requests answer with, in order
        self.mode = "SUCCESS"        # the state a new bill starts in: SUCCESS | ACCEPTED | WAIT_USER_CONFIRM | FAIL
        self.fail_reason = "PAYEE_ACCOUNT_ABNORMAL"
        self.rejected_signatures = 0

    # --- what the channel is configured with
    @property
    def merchant_private_pem(self) -> str:
        return _pem_private(self.merchant_key)

    @property
    def platform_public_pem(self) -> str:
        return _pem_public(self.platform_key.public_key())

    def channel_kwargs(self) -> dict[str, Any]:
        return dict(mchid=self.mchid, appid=self.appid, private_key=self.merchant_private_pem,
                    cert_serial_no=self.merchant_serial, apiv3_key=self.apiv3_key,
                    public_key=self.platform_public_pem, public_key_id=self.public_key_id, api_base=self.url)

    # --- driving the fake from a test
    def settle(self, out_bill_no: str, state: str, fail_reason: str | None = None) -> None:
        bill = self.bills[out_bill_no]
        bill.state, bill.fail_reason = state, fail_reason

    # --- the protocol
    def handle(self, request: RecordedRequest) -> Reply:
        if not self._signed_by_merchant(request):
            self.rejected_signatures += 1
            return self._error("SIGN_ERROR")
        if request.method == "POST" and request.path == TRANSFER_PATH:
            return self._transfer(request)
        if request.method == "GET" and request.path.startswith(QUERY_PREFIX):
            bill = self.bills.get(request.path[len(QUERY_PREFIX):].split("?")[0])
            return self._answer(self._bill_json(bill, full=True)) if bill else self._error("NOT_FOUND")
        return self._error("NOT_FOUND")

    def _transfer(self, request: RecordedRequest) -> Reply:
        try:
            data = json.loads(request.body)
        except ValueError:
            return self._error("PARAM_ERROR")
        if self.errors:
            return self._error(self.errors.pop(0))
        required = ("appid", "out_bill_no", "transfer_scene_id", "openid", "transfer_amount", "transfer_remark")
        if any(not data.get(k) for k in required) or data["appid"] != self.appid:
            return self._error("PARAM_ERROR")
        if not re.fullmatch(r"[A-Za-z0-9]{1,32}", data["out_bill_no"]) or len(data["transfer_remark"]) > 32:
            return self._error("PARAM_ERROR")
        amount = data["transfer_amount"]
        if not isinstance(amount, int) or amount <= 0 or not isinstance(data.get("transfer_scene_report_infos"), list):
            return self._error("PARAM_ERROR")
        name = None
        if "user_name" in data:
            if request.header("Wechatpay-Serial") != self.public_key_id:
                return self._error("PARAM_ERROR")
            try:
                name = self.platform_key.decrypt(base64.b64decode(data["user_name"]), padding.OAEP(
                    mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None)).decode()  # noqa: S303
            except ValueError:
                return self._error("PARAM_ERROR")
        if amount >= 200_000 and not name:
            return self._error("PARAM_ERROR")  # 2,000 yuan and up: the payee's name is required
        existing = self.bills.get(data["out_bill_no"])
        if existing is not None:
            if (existing.openid, existing.transfer_amount) != (data["openid"], amount):
                return self._error("INVALID_REQUEST")  # the same number with other content
            return self._answer(self._bill_json(existing))  # the same transfer: its current state
        bill = Bill(out_bill_no=data["out_bill_no"], transfer_bill_no=f"1330000071100999991182020{len(self.bills):07d}",
                    openid=data["openid"], transfer_amount=amount, transfer_remark=data["transfer_remark"],
                    transfer_scene_id=data["transfer_scene_id"], user_name=name, state=self.mode,
                    fail_reason=self.fail_reason if self.mode == "FAIL" else None)
        self.bills[bill.out_bill_no] = bill
        return self._answer(self._bill_json(bill))

    def _bill_json(self, bill: Bill, *, full: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {"out_bill_no": bill.out_bill_no, "transfer_bill_no": bill.transfer_bill_no,
                               "create_time": bill.created, "state": bill.state}
        if bill.state == "WAIT_USER_CONFIRM":
            out["package_info"] = "affffddafdfafddffda=="
        if bill.fail_reason:
            out["fail_reason"] = bill.fail_reason
        if full:
            out.update(mchid=self.mchid, appid=self.appid, transfer_amount=bill.transfer_amount,
                       transfer_remark=bill.transfer_remark, openid=bill.openid, update_time=bill.created)
            if bill.user_name:
                out["user_name"] = "*" + bill.user_name[1:]  # not needed by the channel; WeChat masks it
        return out

    def _signed_by_merchant(self, request: RecordedRequest) -> bool:
        auth = request.header("Authorization") or ""
        if not auth.startswith("WECHATPAY2-SHA256-RSA2048 "):
            return False
        fields = dict(re.findall(r'(\w+)="([^"]*)"', auth))
        if fields.get("mchid") != self.mchid or fields.get("serial_no") != self.merchant_serial:
            return False
        timestamp = fields.get("timestamp", "")
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > 300:
            return False
        message = (f"{request.method}\n{request.path}\n{timestamp}\n{fields.get('nonce_str', '')}\n"
                   f"{request.body.decode()}\n").encode()
        try:
            self.merchant_key.public_key().verify(base64.b64decode(fields.get("signature", "")), message,
                                                  padding.PKCS1v15(), hashes.SHA256())
        except (InvalidSignature, ValueError):
            return False
        return True

    def _answer(self, payload: dict[str, Any], status: int = 200) -> Reply:
        body = json.dumps(payload, ensure_ascii=False).encode()
        timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
        signature = base64.b64encode(self.platform_key.sign(
            f"{timestamp}\n{nonce}\n{body.decode()}\n".encode(), padding.PKCS1v15(), hashes.SHA256())).decode()
        return Reply(status, body, "application/json; charset=utf-8", headers=(
            ("Wechatpay-Timestamp", timestamp), ("Wechatpay-Nonce", nonce), ("Wechatpay-Signature", signature),
            ("Wechatpay-Serial", self.public_key_id), ("Wechatpay-Signature-Type", "WECHATPAY2-SHA256-RSA2048"),
            ("Request-ID", secrets.token_hex(16))))

    def _error(self, code: str) -> Reply:
        body = json.dumps({"code": code, "message": ERROR_MESSAGES.get(code, code)}, ensure_ascii=False).encode()
        return Reply(ERROR_STATUS.get(code, 400), body, "application/json; charset=utf-8")
