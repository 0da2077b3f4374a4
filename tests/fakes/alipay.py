"""A loopback fake of the Alipay OpenAPI gateway (gateway.do) for the calls the platform makes.

It checks each request's RSA2 signature (sorted `k=v` of every parameter but `sign`) with the app's public key,
answers `{"<method>_response": {...}, "sign": ...}` signed with Alipay's key over the exact response text (business
failures too: code 40004 with the real sub_codes ACQ.TRADE_NOT_EXIST, ACQ.SYSTEM_ERROR, ACQ.TRADE_HAS_CLOSE,
ACQ.TRADE_STATUS_ERROR …), and signs async notifications the way Alipay does (form fields, RSA2 over the sorted
pairs without sign and sign_type).

    with FakeAlipay() as ali:
        gateway = ali.gateway(notify_base_url="http://testserver")
        ali.open_cashier(pay_url)          # the payer opens the wap cashier
        body = ali.pay(order_id)           # ... and pays: the signed notification Alipay would POST
"""

from __future__ import annotations

import base64
import io
import json
import secrets
import zipfile
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from domain.payments.alipay import AlipayGateway, fen_to_yuan, yuan_to_fen
from domain.time import SHANGHAI, utc_now
from tests.fakes.loopback import LoopbackServer, RecordedRequest, Reply
from tests.fakes.wechatpay import new_key, private_pem, public_pem

APP_ID = "2021000123456789"
SELLER_ID = "2088102000000001"


def _sign(key: rsa.RSAPrivateKey, message: str) -> str:
    return base64.b64encode(key.sign(message.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()


def _beijing_now(offset: timedelta = timedelta()) -> str:
    return (utc_now() + offset).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


@dataclass
class FakeTrade:
    out_trade_no: str
    total: int
    subject: str
    trade_no: str
    status: str = "WAIT_BUYER_PAY"  # WAIT_BUYER_PAY / TRADE_SUCCESS / TRADE_CLOSED / TRADE_FINISHED
    paid_at: str = ""
    refunded: int = 0


class FakeAlipay(LoopbackServer):
    thread_name = "fake-alipay"

    def __init__(self) -> None:
        super().__init__()
        self.app_key, self.alipay_key = new_key(), new_key()
        self.trades: dict[str, FakeTrade] = {}
        self.refunds: dict[tuple[str, str], int] = {}  # (out_trade_no, out_request_no) -> fen
        self.failures: dict[str, list[str]] = {}

    @property
    def gateway_url(self) -> str:
        return f"{self.url}/gateway.do"

    def gateway(self, notify_base_url: str = "http://testserver") -> AlipayGateway:
        return AlipayGateway(app_id=APP_ID, app_private_key=private_pem(self.app_key),
                             alipay_public_key=public_pem(self.alipay_key), notify_base_url=notify_base_url,
                             gateway_url=self.gateway_url)

    def fail(self, method: str, *sub_codes: str) -> None:
        """The next calls of `method` (alipay.trade.query …) answer these sub_codes."""
        with self.lock:
            self.failures.setdefault(method, []).extend(sub_codes)

    # --- the payer and the gateway's notifications
    def open_cashier(self, pay_url: str) -> FakeTrade:
        """The payer opens the wap cashier link: its signature is checked and the trade exists from now on."""
        params = dict(parse_qsl(urlsplit(pay_url).query))
        assert self._verified(params), "the pay URL's signature does not verify"
        biz = json.loads(params["biz_content"])
        assert params["method"] == "alipay.trade.wap.pay" and biz["product_code"] == "QUICK_WAP_PAY"
        with self.lock:
            return self.trades.setdefault(biz["out_trade_no"], FakeTrade(
                biz["out_trade_no"], yuan_to_fen(biz["total_amount"]), biz["subject"], self._trade_no()))

    def pay(self, out_trade_no: str, **kwargs: Any) -> bytes:
        with self.lock:
            trade = self.trades[out_trade_no]
            if trade.status == "WAIT_BUYER_PAY":
                trade.status, trade.paid_at = "TRADE_SUCCESS", _beijing_now()
        return self.payment_notification(out_trade_no, **kwargs)

    def payment_notification(self, out_trade_no: str, *, notify_id: str | None = None,
                             notify_offset: timedelta = timedelta(), key: rsa.RSAPrivateKey | None = None,
                             **overrides: str) -> bytes:
        trade = self.trades[out_trade_no]
        fields = {"notify_time": _beijing_now(notify_offset), "notify_type": "trade_status_sync",
                  "notify_id": notify_id or secrets.token_hex(16), "app_id": APP_ID, "charset": "utf-8",
                  "version": "1.0", "trade_no": trade.trade_no, "out_trade_no": trade.out_trade_no,
                  "trade_status": trade.status, "total_amount": fen_to_yuan(trade.total),
                  "receipt_amount": fen_to_yuan(trade.total), "buyer_id": "2088102177846880", "seller_id": SELLER_ID,
                  "subject": trade.subject, "gmt_create": trade.paid_at, "gmt_payment": trade.paid_at}
        fields.update(overrides)
        return self.signed_form(fields, key=key)

    def refund_notification(self, out_trade_no: str, out_request_no: str) -> bytes:
        trade = self.trades[out_trade_no]
        return self.signed_form({
            "notify_time": _beijing_now(), "notify_type": "trade_status_sync", "notify_id": secrets.token_hex(16),
            "app_id": APP_ID, "charset": "utf-8", "version": "1.0", "trade_no": trade.trade_no,
            "out_trade_no": out_trade_no, "out_biz_no": out_request_no, "trade_status": trade.status,
            "total_amount": fen_to_yuan(trade.total), "refund_fee": fen_to_yuan(trade.refunded),
            "gmt_refund": _beijing_now() + ".000", "gmt_payment": trade.paid_at})

    def signed_form(self, fields: dict[str, str], *, key: rsa.RSAPrivateKey | None = None) -> bytes:
        message = "&".join(f"{k}={v}" for k, v in sorted(fields.items()))
        return urlencode({**fields, "sign_type": "RSA2", "sign": _sign(key or self.alipay_key, message)}).encode()

    # --- the server
    def _trade_no(self) -> str:
        return utc_now().astimezone(SHANGHAI).strftime("%Y%m%d") + "2200" + secrets.token_hex(8)

    def _verified(self, params: dict[str, str]) -> bool:
        signature = params.get("sign", "")
        message = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k != "sign")
        try:
            self.app_key.public_key().verify(base64.b64decode(signature), message.encode(), padding.PKCS1v15(),
                                             hashes.SHA256())
        except Exception:
            return False
        return params.get("app_id") == APP_ID and params.get("sign_type") == "RSA2"

    def _answer(self, method: str, payload: dict[str, Any]) -> Reply:
        content = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        key = method.replace(".", "_") + "_response"
        text = f'{{"{key}":{content},"sign":"{_sign(self.alipay_key, content)}"}}'
        return Reply(200, text.encode(), "application/json;charset=utf-8")

    def _failed(self, method: str, sub_code: str) -> Reply:
        messages = {"ACQ.TRADE_NOT_EXIST": "交易不存在", "ACQ.SYSTEM_ERROR": "系统错误",
                    "ACQ.TRADE_HAS_CLOSE": "交易已经关闭", "ACQ.TRADE_STATUS_ERROR": "交易状态不合法",
                    "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL": "退款金额超限", "ACQ.SELLER_BALANCE_NOT_ENOUGH": "卖家余额不足"}
        code = "20000" if sub_code == "ACQ.SYSTEM_ERROR" else "40004"
        return self._answer(method, {"code": code, "msg": "Business Failed", "sub_code": sub_code,
                                     "sub_msg": messages.get(sub_code, sub_code)})

    def handle(self, request: RecordedRequest) -> Reply:
        url = urlsplit(request.path)
        if url.path == "/bill.zip":
            return self._bill()
        params = dict(parse_qsl(url.query))
        method = params.get("method", "")
        if not self._verified(params):
            text = json.dumps({"error_response": {"code": "40002", "msg": "Invalid Arguments",
                                                  "sub_code": "isv.invalid-signature", "sub_msg": "验签出错"}})
            return Reply(200, text.encode(), "application/json;charset=utf-8")
        queued = self.failures.get(method)
        if queued:
            return self._failed(method, queued.pop(0))
        biz = json.loads(params.get("biz_content") or "{}")
        trade = self.trades.get(biz.get("out_trade_no", ""))
        ok = {"code": "10000", "msg": "Success"}
        if method == "alipay.trade.create":
            if trade is None:
                trade = self.trades[biz["out_trade_no"]] = FakeTrade(
                    biz["out_trade_no"], yuan_to_fen(biz["total_amount"]), biz["subject"], self._trade_no())
            return self._answer(method, {**ok, "out_trade_no": trade.out_trade_no, "trade_no": trade.trade_no})
        if method == "alipay.data.dataservice.bill.downloadurl.query":
            return self._answer(method, {**ok, "bill_download_url": f"{self.url}/bill.zip?date={biz['bill_date']}"})
        if trade is None:
            return self._failed(method, "ACQ.TRADE_NOT_EXIST")
        if method == "alipay.trade.query":
            answer = {**ok, "trade_no": trade.trade_no, "out_trade_no": trade.out_trade_no,
                      "trade_status": trade.status, "total_amount": fen_to_yuan(trade.total),
                      "buyer_logon_id": "159****5620"}
            if trade.paid_at:
                answer["send_pay_date"] = trade.paid_at
            return self._answer(method, answer)
        if method == "alipay.trade.close":
            if trade.status == "TRADE_SUCCESS":
                return self._failed(method, "ACQ.TRADE_STATUS_ERROR")
            trade.status = "TRADE_CLOSED"
            return self._answer(method, {**ok, "trade_no": trade.trade_no, "out_trade_no": trade.out_trade_no})
        if method == "alipay.trade.refund":
            if trade.status == "TRADE_CLOSED":
                return self._failed(method, "ACQ.TRADE_HAS_CLOSE")
            if trade.status != "TRADE_SUCCESS":
                return self._failed(method, "ACQ.TRADE_STATUS_ERROR")
            amount, key = yuan_to_fen(biz["refund_amount"]), (trade.out_trade_no, biz.get("out_request_no", ""))
            change = "N"
            if key not in self.refunds:
                if trade.refunded + amount > trade.total:
                    return self._failed(method, "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL")
                self.refunds[key], change = amount, "Y"
                trade.refunded += amount
            return self._answer(method, {**ok, "trade_no": trade.trade_no, "out_trade_no": trade.out_trade_no,
                                         "fund_change": change, "refund_fee": fen_to_yuan(trade.refunded),
                                         "buyer_logon_id": "159****5620"})
        if method == "alipay.trade.fastpay.refund.query":
            key = (trade.out_trade_no, biz["out_request_no"])
            if key not in self.refunds:
                return self._answer(method, {**ok})  # Alipay: success without the refund's fields
            return self._answer(method, {**ok, "trade_no": trade.trade_no, "out_trade_no": trade.out_trade_no,
                                         "out_request_no": key[1], "refund_amount": fen_to_yuan(self.refunds[key]),
                                         "total_amount": fen_to_yuan(trade.total), "refund_status": "REFUND_SUCCESS"})
        return self._failed(method, "ACQ.INVALID_PARAMETER")

    def _bill(self) -> Reply:
        header = ",".join((
            "支付宝交易号", "商户订单号", "业务类型", "商品名称", "创建时间", "完成时间", "门店编号", "门店名称",
            "操作员", "终端号", "对方账户", "订单金额（元）", "商家实收（元）", "支付宝红包（元）", "集分宝（元）",
            "支付宝优惠（元）",
            "商家优惠（元）", "券核销金额（元）", "券名称", "商家红包消费金额（元）", "卡消费金额（元）",
            "退款批次号/请求号", "服务费（元）", "分润（元）", "备注"))
        rows = ["#支付宝业务明细查询", f"#账号：[{SELLER_ID}]", header]
        for t in self.trades.values():
            if t.paid_at:
                rows.append(",".join((t.trade_no, t.out_trade_no, "交易", t.subject, t.paid_at, t.paid_at, "", "", "",
                                      "", "159****5620", fen_to_yuan(t.total), fen_to_yuan(t.total), "0.00", "0.00",
                                      "0.00", "0.00", "0.00", "", "0.00", "0.00", "",
                                      "-" + fen_to_yuan(round(t.total * 0.006)), "0.00", "")))
        for (out_trade_no, request_no), amount in self.refunds.items():
            t = self.trades[out_trade_no]
            rows.append(",".join((t.trade_no, out_trade_no, "退款", t.subject, t.paid_at, _beijing_now(), "", "", "",
                                  "", "159****5620", "-" + fen_to_yuan(amount), "-" + fen_to_yuan(amount), "0.00",
                                  "0.00", "0.00", "0.00", "0.00", "", "0.00", "0.00", request_no,
                                  fen_to_yuan(round(amount * 0.006)), "0.00", "")))
        rows.append("#业务明细列表结束")
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w") as z:
            z.writestr(f"{SELLER_ID}_业务明细.csv", ("\n".join(rows) + "\n").encode("gbk"))
        return Reply(200, archive.getvalue(), "application/zip")
