/**
 * 私信 (chat between a client and an artist). Sending is the REST POST (idempotent by `client_msg_id`); new
 * messages arrive over the socket (stores/chat.ts), which resyncs by message id after every reconnect.
 */
import { request, type RequestOptions } from '@/utils/request'

// TODO(types): switch to the generated schema once the chat routes land.
export type ChatKind = 'text' | 'image' | 'voice' | 'file'
export interface ChatAttachment {
  url: string
  name: string
  size: number
  mime: string
  duration_ms: number | null
}
export interface ChatMessage {
  id: number
  conversation_id: number
  seq: number
  sender_id: number
  kind: ChatKind
  text: string | null
  attachment: ChatAttachment | null
  booking_id: number | null
  created_at: string
  read_by_peer: boolean
}
export interface ChatPeer {
  id: number
  name: string
  avatar_url: string | null
  role: 'client' | 'artist'
}
export interface ChatConversation {
  id: number
  peer: ChatPeer
  last_message: ChatMessage | null
  unread: number
  blocked: boolean
  blocked_by_peer: boolean
  contact_visible: boolean
  booking_id: number | null
  updated_at: string
}
export interface ChatConversationPage {
  items: ChatConversation[]
  total: number
  page: number
  page_size: number
  unread_total: number
}
export interface ChatMessagePage {
  items: ChatMessage[]
  has_more: boolean
}
export interface ChatSearchPage {
  items: { conversation: ChatConversation; message: ChatMessage }[]
  total: number
  page: number
  page_size: number
}

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

export interface SendMessageIn {
  client_msg_id: string
  kind: ChatKind
  text?: string | null
  upload_id?: string | null
  duration_ms?: number | null
  booking_id?: number | null
  /** A file message's file name as the sender chose it. */
  name?: string | null
}

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
  return request<{ unread_total: number }>('/chat/unread-count', { toast: false })
}

export function searchChatApi(q: string, page = 1, opts: Quiet = {}) {
  return request<ChatSearchPage>('/chat/search', { query: { q, page }, ...opts })
}
