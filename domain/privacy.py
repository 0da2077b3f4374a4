"""Masking of contact details in anything shown to people who have no booking with the owner.

Artists and clients write phone numbers and WeChat ids into free text to deal off-platform, often spelled to
slip past a filter (1 3 8 . . ., 一三八…, 加V); public views show them masked (138****5678, 微信：li****).
The stored text stays as typed, so unmasking never needs a second copy and a better rule applies to old text too.
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import ColumnElement
from sqlalchemy.orm import InstrumentedAttribute

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
# A WeChat id (6-20 characters, starting with a letter) announced by 微信 / wx / vx / WeChat and friends,
# or by 加V / ➕V / +V / 加微 / a bare "V:".
_WECHAT = re.compile(
    r"((?:微信|威信|薇信|v信|weixin|wechat|(?<![A-Za-z0-9])wx|(?<![A-Za-z0-9])vx"
    r"|(?:加|➕|[+＋])\s*(?:个\s*)?(?:[vＶｖ](?![A-Za-z])|微)|(?<![A-Za-z0-9])v\s*(?=[:：]))"
    r"\s*(?:号|id|ID)?\s*(?:是|为)?\s*[:：]?\s*)"
    r"([A-Za-z][-_A-Za-z0-9]{5,19})(?![-_A-Za-z0-9])",
    re.IGNORECASE,
)
# QQ numbers and e-mail addresses reach the other side as well as a phone does.
_QQ = re.compile(r"((?:(?<![A-Za-z0-9])qq|扣扣|企鹅)\s*(?:号|号码)?\s*(?:是|为)?\s*[:：]?\s*)"
                 r"([1-9][0-9]{4,11})(?![0-9])", re.IGNORECASE)
_EMAIL = re.compile(r"(?<![-_.+A-Za-z0-9])([A-Za-z0-9][-_.+A-Za-z0-9]*)"
                    r"(@[-A-Za-z0-9]+(?:\.[-A-Za-z0-9]+)*\.[A-Za-z]{2,})")

# Invisible characters put between digits to defeat a filter; they are dropped from what is shown.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u180e\u00ad"))
# Digits written as Chinese numerals (小写, 大写 and 幺 for one, as phone numbers are read aloud).
_CHINESE_DIGITS = {c: str(i) for i, cs in enumerate(
    ["〇零", "一壹幺", "二贰貳", "三叁參", "四肆", "五伍", "六陆陸", "七柒", "八捌", "九玖"]) for c in cs}
# What may sit between the digits of one number written to slip past a filter: spaces, dots, dashes, commas.
_DIGIT_SEPARATORS = frozenset(" \t\u3000.．。-－—–_＿·・、,，/／")
_MAX_SEPARATOR_RUN = 3


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


def _digit(c: str) -> str | None:
    """The digit a character stands for: ASCII, full-width, any other script's digits or a Chinese numeral."""
    if c in _CHINESE_DIGITS:
        return _CHINESE_DIGITS[c]
    value = unicodedata.decimal(c, None)
    return None if value is None else str(value)


def _spelled_mobiles(text: str) -> list[tuple[int, int]]:
    """Spans to hide (digits 4-7 of the number, with what sits between them) of mobile numbers spelled out
    digit by digit: 1 3 8 1 2 3 4 5 6 7 8, 138.1234.5678, 一三八一二三四五六七八, 壹叁捌…, mixed. A run of
    digits joined by at most a few separators counts as one number when it is exactly a mobile (or +86 and a
    mobile): longer or shorter runs (prices, dates, ids, several numbers in a row) stay as they are."""
    spans: list[tuple[int, int]] = []
    run: list[tuple[str, int]] = []  # (digit, index in text)
    gap = 0

    def flush() -> None:
        digits = "".join(d for d, _ in run)
        start = 2 if len(digits) == 13 and digits.startswith("86") else 0
        if len(digits) - start == 11 and re.fullmatch(r"1[3-9][0-9]{9}", digits[start:]):
            spans.append((run[start + 2][1] + 1, run[start + 7][1]))
        run.clear()

    for i, c in enumerate(text):
        d = _digit(c)
        if d is not None:
            if gap > _MAX_SEPARATOR_RUN:
                flush()
            run.append((d, i))
            gap = 0
        elif run and c in _DIGIT_SEPARATORS:
            gap += 1
        elif run:
            flush()
            gap = 0
    if run:
        flush()
    return spans


def mask_contacts(text: str | None) -> str:
    """Free text with mobile, landline and service numbers, announced WeChat ids, QQ numbers and e-mail
    addresses masked, however the digits are written."""
    if not text:
        return ""
    text = text.translate(_INVISIBLE)
    text = _WECHAT.sub(lambda m: m.group(1) + (mask_wechat(m.group(2)) or ""), text)
    text = _QQ.sub(lambda m: m.group(1) + (mask_wechat(m.group(2)) or ""), text)
    text = _EMAIL.sub(lambda m: (mask_wechat(m.group(1)) or "") + m.group(2), text)
    text = _MOBILE.sub(_mask_number, text)
    text = _LANDLINE.sub(_mask_number, text)
    text = _SERVICE.sub(_mask_number, text)
    for start, end in reversed(_spelled_mobiles(text)):
        text = f"{text[:start]}****{text[end:]}"
    return text


def phone_search(column: InstrumentedAttribute[str | None], digits: str, *, pii: bool) -> ColumnElement[bool]:
    """An operator who may not see phone numbers finds an account by its full number only (a caller on the
    line); a partial match would reveal the masked digits one search at a time."""
    return column.contains(digits, autoescape=True) if pii else column == digits
