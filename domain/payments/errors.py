"""One error per payment problem (stable code, Chinese message, real HTTP status)."""

from __future__ import annotations

from domain.errors import AppError, Conflict, NotFound


class PaymentKindInvalid(AppError):
    status, code, message = 400, "payment_kind_invalid", "款项类型无效（定金或尾款）"


class PaymentAmountInvalid(AppError):
    status, code, message = 400, "payment_amount_invalid", "支付金额必须大于 0"


class PaymentAlreadyPaid(Conflict):
    code, message = "payment_already_paid", "该款项已支付，请勿重复支付"


class PaymentOrderNotFound(NotFound):
    code, message = "payment_order_not_found", "支付订单不存在"


class CallbackOrderMismatch(AppError):
    """The notification doesn't match the order we opened (amount, currency or gateway): nothing recorded."""

    status, code, message = 400, "callback_order_mismatch", "支付通知与订单不符"


class RefundAmountInvalid(AppError):
    status, code, message = 400, "refund_amount_invalid", "退款金额不能为负数"


class RefundExceedsPaid(Conflict):
    code, message = "refund_exceeds_paid", "退款总额不能超过已支付金额"


class RefundStepConflict(Conflict):
    code, message = "refund_step_conflict", "该退款步骤已按不同金额登记"
