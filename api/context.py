"""Everything a request needs that is chosen once at start-up by configuration."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from temporalio.client import Client

from domain.accounts.crypto import FieldCipher
from domain.accounts.sessions import TokenConfig
from domain.errors import ServiceUnavailable
from domain.payments.gateway import PaymentGateway
from domain.payments.registry import Gateways
from domain.settings import Settings
from integrations.sms.base import SmsSender
from integrations.wechat.base import MiniProgramAuth
from integrations.wechat.security import ContentSecurity
from realtime.base import Fanout
from realtime.factory import fanout_from_settings
from search.base import ArtistSearch
from storage.base import ObjectStorage


@dataclass
class AppContext:
    settings: Settings
    database_url: str
    database_backend: str
    tokens: TokenConfig
    cipher: FieldCipher
    sms: SmsSender
    wechat: MiniProgramAuth
    storage: ObjectStorage
    payments: PaymentGateway | Gateways  # the configured gateways (one adapter alone is a registry of one)
    temporal_address: str
    search: ArtistSearch
    content_security: ContentSecurity
    # Chat fan-out between API processes (Settings.realtime_backend); made from the settings unless given.
    fanout: Fanout | None = None
    _temporal: Client | None = field(default=None, init=False)
    _temporal_lock: asyncio.Lock = field(default_factory=asyncio.Lock, init=False)

    @property
    def realtime(self) -> Fanout:
        if self.fanout is None:
            self.fanout = fanout_from_settings(self.settings, self.database_url)
        return self.fanout

    @property
    def gateways(self) -> Gateways:
        return Gateways.of(self.payments)

    async def temporal(self) -> Client:
        """Connect lazily so the API can serve reads while Temporal is still starting."""
        async with self._temporal_lock:
            if self._temporal is None:
                try:
                    self._temporal = await Client.connect(self.temporal_address,
                                                          namespace=self.settings.temporal_namespace)
                except Exception as exc:  # connection refused, DNS, TLS...
                    raise ServiceUnavailable("工作流服务暂时不可用，请稍后重试",
                                             code="temporal_unavailable") from exc
            return self._temporal
