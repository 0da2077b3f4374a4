"""Tencent Cloud SMS (API 3.0, sms 2021-01-11 SendSms) through the official SDK (TC3-HMAC-SHA256).

A refusal arrives in one of two places: request-level problems (signature, SdkAppId, template,
sign name, QPS) as `Response.Error`, which the SDK raises as TencentCloudSDKException; per-number
problems (frequency limits, a malformed number) as `SendStatusSet[i].Code` in a normal answer.
Both are mapped the same way.
"""

from __future__ import annotations

import logging

from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.sms.v20210111 import models as sms_models
from tencentcloud.sms.v20210111 import sms_client

from integrations.errors import IntegrationError
from integrations.sms.common import (
    DropDebugRecords,
    install_log_filter,
    mask_phone,
    phone_invalid,
    rate_limited,
    split_endpoint,
    unavailable,
)

log = logging.getLogger(__name__)
# The SDK logs every request and response body (phone number, code) at DEBUG.
install_log_filter("tencentcloud_sdk_common", DropDebugRecords())

# Limits on one number: waiting helps, so the user is told to try later. The app-wide quotas
# (LimitExceeded.App*) are the platform's problem and stay "unavailable".
RATE_LIMIT_CODES = frozenset({
    "LimitExceeded.PhoneNumberThirtySecondLimit",
    "LimitExceeded.PhoneNumberOneHourLimit",
    "LimitExceeded.PhoneNumberDailyLimit",
    "LimitExceeded.PhoneNumberSameContentDailyLimit",
    "LimitExceeded.DeliveryFrequencyLimit",
})
PHONE_INVALID_CODES = frozenset({"InvalidParameterValue.IncorrectPhoneNumber"})

# SendSms needs a region; the SMS service answers the same from any of its regions.
SMS_REGION = "ap-guangzhou"


def _error_for(provider_code: str | None) -> IntegrationError:
    if provider_code in RATE_LIMIT_CODES:
        return rate_limited(provider_code)
    if provider_code in PHONE_INVALID_CODES:
        return phone_invalid(provider_code)
    return unavailable(provider_code)


class TencentSmsSender:
    name = "tencent"
    is_sandbox = False

    def __init__(self, *, secret_id: str, secret_key: str, sdk_app_id: str, sign_name: str, template_id: str,
                 endpoint: str = "sms.tencentcloudapi.com", timeout_seconds: int = 10):
        scheme, host = split_endpoint(endpoint)
        self._sdk_app_id = sdk_app_id
        self._sign_name = sign_name
        self._template_id = template_id
        profile = ClientProfile(httpProfile=HttpProfile(protocol=scheme, endpoint=host, reqMethod="POST",
                                                        reqTimeout=timeout_seconds))
        self._client = sms_client.SmsClient(credential.Credential(secret_id, secret_key), SMS_REGION, profile)

    def send_code(self, phone: str, code: str) -> None:
        self.send_template(phone, self._template_id, {"code": code})

    def send_template(self, phone: str, template: str, params: dict[str, str]) -> None:
        request = sms_models.SendSmsRequest()
        request.PhoneNumberSet = ["+86" + phone]
        request.SmsSdkAppId = self._sdk_app_id
        request.SignName = self._sign_name
        request.TemplateId = template
        request.TemplateParamSet = list(params.values())  # Tencent templates number their variables {1}, {2}...
        try:
            response = self._client.SendSms(request)
        except TencentCloudSDKException as exc:
            log.warning("腾讯云短信请求失败 phone=%s provider_code=%s request_id=%s", mask_phone(phone),
                        exc.code, exc.requestId)
            raise _error_for(exc.code) from exc
        except Exception as exc:  # anything else from the SDK or the network: the service is unreachable
            log.warning("腾讯云短信请求失败 phone=%s error=%s", mask_phone(phone), type(exc).__name__)
            raise unavailable(type(exc).__name__) from exc

        statuses = response.SendStatusSet or []
        if len(statuses) != 1:
            log.warning("腾讯云短信应答异常 phone=%s statuses=%d request_id=%s", mask_phone(phone),
                        len(statuses), response.RequestId)
            raise unavailable(None)
        status = statuses[0]
        if status.Code == "Ok":
            log.info("腾讯云短信已发送 phone=%s serial_no=%s", mask_phone(phone), status.SerialNo)
            return
        log.warning("腾讯云短信被拒绝 phone=%s provider_code=%s message=%s request_id=%s", mask_phone(phone),
                    status.Code, status.Message, response.RequestId)
        raise _error_for(status.Code)
