"""Secrets never reach the audit log: fields named like a password, secret, token or cipher become "***"."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

MASK = "***"
_SECRET_PARTS = ("password", "secret", "token", "cipher", "private_key", "api_key", "_hash", "sign_code",
                 "sms_code")


def is_secret(name: str) -> bool:
    lowered = name.lower()
    return any(part in lowered for part in _SECRET_PARTS)


def jsonable(value: Any) -> Any:
    """A column or body value as JSON (bytes are never shown: they are ciphertexts or files)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Enum):
        return jsonable(value.value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return MASK
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return str(value)


def mask(value: Any) -> Any:
    """`value` as JSON with every secret-named field replaced by "***", at any depth."""
    if isinstance(value, dict):
        return {str(k): (MASK if is_secret(str(k)) and v is not None else mask(v)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask(v) for v in value]
    return jsonable(value)


__all__ = ["MASK", "is_secret", "jsonable", "mask"]
