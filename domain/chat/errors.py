"""What chat refuses, one class per problem."""

from __future__ import annotations

from domain.errors import AppError, Conflict, NotFound, PermissionDenied, TooManyRequests


class ConversationNotFound(NotFound):
    code, message = "conversation_not_found", "会话不存在"


class PeerNotFound(NotFound):
    code, message = "chat_peer_not_found", "对方不存在"


class ChatNotAllowed(PermissionDenied):
    code, message = "chat_not_allowed", "暂时不能与对方聊天"


class BookingNotOfPair(NotFound):
    code, message = "booking_not_in_conversation", "该预约不属于当前会话双方"


class ConversationBlocked(Conflict):
    code, message = "conversation_blocked", "对方已将您屏蔽，消息无法发送"


class ClientMsgIdReused(Conflict):
    code, message = "client_msg_id_reused", "消息编号已在其他会话中使用，请重新发送"


class SendingTooFast(TooManyRequests):
    code, message = "chat_too_frequent", "发送过于频繁，请稍后再试"


class AttachmentMismatch(AppError):
    status, code, message = 422, "attachment_mismatch", "附件与消息类型不符"


class MessageRejected(AppError):
    status, code, message = 422, "message_rejected", "消息含有违规内容，未通过内容安全检测"
