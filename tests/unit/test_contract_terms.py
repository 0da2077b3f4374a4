"""Contract terms as the document prints them: amounts in 人民币大写 and template placeholders checked."""

from __future__ import annotations

import pytest

from domain.contracts.errors import TemplateInvalid
from domain.contracts.templates import DEFAULT_BODY, _check, render
from domain.contracts.terms import PLACEHOLDERS, yuan, yuan_upper


@pytest.mark.parametrize(("fen", "upper"), [
    (0, "零元整"), (100, "壹元整"), (1_250_000, "壹万贰仟伍佰元整"), (1_000_050, "壹万元伍角"),
    (10_010_000, "壹拾万零壹佰元整"), (100_000_000, "壹佰万元整"),
    (123_456_789, "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分"),
    (1_000_000_500, "壹仟万零伍元整"), (5, "伍分"),
])
def test_amounts_in_chinese_capitals(fen: int, upper: str) -> None:
    assert yuan_upper(fen) == upper


def test_yuan_has_two_decimals_and_thousands() -> None:
    assert yuan(1_250_000) == "12,500.00" and yuan(5) == "0.05" and yuan(None) == "0.00"


def test_the_default_template_uses_every_placeholder_and_only_known_ones() -> None:
    _check(DEFAULT_BODY)
    assert all(f"${{{name}}}" in DEFAULT_BODY for name in PLACEHOLDERS)
    filled = render(DEFAULT_BODY, {name: f"<{name}>" for name in PLACEHOLDERS})
    assert "$" not in filled


@pytest.mark.parametrize("body", ["甲方：${client_nmae}", "费用 $ 100", "乙方：${artist_name"])
def test_unknown_or_broken_placeholders_are_refused(body: str) -> None:
    with pytest.raises(TemplateInvalid):
        _check(body)


def test_a_literal_dollar_is_written_twice() -> None:
    _check("费用以 $$ 计")
    assert render("费用以 $$ 计", {}) == "费用以 $ 计"
