"""Masking of phone numbers and WeChat ids in public text."""

from __future__ import annotations

import pytest

from domain.privacy import mask_contacts, mask_phone, mask_wechat


def test_mask_phone():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone(" 138-1234-5678 ") == "138****5678"
    assert mask_phone("+8613812345678") == "138****5678"
    assert mask_phone("010-12345678") == "010****5678"
    assert mask_phone("") == ""
    assert mask_phone(None) == ""
    assert mask_phone("12345") == "*****"


def test_mask_wechat():
    assert mask_wechat("linwanqing_88") == "li****"
    assert mask_wechat(None) is None
    assert mask_wechat("ab") == "****"


@pytest.mark.parametrize(("text", "expected"), [
    ("商务合作请致电13812345678，谢谢", "商务合作请致电138****5678，谢谢"),
    ("电话 138 1234 5678", "电话 138****5678"),
    ("电话：138-1234-5678。", "电话：138****5678。"),
    ("+86 13812345678", "+86 138****5678"),
    ("手机１３８１２３４５６７８", "手机１３８****５６７８"),
    ("座机 010-12345678 或 (0755)1234567", "座机 010-****5678 或 (0755)****4567"),
    ("客服 400-820-8820", "客服 400-****8820"),
    ("微信：linwanqing_88 欢迎联系", "微信：li**** 欢迎联系"),
    ("加微信号 abc-12345", "加微信号 ab****"),
    ("wx:Singer2020", "wx:Si****"),
    ("VX  hello_world", "VX  he****"),
    ("WeChat: jazz4tet", "WeChat: ja****"),
    ("微信同号13812345678", "微信同号138****5678"),
])
def test_mask_contacts_masks(text: str, expected: str):
    assert mask_contacts(text) == expected


@pytest.mark.parametrize("text", [
    "2015年出道，演出500余场，报价¥6000起",
    "演出时间 19:30-21:00，时长 90 分钟",
    "身份证号 110101199001011234 不是手机号",
    "订单号 138123456789012",
    "微信咨询，欢迎来电",
    "wx: abc",  # too short for a WeChat id
    "2019-2023 年驻唱",
    "",
])
def test_mask_contacts_leaves_other_text(text: str):
    assert mask_contacts(text) == text


def test_mask_contacts_none():
    assert mask_contacts(None) == ""
