from __future__ import annotations

from typing import Protocol


class SmsSender(Protocol):
    """Sends a login verification code to a mainland phone number (11 digits, no +86)."""

    name: str  # "sandbox" | "aliyun" | "tencent"
    is_sandbox: bool

    def send_code(self, phone: str, code: str) -> None:
        """Deliver `code`. Raises integrations.errors.IntegrationError with a Chinese message on failure."""
        ...

    def send_template(self, phone: str, template: str, params: dict[str, str]) -> None:
        """Send a notification through the provider's approved `template` (Aliyun template code, Tencent template
        id); `params` are its variables by name (Tencent takes them in this order). Raises IntegrationError."""
        ...
