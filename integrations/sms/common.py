"""What every SMS adapter shares: the three user-facing failures, phone masking, endpoint parsing."""

from __future__ import annotations

import ipaddress
import logging
import re
from urllib.parse import urlsplit

from integrations.errors import IntegrationError

# Mainland mobile numbers: 11 digits starting 13-19. The providers stay the authority for real
# sends (number ranges change); the sandbox uses this so that development sees the same refusal.
MAINLAND_MOBILE = re.compile(r"1[3-9]\d{9}")


def mask_phone(phone: str) -> str:
    """138****8000: enough to tell numbers apart in logs, not enough to call anyone."""
    if len(phone) >= 7:
        return phone[:3] + "****" + phone[-4:]
    return "*" * len(phone)


def rate_limited(provider_code: str | None) -> IntegrationError:
    return IntegrationError("sms_rate_limited", "短信发送过于频繁，请稍后再试", status=429,
                            provider_code=provider_code)


def phone_invalid(provider_code: str | None) -> IntegrationError:
    return IntegrationError("phone_invalid", "手机号格式不正确", status=400, provider_code=provider_code)


def unavailable(provider_code: str | None) -> IntegrationError:
    return IntegrationError("sms_unavailable", "短信服务暂时不可用，请稍后重试", status=503,
                            provider_code=provider_code)


def split_endpoint(endpoint: str) -> tuple[str, str]:
    """`host[:port]` -> ("https", host); `http://127.0.0.1:9000` -> ("http", "127.0.0.1:9000").

    Plain http is accepted only for loopback hosts (the test fakes): a real provider must be
    reached over https.
    """
    if "://" not in endpoint:
        return "https", endpoint.strip("/")
    parts = urlsplit(endpoint)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"unsupported endpoint {endpoint!r}")
    if scheme == "http" and not _is_loopback(parts.hostname or ""):
        raise ValueError(f"plain http is only allowed for loopback endpoints, not {parts.hostname!r}")
    return scheme, parts.netloc


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class DropDebugRecords(logging.Filter):
    """For an SDK logger that writes whole request bodies (phone numbers, codes, ID numbers) at DEBUG."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


class RedactQueryStrings(logging.Filter):
    """urllib3 logs each request line at DEBUG with its query string; RPC-style APIs (Aliyun) carry the
    phone number and the code there. Keep the path, drop the query."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                arg.split("?", 1)[0] + "?[redacted]" if isinstance(arg, str) and arg.startswith("/") and "?" in arg
                else arg
                for arg in record.args
            )
        return True


def install_log_filter(logger_name: str, log_filter: logging.Filter) -> None:
    """Once per logger and filter type, however often adapters are built."""
    logger = logging.getLogger(logger_name)
    if not any(type(existing) is type(log_filter) for existing in logger.filters):
        logger.addFilter(log_filter)
