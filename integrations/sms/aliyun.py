"""Aliyun SMS (dysmsapi 2017-05-25 SendSms) through the official SDK.

The SDK signs with ACS3-HMAC-SHA256 (Authorization header). Business refusals such as
`isv.BUSINESS_LIMIT_CONTROL` come back as HTTP 200 with a `Code` other than "OK"; signature,
credential and server failures come back as HTTP 4xx/5xx and surface as SDK exceptions.
"""

from __future__ import annotations

import json
import logging

from alibabacloud_dysmsapi20170525 import models as dysms_models
from alibabacloud_dysmsapi20170525.client import Client as DysmsClient
from alibabacloud_tea_openapi import utils_models as open_api_models

from integrations.sms.common import (
    RedactQueryStrings,
    install_log_filter,
    mask_phone,
    phone_invalid,
    rate_limited,
    split_endpoint,
    unavailable,
)

log = logging.getLogger(__name__)
# The SDK sends SendSms parameters (phone number, code) in the query string, which urllib3 logs at DEBUG.
install_log_filter("urllib3.connectionpool", RedactQueryStrings())

# https://help.aliyun.com/document_detail/101346.html
RATE_LIMIT_CODES = frozenset({"isv.BUSINESS_LIMIT_CONTROL"})
PHONE_INVALID_CODES = frozenset({"isv.MOBILE_NUMBER_ILLEGAL"})


class AliyunSmsSender:
    name = "aliyun"
    is_sandbox = False

    def __init__(self, *, access_key_id: str, access_key_secret: str, sign_name: str, template_code: str,
                 endpoint: str = "dysmsapi.aliyuncs.com", connect_timeout_ms: int = 5000,
                 read_timeout_ms: int = 10000):
        scheme, host = split_endpoint(endpoint)
        self._sign_name = sign_name
        self._template_code = template_code
        self._client = DysmsClient(open_api_models.Config(
            access_key_id=access_key_id,
            access_key_secret=access_key_secret,
            endpoint=host,
            protocol=scheme,
            connect_timeout=connect_timeout_ms,
            read_timeout=read_timeout_ms,
        ))

    def send_code(self, phone: str, code: str) -> None:
        self.send_template(phone, self._template_code, {"code": code})

    def send_template(self, phone: str, template: str, params: dict[str, str]) -> None:
        request = dysms_models.SendSmsRequest(
            phone_numbers=phone,
            sign_name=self._sign_name,
            template_code=template,
            template_param=json.dumps(params, ensure_ascii=False),
        )
        try:
            response = self._client.send_sms(request)
        except Exception as exc:  # the SDK raises HTTP, network and its own exception types alike
            provider_code = getattr(exc, "code", None) or type(exc).__name__
            log.warning("阿里云短信请求失败 phone=%s provider_code=%s", mask_phone(phone), provider_code)
            raise unavailable(str(provider_code)) from exc

        body = response.body
        result_code = body.code if body is not None else None
        if result_code == "OK":
            log.info("阿里云短信已发送 phone=%s biz_id=%s", mask_phone(phone), body.biz_id)
            return
        log.warning("阿里云短信被拒绝 phone=%s provider_code=%s message=%s request_id=%s", mask_phone(phone),
                    result_code, getattr(body, "message", None), getattr(body, "request_id", None))
        if result_code in RATE_LIMIT_CODES:
            raise rate_limited(result_code)
        if result_code in PHONE_INVALID_CODES:
            raise phone_invalid(result_code)
        raise unavailable(result_code)
