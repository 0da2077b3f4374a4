"""WeChat mini-program subscribe messages (订阅消息), `subscribeMessage.send`, through wechatpy
(`client.wxa.send_subscribe_message` → `POST /cgi-bin/message/subscribe/send?access_token=…` with
`{touser, template_id, page, data: {key: {value}}, miniprogram_state, lang}`).

A user must have accepted the template in the mini-program (uni.requestSubscribeMessage) before each message:
one acceptance, one message. Errors split in two: the ones that will fail the same way every time (the user
refused or has no subscription left, a bad openid, a bad template, data the template refuses) are permanent;
the rest (system busy, network, quota) are worth retrying a few times.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from integrations.errors import IntegrationError
from integrations.wechat.miniprogram import WechatMiniProgramAuth

logger = logging.getLogger(__name__)

# errcode -> (code, message, status). https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/mp-message-management/subscribe-message/sendMessage.html
PERMANENT: dict[int, tuple[str, str, int]] = {
    43101: ("subscribe_refused", "用户拒绝接受消息或订阅次数已用完", 400),
    40003: ("openid_invalid", "用户的微信 openid 无效", 400),
    40037: ("template_invalid", "订阅消息模板 id 无效", 400),
    47003: ("template_data_invalid", "模板参数不符合要求", 400),
}
PERMANENT_CODES = frozenset(code for code, _, _ in PERMANENT.values())


class SubscribeMessenger(Protocol):
    name: str  # "sandbox" | "wechat"
    is_sandbox: bool

    def send(self, openid: str, template_id: str, data: dict[str, str], page: str | None) -> None:
        """Send one subscribe message; `data` is {"thing1": "..."}. Raises IntegrationError; a `code` in
        PERMANENT_CODES will fail again if retried."""
        ...


class WechatSubscribeMessenger:
    name = "wechat"
    is_sandbox = False

    def __init__(self, auth: WechatMiniProgramAuth, *, state: str = "formal") -> None:
        self._auth = auth
        self._state = state

    def send(self, openid: str, template_id: str, data: dict[str, str], page: str | None) -> None:
        client: Any = self._auth.client
        # wechatpy 1.8's send_subscribe_message takes no miniprogram_state/lang; post the same body ourselves
        # only when a non-default state is configured.
        body = {key: {"value": value} for key, value in data.items()}

        def call() -> Any:
            if self._state == "formal":
                return client.wxa.send_subscribe_message(openid, template_id, body, page=page)
            return client.post("cgi-bin/message/subscribe/send", api_base_url=client.api_base, data={
                "touser": openid, "template_id": template_id, "page": page, "data": body,
                "miniprogram_state": self._state, "lang": "zh_CN"})

        self._auth.call_with_token(call, PERMANENT, "subscribe_send")
        logger.info("微信订阅消息已发送 template=%s", template_id)


class SandboxSubscribeMessenger:
    """沙箱: sends nothing, logs what would have gone out. Refuses what WeChat refuses, so development meets it."""

    name = "sandbox"
    is_sandbox = True

    def send(self, openid: str, template_id: str, data: dict[str, str], page: str | None) -> None:
        if not openid:
            raise IntegrationError("openid_invalid", PERMANENT[40003][1], status=400, provider_code="40003")
        logger.info("沙箱订阅消息（未发出） template=%s keys=%s page=%s", template_id, sorted(data), page)
