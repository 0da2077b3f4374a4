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
    ("vx：linwanqing88", "vx：li****"),
    ("威信 linwanqing88", "威信 li****"),
    ("薇信号:linwanqing88", "薇信号:li****"),
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


ZW = ["\u200b", "\u200c", "\u200d", "\ufeff"]


@pytest.mark.parametrize(("text", "expected"), [
    # Dots, spaces and other separators between the digits.
    ("电话138.1234.5678谢谢", "电话138****5678谢谢"),
    ("电话 1 3 8 1 2 3 4 5 6 7 8 谢谢", "电话 1 3 8****5 6 7 8 谢谢"),
    ("tel:138_1234_5678", "tel:138****5678"),
    ("打 138，1234，5678", "打 138****5678"),
    ("+86 1 3 8 1 2 3 4 5 6 7 8", "+86 1 3 8****5 6 7 8"),
    ("联系１３８．１２３４．５６７８", "联系１３８****５６７８"),
    ("电话：１ ３ ８ １ ２ ３ ４ ５ ６ ７ ８", "电话：１ ３ ８****５ ６ ７ ８"),
    # Chinese numerals, formal numerals and 幺 for one, also mixed with digits.
    ("电话一三八一二三四五六七八", "电话一三八****五六七八"),
    ("壹叁捌壹贰叁肆伍陆柒捌找我", "壹叁捌****伍陆柒捌找我"),
    ("幺三八幺二三四五六七八", "幺三八****五六七八"),
    ("1三8 一2三4 5六7八", "1三8****5六7八"),
    ("电话 一 三 八 - 一 二 三 四 - 五 六 七 八", "电话 一 三 八****五 六 七 八"),
    ("打我一三八零零零零零零零零", "打我一三八****零零零零"),
    # Other scripts' digits.
    ("电话١٣٨١٢٣٤٥٦٧٨", "电话١٣٨****٥٦٧٨"),
    # WeChat ids announced by 加V / ➕V / V: / 加微 (微信, 威信, 薇信, vx: test_mask_contacts_masks).
    ("加V: singer_2020 详聊", "加V: si**** 详聊"),
    ("加v jazz4tet", "加v ja****"),
    ("加个V：hello_world", "加个V：he****"),
    ("➕V linwanqing88", "➕V li****"),
    ("+V：linwanqing88", "+V：li****"),
    ("联系我 V:linwanqing88", "联系我 V:li****"),
    ("加微 linwanqing88", "加微 li****"),
    # QQ numbers and e-mail addresses reach the other side just as well.
    ("QQ：123456789", "QQ：12****"),
    ("扣扣 88886666 联系", "扣扣 88**** 联系"),
    ("邮箱 linwanqing@163.com", "邮箱 li****@163.com"),
])
def test_mask_contacts_masks_obfuscated(text: str, expected: str):
    assert mask_contacts(text) == expected


@pytest.mark.parametrize("zw", ZW)
def test_mask_contacts_masks_zero_width_separated_digits(zw: str):
    text = "电话" + zw.join("13812345678") + "谢谢"
    masked = mask_contacts(text)
    assert "1234" not in masked.replace(zw, "") and "****" in masked
    assert masked.replace(zw, "") == "电话138****5678谢谢"


@pytest.mark.parametrize("text", [
    "报价5000元，2026年12月3日演出，观众300人",
    "二〇二六年十二月三日晚七点半，一共三首歌",
    "2019年至2025年共演出1200场",
    "价格 15000 元 / 场，定金 30%",
    "时长 1.5 小时，19:30 开始",
    "一二三四五六七八九十",
    "版本 1.2.3，第 5 排 12 号",
    "2024 2025 2026 连续三年驻唱",
    "v1.0 版本",
    "我们很有 vibe，欢迎",
    "加V 认证艺人",
    "给个好评：5星",
])
def test_mask_contacts_leaves_ordinary_text(text: str):
    assert mask_contacts(text) == text


def test_mask_contacts_none():
    assert mask_contacts(None) == ""
