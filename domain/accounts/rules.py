"""The read API of the platform rules operators change (系统设置): services call `get_rule`. What the rules are
(label, group, type, bounds, default) lives in domain.system.registry; changing one goes through
domain.system.service, which validates it and keeps its history."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from domain.models import SystemSetting
from domain.system.registry import BY_KEY, DEFAULTS

__all__ = ["DEFAULTS", "get_rule"]


def get_rule(session: Session, key: str) -> Any:
    """The value in effect: the operator's, or the default when never changed."""
    if key not in BY_KEY:
        raise KeyError(key)  # a typo in a service is a bug, not a rule quietly at None
    row = session.get(SystemSetting, key)
    return row.value if row is not None else DEFAULTS[key]
