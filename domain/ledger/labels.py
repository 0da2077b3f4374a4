"""Chinese labels of the payout (settlement) statuses and channels, for operators, artists and clients."""

from __future__ import annotations

SETTLEMENT_STATUS_LABELS = {"pending_approval": "待审核", "approved": "已审核待打款", "paying": "打款中",
                            "paid": "已打款", "failed": "打款失败", "rejected": "已驳回"}
# What the client sees of the artist's settlement: whether the booking is settled, not the figures.
CLIENT_SETTLEMENT_LABELS = {"paid": "已结算"}
CLIENT_SETTLEMENT_DEFAULT = "结算处理中"
CHANNEL_LABELS = {"sandbox": "沙箱出款（不产生真实转账）", "wechat_transfer": "微信商家转账", "bank": "银行转账"}
