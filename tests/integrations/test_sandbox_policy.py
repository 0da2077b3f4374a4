"""Sandbox adapters that authenticate (WeChat login and phone, SMS codes, real-name checks) run only with
ALLOW_SANDBOX=true (`make run` sets it). Without it, missing credentials stop the api and the worker from starting,
instead of the sandbox WeChat login taking any code and binding any phone in production."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from api.app import build_context
from domain.settings import Settings
from integrations.realname.factory import realname_checker_from_settings
from integrations.realname.sandbox import SandboxRealNameChecker
from integrations.sandbox_policy import SandboxNotAllowed
from integrations.sms.factory import sms_sender_from_settings
from integrations.sms.sandbox import SandboxSmsSender
from integrations.wechat.factory import miniprogram_auth_from_settings
from integrations.wechat.sandbox import SandboxMiniProgramAuth
from workers.runtime import build_worker

# Every credential explicitly unset, so a developer's environment can't change the outcome.
UNCONFIGURED: dict[str, Any] = dict.fromkeys((
    "wechat_appid", "wechat_secret", "aliyun_sms_access_key_id", "aliyun_sms_access_key_secret", "aliyun_sms_sign_name",
    "aliyun_sms_template_code", "tencent_sms_secret_id", "tencent_sms_secret_key", "tencent_sms_sdk_app_id",
    "tencent_sms_sign_name", "tencent_sms_template_id", "tencent_faceid_secret_id", "tencent_faceid_secret_key"))

FACTORIES: list[tuple[Callable[[Settings], Any], type, str]] = [
    (miniprogram_auth_from_settings, SandboxMiniProgramAuth, "WECHAT_APPID"),
    (sms_sender_from_settings, SandboxSmsSender, "ALIYUN_SMS_ACCESS_KEY_ID"),
    (realname_checker_from_settings, SandboxRealNameChecker, "TENCENT_FACEID_SECRET_ID"),
]


def settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **{**UNCONFIGURED, "allow_sandbox": False, **values})


@pytest.mark.parametrize(("factory", "sandbox", "setting"), FACTORIES)
def test_the_sandbox_is_refused_without_allow_sandbox(factory, sandbox, setting) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SandboxNotAllowed) as refused:
        factory(settings())
    message = str(refused.value)
    assert setting in message and "ALLOW_SANDBOX=true" in message
    assert "未配置" in message and "is not configured" in message  # Chinese and English for whoever reads the log


@pytest.mark.parametrize(("factory", "sandbox", "setting"), FACTORIES)
def test_half_a_configuration_is_refused_too(factory, sandbox, setting) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SandboxNotAllowed):
        factory(settings(**{setting.lower(): "only-this-one"}))


@pytest.mark.parametrize(("factory", "sandbox", "setting"), FACTORIES)
def test_the_sandbox_runs_with_allow_sandbox(factory, sandbox, setting) -> None:  # type: ignore[no-untyped-def]
    adapter = factory(settings(allow_sandbox=True))
    assert isinstance(adapter, sandbox) and adapter.is_sandbox


def test_allow_sandbox_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLOW_SANDBOX", "true")
    assert Settings(_env_file=None).allow_sandbox
    monkeypatch.delenv("ALLOW_SANDBOX")
    assert not Settings(_env_file=None).allow_sandbox


def test_the_api_and_the_worker_do_not_start_unconfigured(tmp_path: Path, database_url: str) -> None:
    unconfigured = settings(data_dir=tmp_path, database_url=database_url, jwt_secret="j" * 40,
                            id_encryption_key="k", id_hash_key="h")
    with pytest.raises(SandboxNotAllowed, match="WECHAT_APPID"):
        build_context(unconfigured)
    with pytest.raises(SandboxNotAllowed, match="TENCENT_FACEID_SECRET_ID"):
        build_worker(None, unconfigured, database_url)  # type: ignore[arg-type]  # refused before the client is used
