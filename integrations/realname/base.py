from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class RealNameResult:
    verified: bool
    reason: str | None = None  # Chinese, shown to the user when not verified
    provider_code: str | None = None


class RealNameChecker(Protocol):
    """Checks that a legal name matches a mainland ID card number (二要素核验)."""

    name: str  # "sandbox" | "tencent"
    is_sandbox: bool

    def check(self, legal_name: str, id_number: str) -> RealNameResult:
        """A definite answer -> RealNameResult; a transient failure -> IntegrationError (retried)."""
        ...
