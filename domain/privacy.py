"""Masking of contact details in anything shown to people who have no booking with the owner.

Artists and clients write phone numbers and WeChat ids into free text to deal off-platform; public views
show them masked (138****5678, 微信：li****). The stored text stays as typed, so unmasking never needs a
second copy and a better rule applies to old text too.
"""

from __future__ import annotations

import re

_D = "[0-9０-９]"  # full-width digits are a common way around a naive filter
_SEP = r"[\s\-－—]?"
_NOT_DIGIT_BEFORE = "(?<![0-9０-９])"
_NOT_DIGIT_AFTER = "(?![0-9０-９])"

# Mainland mobile: 1[3-9]x xxxx xxxx, optionally +86 / 86 and spaces or dashes between the groups.
_MOBILE = re.compile(
    _NOT_DIGIT_BEFORE
    + rf"((?:[+＋]?[8８][6６]{_SEP})?[1１][3-9３-９]{_D}){_SEP}({_D}{{4}}){_SEP}({_D}{{4}})"
    + _NOT_DIGIT_AFTER)
# Landline: area code 0xx / 0xxx, optionally in brackets, then a 7-8 digit local number.
_LANDLINE = re.compile(
    _NOT_DIGIT_BEFORE
    + rf"([(（]?[0０]{_D}{{2,3}}[)）]?{_SEP})({_D}{{3,4}}){_SEP}({_D}{{4}})"
    + _NOT_DIGIT_AFTER)
# Nationwide service numbers: 400-xxx-xxxx / 800-xxx-xxxx.
_SERVICE = re.compile(
    _NOT_DIGIT_BEFORE + rf"([4４8８][0０]{{2}}{_SEP})({_D}{{3}}){_SEP}({_D}{{4}})" + _NOT_DIGIT_AFTER)
# A WeChat id (6-20 characters, starting with a letter) announced by 微信 / wx / vx / WeChat and friends.
_WECHAT = re.compile(
    r"((?:微信|威信|薇信|v信|weixin|wechat|(?<![A-Za-z0-9])wx|(?<![A-Za-z0-9])vx)"
    r"\s*(?:号|id|ID)?\s*(?:是|为)?\s*[:：]?\s*)"
    r"([A-Za-z][-_A-Za-z0-9]{5,19})(?![-_A-Za-z0-9])",
    re.IGNORECASE,
)


def mask_phone(phone: str | None) -> str:
    """A phone number for display without a booking: 13812345678 -> 138****5678."""
    if not phone:
        return ""
    digits = re.sub(r"[\s\-()（）]", "", phone.strip())
    if digits.startswith("+86"):
        digits = digits[3:]
    if len(digits) >= 7:
        return f"{digits[:3]}****{digits[-4:]}"
    return "*" * len(digits)


def mask_wechat(wechat: str | None) -> str | None:
    """A WeChat id for display without a booking: linwanqing -> li****."""
    if not wechat:
        return None
    wechat = wechat.strip()
    return f"{wechat[:2]}****" if len(wechat) > 2 else "****"


def _mask_number(m: re.Match[str]) -> str:
    return f"{m.group(1)}****{m.group(3)}"


def mask_contacts(text: str | None) -> str:
    """Free text with mobile, landline and service numbers and announced WeChat ids masked."""
    if not text:
        return ""
    text = _WECHAT.sub(lambda m: m.group(1) + (mask_wechat(m.group(2)) or ""), text)
    text = _MOBILE.sub(_mask_number, text)
    text = _LANDLINE.sub(_mask_number, text)
    return _SERVICE.sub(_mask_number, text)
