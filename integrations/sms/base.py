from __future__ import annotations

from typing import Protocol


class SmsSender(Protocol):
    """Sends a login verification code to a mainland phone number (11 digits, no +86)."""

    name: str  # "sandbox" | "aliyun" | "tencent"
    is_sandbox: bool

    def send_code(self, phone: str, code: str) -> None:
        """Deliver `code`. Raises integrations.errors.IntegrationError with a Chinese message on failure."""
        ...
