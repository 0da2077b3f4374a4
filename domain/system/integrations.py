"""Integration status (集成状态): which adapter serves each outside service, whether it is a sandbox, and whether
it answers. Probes are cheap and bounded (a TCP connect to the provider's API host, `SELECT 1`, Temporal's health
check, the storage's own check), run at once, each cut off after PROBE_TIMEOUT seconds. Nothing shown here is a
secret: backends are named, hosts shown without credentials, keys and URLs with passwords never."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from sqlalchemy import text
from temporalio.client import Client

from domain.db import get_engine
from domain.payments.registry import Gateways
from domain.settings import Settings
from domain.system.schemas import IntegrationOut
from integrations.sms.base import SmsSender
from integrations.wechat.base import MiniProgramAuth
from integrations.wechat.security import ContentSecurity
from storage.base import ObjectStorage

PROBE_TIMEOUT = 3.0

KIND_LABELS = {
    "database": "数据库", "temporal": "工作流引擎 Temporal", "search": "艺人搜索", "storage": "对象存储",
    "sms": "短信", "wechat_login": "微信登录", "content_security": "内容安全", "realname": "实名核验",
    "payment": "支付渠道", "payout": "出款渠道", "subscribe_message": "微信订阅消息", "notify_sms": "通知短信",
}
BACKEND_LABELS = {
    "aliyun": "阿里云短信", "tencent": "腾讯云短信", "wechat": "微信小程序接口",
    "wechatpay": "微信支付", "alipay": "支付宝", "wechat_transfer": "微信支付商家转账",
    "bank": "银行转账（财务批量付款）",
    "tencent_faceid": "腾讯云人脸核身", "postgresql": "PostgreSQL", "embedded-postgresql": "内置 PostgreSQL",
    "opensearch": "OpenSearch", "local": "本地磁盘", "s3": "S3 / MinIO", "temporal": "Temporal 集群",
    "temporal-dev-server": "Temporal 开发服务器（内置）",
}


class IntegrationContext(Protocol):
    """What the probes need from the API's start-up context (api.context.AppContext)."""

    @property
    def settings(self) -> Settings: ...
    @property
    def database_url(self) -> str: ...
    @property
    def database_backend(self) -> str: ...
    @property
    def temporal_address(self) -> str: ...
    @property
    def sms(self) -> SmsSender: ...
    @property
    def wechat(self) -> MiniProgramAuth: ...
    @property
    def content_security(self) -> ContentSecurity: ...
    @property
    def storage(self) -> ObjectStorage: ...
    @property
    def gateways(self) -> Gateways: ...
    async def temporal(self) -> Client: ...


@dataclass
class Probe:
    status: str  # ok / down / unchecked
    detail: str


Check = Callable[[], Awaitable[Probe]]


def _host_port(url: str, default_port: int = 443) -> tuple[str, int] | None:
    """Host and port of a URL or a bare host[:port], credentials and path dropped."""
    parts = urlsplit(url if "//" in url else f"//{url}")
    if not parts.hostname:
        return None
    try:
        port = parts.port or (80 if parts.scheme == "http" else default_port)
    except ValueError:
        return None
    return parts.hostname, port


def tcp_check(url: str) -> Check:
    """Whether the provider's API host accepts a connection (no request is sent: nothing is billed or logged)."""
    async def check() -> Probe:
        target = _host_port(url)
        if target is None:
            return Probe("down", "地址无效")
        host, port = target

        def connect() -> None:
            with socket.create_connection((host, port), timeout=PROBE_TIMEOUT):
                pass
        try:
            await asyncio.to_thread(connect)
        except OSError as exc:
            return Probe("down", f"无法连接 {host}:{port}（{type(exc).__name__}）")
        return Probe("ok", f"已连接 {host}:{port}")
    return check


def sandbox_check(what: str) -> Check:
    async def check() -> Probe:
        return Probe("ok", f"沙箱：{what}")
    return check


def unchecked(why: str) -> Check:
    async def check() -> Probe:
        return Probe("unchecked", why)
    return check


@dataclass
class Entry:
    kind: str
    backend: str
    sandbox: bool
    check: Check
    backend_label: str = ""


def _entries(ctx: IntegrationContext) -> list[Entry]:
    s = ctx.settings

    async def database() -> Probe:
        def select_one() -> None:
            with get_engine(ctx.database_url).connect() as conn:
                conn.execute(text("SELECT 1"))
        await asyncio.to_thread(select_one)
        return Probe("ok", "SELECT 1 成功")

    async def temporal() -> Probe:
        client = await ctx.temporal()
        await client.service_client.check_health()
        return Probe("ok", f"{ctx.temporal_address} 健康检查通过（命名空间 {s.temporal_namespace}）")

    async def storage() -> Probe:
        ok = await asyncio.to_thread(ctx.storage.healthy)
        return Probe("ok" if ok else "down", "存储可写" if ok else "存储不可用")

    embedded_temporal = "temporal" in s.embedded_services.split(",") or not s.temporal_address
    entries = [
        Entry("database", ctx.database_backend, False, database),
        Entry("temporal", "temporal-dev-server" if embedded_temporal else "temporal", False, temporal),
        Entry("search", "opensearch", False, tcp_check(s.opensearch_url)) if s.opensearch_url else
        Entry("search", "postgresql", False, database),  # the index lives in the database
        Entry("storage", ctx.storage.name, False, storage),
        Entry("sms", ctx.sms.name, ctx.sms.is_sandbox,
              sandbox_check("验证码只写入日志，不发短信") if ctx.sms.is_sandbox else
              tcp_check(s.aliyun_sms_endpoint if ctx.sms.name == "aliyun" else s.tencent_sms_endpoint)),
        Entry("wechat_login", ctx.wechat.name, ctx.wechat.is_sandbox,
              sandbox_check("任意 code 均可登录") if ctx.wechat.is_sandbox else tcp_check(s.wechat_api_base)),
        Entry("content_security", ctx.content_security.name, ctx.content_security.is_sandbox,
              sandbox_check("文字和图片直接通过") if ctx.content_security.is_sandbox else tcp_check(s.wechat_api_base)),
    ]
    # Real-name checks and payouts run in the worker: the backend is the one the same settings choose there.
    realname_real = bool(s.tencent_faceid_secret_id and s.tencent_faceid_secret_key)
    entries.append(Entry("realname", "tencent_faceid" if realname_real else "sandbox", not realname_real,
                         tcp_check(s.tencent_faceid_endpoint) if realname_real else
                         sandbox_check("格式正确即通过，不查询权威库")))
    for g in ctx.gateways:
        default = "（默认）" if g.name == ctx.gateways.default_name else ""
        check = (sandbox_check("不产生真实扣款") if g.is_sandbox else
                 tcp_check(s.wechatpay_api_base if g.name == "wechatpay" else s.alipay_gateway_url))
        entries.append(Entry("payment", g.name, g.is_sandbox, check, backend_label=g.label + default))
    # Notification delivery runs in the worker too (domain.notifications.delivery.channels_from_settings).
    wechat_real = bool(s.wechat_appid and s.wechat_secret)
    entries.append(Entry("subscribe_message", "wechat" if wechat_real else "sandbox", not wechat_real,
                         tcp_check(s.wechat_api_base) if wechat_real else sandbox_check("订阅消息不发出")))
    sms_kinds = "、".join(sorted(s.sms_notify_templates)) or "无"
    entries.append(Entry("notify_sms", ctx.sms.name, ctx.sms.is_sandbox,
                         sandbox_check("紧急通知短信不发出") if ctx.sms.is_sandbox else
                         unchecked(f"已配置模板的通知：{sms_kinds}（服务连通见“短信”）")))
    payout = s.payout_channel
    entries.append(Entry("payout", payout, payout == "sandbox",
                         sandbox_check("不产生真实转账") if payout == "sandbox" else
                         tcp_check(s.wechatpay_api_base) if payout == "wechat_transfer" else
                         unchecked("生成银行批量文件，由财务在网银付款，无需连接")))
    return entries


async def _run(entry: Entry) -> IntegrationOut:
    started = time.monotonic()
    try:
        probe = await asyncio.wait_for(entry.check(), timeout=PROBE_TIMEOUT + 0.5)
    except TimeoutError:
        probe = Probe("down", f"{PROBE_TIMEOUT:g} 秒内无应答")
    except Exception as exc:  # any failure is "down"; the class name says what kind, never a secret
        probe = Probe("down", f"不可用（{type(exc).__name__}）")
    latency = None if probe.status == "unchecked" else int((time.monotonic() - started) * 1000)
    label = entry.backend_label or ("内置模拟" if entry.backend == "sandbox" else
                                    BACKEND_LABELS.get(entry.backend, entry.backend))
    return IntegrationOut(kind=entry.kind, label=KIND_LABELS[entry.kind], backend=entry.backend, backend_label=label,
                          sandbox=entry.sandbox, status=probe.status, detail=probe.detail, latency_ms=latency)


async def integration_status(ctx: IntegrationContext) -> list[IntegrationOut]:
    """Every integration, probed at once (the slowest probe bounds the answer)."""
    return list(await asyncio.gather(*(_run(e) for e in _entries(ctx))))
