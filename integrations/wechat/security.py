"""WeChat content security (内容安全): msgSecCheck v2 for text, mediaCheckAsync v2 for images, and the
`wxa_media_check` message push that delivers media verdicts later.

Protocol (developers.weixin.qq.com, sec-center/sec-check):
- `POST /wxa/msg_sec_check?access_token=…` body `{content, version: 2, scene, openid[, title]}` →
  `{errcode, errmsg, trace_id, result: {suggest: pass|review|risky, label}, detail: [...]}`.
- `POST /wxa/media_check_async?access_token=…` body `{media_url, media_type: 1 audio / 2 image, version: 2,
  scene, openid}` → `{errcode, errmsg, trace_id}`; within 30 minutes WeChat pushes an event
  `{MsgType: event, Event: wxa_media_check, trace_id, result: {suggest, label}, ...}` (JSON or XML, as the
  message-push settings say) to our server, signed `signature = sha1(sorted(token, timestamp, nonce))`.
- v2 requires the openid of a user who used the mini-program in the last two hours, and WeChat must be
  able to download `media_url` (an absolute, publicly reachable URL; jpg/png/bmp/gif only, ≤10 MB).

Verdicts are an aid for operators: nothing here publishes anything by itself.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from typing import Any, Protocol
from urllib.parse import urljoin

import xmltodict

from integrations.errors import IntegrationError
from integrations.wechat.miniprogram import WechatMiniProgramAuth

logger = logging.getLogger(__name__)


class Suggest(StrEnum):
    PASS = "pass"  # noqa: S105 - a verdict, not a password
    REVIEW = "review"
    RISKY = "risky"


class Scene(IntEnum):
    """msgSecCheck / mediaCheckAsync scene: 1 资料, 2 评论, 3 论坛, 4 社交日志."""

    PROFILE = 1
    COMMENT = 2
    FORUM = 3
    SOCIAL_LOG = 4


class CheckMediaType(IntEnum):
    AUDIO = 1
    IMAGE = 2


# WeChat's label codes (result.label) and what an artist or client is told.
LABELS: dict[int, str] = {
    100: "正常", 10001: "广告", 20001: "时政", 20002: "色情", 20003: "辱骂", 20006: "违法犯罪",
    20008: "欺诈", 20012: "低俗", 20013: "版权", 21000: "其他违规",
}


@dataclass(frozen=True)
class TextVerdict:
    suggest: Suggest
    label: int | None = None
    trace_id: str | None = None

    @property
    def label_text(self) -> str:
        """What kind of problem, in Chinese ("违规内容" when WeChat names none)."""
        return LABELS.get(self.label, "违规内容") if self.label not in (None, 100) else "违规内容"

    def rejection_reason(self, subject: str) -> str:
        """The Chinese reason an automatically rejected post carries, e.g. subject "标题或描述"."""
        return f"{subject}含有{self.label_text}内容，未通过内容安全检测，请修改后重新提交"


@dataclass(frozen=True)
class MediaVerdict:
    trace_id: str
    suggest: Suggest
    label: int | None = None


class ContentSecurity(Protocol):
    """Text and media checks. Real WeChat or the sandbox (沙箱), chosen by configuration."""

    name: str  # "wechat" | "sandbox"
    is_sandbox: bool
    # The message-push Token (消息推送) that signs `wxa_media_check` pushes; None: the callback is off.
    push_token: str | None

    def check_text(self, content: str, *, openid: str | None, scene: Scene = Scene.PROFILE,
                   title: str | None = None) -> TextVerdict:
        """msgSecCheck v2. Raises IntegrationError (rate limit, token, WeChat down, no usable openid...)."""
        ...

    def submit_media(self, media_url: str, *, media_type: CheckMediaType = CheckMediaType.IMAGE,
                     openid: str | None, scene: Scene = Scene.PROFILE) -> str:
        """mediaCheckAsync v2: the trace_id whose verdict arrives later. Raises IntegrationError."""
        ...

    def media_result(self, trace_id: str) -> MediaVerdict | None:
        """The verdict if this adapter already knows it (the sandbox does); real WeChat pushes it instead."""
        ...


# --- errors: what a caller (and a log reader) can tell apart
_RATE_LIMITED = ("content_check_rate_limited", "内容安全检测请求过于频繁，请稍后再试", 429)
_BUSY = ("content_check_busy", "微信内容安全服务繁忙，请稍后重试", 503)
_UNAVAILABLE = ("content_check_unavailable", "内容安全检测暂时不可用，请稍后重试", 503)
_OPENID = ("content_check_openid_invalid", "微信身份已失效，请从小程序重新进入后再提交", 422)
_ERRORS: dict[int, tuple[str, str, int]] = {
    -1: _BUSY,
    45009: _RATE_LIMITED,  # reach max api daily quota limit
    45011: _RATE_LIMITED,  # api minute-quota reach limit
    40003: _OPENID,  # invalid openid
    43104: _OPENID,  # appid and openid not match
    61010: _OPENID,  # user access expired (not in the mini-program for two hours)
}


_SHARED = {"wechat_unavailable": _UNAVAILABLE, "wechat_busy": _BUSY, "wechat_rate_limited": _RATE_LIMITED}


def _error(spec: tuple[str, str, int], provider_code: object = None) -> IntegrationError:
    code, message, status = spec
    return IntegrationError(code, message, status=status,
                            provider_code=None if provider_code is None else str(provider_code))


def _suggest(value: object) -> Suggest | None:
    try:
        return Suggest(str(value))
    except ValueError:
        return None


def _label(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


class WechatContentSecurity:
    """The real adapter, sharing the mini-program client (and its access-token cache) of `auth`."""

    name = "wechat"
    is_sandbox = False

    def __init__(self, auth: WechatMiniProgramAuth, *, push_token: str | None = None,
                 media_base_url: str | None = None) -> None:
        """`media_base_url`: the public origin WeChat downloads media from when a storage URL is relative
        (the local-disk backend signs `/api/v1/files/...`)."""
        self._auth = auth
        self.push_token = push_token or None
        self._media_base_url = media_base_url.rstrip("/") + "/" if media_base_url else None

    def check_text(self, content: str, *, openid: str | None, scene: Scene = Scene.PROFILE,
                   title: str | None = None) -> TextVerdict:
        content = content.strip()
        if not content:
            return TextVerdict(Suggest.PASS, 100)
        if not openid:
            raise _error(_OPENID)
        body: dict[str, Any] = {"content": content[:2500], "version": 2, "scene": int(scene), "openid": openid}
        if title:
            body["title"] = title
        answer = self._post("wxa/msg_sec_check", body)
        result = answer.get("result")
        suggest = _suggest(result.get("suggest")) if isinstance(result, dict) else None
        if suggest is None or not isinstance(result, dict):
            logger.error("wechat msg_sec_check answered without result.suggest: keys=%s", sorted(answer))
            raise _error(_UNAVAILABLE)
        trace_id = answer.get("trace_id")
        return TextVerdict(suggest, _label(result.get("label")), trace_id if isinstance(trace_id, str) else None)

    def submit_media(self, media_url: str, *, media_type: CheckMediaType = CheckMediaType.IMAGE,
                     openid: str | None, scene: Scene = Scene.PROFILE) -> str:
        if not openid:
            raise _error(_OPENID)
        if not media_url.startswith(("http://", "https://")):
            if self._media_base_url is None:
                # WeChat downloads the file itself: a path on our API means nothing to it.
                logger.error("media check needs an absolute URL; set the public base URL of the API")
                raise _error(_UNAVAILABLE)
            media_url = urljoin(self._media_base_url, media_url.lstrip("/"))
        body = {"media_url": media_url, "media_type": int(media_type), "version": 2, "scene": int(scene),
                "openid": openid}
        answer = self._post("wxa/media_check_async", body)
        trace_id = answer.get("trace_id")
        if not isinstance(trace_id, str) or not trace_id:
            logger.error("wechat media_check_async answered without trace_id")
            raise _error(_UNAVAILABLE)
        return trace_id

    def media_result(self, trace_id: str) -> MediaVerdict | None:
        return None  # delivered by the wxa_media_check push

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            return self._auth.post_with_token(path, body, _ERRORS, path.rsplit("/", 1)[-1])
        except IntegrationError as exc:
            # The shared client's own failures (network, token endpoint, a token still rejected after the
            # refresh) are reported as this service's, so callers and logs see one family of codes.
            spec = _SHARED.get(exc.code)
            if spec is None:
                raise
            raise _error(spec, exc.provider_code) from exc


# --- the message push (消息推送) carrying media verdicts


class PushRejected(IntegrationError):
    def __init__(self, message: str = "签名校验失败") -> None:
        super().__init__("wechat_push_rejected", message, status=403)


def push_signature(token: str, timestamp: str, nonce: str) -> str:
    """What WeChat sends as `signature`: sha1 of token, timestamp and nonce sorted and joined."""
    joined = "".join(sorted([token, timestamp, nonce]))
    return hashlib.sha1(joined.encode()).hexdigest()  # noqa: S324 - the protocol's own choice


def verify_push(token: str | None, query: Mapping[str, str]) -> None:
    """Raises PushRejected unless the query's signature was made with our token."""
    if not token:
        raise PushRejected("未配置消息推送")
    signature, timestamp, nonce = (query.get("signature", ""), query.get("timestamp", ""), query.get("nonce", ""))
    if not (signature and timestamp and nonce) or not signature.isascii():
        raise PushRejected()
    if not hmac.compare_digest(push_signature(token, timestamp, nonce), signature.lower()):
        raise PushRejected()


# Older pushes carry `status_code` -1008 (4294966288) when WeChat could not download the file.
_DOWNLOAD_FAILED = {-1008, 4294966288}


def parse_media_push(body: bytes) -> MediaVerdict | None:
    """The verdict in a push body (JSON or XML, plaintext / compatible mode); None for other events.

    Raises PushRejected for a body that is not a message push at all.
    """
    text = body.decode("utf-8", "replace").strip()
    data: Any
    try:
        if text.startswith("<"):
            data = xmltodict.parse(text, disable_entities=True).get("xml")
        else:
            data = json.loads(text)
    except Exception as exc:  # expat and json both: a body we can't read is not a push
        raise PushRejected("消息格式无法识别") from exc
    if not isinstance(data, dict):
        raise PushRejected("消息格式无法识别")
    if data.get("Event") != "wxa_media_check":
        if "Encrypt" in data and "Event" not in data:
            logger.error("wechat push arrived encrypted (安全模式): configure 明文模式 or 兼容模式")
        return None
    trace_id = data.get("trace_id")
    if not isinstance(trace_id, str) or not trace_id:
        raise PushRejected("消息缺少 trace_id")
    result = data.get("result")
    suggest = _suggest(result.get("suggest")) if isinstance(result, dict) else None
    if suggest is not None and isinstance(result, dict):
        return MediaVerdict(trace_id, suggest, _label(result.get("label")))
    if _label(data.get("status_code")) in _DOWNLOAD_FAILED:
        return MediaVerdict(trace_id, Suggest.REVIEW)  # not checked: a person has to look
    isrisky = _label(data.get("isrisky"))
    if isrisky is not None:  # v1-shaped push
        return MediaVerdict(trace_id, Suggest.RISKY if isrisky else Suggest.PASS)
    raise PushRejected("消息缺少检测结果")


def screen_text(checker: ContentSecurity, content: str, *, openid: str | None, scene: Scene = Scene.PROFILE,
                title: str | None = None) -> TextVerdict:
    """The text check as moderation uses it: when it can't be done (no recent openid, rate limit, WeChat down)
    the answer is "review" — a person decides, and the user is not blocked by an outside service."""
    try:
        return checker.check_text(content, openid=openid, scene=scene, title=title)
    except IntegrationError as exc:
        logger.warning("content check (%s) not done: %s (provider code %s); left to an operator",
                       checker.name, exc.code, exc.provider_code)
        return TextVerdict(Suggest.REVIEW)
