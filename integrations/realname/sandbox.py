"""The embedded default: no authority is asked; a well-formed name and ID number pass."""

from __future__ import annotations

import logging

from integrations.realname.base import RealNameResult
from integrations.realname.idcard import (
    ID_INVALID_REASON,
    NAME_INVALID_REASON,
    is_plausible_legal_name,
    mask_id_number,
    normalize_id_number,
    validate_id_number,
)

log = logging.getLogger(__name__)

# A name containing this marker fails, so the "not verified" path can be tried without a real card.
MISMATCH_MARKER = "测试不符"
MISMATCH_REASON = "姓名与身份证号不一致"


class SandboxRealNameChecker:
    name = "sandbox"
    is_sandbox = True

    def check(self, legal_name: str, id_number: str) -> RealNameResult:
        id_number = normalize_id_number(id_number)
        legal_name = legal_name.strip()
        if not validate_id_number(id_number):
            result = RealNameResult(verified=False, reason=ID_INVALID_REASON)
        elif not is_plausible_legal_name(legal_name):
            result = RealNameResult(verified=False, reason=NAME_INVALID_REASON)
        elif MISMATCH_MARKER in legal_name:
            result = RealNameResult(verified=False, reason=MISMATCH_REASON)
        else:
            result = RealNameResult(verified=True)
        log.info("沙箱实名核验（未查询权威库） id=%s verified=%s", mask_id_number(id_number), result.verified)
        return result
