"""微信支付商家转账 (WeChat Pay API v3 "发起转账"): the payout goes to the artist's WeChat balance (零钱) by openid.

POST /v3/fund-app/mch-transfer/transfer-bills with out_bill_no (our transfer number), transfer_scene_id,
openid, transfer_amount (fen), transfer_remark (≤ 32 characters, the payee sees it), transfer_scene_report_infos,
and user_name — the payee's real name, RSA-OAEP encrypted with the WeChat Pay public key (Wechatpay-Serial names
it) — required from 2,000 yuan on. GET .../transfer-bills/out-bill-no/{out_bill_no} queries a transfer. Requests
are signed with the merchant key by `wechatpayv3`'s core (WECHATPAY2-SHA256-RSA2048), which also verifies the
signature of every 2xx answer with the platform public key.

Bill states: ACCEPTED, PROCESSING, WAIT_USER_CONFIRM (the artist confirms receipt in WeChat), TRANSFERING,
CANCELING → processing; SUCCESS → succeeded; FAIL, CANCELLED → failed, and the out_bill_no is spent (a retry
needs a new number). Errors: SYSTEM_ERROR (5xx) and FREQUENCY_LIMITED (429) are retried with the same number;
NOT_ENOUGH (merchant balance too low: top up, then the operator retries with the same number), NO_AUTH,
INVALID_REQUEST, PARAM_ERROR fail the payout for an operator."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from wechatpayv3 import WeChatPay, WeChatPayType
from wechatpayv3.type import RequestType

from domain.payouts.channel import Payee, TransferNotFound, TransferResult
from integrations.errors import IntegrationError

log = logging.getLogger(__name__)

TRANSFER_PATH = "/v3/fund-app/mch-transfer/transfer-bills"
QUERY_PATH = "/v3/fund-app/mch-transfer/transfer-bills/out-bill-no/{out_bill_no}"
NAME_REQUIRED_FROM = 200_000  # fen: 2,000 yuan and up need the payee's real name
_OUT_BILL_NO = re.compile(r"^[A-Za-z0-9]{1,32}$")

PROCESSING_STATES = {"ACCEPTED", "PROCESSING", "WAIT_USER_CONFIRM", "TRANSFERING", "CANCELING"}
FAILED_STATES = {"FAIL", "CANCELLED"}

NO_OPENID = "艺人未绑定微信（无 openid），无法微信转账；请改用银行转账或让艺人用微信登录"
NO_NAME = "单笔 2000 元及以上的微信转账需要收款人实名姓名，艺人尚未完成实名认证"
# What an operator reads for a refusal that fails the payout (no transfer was created: the same number may be
# sent again once the cause is fixed).
REFUSALS = {
    "NOT_ENOUGH": "商户运营账户余额不足，请充值后重新出款",
    "NO_AUTH": "商户未开通商家转账或无此转账场景权限",
    "INVALID_REQUEST": "转账请求不符合要求（如超出单日转账额度或场景限制）",
    "PARAM_ERROR": "转账参数错误",
    "SIGN_ERROR": "商户签名错误，请检查商户证书配置",
}
# WeChat's fail_reason of a FAIL bill, in words (others are shown as the code).
FAIL_REASONS = {
    "PAYEE_ACCOUNT_ABNORMAL": "收款用户账户异常",
    "REAL_NAME_CHECK_FAIL": "收款用户未实名认证",
    "NAME_NOT_CORRECT": "收款人姓名与微信实名不符",
    "OPENID_INVALID": "收款用户 openid 无效",
    "TRANSFER_QUOTA_EXCEED": "超出转账额度",
    "DAY_RECEIVED_QUOTA_EXCEED": "超出收款用户单日收款额度",
    "MONTH_RECEIVED_QUOTA_EXCEED": "超出收款用户单月收款额度",
    "ACCOUNT_FROZEN": "收款用户账户已冻结",
    "ACCOUNT_NOT_EXIST": "收款用户微信账户不存在",
    "TRANSFER_RISK": "转账存在风险，已被拦截",
    "OVERDUE_CLOSE": "收款用户超时未确认收款，转账已关闭",
    "MERCHANT_REJECT": "商户已撤销转账",
}


class WechatTransferChannel:
    name = "wechat_transfer"
    is_sandbox = False
    label = "微信支付商家转账"

    def __init__(self, *, mchid: str, appid: str, private_key: str, cert_serial_no: str, apiv3_key: str,
                 scene_id: str, report_infos: list[dict[str, str]], public_key: str | None = None,
                 public_key_id: str | None = None, cert_dir: str | None = None, notify_url: str | None = None,
                 api_base: str = "https://api.mch.weixin.qq.com", timeout: tuple[float, float] = (5, 15)):
        self.mchid, self.appid = mchid, appid
        self.scene_id, self.report_infos, self.notify_url = scene_id, report_infos, notify_url
        self.client = WeChatPay(wechatpay_type=WeChatPayType.MINIPROG, mchid=mchid, private_key=private_key,
                                cert_serial_no=cert_serial_no, appid=appid, apiv3_key=apiv3_key, cert_dir=cert_dir,
                                public_key=public_key, public_key_id=public_key_id, timeout=timeout)
        self.client._core._gate_way = api_base.rstrip("/")

    # --- the two calls

    def transfer(self, payout_no: str, amount: int, payee: Payee, memo: str) -> TransferResult:
        if not _OUT_BILL_NO.match(payout_no) or amount <= 0:
            return TransferResult("failed", failure_reason=f"出款单号或金额无效（{payout_no}，{amount} 分）")
        if not payee.openid:
            return TransferResult("failed", failure_reason=NO_OPENID)
        if amount >= NAME_REQUIRED_FROM and not payee.name:
            return TransferResult("failed", failure_reason=NO_NAME)
        params: dict[str, Any] = {
            "appid": self.appid, "out_bill_no": payout_no, "transfer_scene_id": self.scene_id,
            "openid": payee.openid, "transfer_amount": amount, "transfer_remark": memo[:32],
            "transfer_scene_report_infos": self.report_infos,
        }
        cipher = False
        if amount >= NAME_REQUIRED_FROM and payee.name:
            params["user_name"] = self.client._core.encrypt(payee.name)
            cipher = True
        if self.notify_url:
            params["notify_url"] = self.notify_url
        code, body = self._request("发起转账", TRANSFER_PATH, RequestType.POST, params, cipher)
        if 200 <= code < 300:
            return self._bill_result(_json(body))
        provider = _code(body, code)
        if provider in REFUSALS:
            log.warning("wechat transfer %s refused: %s", payout_no, provider)
            return TransferResult("failed", failure_reason=f"{REFUSALS[provider]}（{provider}）")
        raise self._retriable(provider)

    def query(self, payout_no: str) -> TransferResult:
        code, body = self._request("查询转账单", QUERY_PATH.format(out_bill_no=payout_no), RequestType.GET)
        if 200 <= code < 300:
            return self._bill_result(_json(body))
        provider = _code(body, code)
        if code == 404 or provider == "NOT_FOUND":
            raise TransferNotFound(payout_no)
        raise self._retriable(provider)

    # --- helpers

    def _request(self, what: str, path: str, method: RequestType, data: dict[str, Any] | None = None,
                 cipher: bool = False) -> tuple[int, Any]:
        try:
            return self.client._core.request(path, method=method, data=data, cipher_data=cipher)
        except Exception as exc:  # network, timeout, or an answer whose signature doesn't verify
            log.warning("wechat transfer %s failed: %s", what, exc)
            raise IntegrationError("payout_channel_unavailable", "微信转账暂时不可用，稍后将自动重试",
                                   provider_code=type(exc).__name__) from exc

    @staticmethod
    def _retriable(provider: str) -> IntegrationError:
        # SYSTEM_ERROR, FREQUENCY_LIMITED, 5xx and anything new: the same number again later ("请勿更换商户单号").
        return IntegrationError("payout_channel_failed", "微信转账处理失败，稍后将自动重试", status=502,
                                provider_code=provider)

    @staticmethod
    def _bill_result(bill: dict[str, Any]) -> TransferResult:
        state = str(bill.get("state") or "")
        bill_no = bill.get("transfer_bill_no")
        provider_id = str(bill_no) if bill_no else None
        if state == "SUCCESS":
            return TransferResult("succeeded", provider_id=provider_id)
        if state in FAILED_STATES:
            reason = str(bill.get("fail_reason") or state)
            words = FAIL_REASONS.get(reason, "转账已撤销" if state == "CANCELLED" else "转账失败")
            return TransferResult("failed", provider_id=provider_id,
                                  failure_reason=f"微信转账失败：{words}（{reason}）", needs_new_number=True)
        if state in PROCESSING_STATES:
            package = bill.get("package_info") if state == "WAIT_USER_CONFIRM" else None
            return TransferResult("processing", provider_id=provider_id,
                                  package_info=str(package) if package else None)
        raise IntegrationError("payout_channel_failed", "微信转账返回了未知状态，稍后将重新查询", status=502,
                               provider_code=state or "UNKNOWN_STATE")


def _json(body: Any) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (TypeError, ValueError) as exc:
        raise IntegrationError("payout_channel_failed", "微信转账返回内容无法解析", status=502,
                               provider_code="BAD_RESPONSE") from exc
    if not isinstance(data, dict):
        raise IntegrationError("payout_channel_failed", "微信转账返回内容无法解析", status=502,
                               provider_code="BAD_RESPONSE")
    return data


def _code(body: Any, status: int) -> str:
    try:
        data = json.loads(body)
    except (TypeError, ValueError):
        return str(status)
    return str(data.get("code") or status) if isinstance(data, dict) else str(status)
