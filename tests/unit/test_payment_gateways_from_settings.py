"""Which payment gateways the settings configure: the sandbox alone by default (labelled 沙箱支付), WeChat Pay and
Alipay from their key files when set (several at once; the payer chooses among the real ones), never a silent
fallback to the sandbox when a real gateway is asked for."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.payments.factory import payment_gateways_from_settings
from domain.payments.registry import PaymentMethodUnavailable
from domain.settings import Settings
from tests.fakes.alipay import APP_ID
from tests.fakes.wechatpay import new_key, private_pem, public_pem


def _settings(tmp_path: Path, **over: object) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path, **over)  # type: ignore[call-arg]


def test_the_sandbox_alone_by_default(tmp_path: Path) -> None:
    gateways = payment_gateways_from_settings(_settings(tmp_path))
    assert gateways.default.name == "sandbox" and gateways.default.is_sandbox
    assert [(c.name, c.label, c.is_sandbox) for c in gateways.choices] == [("sandbox", "沙箱支付", True)]
    with pytest.raises(PaymentMethodUnavailable):
        gateways.choose("wechatpay")


def test_wechatpay_and_alipay_configured_at_once(tmp_path: Path) -> None:
    keys = {name: tmp_path / f"{name}.pem" for name in ("wx", "wx_pub", "ali", "ali_pub")}
    keys["wx"].write_text(private_pem(new_key()))
    keys["wx_pub"].write_text(public_pem(new_key()))
    keys["ali"].write_text(private_pem(new_key()))
    keys["ali_pub"].write_text(public_pem(new_key()))
    settings = _settings(
        tmp_path, wechatpay_mchid="1900000109", wechat_appid="wx0123456789abcdef",
        wechatpay_private_key_path=keys["wx"], wechatpay_cert_serial_no="ABC123", wechatpay_apiv3_key="k" * 32,
        wechatpay_public_key_path=keys["wx_pub"], wechatpay_public_key_id="PUB_KEY_ID_1", alipay_app_id=APP_ID,
        alipay_private_key_path=keys["ali"], alipay_public_key_path=keys["ali_pub"],
        payment_notify_base_url="https://api.example.com", payment_gateway="alipay")
    gateways = payment_gateways_from_settings(settings)
    assert gateways.default.name == "alipay"
    assert [c.name for c in gateways.choices] == ["alipay", "wechatpay"]  # the default first; no sandbox offered
    assert gateways["sandbox"].is_sandbox  # still serves orders opened with it before
    wechat = gateways["wechatpay"]
    assert wechat.notify_url == "https://api.example.com/api/v1/payments/callbacks/wechatpay"  # type: ignore[attr-defined]
    assert gateways.choose(None).name == "alipay" and gateways.choose("wechatpay") is wechat

    with pytest.raises(RuntimeError, match="PAYMENT_NOTIFY_BASE_URL"):
        payment_gateways_from_settings(settings.model_copy(update={"payment_notify_base_url": None}))
    with pytest.raises(RuntimeError, match="PAYMENT_GATEWAY=unionpay"):
        payment_gateways_from_settings(settings.model_copy(update={"payment_gateway": "unionpay"}))
    with pytest.raises(RuntimeError, match="WECHATPAY_APIV3_KEY|wechatpay_apiv3_key"):
        payment_gateways_from_settings(settings.model_copy(update={"wechatpay_apiv3_key": None}))
