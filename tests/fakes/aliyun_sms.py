"""A loopback fake of Aliyun SMS (dysmsapi 2017-05-25 SendSms) as alibabacloud-dysmsapi20170525 4.6.0 calls it.

The 4.6.0 SDK (alibabacloud-tea-openapi `do_request`) uses the V3 signature: RPC parameters in the
query string of a POST, `x-acs-action` / `x-acs-version` / `x-acs-date` / `x-acs-signature-nonce` /
`x-acs-content-sha256` headers and

    Authorization: ACS3-HMAC-SHA256 Credential=<AccessKeyId>,SignedHeaders=<h1;h2...>,Signature=<hex>

This fake recomputes that signature with the AccessKey secret it was given and answers like the
service: HTTP 4xx `{"RequestId","HostId","Code","Message","Recommend"}` for signature/credential
problems (SignatureDoesNotMatch, InvalidAccessKeyId.NotFound, SignatureNonceUsed,
InvalidTimeStamp.Expired, ...), HTTP 200 `{"Code","Message","BizId","RequestId"}` for SendSms,
with `Code` "OK" or an `isv.*` business code. By default it enforces the service's one-message-per-
minute limit per number (isv.BUSINESS_LIMIT_CONTROL) and rejects malformed numbers
(isv.MOBILE_NUMBER_ILLEGAL); `fail_phone` programs any other answer.

    with FakeAliyunSms() as sms:
        sender = AliyunSmsSender(access_key_id=sms.access_key_id, access_key_secret=sms.access_key_secret,
                                 sign_name=sms.sign_name, template_code=sms.template_code, endpoint=sms.url)
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

from tests.fakes.loopback import LoopbackServer, RecordedRequest, Reply

HOST_ID = "dysmsapi.aliyuncs.com"
DEFAULT_ACCESS_KEY_ID = "LTAI5tFakeAccessKeyId"
DEFAULT_ACCESS_KEY_SECRET = "fake-aliyun-access-key-secret"
_AUTH = re.compile(r"ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]+)")
# Every common header present must be signed (Aliyun V3 signature rules).
_MUST_SIGN = ("host", "x-acs-action", "x-acs-version", "x-acs-date", "x-acs-signature-nonce",
              "x-acs-content-sha256")
_MAX_SKEW_SECONDS = 15 * 60

# Messages as the service writes them.
BUSINESS_MESSAGES = {
    "OK": "OK",
    "isv.BUSINESS_LIMIT_CONTROL": "触发分钟级流控Permits:1",
    "isv.MOBILE_NUMBER_ILLEGAL": "非法手机号",
    "isv.SMS_SIGNATURE_ILLEGAL": "该账号下找不到对应签名",
    "isv.SMS_TEMPLATE_ILLEGAL": "该账号下找不到对应模板",
    "isv.INVALID_JSON_PARAM": "JSON参数不合法，只接受字符串值",
    "isv.AMOUNT_NOT_ENOUGH": "账户余额不足",
    "isv.DAY_LIMIT_CONTROL": "触发日发送限额",
}


@dataclass(frozen=True)
class SentSms:
    phone: str
    sign_name: str
    template_code: str
    template_param: dict[str, Any]
    biz_id: str


class FakeAliyunSms(LoopbackServer):
    thread_name = "fake-aliyun-sms"

    def __init__(self, *, access_key_id: str = DEFAULT_ACCESS_KEY_ID,
                 access_key_secret: str = DEFAULT_ACCESS_KEY_SECRET, sign_name: str = "演约",
                 template_code: str = "SMS_465900001", per_minute_limit: int | None = 1,
                 clock: Callable[[], float] = time.time):
        super().__init__()
        self.access_key_id = access_key_id
        self.access_key_secret = access_key_secret
        self.sign_name = sign_name
        self.template_code = template_code
        self.template_codes = {template_code}  # approved templates: the login code's, plus add_template()
        self.per_minute_limit = per_minute_limit
        self.clock = clock
        self.sent: list[SentSms] = []
        self._sent_at: dict[str, list[float]] = {}
        self._phone_failures: dict[str, str] = {}
        self._nonces: set[str] = set()
        self._http_failure: tuple[int, str, str] | None = None

    # --- programming the fake
    def add_template(self, code: str) -> None:
        """Another approved template (e.g. a notification's)."""
        self.template_codes.add(code)

    def fail_phone(self, phone: str, code: str) -> None:
        """Answer SendSms for `phone` with HTTP 200 and this business `Code` (e.g. isv.AMOUNT_NOT_ENOUGH)."""
        self._phone_failures[phone] = code

    def fail_http(self, status: int = 503, code: str = "ServiceUnavailable",
                  message: str = "The request has failed due to a temporary failure of the server.") -> None:
        """Answer every request (after signature checks) with an HTTP error, like an outage."""
        self._http_failure = (status, code, message)

    # --- the protocol
    def handle(self, request: RecordedRequest) -> Reply:
        headers = {k.lower(): v for k, v in request.headers}
        parts = urlsplit(request.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))

        rejected = self._check_signature(request.method, parts.path or "/", query, request, headers)
        if rejected:
            return rejected
        if self._http_failure:
            return _error(*self._http_failure)
        action, version = headers.get("x-acs-action"), headers.get("x-acs-version")
        if action != "SendSms" or version != "2017-05-25":
            return _error(404, "InvalidAction.NotFound",
                          "Specified api is not found, please check your url and method.")
        return self._send_sms(query)

    def _check_signature(self, method: str, path: str, query: dict[str, str], request: RecordedRequest,
                         headers: dict[str, str]) -> Reply | None:
        authorization = headers.get("authorization")
        if not authorization:
            return _error(400, "MissingAuthorization", "Authorization is mandatory for this action.")
        match = _AUTH.fullmatch(authorization.strip())
        if not match:
            return _error(400, "IncompleteSignature", "The request signature does not conform to Aliyun standards.")
        access_key_id, signed_header_list, signature = match.groups()
        if access_key_id != self.access_key_id:
            return _error(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
        signed = signed_header_list.split(";")
        if signed != sorted(signed) or any(name not in signed for name in _MUST_SIGN):
            return _error(400, "IncompleteSignature", "The request signature does not conform to Aliyun standards.")
        if any(name not in headers for name in signed):
            return _error(400, "IncompleteSignature", "A signed header is missing from the request.")

        payload_hash = hashlib.sha256(request.body).hexdigest()
        canonical_headers = "".join(f"{name}:{headers[name].strip()}\n" for name in signed)
        canonical_query = "&".join(f"{_encode(k)}={_encode(query[k])}" for k in sorted(query))
        canonical_request = "\n".join([method, path, canonical_query, canonical_headers, signed_header_list,
                                       payload_hash])
        string_to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical_request.encode()).hexdigest()
        expected = hmac.new(self.access_key_secret.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()
        # The declared body hash is signed too, so a mismatch there is a signature mismatch.
        if not hmac.compare_digest(expected, signature) or headers["x-acs-content-sha256"] != payload_hash:
            return _error(400, "SignatureDoesNotMatch",
                          f"Specified signature does not match our calculation. server string to sign is:"
                          f"{string_to_sign}")

        try:
            sent_at = datetime.strptime(headers["x-acs-date"], "%Y-%m-%dT%H:%M:%S%z")
        except ValueError:
            return _error(400, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted.")
        if abs(sent_at.timestamp() - self.clock()) > _MAX_SKEW_SECONDS:
            return _error(400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.")
        nonce = headers["x-acs-signature-nonce"]
        if nonce in self._nonces:
            return _error(400, "SignatureNonceUsed", "Specified signature nonce was used already.")
        self._nonces.add(nonce)
        return None

    def _send_sms(self, query: dict[str, str]) -> Reply:
        for name in ("PhoneNumbers", "SignName", "TemplateCode"):
            if not query.get(name):
                return _error(400, f"Missing{name}", f"{name} is mandatory for this action.")
        phone = query["PhoneNumbers"]
        if phone in self._phone_failures:
            return _business(self._phone_failures[phone])
        if not re.fullmatch(r"(?:\+?86)?1[3-9]\d{9}", phone):
            return _business("isv.MOBILE_NUMBER_ILLEGAL")
        if query["SignName"] != self.sign_name:
            return _business("isv.SMS_SIGNATURE_ILLEGAL")
        if query["TemplateCode"] not in self.template_codes:
            return _business("isv.SMS_TEMPLATE_ILLEGAL")
        try:
            params = json.loads(query.get("TemplateParam") or "{}")
        except ValueError:
            return _business("isv.INVALID_JSON_PARAM")
        if not isinstance(params, dict) or not all(isinstance(v, str) for v in params.values()):
            return _business("isv.INVALID_JSON_PARAM")

        now = self.clock()
        recent = [t for t in self._sent_at.get(phone, []) if now - t < 60]
        if self.per_minute_limit is not None and len(recent) >= self.per_minute_limit:
            return _business("isv.BUSINESS_LIMIT_CONTROL")
        self._sent_at[phone] = [*recent, now]

        biz_id = f"{secrets.randbelow(10**18):018d}^0"
        self.sent.append(SentSms(phone, query["SignName"], query["TemplateCode"], params, biz_id))
        return _json(200, {"Code": "OK", "Message": "OK", "BizId": biz_id, "RequestId": _request_id()})


def _encode(value: str) -> str:
    return quote(value, safe="~")


def _request_id() -> str:
    return str(uuid.uuid4()).upper()


def _json(status: int, payload: dict[str, Any], request_id: str | None = None) -> Reply:
    return Reply(status, json.dumps(payload, ensure_ascii=False).encode(), "application/json;charset=utf-8",
                 (("x-acs-request-id", request_id or payload.get("RequestId", "")),))


def _business(code: str) -> Reply:
    return _json(200, {"Code": code, "Message": BUSINESS_MESSAGES.get(code, code), "RequestId": _request_id()})


def _error(status: int, code: str, message: str) -> Reply:
    request_id = _request_id()
    return _json(status, {
        "RequestId": request_id,
        "HostId": HOST_ID,
        "Code": code,
        "Message": message,
        "Recommend": f"https://api.aliyun.com/troubleshoot?q={code}&product=Dysmsapi",
    }, request_id)

