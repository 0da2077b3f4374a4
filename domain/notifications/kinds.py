"""What the platform notifies about, once: each kind's Chinese label, whether it is urgent (SMS is offered only
for urgent kinds) and the channels a user can choose. In-app is always on: the notification centre is the record."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Channel(StrEnum):
    IN_APP = "in_app"
    WECHAT = "wechat"  # 微信订阅消息
    SMS = "sms"


CHANNEL_LABELS = {Channel.IN_APP: "站内通知", Channel.WECHAT: "微信订阅消息", Channel.SMS: "短信"}
OUTSIDE_CHANNELS = (Channel.WECHAT, Channel.SMS)


class Kind(StrEnum):
    BOOKING_REQUEST = "booking_request"
    BOOKING_RESULT = "booking_result"
    CONTRACT = "contract"
    PAYMENT_DUE = "payment_due"
    PAYMENT_REMINDER = "payment_reminder"
    PAYMENT_RECEIVED = "payment_received"
    SHOW_TOMORROW = "show_tomorrow"
    PERFORMANCE = "performance"
    CANCELLATION = "cancellation"
    REFUND = "refund"
    DISPUTE = "dispute"
    SETTLEMENT = "settlement"
    REVIEW = "review"
    REVIEW_RESULT = "review_result"
    TEAM_INVITATION = "team_invitation"
    COMPLAINT_REPLY = "complaint_reply"
    OTHER = "other"


@dataclass(frozen=True)
class KindInfo:
    label: str
    description: str
    urgent: bool = False

    @property
    def channels(self) -> tuple[Channel, ...]:
        return (Channel.IN_APP, Channel.WECHAT, Channel.SMS) if self.urgent else (Channel.IN_APP, Channel.WECHAT)


CATALOGUE: dict[Kind, KindInfo] = {
    Kind.BOOKING_REQUEST: KindInfo("新的演出邀约", "需求方发来邀约、邀约即将过期（等待艺人答复）", urgent=True),
    Kind.BOOKING_RESULT: KindInfo("报价与邀约结果", "艺人报价、拒绝，邀约撤回或过期"),
    Kind.CONTRACT: KindInfo("合同签署", "请签署合同、对方已签署、合同生效或即将过期"),
    Kind.PAYMENT_DUE: KindInfo("定金/尾款明天到期", "定金或尾款将在24小时内到期", urgent=True),
    Kind.PAYMENT_REMINDER: KindInfo("付款提醒", "尾款提前提醒、尾款逾期"),
    Kind.PAYMENT_RECEIVED: KindInfo("款项到账", "定金、尾款已支付"),
    Kind.SHOW_TOMORROW: KindInfo("明天有演出", "演出开始前一天提醒双方", urgent=True),
    Kind.PERFORMANCE: KindInfo("演出确认", "演出结束、演出已确认"),
    Kind.CANCELLATION: KindInfo("预约取消", "预约被取消或因超时失效", urgent=True),
    Kind.REFUND: KindInfo("退款", "退款完成或退款受阻"),
    Kind.DISPUTE: KindInfo("纠纷与裁定", "订单进入纠纷、举证、平台裁定"),
    Kind.SETTLEMENT: KindInfo("结算与打款", "结算审核、打款结果"),
    Kind.REVIEW: KindInfo("评价", "收到新评价、艺人回复评价"),
    Kind.REVIEW_RESULT: KindInfo("审核结果", "资料、案例、资质、需求的审核通过或驳回"),
    Kind.TEAM_INVITATION: KindInfo("团队邀请", "经纪人邀请您加入团队"),
    Kind.COMPLAINT_REPLY: KindInfo("投诉与反馈回复", "平台回复或处理了您的投诉与反馈"),
    Kind.OTHER: KindInfo("其他通知", "其他订单变动与平台消息"),
}


def kind_of(value: str) -> Kind:
    try:
        return Kind(value)
    except ValueError:
        return Kind.OTHER


def default_enabled(kind: Kind, channel: Channel) -> bool:
    """In-app always; WeChat for every kind (it still needs the user's subscription); SMS for urgent kinds."""
    return channel in CATALOGUE[kind].channels


# --- which kind a booking step is: the workflow names the action (and, for reminders, the timer) ----------

_BY_ACTION: dict[str, Kind] = {
    "request": Kind.BOOKING_REQUEST,
    "confirm": Kind.BOOKING_RESULT, "reject": Kind.BOOKING_RESULT, "withdraw": Kind.BOOKING_RESULT,
    "send_contract": Kind.CONTRACT, "sign": Kind.CONTRACT, "countersign": Kind.CONTRACT,
    "deposit_paid": Kind.PAYMENT_RECEIVED, "balance_paid": Kind.PAYMENT_RECEIVED,
    "balance_overdue": Kind.PAYMENT_REMINDER,
    "performed": Kind.PERFORMANCE, "confirm_performance": Kind.PERFORMANCE,
    "cancel": Kind.CANCELLATION,
    "unexpected_payment": Kind.REFUND, "refunded": Kind.REFUND, "refund_refused": Kind.REFUND,
    "dispute": Kind.DISPUTE, "dispute_ruling": Kind.DISPUTE, "resolve_dispute": Kind.DISPUTE,
    "settled": Kind.SETTLEMENT, "settlement_pending": Kind.SETTLEMENT, "settlement_approved": Kind.SETTLEMENT,
    "settlement_rejected": Kind.SETTLEMENT, "payout_failed": Kind.SETTLEMENT, "payout_slow": Kind.SETTLEMENT,
    "payout_retry": Kind.SETTLEMENT,
}
_BY_TIMER: dict[str, Kind] = {
    "remind_response": Kind.BOOKING_REQUEST,
    "expire_response": Kind.BOOKING_RESULT,
    "remind_contract": Kind.CONTRACT,
    "expire_hold": Kind.CANCELLATION,
    "expire_deposit": Kind.CANCELLATION,
    "remind_balance_1": Kind.PAYMENT_DUE,
}


def booking_step_kind(action: str, step: str) -> Kind:
    """`step` is the workflow's "<seq>-<name>"; a timer's name says which reminder or deadline it was."""
    name = step.split("-", 1)[1] if "-" in step else step
    if name in _BY_TIMER:
        return _BY_TIMER[name]
    if name.startswith("remind_balance_"):
        return Kind.PAYMENT_REMINDER
    if action in _BY_ACTION:
        return _BY_ACTION[action]
    if "sign" in action:  # the signing actions (sign, esign, countersign...) all concern the contract
        return Kind.CONTRACT
    return Kind.OTHER
