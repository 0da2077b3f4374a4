"""One error per payout problem (stable code, Chinese message, real HTTP status)."""

from __future__ import annotations

from domain.errors import AppError, Conflict, NotFound


class PayoutNotFound(NotFound):
    code, message = "payout_not_found", "该预约没有结算出款记录"


class PayoutNotRetryable(Conflict):
    code, message = "payout_not_retryable", "只有出款失败的结算可以重新出款"


class PayoutBatchNotFound(NotFound):
    code, message = "payout_batch_not_found", "出款批次不存在"


class PayoutBatchEmpty(Conflict):
    code, message = "payout_batch_empty", "没有待银行转账的出款"


class PayoutBatchLineNotFound(NotFound):
    code, message = "payout_batch_line_not_found", "该批次中没有这笔出款"


class PayoutBatchLineSettled(Conflict):
    code, message = "payout_batch_line_settled", "这笔出款已登记结果"


class PayoutNotAwaitingConfirmation(Conflict):
    code, message = "payout_not_awaiting_confirmation", "该结算没有待确认收款的微信转账"


class PayoutResultFileInvalid(AppError):
    status, code, message = 422, "payout_result_file_invalid", "无法读取付款结果文件，请上传填写了结果的批次 Excel"
