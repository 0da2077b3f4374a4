"""Errors raised by adapters to outside services. Each carries a Chinese message for the user."""

from __future__ import annotations


class IntegrationError(Exception):
    """An outside service refused or failed. `code` is stable, `message` is shown to the user."""

    def __init__(self, code: str, message: str, *, status: int = 502, provider_code: str | None = None):
        super().__init__(f"{code}: {message} (provider code {provider_code})")
        self.code = code
        self.message = message
        self.status = status
        self.provider_code = provider_code
