/** 私信 helpers shared by the 消息 tab, the chat page and the search page. */
import type { ChatMessage } from '@/api/chat'
import { formatShanghaiDateTime, formatShanghaiTime } from './bookings'

export const CHAT_PAGE = '/subpkg/chat/conversation'
export const CHAT_SEARCH_PAGE = '/subpkg/chat/search'

/** Open by conversation id (optionally at a message seq), or by peer (get-or-create, optionally about a booking). */
export function chatUrl(
  target: { conversationId: number; seq?: number } | { peerId: number; bookingId?: number | null },
): string {
  if ('conversationId' in target) {
    return `${CHAT_PAGE}?id=${target.conversationId}${target.seq ? `&seq=${target.seq}` : ''}`
  }
  return `${CHAT_PAGE}?peer_id=${target.peerId}${target.bookingId ? `&booking_id=${target.bookingId}` : ''}`
}

/** The one-line preview of a message in the conversation list. */
export function messagePreview(m: ChatMessage | null | undefined): string {
  if (!m) return ''
  switch (m.kind) {
    case 'image':
      return '[图片]'
    case 'voice':
      return '[语音]'
    case 'file':
      return `[文件] ${m.attachment?.name ?? ''}`.trim()
    default:
      return m.text ?? ''
  }
}

const DAY_MS = 24 * 3600 * 1000
const SHANGHAI_OFFSET_MS = 8 * 3600 * 1000

function shanghaiDay(t: number): number {
  return Math.floor((t + SHANGHAI_OFFSET_MS) / DAY_MS)
}

/** Today: "14:05"; yesterday: "昨天 14:05"; earlier: "12月3日 14:05". */
export function formatChatTime(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return ''
  const t = Date.parse(iso)
  if (Number.isNaN(t)) return ''
  const days = shanghaiDay(now) - shanghaiDay(t)
  if (days === 0) return formatShanghaiTime(iso)
  if (days === 1) return `昨天 ${formatShanghaiTime(iso)}`
  return formatShanghaiDateTime(iso)
}

/** "1.2 MB", "356 KB". */
export function formatFileSize(bytes: number | null | undefined): string {
  const n = bytes ?? 0
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`
  return `${Math.max(1, Math.round(n / 1024))} KB`
}

/** Voice length in whole seconds, at least 1: 5″. */
export function voiceSeconds(ms: number | null | undefined): number {
  return Math.max(1, Math.round((ms ?? 0) / 1000))
}

/** Files a chat accepts (the server checks the bytes and the 20 MB limit again). */
export const FILE_TYPES: Record<string, string> = {
  pdf: 'application/pdf',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
}
export const FILE_MAX_BYTES = 20 * 1024 * 1024

export function fileExtension(name: string): string {
  const m = /\.([a-z0-9]+)$/i.exec(name)
  return m ? m[1].toLowerCase() : ''
}
