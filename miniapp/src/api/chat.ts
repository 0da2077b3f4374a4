/**
 * 私信 (chat between a client and an artist). Sending is the REST POST (idempotent by `client_msg_id`); new
 * messages arrive over the socket (stores/chat.ts), which resyncs by message id after every reconnect.
 */
import { request, type RequestOptions } from '@/utils/request'
import type {
  ChatConversation,
  ChatConversationPage,
  ChatMessage,
  ChatMessagePage,
  ChatSearchPage,
  ChatSendIn,
  ChatUnread,
} from './types'

export type { ChatAttachment, ChatConversation, ChatKind, ChatMessage, ChatPeer, ChatSearchHit } from './types'

type Quiet = Pick<RequestOptions, 'toast'>

/** Get or create the one conversation with `peerId` (an artist's user id, or a client who asked me). */
export function openConversationApi(peerId: number, bookingId: number | null = null, opts: Quiet = {}) {
  return request<ChatConversation>('/chat/conversations', {
    method: 'POST',
    data: { peer_id: peerId, booking_id: bookingId },
    ...opts,
  })
}

export function listConversationsApi(page = 1, pageSize = 20, opts: Quiet = {}) {
  return request<ChatConversationPage>('/chat/conversations', { query: { page, page_size: pageSize }, ...opts })
}

export function getConversationApi(id: number, opts: Quiet = {}) {
  return request<ChatConversation>(`/chat/conversations/${id}`, opts)
}

/** Ascending by seq; without cursors the latest page. */
export function listMessagesApi(
  id: number,
  cursor: { before_seq?: number; after_seq?: number; limit?: number } = {},
  opts: Quiet = {},
) {
  return request<ChatMessagePage>(`/chat/conversations/${id}/messages`, { query: { ...cursor }, ...opts })
}

export type SendMessageIn = ChatSendIn

export function sendMessageApi(id: number, body: SendMessageIn, opts: Quiet = {}) {
  return request<ChatMessage>(`/chat/conversations/${id}/messages`, { method: 'POST', data: body, ...opts })
}

/** Move my read cursor (the server never moves it back). */
export function readConversationApi(id: number, seq: number) {
  return request<void>(`/chat/conversations/${id}/read`, { method: 'POST', data: { seq }, toast: false })
}

export function blockConversationApi(id: number) {
  return request<ChatConversation>(`/chat/conversations/${id}/block`, { method: 'POST' })
}

export function unblockConversationApi(id: number) {
  return request<ChatConversation>(`/chat/conversations/${id}/block`, { method: 'DELETE' })
}

export function chatUnreadCountApi() {
  return request<ChatUnread>('/chat/unread-count', { toast: false })
}

export function searchChatApi(q: string, page = 1, opts: Quiet = {}) {
  return request<ChatSearchPage>('/chat/search', { query: { q, page }, ...opts })
}
