"""The embedded default: no SMS leaves the machine, the code is written to the log."""

from __future__ import annotations

import logging

from integrations.sms.common import MAINLAND_MOBILE, mask_phone, phone_invalid

log = logging.getLogger(__name__)


class SandboxSmsSender:
    """Sends nothing. The log line says 沙箱 so nobody mistakes it for a delivered message."""

    name = "sandbox"
    is_sandbox = True

    def send_code(self, phone: str, code: str) -> None:
        # Refuse what the real providers refuse, so development meets the same error.
        if not MAINLAND_MOBILE.fullmatch(phone):
            raise phone_invalid(None)
        log.info("沙箱短信 phone=%s code=%s", mask_phone(phone), code)

    def send_template(self, phone: str, template: str, params: dict[str, str]) -> None:
        if not MAINLAND_MOBILE.fullmatch(phone):
            raise phone_invalid(None)
        log.info("沙箱短信（未发出） phone=%s template=%s params=%s", mask_phone(phone), template, sorted(params))
