"""Every platform rule operators can change (系统设置), in one place: key, Chinese label, group, type, bounds and
default. The services read a rule through `domain.accounts.rules.get_rule`; the console lists and changes them
through `domain.system.service`. A rule's value is checked here before it is stored, so a service never reads a
value it cannot use."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import TypeAdapter, ValidationError

from domain.errors import AppError
from domain.inputs import Text

Kind = Literal["bool", "int", "text", "tiers"]

GROUPS: dict[str, str] = {  # in the order the console shows them
    "verification": "实名认证",
    "registration": "注册入驻",
    "deadlines": "预约时限",
    "cancellation": "取消退款",
    "money": "佣金与结算",
    "service": "客服联系方式",
}


@dataclass(frozen=True)
class Rule:
    key: str
    label: str
    group: str
    kind: Kind
    default: Any
    help: str = ""
    unit: str = ""           # 小时 / 天 / 基点 (shown next to an int)
    min: int | None = None   # int: inclusive bounds
    max: int | None = None
    max_length: int = 0      # text
    pattern: str | None = None  # text: what the whole value must match (empty always allowed)
    pattern_hint: str = ""
    public: bool = False     # readable without login (GET /meta/customer-service)


RULES: tuple[Rule, ...] = (
    Rule("booking.require_verification", "预约须先实名认证", "verification", "bool", True,
         "开启后，需求方和艺人完成实名认证才能发起或接受预约"),
    Rule("verification.organisation_licence_required", "机构认证须上传营业执照", "verification", "bool", True,
         "以机构身份认证时必须上传营业执照"),
    Rule("registration.client_open", "开放需求方注册", "registration", "bool", True,
         "关闭后，新用户不能登记需求方资料（已登记的不受影响）"),
    Rule("registration.artist_open", "开放艺人入驻", "registration", "bool", True,
         "关闭后，新用户不能提交艺人入驻资料（已入驻的不受影响）"),
    Rule("booking.response_hours", "艺人响应时限", "deadlines", "int", 48,
         "艺人须在收到预约后这段时间内报价或婉拒，否则预约过期", "小时", 1, 720),
    Rule("booking.contract_hours", "签约时限", "deadlines", "int", 72,
         "报价后双方须在这段时间内签署合同（档期预留同样长）", "小时", 1, 720),
    Rule("booking.deposit_hours", "定金支付时限", "deadlines", "int", 24,
         "签约后需求方须在这段时间内支付定金", "小时", 1, 720),
    Rule("booking.balance_due_days", "尾款默认提前天数", "deadlines", "int", 3,
         "艺人报价未填写尾款期限时，尾款须在演出开始前这么多天付清", "天", 0, 180),
    Rule("booking.auto_confirm_hours", "演出自动确认时限", "deadlines", "int", 72,
         "演出结束后需求方未确认也未发起纠纷，这段时间后自动确认演出完成", "小时", 1, 720),
    Rule("booking.cancellation_tiers", "默认取消退款阶梯", "cancellation", "tiers",
         [{"days_before": 30, "refund_percent": 100}, {"days_before": 7, "refund_percent": 50},
          {"days_before": 0, "refund_percent": 0}],
         "艺人报价未设置退款阶梯时使用：距演出至少 N 天取消，退还已付定金的百分比"),
    Rule("booking.commission_rate_bp", "平台佣金比例", "money", "int", 1000,
         "按基点计（100 基点 = 1%），在预约创建时记入该预约，之后修改不影响已有预约", "基点", 0, 5000),
    Rule("booking.settlement_dispute_window_hours", "结算纠纷期", "money", "int", 72,
         "演出结束后这段时间内不打款（双方仍可发起纠纷）", "小时", 0, 720),
    Rule("booking.settlement_auto_approve_days", "结算自动审批", "money", "int", 3,
         "艺人申请结算后运营未审批，这么多天后自动通过（0 表示纠纷期一过即自动通过）", "天", 0, 90),
    Rule("service.phone", "客服电话", "service", "text", "", "小程序“联系客服”显示的电话",
         max_length=20, pattern=r"[0-9+\- ]{5,20}", pattern_hint="只能包含数字、空格、+ 和 -，5 到 20 位",
         public=True),
    Rule("service.wechat", "客服微信", "service", "text", "", "小程序“联系客服”显示的微信号", max_length=40,
         pattern=r"[A-Za-z0-9_\-]{6,40}", pattern_hint="微信号为 6 到 40 位字母、数字、_ 或 -", public=True),
    Rule("service.hours", "客服时间", "service", "text", "", "例如：工作日 9:00-18:00", max_length=60, public=True),
)

BY_KEY: dict[str, Rule] = {r.key: r for r in RULES}
DEFAULTS: dict[str, Any] = {r.key: r.default for r in RULES}
MAX_TIERS = 10


class SettingInvalid(AppError):
    status, code, message = 422, "setting_invalid", "规则的取值无效"


class SettingUnknown(AppError):
    status, code, message = 422, "setting_unknown", "没有这项规则"


def rule(key: str) -> Rule:
    found = BY_KEY.get(key)
    if found is None:
        raise SettingUnknown(detail={"key": key[:60]})
    return found


def _refuse(r: Rule, why: str) -> SettingInvalid:
    return SettingInvalid(f"「{r.label}」{why}", detail={"key": r.key})


_TEXT_CHECKS: dict[int, TypeAdapter[str]] = {}


def _clean_text(r: Rule, value: Any) -> str:
    if not isinstance(value, str):
        raise _refuse(r, "须为文字")
    adapter = _TEXT_CHECKS.setdefault(r.max_length, TypeAdapter(Annotated[str, Text(r.max_length)]))
    try:
        text: str = adapter.validate_python(value)
    except ValidationError as exc:
        kind = exc.errors()[0]["type"]
        raise _refuse(r, f"最多 {r.max_length} 个字" if kind == "string_too_long"
                      else "包含不允许的控制字符或隐藏字符") from None
    if text and r.pattern and not re.fullmatch(r.pattern, text):
        raise _refuse(r, f"格式不正确：{r.pattern_hint}")
    return text


def _clean_tiers(r: Rule, value: Any) -> list[dict[str, int]]:
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_TIERS:
        raise _refuse(r, f"须为 1 到 {MAX_TIERS} 条阶梯")
    tiers: list[dict[str, int]] = []
    for t in value:
        if not isinstance(t, dict) or set(t) != {"days_before", "refund_percent"}:
            raise _refuse(r, "每条阶梯须包含距演出天数和退款比例")
        days, percent = t["days_before"], t["refund_percent"]
        if not _is_int(days) or not 0 <= days <= 365:
            raise _refuse(r, "的距演出天数须为 0 到 365 之间的整数")
        if not _is_int(percent) or not 0 <= percent <= 100:
            raise _refuse(r, "的退款比例须为 0 到 100 之间的整数")
        tiers.append({"days_before": days, "refund_percent": percent})
    tiers.sort(key=lambda t: -t["days_before"])
    days_list = [t["days_before"] for t in tiers]
    if len(set(days_list)) != len(days_list):
        raise _refuse(r, "的距演出天数不能重复")
    if tiers[-1]["days_before"] != 0:
        raise _refuse(r, "须包含距演出 0 天的一条（演出前最后时刻取消的退款比例）")
    # Cancelling later never gives back more than cancelling earlier.
    if any(later["refund_percent"] > earlier["refund_percent"]
           for earlier, later in zip(tiers, tiers[1:], strict=False)):
        raise _refuse(r, "中距演出越近，退款比例不能越高")
    return tiers


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def clean(key: str, value: Any) -> Any:
    """The value to store for `key`, or SettingInvalid / SettingUnknown with a Chinese message."""
    r = rule(key)
    if r.kind == "bool":
        if not isinstance(value, bool):
            raise _refuse(r, "须为开或关")
        return value
    if r.kind == "int":
        assert r.min is not None and r.max is not None
        if not _is_int(value) or not r.min <= value <= r.max:
            raise _refuse(r, f"须为 {r.min} 到 {r.max} 之间的整数" + (f"（{r.unit}）" if r.unit else ""))
        return value
    if r.kind == "text":
        return _clean_text(r, value)
    return _clean_tiers(r, value)
