"""Booking states and the one transition table the workflow, the API's `allowed_actions` and the clients read.

Deterministic and import-light: the workflow sandbox imports this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class BookingStatus(StrEnum):
    REQUESTED = "REQUESTED"          # inquiry sent, waiting for the artist
    CONFIRMED = "CONFIRMED"          # artist quoted; calendar HOLD
    CONTRACT_SENT = "CONTRACT_SENT"  # artist sent the contract; client to sign
    CLIENT_SIGNED = "CLIENT_SIGNED"  # client signed; artist to countersign
    SIGNED = "SIGNED"                # both signed; deposit due
    DEPOSIT_PAID = "DEPOSIT_PAID"    # calendar BOOKED; balance due before the show
    FULLY_PAID = "FULLY_PAID"        # waiting for the show to end
    PERFORMED = "PERFORMED"          # show over; the client confirms it happened (or auto after 72 h)
    ACCEPTED = "ACCEPTED"            # performance confirmed; the artist may request settlement
    SETTLING = "SETTLING"            # payout being made
    COMPLETED = "COMPLETED"
    DISPUTED = "DISPUTED"            # money frozen until an operator resolves
    REJECTED = "REJECTED"
    EXPIRED = "EXPIRED"
    WITHDRAWN = "WITHDRAWN"          # the client went ahead with other artists of the inquiry
    CANCELLED = "CANCELLED"


STATUS_LABELS = {
    "REQUESTED": "待艺人确认", "CONFIRMED": "艺人已报价", "CONTRACT_SENT": "待签合同", "CLIENT_SIGNED": "待艺人会签",
    "SIGNED": "待付定金", "DEPOSIT_PAID": "已付定金", "FULLY_PAID": "已付全款", "PERFORMED": "待确认演出",
    "ACCEPTED": "待结算",
    "SETTLING": "结算中", "COMPLETED": "已完成", "DISPUTED": "纠纷处理中", "REJECTED": "艺人已拒绝",
    "EXPIRED": "已过期", "WITHDRAWN": "已撤回", "CANCELLED": "已取消",
}


class Stage(StrEnum):
    """Where a booking is on the progress bar 预约—签约—支付—演出—结算 (plus 已完成 / 已关闭)."""

    booking = "booking"
    contract = "contract"
    payment = "payment"
    show = "show"
    settlement = "settlement"
    done = "done"
    closed = "closed"


STAGE_LABELS = {"booking": "预约", "contract": "签约", "payment": "支付", "show": "演出", "settlement": "结算",
                "done": "已完成", "closed": "已关闭"}
# Every status in exactly one stage (the order lists filter by it).
STATUS_STAGES: dict[str, Stage] = {
    "REQUESTED": Stage.booking, "CONFIRMED": Stage.booking,
    "CONTRACT_SENT": Stage.contract, "CLIENT_SIGNED": Stage.contract,
    "SIGNED": Stage.payment, "DEPOSIT_PAID": Stage.payment,
    "FULLY_PAID": Stage.show, "PERFORMED": Stage.show,
    "ACCEPTED": Stage.settlement, "SETTLING": Stage.settlement, "DISPUTED": Stage.settlement,
    "COMPLETED": Stage.done,
    "REJECTED": Stage.closed, "EXPIRED": Stage.closed, "WITHDRAWN": Stage.closed, "CANCELLED": Stage.closed,
}
# What `deadline_at` is for in the states where a deadline runs (elsewhere it is a past one). PERFORMED: the
# automatic acceptance, which the views work out from the `performed` event.
DEADLINE_LABELS = {
    "REQUESTED": "艺人确认截止", "CONFIRMED": "发送合同截止", "CONTRACT_SENT": "签署合同截止",
    "CLIENT_SIGNED": "会签截止", "SIGNED": "定金支付截止", "PERFORMED": "确认演出截止",
}


def statuses_in(stage: str) -> list[str]:
    return [status for status, s in STATUS_STAGES.items() if s == stage]


FINAL = {BookingStatus.COMPLETED, BookingStatus.REJECTED, BookingStatus.EXPIRED, BookingStatus.WITHDRAWN,
         BookingStatus.CANCELLED}
# States in which money has been paid and a dispute may be opened.
DISPUTABLE = {BookingStatus.DEPOSIT_PAID, BookingStatus.FULLY_PAID, BookingStatus.PERFORMED,
              BookingStatus.ACCEPTED, BookingStatus.SETTLING}
# Before the show: a party may cancel (with compensation per the contract).
CANCELLABLE = {BookingStatus.REQUESTED, BookingStatus.CONFIRMED, BookingStatus.CONTRACT_SENT,
               BookingStatus.CLIENT_SIGNED, BookingStatus.SIGNED, BookingStatus.DEPOSIT_PAID,
               BookingStatus.FULLY_PAID}
# Bookings that count towards an artist's popularity (the client and artist actually went ahead).
POPULAR_BOOKING_STATUSES = ("CONFIRMED", "CONTRACT_SENT", "CLIENT_SIGNED", "SIGNED", "DEPOSIT_PAID",
                            "FULLY_PAID", "PERFORMED", "ACCEPTED", "SETTLING", "COMPLETED")


class Action(StrEnum):
    confirm = "confirm"                      # artist: quote
    reject = "reject"                        # artist: with a reason
    send_contract = "send_contract"          # artist
    sign = "sign"                            # client
    countersign = "countersign"              # artist
    pay_deposit = "pay_deposit"              # client (creates a payment order; the callback moves the state)
    pay_balance = "pay_balance"              # client
    confirm_performance = "confirm_performance"  # client
    request_settlement = "request_settlement"    # artist
    cancel = "cancel"                        # client / artist / operator
    dispute = "dispute"                      # client / artist
    resolve_dispute = "resolve_dispute"      # operator
    extend_deadline = "extend_deadline"      # operator
    withdraw = "withdraw"                    # client: went ahead with other artists of the inquiry


ACTION_LABELS = {
    "confirm": "确认并报价", "reject": "拒绝", "send_contract": "发送合同", "sign": "签署合同",
    "countersign": "会签合同",
    "pay_deposit": "支付定金", "pay_balance": "支付尾款", "confirm_performance": "确认已演出",
    "request_settlement": "申请结算", "cancel": "取消预约", "dispute": "发起纠纷", "resolve_dispute": "处理纠纷",
    "extend_deadline": "延长期限", "withdraw": "撤回",
}


@dataclass(frozen=True)
class Move:
    roles: frozenset[str]
    to: BookingStatus | None  # None: the state is decided elsewhere (payments, compensation, resolution)


def _m(roles: str, to: BookingStatus | None = None) -> Move:
    return Move(frozenset(roles.split(",")), to)


S, A = BookingStatus, Action
TRANSITIONS: dict[tuple[BookingStatus, Action], Move] = {
    (S.REQUESTED, A.confirm): _m("artist", S.CONFIRMED),
    (S.REQUESTED, A.reject): _m("artist", S.REJECTED),
    (S.CONFIRMED, A.send_contract): _m("artist", S.CONTRACT_SENT),
    (S.CONTRACT_SENT, A.sign): _m("client", S.CLIENT_SIGNED),
    (S.CLIENT_SIGNED, A.countersign): _m("artist", S.SIGNED),
    (S.SIGNED, A.pay_deposit): _m("client"),
    (S.DEPOSIT_PAID, A.pay_balance): _m("client"),
    (S.PERFORMED, A.confirm_performance): _m("client", S.ACCEPTED),
    (S.ACCEPTED, A.request_settlement): _m("artist", S.SETTLING),
    (S.DISPUTED, A.resolve_dispute): _m("operator"),
    (S.REQUESTED, A.withdraw): _m("client", S.WITHDRAWN),
    (S.CONFIRMED, A.withdraw): _m("client", S.WITHDRAWN),
    **{(s, A.cancel): _m("client,artist,operator", S.CANCELLED) for s in CANCELLABLE},
    **{(s, A.dispute): _m("client,artist", S.DISPUTED) for s in DISPUTABLE},
    **{(s, A.extend_deadline): _m("operator")
       for s in (S.REQUESTED, S.CONFIRMED, S.CONTRACT_SENT, S.CLIENT_SIGNED, S.SIGNED, S.DEPOSIT_PAID)},
}


ROLE_LABELS = {"client": "需求方", "artist": "艺人", "operator": "平台运营"}
ACTOR_LABELS = {**ROLE_LABELS, "system": "系统"}
# Timeline titles of the booking's events (their `action`): user actions and what the system records.
EVENT_LABELS = {
    "request": "需求方发起预约", "confirm": "艺人确认并报价", "reject": "艺人拒绝", "send_contract": "艺人发送合同",
    "sign": "需求方签署合同", "countersign": "艺人会签合同", "confirm_performance": "确认演出完成",
    "request_settlement": "申请结算", "withdraw": "需求方撤回", "deposit_paid": "定金已支付",
    "balance_paid": "尾款已支付", "unexpected_payment": "收到异常付款", "refunded": "退款已到账",
    "refund_refused": "退款失败", "expire": "已过期", "performed": "演出时间结束", "reminder": "系统提醒",
    "settled": "结算完成", "balance_overdue": "尾款逾期", "dispute_ruling": "纠纷裁决",
    "settlement_pending": "结算待审核", "settlement_approved": "结算审核通过", "settlement_rejected": "结算被驳回",
    "payout_failed": "结算打款失败", "payout_retry": "重新打款", "payout_slow": "结算打款未到账",
}


def event_label(action: str, to_status: str) -> str:
    return EVENT_LABELS.get(action) or ACTION_LABELS.get(action) or STATUS_LABELS.get(to_status, action)
# Once the show has started only the performance flow and disputes remain: nobody cancels mid-show.
NOT_AFTER_START = {Action.cancel}


def allowed_actions(status: str, role: str, *, show_started: bool = False) -> list[str]:
    """What `role` (client / artist / operator) may do to a booking in `status`, in table order."""
    return [a.value for (s, a), move in TRANSITIONS.items()
            if s == status and role in move.roles and not (show_started and a in NOT_AFTER_START)]


def move_for(status: str, action: str, role: str) -> Move | None:
    move = TRANSITIONS.get((BookingStatus(status), Action(action)))
    return move if move is not None and role in move.roles else None


@dataclass(frozen=True)
class Refusal:
    kind: str     # Forbidden (the role never may) / Closed (the booking ended) / InvalidAction (not in this state)
    message: str


def refusal(status: str, action: str, role: str, *, show_started: bool) -> Refusal | None:
    """Why `role` may not take `action` now, or None. The workflow's validator and the API's early check
    (before anything is stored) both ask this, so they answer alike."""
    act = Action(action)
    roles = {r for (_, a), move in TRANSITIONS.items() if a == act for r in move.roles}
    if role not in roles:
        who = "或".join(ROLE_LABELS[r] for r in ("client", "artist", "operator") if r in roles)
        return Refusal("Forbidden", f"只有{who}可以{ACTION_LABELS[act.value]}")
    if BookingStatus(status) in FINAL:
        return Refusal("Closed", f"预约已结束（{STATUS_LABELS[status]}），不能再操作")
    if move_for(status, action, role) is None:
        return Refusal("InvalidAction", f"当前状态（{STATUS_LABELS[status]}）不能{ACTION_LABELS[act.value]}")
    if show_started and act in NOT_AFTER_START:
        return Refusal("InvalidAction", "演出已开始，不能取消；如演出有问题，请发起纠纷")
    return None
