"""SMS login codes: each real adapter against its loopback fake (real signatures, real answers), the
sandbox, and the settings-driven choice between them."""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from domain.settings import Settings
from integrations.errors import IntegrationError
from integrations.sms.aliyun import AliyunSmsSender
from integrations.sms.factory import sms_sender_from_settings
from integrations.sms.sandbox import SandboxSmsSender
from integrations.sms.tencent import TencentSmsSender
from tests.fakes.aliyun_sms import FakeAliyunSms
from tests.fakes.tencent_cloud import FakeTencentCloud

PHONE = "13800138000"
RATE_LIMITED = ("sms_rate_limited", 429, "短信发送过于频繁，请稍后再试")
PHONE_INVALID = ("phone_invalid", 400, "手机号格式不正确")
UNAVAILABLE = ("sms_unavailable", 503, "短信服务暂时不可用，请稍后重试")


def refusal(exc: pytest.ExceptionInfo[IntegrationError]) -> tuple[str, int, str]:
    return exc.value.code, exc.value.status, exc.value.message


def closed_port() -> int:
    """A loopback port nobody listens on: connecting is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- Aliyun


@pytest.fixture
def aliyun() -> Iterator[FakeAliyunSms]:
    with FakeAliyunSms() as fake:
        yield fake


def aliyun_sender(fake: FakeAliyunSms, **overrides: Any) -> AliyunSmsSender:
    options: dict[str, Any] = dict(access_key_id=fake.access_key_id, access_key_secret=fake.access_key_secret,
                                   sign_name=fake.sign_name, template_code=fake.template_code, endpoint=fake.url)
    options.update(overrides)
    return AliyunSmsSender(**options)


def test_aliyun_delivers_the_code_with_sign_and_template(aliyun: FakeAliyunSms) -> None:
    sender = aliyun_sender(aliyun)

    sender.send_code(PHONE, "482913")

    [sms] = aliyun.sent
    assert (sms.phone, sms.sign_name, sms.template_code) == (PHONE, "演约", aliyun.template_code)
    assert sms.template_param == {"code": "482913"}
    request = aliyun.requests[-1]
    assert request.header("x-acs-action") == "SendSms"
    assert (request.header("Authorization") or "").startswith("ACS3-HMAC-SHA256 Credential=LTAI5tFakeAccessKeyId,")
    assert (sender.name, sender.is_sandbox) == ("aliyun", False)


def test_aliyun_second_code_within_a_minute_is_rate_limited(aliyun: FakeAliyunSms) -> None:
    sender = aliyun_sender(aliyun)
    sender.send_code(PHONE, "111111")

    with pytest.raises(IntegrationError) as exc:
        sender.send_code(PHONE, "222222")

    assert refusal(exc) == RATE_LIMITED
    assert exc.value.provider_code == "isv.BUSINESS_LIMIT_CONTROL"
    assert len(aliyun.sent) == 1


def test_aliyun_malformed_number_is_phone_invalid(aliyun: FakeAliyunSms) -> None:
    with pytest.raises(IntegrationError) as exc:
        aliyun_sender(aliyun).send_code("1380013800", "123456")

    assert refusal(exc) == PHONE_INVALID
    assert exc.value.provider_code == "isv.MOBILE_NUMBER_ILLEGAL"
    assert aliyun.sent == []


@pytest.mark.parametrize("code", ["isv.AMOUNT_NOT_ENOUGH", "isv.DAY_LIMIT_CONTROL", "isv.SMS_TEMPLATE_ILLEGAL"])
def test_aliyun_other_business_codes_are_unavailable(aliyun: FakeAliyunSms, code: str) -> None:
    aliyun.fail_phone(PHONE, code)

    with pytest.raises(IntegrationError) as exc:
        aliyun_sender(aliyun).send_code(PHONE, "123456")

    assert refusal(exc) == UNAVAILABLE
    assert exc.value.provider_code == code


def test_aliyun_wrong_secret_is_rejected_by_the_signature_check(aliyun: FakeAliyunSms) -> None:
    with pytest.raises(IntegrationError) as exc:
        aliyun_sender(aliyun, access_key_secret="not-the-secret").send_code(PHONE, "123456")

    assert refusal(exc) == UNAVAILABLE
    assert exc.value.provider_code == "SignatureDoesNotMatch"
    assert aliyun.sent == []


def test_aliyun_unknown_access_key_is_unavailable(aliyun: FakeAliyunSms) -> None:
    with pytest.raises(IntegrationError) as exc:
        aliyun_sender(aliyun, access_key_id="LTAI5tSomebodyElse").send_code(PHONE, "123456")

    assert refusal(exc) == UNAVAILABLE
    assert exc.value.provider_code == "InvalidAccessKeyId.NotFound"


def test_aliyun_server_outage_is_unavailable(aliyun: FakeAliyunSms) -> None:
    aliyun.fail_http(503, "ServiceUnavailable")

    with pytest.raises(IntegrationError) as exc:
        aliyun_sender(aliyun).send_code(PHONE, "123456")

    assert refusal(exc) == UNAVAILABLE
    assert exc.value.provider_code == "ServiceUnavailable"


def test_aliyun_unreachable_is_unavailable() -> None:
    sender = AliyunSmsSender(access_key_id="id", access_key_secret="secret", sign_name="演约",
                             template_code="SMS_1", endpoint=f"http://127.0.0.1:{closed_port()}")

    with pytest.raises(IntegrationError) as exc:
        sender.send_code(PHONE, "123456")

    assert refusal(exc) == UNAVAILABLE


def test_aliyun_fake_rejects_a_tampered_or_replayed_request(aliyun: FakeAliyunSms) -> None:
    """The fake checks what is signed, not just who signs: the adapter tests above mean something."""
    aliyun_sender(aliyun).send_code(PHONE, "123456")
    original = aliyun.requests[-1]

    status, body = aliyun.resend(original, path=original.path.replace(PHONE, "13900139000"))
    assert (status, json.loads(body)["Code"]) == (400, "SignatureDoesNotMatch")

    status, body = aliyun.resend(original)
    assert (status, json.loads(body)["Code"]) == (400, "SignatureNonceUsed")
    assert [sms.phone for sms in aliyun.sent] == [PHONE]


def test_aliyun_logs_mask_the_phone_and_never_show_the_code(aliyun: FakeAliyunSms,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # the SDK's HTTP library too: it logs request lines at DEBUG
    sender = aliyun_sender(aliyun)
    sender.send_code(PHONE, "482913")
    with pytest.raises(IntegrationError):
        sender.send_code(PHONE, "482914")

    assert "138****8000" in caplog.text
    assert PHONE not in caplog.text
    assert "482913" not in caplog.text and "482914" not in caplog.text


def test_plain_http_endpoint_is_refused_off_loopback() -> None:
    with pytest.raises(ValueError, match="loopback"):
        AliyunSmsSender(access_key_id="id", access_key_secret="secret", sign_name="演约", template_code="SMS_1",
                        endpoint="http://dysmsapi.aliyuncs.com")


# --- Tencent Cloud


@pytest.fixture
def tencent() -> Iterator[FakeTencentCloud]:
    with FakeTencentCloud() as fake:
        yield fake


def tencent_sender(fake: FakeTencentCloud, **overrides: Any) -> TencentSmsSender:
    options: dict[str, Any] = dict(secret_id=fake.secret_id, secret_key=fake.secret_key,
                                   sdk_app_id=fake.sms_sdk_app_id, sign_name=fake.sms_sign_name,
                                   template_id=fake.sms_template_id, endpoint=fake.url)
    options.update(overrides)
    return TencentSmsSender(**options)


def test_tencent_delivers_the_code_to_the_e164_number(tencent: FakeTencentCloud) -> None:
    sender = tencent_sender(tencent)

    sender.send_code(PHONE, "482913")

    [sms] = tencent.sent_sms
    assert sms.phone == "+8613800138000"
    assert sms.template_params == ["482913"]
    assert (sms.sdk_app_id, sms.sign_name, sms.template_id) == ("1400000001", "演约", "2000001")
    assert sms.region == "ap-guangzhou"
    assert (tencent.requests[-1].header("Authorization") or "").startswith("TC3-HMAC-SHA256 Credential=")
    assert (sender.name, sender.is_sandbox) == ("tencent", False)


def test_tencent_second_code_within_thirty_seconds_is_rate_limited(tencent: FakeTencentCloud) -> None:
    sender = tencent_sender(tencent)
    sender.send_code(PHONE, "111111")

    with pytest.raises(IntegrationError) as exc:
        sender.send_code(PHONE, "222222")

    assert refusal(exc) == RATE_LIMITED
    assert exc.value.provider_code == "LimitExceeded.PhoneNumberThirtySecondLimit"
    assert len(tencent.sent_sms) == 1


@pytest.mark.parametrize("code", ["LimitExceeded.PhoneNumberOneHourLimit", "LimitExceeded.PhoneNumberDailyLimit"])
def test_tencent_per_number_limits_are_rate_limited(tencent: FakeTencentCloud, code: str) -> None:
    tencent.fail_phone("+86" + PHONE, code)

    with pytest.raises(IntegrationError) as exc:
        tencent_sender(tencent).send_code(PHONE, "123456")

    assert refusal(exc) == RATE_LIMITED
    assert exc.value.provider_code == code


@pytest.mark.parametrize("top_level", [False, True], ids=["in-send-status", "as-response-error"])
def test_tencent_incorrect_number_is_phone_invalid(tencent: FakeTencentCloud, top_level: bool) -> None:
    if top_level:
        tencent.fail_phone("+86" + PHONE, "InvalidParameterValue.IncorrectPhoneNumber", top_level=True)
        phone = PHONE
    else:
        phone = "1380013800"  # ten digits: the fake refuses it like the service does

    with pytest.raises(IntegrationError) as exc:
        tencent_sender(tencent).send_code(phone, "123456")

    assert refusal(exc) == PHONE_INVALID
    assert exc.value.provider_code == "InvalidParameterValue.IncorrectPhoneNumber"


@pytest.mark.parametrize(("code", "top_level"), [
    ("FailedOperation.PhoneNumberInBlacklist", False),
    ("FailedOperation.InsufficientBalanceInSmsPackage", True),
    ("InternalError.Timeout", True),
])
def test_tencent_other_codes_are_unavailable(tencent: FakeTencentCloud, code: str, top_level: bool) -> None:
    tencent.fail_phone("+86" + PHONE, code, top_level=top_level)

    with pytest.raises(IntegrationError) as exc:
        tencent_sender(tencent).send_code(PHONE, "123456")

    assert refusal(exc) == UNAVAILABLE
    assert exc.value.provider_code == code


def test_tencent_unapproved_template_is_unavailable(tencent: FakeTencentCloud) -> None:
    with pytest.raises(IntegrationError) as exc:
        tencent_sender(tencent, template_id="999").send_code(PHONE, "123456")

    assert refusal(exc) == UNAVAILABLE
    assert exc.value.provider_code == "FailedOperation.TemplateIncorrectOrUnapproved"


def test_tencent_wrong_secret_is_rejected_by_the_signature_check(tencent: FakeTencentCloud) -> None:
    with pytest.raises(IntegrationError) as exc:
        tencent_sender(tencent, secret_key="not-the-key").send_code(PHONE, "123456")

    assert refusal(exc) == UNAVAILABLE
    assert exc.value.provider_code == "AuthFailure.SignatureFailure"
    assert tencent.sent_sms == []


def test_tencent_unreachable_is_unavailable() -> None:
    sender = TencentSmsSender(secret_id="id", secret_key="key", sdk_app_id="1", sign_name="演约", template_id="1",
                              endpoint=f"http://127.0.0.1:{closed_port()}")

    with pytest.raises(IntegrationError) as exc:
        sender.send_code(PHONE, "123456")

    assert refusal(exc) == UNAVAILABLE


def test_tencent_logs_mask_the_phone_and_never_show_the_code(tencent: FakeTencentCloud,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # the SDK logs whole request bodies at DEBUG
    sender = tencent_sender(tencent)
    sender.send_code(PHONE, "482913")
    with pytest.raises(IntegrationError):
        sender.send_code(PHONE, "482914")

    assert "138****8000" in caplog.text
    assert PHONE not in caplog.text
    assert "482913" not in caplog.text and "482914" not in caplog.text


def test_tencent_fake_rejects_a_tampered_body(tencent: FakeTencentCloud) -> None:
    tencent_sender(tencent).send_code(PHONE, "123456")
    original = tencent.requests[-1]

    status, body = tencent.resend(original, body=original.body.replace(b"123456", b"654321"))

    assert status == 200
    assert json.loads(body)["Response"]["Error"]["Code"] == "AuthFailure.SignatureFailure"
    assert [sms.template_params for sms in tencent.sent_sms] == [["123456"]]


# --- sandbox


def test_sandbox_logs_the_code_with_a_masked_phone_and_sends_nothing(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="integrations.sms.sandbox")
    sender = SandboxSmsSender()

    sender.send_code(PHONE, "482913")

    assert (sender.name, sender.is_sandbox) == ("sandbox", True)
    assert "沙箱短信 phone=138****8000 code=482913" in caplog.messages
    assert PHONE not in caplog.text


def test_sandbox_refuses_a_malformed_number_like_the_providers() -> None:
    with pytest.raises(IntegrationError) as exc:
        SandboxSmsSender().send_code("12345678901", "123456")

    assert refusal(exc) == PHONE_INVALID


# --- choice by settings

_NO_SMS = dict(
    aliyun_sms_access_key_id=None, aliyun_sms_access_key_secret=None, aliyun_sms_sign_name=None,
    aliyun_sms_template_code=None, tencent_sms_secret_id=None, tencent_sms_secret_key=None,
    tencent_sms_sdk_app_id=None, tencent_sms_sign_name=None, tencent_sms_template_id=None,
)


def settings(**values: Any) -> Settings:
    """Only what the test says: no .env, and explicit None over any environment variable."""
    return Settings(_env_file=None, **{**_NO_SMS, **values})


def aliyun_settings(fake: FakeAliyunSms) -> dict[str, Any]:
    return dict(aliyun_sms_access_key_id=fake.access_key_id, aliyun_sms_access_key_secret=fake.access_key_secret,
                aliyun_sms_sign_name=fake.sign_name, aliyun_sms_template_code=fake.template_code,
                aliyun_sms_endpoint=fake.url)


def tencent_settings(fake: FakeTencentCloud) -> dict[str, Any]:
    return dict(tencent_sms_secret_id=fake.secret_id, tencent_sms_secret_key=fake.secret_key,
                tencent_sms_sdk_app_id=fake.sms_sdk_app_id, tencent_sms_sign_name=fake.sms_sign_name,
                tencent_sms_template_id=fake.sms_template_id, tencent_sms_endpoint=fake.url)


def test_factory_without_credentials_is_the_sandbox() -> None:
    sender = sms_sender_from_settings(settings(allow_sandbox=True))

    assert isinstance(sender, SandboxSmsSender)
    assert sender.is_sandbox


def test_factory_with_aliyun_settings_sends_through_aliyun(aliyun: FakeAliyunSms, tencent: FakeTencentCloud) -> None:
    sender = sms_sender_from_settings(settings(**aliyun_settings(aliyun), **tencent_settings(tencent)))

    sender.send_code(PHONE, "123456")

    assert isinstance(sender, AliyunSmsSender)
    assert [sms.phone for sms in aliyun.sent] == [PHONE]
    assert tencent.sent_sms == []


def test_factory_with_tencent_settings_sends_through_tencent(tencent: FakeTencentCloud) -> None:
    sender = sms_sender_from_settings(settings(**tencent_settings(tencent)))

    sender.send_code(PHONE, "123456")

    assert isinstance(sender, TencentSmsSender)
    assert [sms.phone for sms in tencent.sent_sms] == ["+86" + PHONE]


def test_factory_skips_a_half_configured_aliyun(tencent: FakeTencentCloud, caplog: pytest.LogCaptureFixture) -> None:
    half_aliyun = dict(aliyun_sms_access_key_id="LTAI5tSomething", aliyun_sms_access_key_secret="s3cr3t-value")

    sender = sms_sender_from_settings(settings(**half_aliyun, **tencent_settings(tencent)))

    assert isinstance(sender, TencentSmsSender)
    assert "aliyun_sms_sign_name" in caplog.text  # the log names what is missing...
    assert "s3cr3t-value" not in caplog.text and "LTAI5tSomething" not in caplog.text  # ...never a value
