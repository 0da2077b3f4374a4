"""Tencent Cloud 人脸核身 IdCardVerification (faceid 2018-03-01): name + ID number (二要素) through the SDK.

`Result` codes, from the API reference (also in the SDK's IdCardVerificationResponse docstring):
   0 姓名和身份证号一致            -1 姓名和身份证号不一致 (both charged)
  -2 非法身份证号                  -3 非法姓名
  -4 证件库服务异常                -5 证件库中无此身份证记录
  -6 权威比对系统升级中，请稍后再试   -7 认证次数超过当日限制
0/-1/-2/-3/-5 are answers about the person; -4/-6 are outages worth retrying; -7 is a daily quota.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.faceid.v20180301 import faceid_client
from tencentcloud.faceid.v20180301 import models as faceid_models

from integrations.errors import IntegrationError
from integrations.realname.base import RealNameResult
from integrations.realname.idcard import (
    ID_INVALID_REASON,
    NAME_INVALID_REASON,
    mask_id_number,
    normalize_id_number,
    validate_id_number,
)

log = logging.getLogger(__name__)


class _DropDebugRecords(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


# The SDK logs every request body (name and ID number in clear) at DEBUG: never let those records out.
_sdk_logger = logging.getLogger("tencentcloud_sdk_common")
if not any(isinstance(f, _DropDebugRecords) for f in _sdk_logger.filters):
    _sdk_logger.addFilter(_DropDebugRecords())

DEFINITE_RESULTS: dict[str, str | None] = {
    "0": None,
    "-1": "姓名和身份证号不一致",
    "-2": ID_INVALID_REASON,
    "-3": NAME_INVALID_REASON,
    "-5": "证件库中无此身份证记录，请到户籍所在地核实",
}
DAILY_LIMIT_RESULTS = frozenset({"-7"})
DAILY_LIMIT_ERRORS = frozenset({"FailedOperation.IdentityAuthLimitExceeded"})


def unavailable(provider_code: str | None) -> IntegrationError:
    return IntegrationError("realname_unavailable", "实名核验服务暂时不可用，请稍后重试", status=503,
                            provider_code=provider_code)


def daily_limit(provider_code: str | None) -> IntegrationError:
    return IntegrationError("realname_rate_limited", "今日实名核验次数已达上限，请明天再试", status=429,
                            provider_code=provider_code)


def _split_endpoint(endpoint: str) -> tuple[str, str]:
    """Same rule as the SMS adapters: https by default, plain http only for a loopback fake."""
    if "://" not in endpoint:
        return "https", endpoint.strip("/")
    parts = urlsplit(endpoint)
    host = parts.hostname or ""
    if parts.scheme == "https" or (parts.scheme == "http" and host in ("127.0.0.1", "localhost", "::1")):
        return parts.scheme, parts.netloc
    raise ValueError(f"unsupported endpoint {endpoint!r}: use https, or http on loopback")


class TencentRealNameChecker:
    name = "tencent"
    is_sandbox = False

    def __init__(self, *, secret_id: str, secret_key: str, endpoint: str = "faceid.tencentcloudapi.com",
                 timeout_seconds: int = 10):
        scheme, host = _split_endpoint(endpoint)
        profile = ClientProfile(httpProfile=HttpProfile(protocol=scheme, endpoint=host, reqMethod="POST",
                                                        reqTimeout=timeout_seconds))
        # IdCardVerification takes no region.
        self._client = faceid_client.FaceidClient(credential.Credential(secret_id, secret_key), "", profile)

    def check(self, legal_name: str, id_number: str) -> RealNameResult:
        id_number = normalize_id_number(id_number)
        legal_name = legal_name.strip()
        masked = mask_id_number(id_number)
        if not validate_id_number(id_number):
            # A wrong check digit needs no paid look-up.
            return RealNameResult(verified=False, reason=ID_INVALID_REASON)

        request = faceid_models.IdCardVerificationRequest()
        request.IdCard = id_number
        request.Name = legal_name
        try:
            response = self._client.IdCardVerification(request)
        except TencentCloudSDKException as exc:
            log.warning("腾讯云实名核验请求失败 id=%s provider_code=%s request_id=%s", masked, exc.code,
                        exc.requestId)
            if exc.code in DAILY_LIMIT_ERRORS:
                raise daily_limit(exc.code) from exc
            raise unavailable(exc.code) from exc
        except Exception as exc:  # network or SDK failure: the service is unreachable, try again later
            log.warning("腾讯云实名核验请求失败 id=%s error=%s", masked, type(exc).__name__)
            raise unavailable(type(exc).__name__) from exc

        result = str(response.Result)
        log.info("腾讯云实名核验 id=%s result=%s request_id=%s", masked, result, response.RequestId)
        if result in DEFINITE_RESULTS:
            return RealNameResult(verified=result == "0", reason=DEFINITE_RESULTS[result], provider_code=result)
        if result in DAILY_LIMIT_RESULTS:
            raise daily_limit(result)
        # -4, -6 and any code this adapter does not know: never treat as verified, retry later.
        raise unavailable(result)
