"""Mainland resident ID numbers (GB 11643-1999) and legal names: the checks made before any paid look-up."""

from __future__ import annotations

import re
from datetime import date, datetime

from domain.time import SHANGHAI

# First two digits: the province-level division (GB/T 2260), plus 71/81/82/83 used by the
# 18-digit residence permits for residents of Taiwan, Hong Kong and Macao.
PROVINCE_CODES = frozenset({
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
    50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83,
})
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_SHAPE = re.compile(r"\d{17}[\dX]")

# Han characters (basic block, extension A, extensions B-G) with the middle dot of minority and
# transliterated names (·, and the look-alikes input methods produce) between them.
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0003134f"
_DOTS = "\u00b7\u2022\u30fb"
_LEGAL_NAME = re.compile(f"[{_HAN}]+(?:[{_DOTS}][{_HAN}]+)*")

ID_INVALID_REASON = "非法身份证号，请核对后重新填写"
NAME_INVALID_REASON = "姓名格式不正确，请填写身份证上的姓名"


def normalize_id_number(id_number: str) -> str:
    return id_number.strip().upper()


def check_char(first17: str) -> str:
    """The 18th character of an ID number whose first 17 digits are `first17`."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def validate_id_number(id_number: str, *, today: date | None = None) -> bool:
    """18 characters, a known province, a real birth date not in the future, a correct check character."""
    value = normalize_id_number(id_number)
    if not _SHAPE.fullmatch(value):
        return False
    if int(value[:2]) not in PROVINCE_CODES:
        return False
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    today = today or datetime.now(SHANGHAI).date()
    if born.year < 1900 or born > today:
        return False
    return check_char(value[:17]) == value[17]


def is_plausible_legal_name(name: str) -> bool:
    """2-20 Han characters, middle dots allowed between parts (阿依古丽·买买提)."""
    value = name.strip()
    return 2 <= len(value) <= 20 and _LEGAL_NAME.fullmatch(value) is not None


def mask_id_number(id_number: str) -> str:
    """For logs: 11**************2X. Never log the full number."""
    value = normalize_id_number(id_number)
    if len(value) <= 4:
        return "*" * len(value)
    return value[:2] + "*" * (len(value) - 4) + value[-2:]
