"""Shared input types: every free-text field and every calendar date a user sends goes through these.

Why: PostgreSQL refuses NUL in text, a lone surrogate cannot be encoded at all, and bidi overrides or zero-width
characters make stored text read differently from what it is (an address, a contact, a review). A value that is
refused here never reaches a query, a workflow or an activity, so no 500 and no activity retrying forever.
Dates are bounded so date arithmetic (+1 day, Asia/Shanghai) can never overflow `date.max`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, GetCoreSchemaHandler
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

# C0 and C1 controls and DEL; \t and \n are added back for multi-line text (bios, requirements, reviews ...).
_CONTROL = "\x00-\x08\x0b-\x1f\x7f-\x9f"
_CONTROL_ONE_LINE = "\x00-\x1f\x7f-\x9f"
# Bidi embeddings/overrides/isolates (text that displays reversed) and invisible characters that hide or split
# text (zero-width space, word joiner, invisible operators, deprecated format controls, BOM). ZWJ (U+200D) and
# the variation selectors stay allowed: emoji need them.
_INVISIBLE = "\u202a-\u202e\u2066-\u2069\u200b\u2060-\u2064\u206a-\u206f\ufeff"
_SURROGATE = "\ud800-\udfff"
_BAD_MULTILINE = re.compile(f"[{_CONTROL}{_INVISIBLE}{_SURROGATE}]")
_BAD_ONE_LINE = re.compile(f"[{_CONTROL_ONE_LINE}{_INVISIBLE}{_SURROGATE}]")
# Ordinary white space trimmed at both ends (the other controls are refused, not silently removed).
_EDGE_SPACE = " \t\n\r\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"

TEXT_ERRORS = {  # pydantic error type -> Chinese wording after the field's label (api.errors._message)
    "text_control_char": "包含不允许的控制字符",
    "text_invisible_char": "包含不允许的隐藏或文字方向控制字符",
    "text_invalid_char": "包含无效的字符编码",
}


def _refuse(ch: str) -> PydanticCustomError:
    if "\ud800" <= ch <= "\udfff":
        kind = "text_invalid_char"
    elif re.fullmatch(f"[{_INVISIBLE}]", ch):
        kind = "text_invisible_char"
    else:
        kind = "text_control_char"
    return PydanticCustomError(kind, TEXT_ERRORS[kind], {"char": f"U+{ord(ch):04X}"})


def _cleaner(multiline: bool, strip: bool) -> Any:
    bad = _BAD_MULTILINE if multiline else _BAD_ONE_LINE

    def clean(value: Any) -> Any:
        if not isinstance(value, str):
            return value  # the str schema that follows refuses it with its usual error
        if strip:
            value = value.strip(_EDGE_SPACE)
        if multiline:
            value = value.replace("\r\n", "\n")  # Windows line ends; a lone \r is still refused
        found = bad.search(value)
        if found:
            raise _refuse(found.group())
        return value

    return clean


@dataclass(frozen=True)
class Text:
    """Pydantic metadata for a bounded text input: `Annotated[str, Text(50, min_length=1)]`.

    Trimmed (unless strip=False, e.g. passwords); no NUL or other control characters (multiline allows \\n and \\t
    and turns \\r\\n into \\n); no lone surrogates; no bidi overrides or zero-width spaces."""

    max_length: int
    min_length: int = 0
    multiline: bool = False
    strip: bool = True

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        bounded = core_schema.str_schema(min_length=self.min_length or None, max_length=self.max_length)
        return core_schema.no_info_before_validator_function(_cleaner(self.multiline, self.strip), bounded)


# Dates a user may send: far enough for any booking or history, near enough that +1 day never overflows.
DATE_MIN = date(2000, 1, 1)
DATE_MAX = date(2100, 12, 31)


def _in_range(day: date) -> date:
    if not DATE_MIN <= day <= DATE_MAX:
        raise PydanticCustomError("date_out_of_range", "日期超出允许范围",
                                  {"min": DATE_MIN.isoformat(), "max": DATE_MAX.isoformat()})
    return day


InputDate = Annotated[date, AfterValidator(_in_range)]


class Input(BaseModel):
    """The base of every request body: an unknown field is refused (a typo never passes silently)."""

    model_config = ConfigDict(extra="forbid")
