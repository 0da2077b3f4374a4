"""A loopback fake of Tencent Cloud API 3.0 serving sms SendSms (2021-01-11) and faceid IdCardVerification
(2018-03-01), as tencentcloud-sdk-python calls them: POST / with a JSON body, `X-TC-Action`,
`X-TC-Version`, `X-TC-Timestamp`, `X-TC-Region` headers and

    Authorization: TC3-HMAC-SHA256 Credential=<SecretId>/<date>/<service>/tc3_request,
                   SignedHeaders=content-type;host, Signature=<hex>

It recomputes the TC3 signature with the SecretKey it was given. Every answer is HTTP 200 with
`Content-Type: application/json` (the SDK only parses errors under that exact type):
`{"Response": {..., "RequestId"}}`, or `{"Response": {"Error": {"Code", "Message"}, "RequestId"}}`
with the documented codes (AuthFailure.SignatureFailure, AuthFailure.SecretIdNotFound,
AuthFailure.SignatureExpire, FailedOperation.*, ...).

SendSms puts per-number outcomes in `SendStatusSet` ("Ok", LimitExceeded.PhoneNumberThirtySecondLimit
on a second message to one number within 30 s, InvalidParameterValue.IncorrectPhoneNumber for a
malformed number). IdCardVerification answers from a small register of people: `Result` "0" when
the name matches, "-1" when it does not, "-2"/"-3" for a malformed number/name, "-5" for an unknown
number; `force_idcard_result` programs -4/-6/-7 and the rest.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from tests.fakes.loopback import LoopbackServer, RecordedRequest, Reply

_AUTH = re.compile(r"TC3-HMAC-SHA256 Credential=([^/]+)/(\d{4}-\d{2}-\d{2})/([a-z]+)/tc3_request, "
                   r"SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})")
_MAX_SKEW_SECONDS = 5 * 60
DEFAULT_SECRET_ID = "AKIDFakeTencentSecretId0123456789"
DEFAULT_SECRET_KEY = "fake-tencent-secret-key-0123456789"

# action -> (service, version)
ACTIONS = {"SendSms": ("sms", "2021-01-11"), "IdCardVerification": ("faceid", "2018-03-01")}

SMS_MESSAGES = {
    "Ok": "send success",
    "LimitExceeded.PhoneNumberThirtySecondLimit": "单个手机号30秒内下发短信条数超过设定的上限",
    "LimitExceeded.PhoneNumberOneHourLimit": "单个手机号1小时内下发短信条数超过设定的上限",
    "LimitExceeded.PhoneNumberDailyLimit": "单个手机号日下发短信条数超过设定的上限",
    "InvalidParameterValue.IncorrectPhoneNumber": "手机号格式错误",
    "FailedOperation.PhoneNumberInBlacklist": "手机号在免打扰名单库中",
    "FailedOperation.InsufficientBalanceInSmsPackage": "套餐包余量不足",
    "InternalError.Timeout": "请求下发短信超时",
}

IDCARD_DESCRIPTIONS = {
    "0": "姓名和身份证号一致",
    "-1": "姓名和身份证号不一致",
    "-2": "非法身份证号（长度、校验位等不正确）",
    "-3": "非法姓名（长度、格式等不正确）",
    "-4": "证件库服务异常",
    "-5": "证件库中无此身份证记录",
    "-6": "权威比对系统升级中，请稍后再试",
    "-7": "认证次数超过当日限制",
}


@dataclass(frozen=True)
class SentSms:
    phone: str  # as sent, E.164 (+86...)
    sdk_app_id: str
    sign_name: str
    template_id: str
    template_params: list[str]
    region: str | None


class FakeTencentCloud(LoopbackServer):
    thread_name = "fake-tencent-cloud"

    def __init__(self, *, secret_id: str = DEFAULT_SECRET_ID, secret_key: str = DEFAULT_SECRET_KEY,
                 sms_sdk_app_id: str = "1400000001",
                 sms_sign_name: str = "演约", sms_template_id: str = "2000001",
                 identities: dict[str, str] | None = None, clock: Callable[[], float] = time.time):
        super().__init__()
        self.secret_id = secret_id
        self.secret_key = secret_key
        self.sms_sdk_app_id = sms_sdk_app_id
        self.sms_sign_name = sms_sign_name
        self.sms_template_id = sms_template_id
        self.sms_template_ids = {sms_template_id}  # approved templates: the login code's, plus add_sms_template()
        self.identities: dict[str, str] = dict(identities or {})  # id number -> legal name
        self.clock = clock
        self.sent_sms: list[SentSms] = []
        self.idcard_checks: list[tuple[str, str]] = []  # (id number, name) as received
        self._last_sms_at: dict[str, float] = {}
        self._phone_failures: dict[str, tuple[str, bool]] = {}
        self._action_failures: dict[str, tuple[str, str]] = {}
        self._forced_results: dict[str, str] = {}

    # --- programming the fake
    def add_sms_template(self, template_id: str) -> None:
        self.sms_template_ids.add(template_id)

    def fail_phone(self, phone: str, code: str, *, top_level: bool = False) -> None:
        """SendSms to `phone` (E.164, +86...) fails with `code`: in SendStatusSet, or as Response.Error."""
        self._phone_failures[phone] = (code, top_level)

    def fail_action(self, action: str, code: str, message: str = "内部错误") -> None:
        """Every call of `action` (after the signature check) answers Response.Error with `code`."""
        self._action_failures[action] = (code, message)

    def register_identity(self, name: str, id_number: str) -> None:
        self.identities[id_number] = name

    def force_idcard_result(self, id_number: str, result: str) -> None:
        self._forced_results[id_number] = result

    # --- the protocol
    def handle(self, request: RecordedRequest) -> Reply:
        headers = {k.lower(): v for k, v in request.headers}
        request_id = str(uuid.uuid4())
        action = headers.get("x-tc-action", "")
        if action not in ACTIONS:
            return _error("InvalidAction", f"Action `{action}` is not valid in this version.", request_id)
        service, version = ACTIONS[action]

        rejected = self._check_signature(request, headers, service)
        if rejected:
            return _error(*rejected, request_id)
        if headers.get("x-tc-version") != version:
            return _error("NoSuchVersion", f"The requested version `{headers.get('x-tc-version')}` "
                          f"of API `{action}` does not exist.", request_id)
        if action in self._action_failures:
            return _error(*self._action_failures[action], request_id)
        try:
            params = json.loads(request.body or b"{}")
        except ValueError:
            return _error("InvalidParameter", "请求体不是合法的JSON。", request_id)
        if action == "SendSms":
            return self._send_sms(params, headers.get("x-tc-region"), request_id)
        return self._id_card_verification(params, request_id)

    def _check_signature(self, request: RecordedRequest, headers: dict[str, str],
                         service: str) -> tuple[str, str] | None:
        match = _AUTH.fullmatch(headers.get("authorization", "").strip())
        if not match:
            return "AuthFailure.InvalidAuthorization", "Authorization 格式不正确。"
        secret_id, scope_date, scope_service, signed_header_list, signature = match.groups()
        if secret_id != self.secret_id:
            return ("AuthFailure.SecretIdNotFound",
                    "The SecretId is not found, please ensure that your SecretId is correct.")
        signed = signed_header_list.split(";")
        if "content-type" not in signed or "host" not in signed or any(h not in headers for h in signed):
            return "AuthFailure.InvalidAuthorization", "SignedHeaders 必须包含 content-type 和 host。"
        try:
            timestamp = int(headers.get("x-tc-timestamp", ""))
        except ValueError:
            return "AuthFailure.InvalidAuthorization", "X-TC-Timestamp 不正确。"
        if abs(timestamp - self.clock()) > _MAX_SKEW_SECONDS:
            return ("AuthFailure.SignatureExpire",
                    "Signature expired. Timestamp and server time cannot exceed five minutes.")

        canonical_headers = "".join(f"{h}:{headers[h].strip().lower()}\n" for h in signed)
        query = request.path.split("?", 1)[1] if "?" in request.path else ""
        canonical_request = "\n".join([request.method, "/", query,
                                       canonical_headers, signed_header_list,
                                       hashlib.sha256(request.body).hexdigest()])
        credential_scope = f"{scope_date}/{scope_service}/tc3_request"
        string_to_sign = "\n".join(["TC3-HMAC-SHA256", str(timestamp), credential_scope,
                                    hashlib.sha256(canonical_request.encode()).hexdigest()])
        expected = _tc3_signature(self.secret_key, scope_date, scope_service, string_to_sign)
        # The scope must name this service and the UTC day of the timestamp, else the key is wrong.
        day = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
        if not hmac.compare_digest(expected, signature) or scope_service != service or scope_date != day:
            return ("AuthFailure.SignatureFailure",
                    "The provided credentials could not be validated. Please check your signature is correct.")
        return None

    def _send_sms(self, params: dict[str, Any], region: str | None, request_id: str) -> Reply:
        if not region:
            return _error("MissingParameter", "The request is missing a required parameter `Region`.", request_id)
        phones = params.get("PhoneNumberSet") or []
        if not phones:
            return _error("MissingParameter.EmptyPhoneNumberSet", "传入的号码列表为空。", request_id)
        if params.get("SmsSdkAppId") != self.sms_sdk_app_id:
            return _error("InvalidParameterValue.SdkAppIdNotExist", "SdkAppId不存在。", request_id)
        if params.get("SignName") != self.sms_sign_name:
            return _error("FailedOperation.SignatureIncorrectOrUnapproved", "签名未审批或格式错误。", request_id)
        if params.get("TemplateId") not in self.sms_template_ids:
            return _error("FailedOperation.TemplateIncorrectOrUnapproved", "模板未审批或内容不匹配。", request_id)
        for phone in phones:
            failure = self._phone_failures.get(phone)
            if failure and failure[1]:
                return _error(failure[0], SMS_MESSAGES.get(failure[0], failure[0]), request_id)

        statuses = [self._deliver(phone, params, region) for phone in phones]
        return _ok({"SendStatusSet": statuses}, request_id)

    def _deliver(self, phone: str, params: dict[str, Any], region: str) -> dict[str, Any]:
        failure = self._phone_failures.get(phone)
        now = self.clock()
        if failure:
            code = failure[0]
        elif not re.fullmatch(r"\+861[3-9]\d{9}", phone):
            code = "InvalidParameterValue.IncorrectPhoneNumber"
        elif now - self._last_sms_at.get(phone, float("-inf")) < 30:
            code = "LimitExceeded.PhoneNumberThirtySecondLimit"
        else:
            code = "Ok"
        status = {"SerialNo": "", "PhoneNumber": phone, "Fee": 0, "SessionContext": "", "Code": code,
                  "Message": SMS_MESSAGES.get(code, code), "IsoCode": "CN"}
        if code == "Ok":
            self._last_sms_at[phone] = now
            status.update(SerialNo=f"2433:{uuid.uuid4().int % 10**30:030d}", Fee=1)
            self.sent_sms.append(SentSms(phone, params["SmsSdkAppId"], params["SignName"], params["TemplateId"],
                                         list(params.get("TemplateParamSet") or []), region))
        return status

    def _id_card_verification(self, params: dict[str, Any], request_id: str) -> Reply:
        id_number, name = params.get("IdCard"), params.get("Name")
        if not id_number or not name:
            return _error("InvalidParameter", "参数错误：IdCard 和 Name 均为必填。", request_id)
        self.idcard_checks.append((id_number, name))
        if id_number in self._forced_results:
            result = self._forced_results[id_number]
        elif not _valid_id_number(id_number):
            result = "-2"
        elif not re.fullmatch(r"[\u3400-\u9fff·]{2,20}", name):
            result = "-3"
        elif id_number not in self.identities:
            result = "-5"
        else:
            result = "0" if self.identities[id_number] == name else "-1"
        return _ok({"Result": result, "Description": IDCARD_DESCRIPTIONS.get(result, "")}, request_id)


def _tc3_signature(secret_key: str, day: str, service: str, string_to_sign: str) -> str:
    def sign(key: bytes, message: str) -> bytes:
        return hmac.new(key, message.encode(), hashlib.sha256).digest()

    signing_key = sign(sign(sign(("TC3" + secret_key).encode(), day), service), "tc3_request")
    return hmac.new(signing_key, string_to_sign.encode(), hashlib.sha256).hexdigest()


def _valid_id_number(value: str) -> bool:
    """The authority's own format check (kept independent of the code under test)."""
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return False
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    weights = [2 ** (17 - i) % 11 for i in range(17)]
    total = sum(int(d) * w for d, w in zip(value[:17], weights, strict=True))
    return "10X98765432"[total % 11] == value[17]


def _ok(payload: dict[str, Any], request_id: str) -> Reply:
    return _json({"Response": {**payload, "RequestId": request_id}})


def _error(code: str, message: str, request_id: str) -> Reply:
    return _json({"Response": {"Error": {"Code": code, "Message": message}, "RequestId": request_id}})


def _json(payload: dict[str, Any]) -> Reply:
    # Exactly "application/json": the SDK ignores errors under any other content type.
    return Reply(200, json.dumps(payload, ensure_ascii=False).encode(), "application/json")
