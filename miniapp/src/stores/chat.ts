/**
 * 私信 state shared by the 消息 tab and the chat page: one socket per login, the conversation list, the loaded
 * part of each conversation and the unread counts.
 *
 * The socket only delivers; sending is the REST POST. After every (re)connect the client asks for every message
 * with an id above the largest it has seen (`sync`), so a dropped connection loses nothing, and messages are
 * kept by id, so a message that arrives twice (sync + live, or the POST's answer + its echo) shows once.
 */
import { reactive, watch } from 'vue'
import {
  chatUnreadCountApi,
  getConversationApi,
  listConversationsApi,
  listMessagesApi,
  readConversationApi,
  type ChatConversation,
  type ChatMessage,
} from '@/api/chat'
import { API_BASE } from '@/utils/request'
import { getAccessToken, onTokensChange } from '@/utils/token'
import { setChatUnread } from './notifications'
import { session } from './session'

const PAGE = 30
const PING_MS = 25_000
const BACKOFF_MS = [1000, 2000, 4000, 8000, 15_000, 30_000]

export interface Thread {
  /** Ascending by seq, no duplicates. */
  items: ChatMessage[]
  /** Earlier messages exist on the server. */
  hasMore: boolean
  loaded: boolean
  /** The peer's read cursor as far as we know (read receipts under my messages). */
  peerReadSeq: number
}

/** Message ids already counted or shown (a message delivered twice counts once). */
const seen = new Set<number>()

export const chat = reactive({
  conversations: [] as ChatConversation[],
  listLoaded: false,
  unreadTotal: 0,
  threads: {} as Record<number, Thread>,
  /** The largest message id seen: the `sync` cursor. */
  lastId: 0,
  /** The conversation on screen: its messages are read as they arrive. */
  activeId: 0,
  status: 'idle' as 'idle' | 'connecting' | 'ready' | 'closed',
})

function meId(): number {
  return Number(session.me?.id ?? 0)
}

function setTotal(n: number): void {
  chat.unreadTotal = Math.max(0, n)
  setChatUnread(chat.unreadTotal)
}

// --- conversations

function sortList(): void {
  chat.conversations.sort((a, b) => (a.updated_at < b.updated_at ? 1 : a.updated_at > b.updated_at ? -1 : b.id - a.id))
}

/** Put a conversation's fresh state into the list (or add it). */
export function upsertConversation(c: ChatConversation): ChatConversation {
  const i = chat.conversations.findIndex((x) => x.id === c.id)
  if (i >= 0) chat.conversations[i] = c
  else chat.conversations.push(c)
  sortList()
  if (c.last_message) seen.add(c.last_message.id)
  return chat.conversations.find((x) => x.id === c.id) ?? c
}

export function conversationOf(id: number): ChatConversation | undefined {
  return chat.conversations.find((c) => c.id === id)
}

/** Page 1 replaces the list (the first 20 by activity); later pages append. Returns whether more exist. */
export async function loadConversations(page = 1, pageSize = 20): Promise<boolean> {
  const res = await listConversationsApi(page, pageSize, { toast: false })
  if (page === 1) chat.conversations = []
  for (const c of res.items) upsertConversation(c)
  chat.listLoaded = true
  setTotal(res.unread_total)
  return page * pageSize < res.total
}

export async function refreshChatUnread(): Promise<void> {
  if (!session.loggedIn) return setTotal(0)
  try {
    setTotal((await chatUnreadCountApi()).unread_total)
  } catch {
    setChatUnread(chat.unreadTotal)
  }
}

// --- messages

function thread(id: number): Thread {
  if (!chat.threads[id]) chat.threads[id] = { items: [], hasMore: true, loaded: false, peerReadSeq: 0 }
  return chat.threads[id]
}

export function threadOf(id: number): Thread {
  return thread(id)
}

/** Insert by seq, replacing a copy with the same id. Returns true when the message was new here. */
function insert(t: Thread, m: ChatMessage): boolean {
  const same = t.items.findIndex((x) => x.id === m.id)
  if (same >= 0) {
    // Keep a read receipt we already know of; the rest (e.g. a fresh signed URL) is newer.
    t.items[same] = { ...m, read_by_peer: m.read_by_peer || t.items[same].read_by_peer }
    return false
  }
  let i = t.items.length
  while (i > 0 && t.items[i - 1].seq > m.seq) i--
  t.items.splice(i, 0, m)
  return true
}

function markPeerRead(t: Thread, seq: number): void {
  t.peerReadSeq = Math.max(t.peerReadSeq, seq)
  for (const m of t.items) if (m.sender_id === meId() && m.seq <= t.peerReadSeq) m.read_by_peer = true
}

/**
 * A message from the socket or from my own POST. Only the socket's stream moves the sync cursor: a message
 * read over REST may be newer than others the socket hasn't delivered yet.
 */
export function ingest(m: ChatMessage, fromSocket = true): void {
  if (fromSocket) chat.lastId = Math.max(chat.lastId, m.id)
  const t = chat.threads[m.conversation_id]
  if (t?.loaded) insert(t, m)
  const fresh = !seen.has(m.id)
  seen.add(m.id)
  const c = conversationOf(m.conversation_id)
  if (!c) {
    // A conversation this list hasn't shown yet (a new one, or beyond page 1): fetch its summary.
    void getConversationApi(m.conversation_id, { toast: false })
      .then((conv) => {
        upsertConversation(conv)
        void refreshChatUnread()
      })
      .catch(() => undefined)
    return
  }
  // A summary fetched after this message was written already counts it in `unread`.
  const counted = !!c.last_message && c.last_message.id >= m.id
  if (!c.last_message || c.last_message.id <= m.id) {
    c.last_message = m
    if (m.created_at > c.updated_at) c.updated_at = m.created_at
  }
  const incoming = m.sender_id !== meId()
  if (fresh && incoming && !counted) {
    if (chat.activeId === m.conversation_id) void markRead(m.conversation_id)
    else {
      c.unread += 1
      setTotal(chat.unreadTotal + 1)
    }
  }
  sortList()
}

/** The latest page of a conversation (again: refreshes signed URLs and receipts). */
export async function loadLatest(id: number): Promise<Thread> {
  const t = thread(id)
  const res = await listMessagesApi(id, { limit: PAGE }, { toast: false })
  if (!t.loaded) {
    t.items = []
    t.hasMore = res.has_more
  } else if (res.items.length && t.items.length && res.items[0].seq > t.items[t.items.length - 1].seq + 1) {
    // A gap between what we held and the latest page: start over from the latest page.
    t.items = []
    t.hasMore = res.has_more
  }
  for (const m of res.items) {
    insert(t, m)
    seen.add(m.id)
  }
  t.loaded = true
  return t
}

/** One page further back. Returns how many arrived. */
export async function loadEarlier(id: number): Promise<number> {
  const t = thread(id)
  const first = t.items[0]
  if (!first) return (await loadLatest(id)).items.length
  const res = await listMessagesApi(id, { before_seq: first.seq, limit: PAGE }, { toast: false })
  for (const m of res.items) insert(t, m)
  t.hasMore = res.has_more
  return res.items.length
}

/** I've seen everything up to the last message: move my cursor, clear the badge. */
export async function markRead(id: number): Promise<void> {
  const c = conversationOf(id)
  const t = chat.threads[id]
  const last = t?.items[t.items.length - 1]?.seq ?? c?.last_message?.seq ?? 0
  if (!last) return
  if (c && c.unread) {
    setTotal(chat.unreadTotal - c.unread)
    c.unread = 0
  }
  try {
    await readConversationApi(id, last)
  } catch {
    void refreshChatUnread()
  }
}

// --- the socket

let task: UniApp.SocketTask | null = null
let pingTimer: ReturnType<typeof setInterval> | null = null
let retryTimer: ReturnType<typeof setTimeout> | null = null
let attempt = 0
let wanted = false
/** Bumped per connection, so the events of a dropped socket can't touch the next one. */
let generation = 0

function socketUrl(): string {
  let base = API_BASE
  // #ifdef H5
  if (!/^https?:/.test(base)) base = `${location.origin}${base}`
  // #endif
  return `${base.replace(/^http/, 'ws')}/chat/ws`
}

function sendFrame(frame: Record<string, unknown>): void {
  task?.send({ data: JSON.stringify(frame), fail: () => undefined })
}

function stopTimers(): void {
  if (pingTimer) clearInterval(pingTimer)
  if (retryTimer) clearTimeout(retryTimer)
  pingTimer = null
  retryTimer = null
}

function onFrame(raw: unknown): void {
  let f: Record<string, unknown>
  try {
    f = JSON.parse(String(raw)) as Record<string, unknown>
  } catch {
    return
  }
  switch (f.type) {
    case 'ready':
      chat.status = 'ready'
      attempt = 0
      sendFrame({ type: 'sync', after_id: chat.lastId })
      break
    case 'message':
      ingest(f.message as ChatMessage)
      break
    case 'synced':
      if (typeof f.last_id === 'number') chat.lastId = Math.max(chat.lastId, f.last_id)
      if (f.more) sendFrame({ type: 'sync', after_id: chat.lastId })
      else void refreshChatUnread() // the server's count is the truth after catching up
      break
    case 'read': {
      const cid = Number(f.conversation_id)
      const seq = Number(f.seq)
      if (Number(f.user_id) === meId()) {
        // Read on my other device.
        void refreshChatUnread()
        const c = conversationOf(cid)
        if (c && c.last_message && c.last_message.seq <= seq) c.unread = 0
      } else {
        markPeerRead(thread(cid), seq)
        const c = conversationOf(cid)
        if (c?.last_message && c.last_message.sender_id === meId() && c.last_message.seq <= seq) {
          c.last_message.read_by_peer = true
        }
      }
      break
    }
    default:
      break // pong and anything newer
  }
}

function scheduleReconnect(): void {
  if (!wanted || retryTimer) return
  const wait = BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)]
  attempt += 1
  retryTimer = setTimeout(() => {
    retryTimer = null
    connect()
  }, wait)
}

function connect(): void {
  const token = getAccessToken()
  if (!wanted || !token || task) return
  const gen = ++generation
  chat.status = 'connecting'
  const t = uni.connectSocket({ url: socketUrl(), complete: () => undefined })
  task = t
  t.onOpen(() => {
    if (gen !== generation) return
    sendFrame({ type: 'auth', token })
    if (pingTimer) clearInterval(pingTimer)
    pingTimer = setInterval(() => sendFrame({ type: 'ping' }), PING_MS)
  })
  t.onMessage((res) => {
    if (gen === generation) onFrame(res.data)
  })
  const dropped = (code?: number) => {
    if (gen !== generation) return
    task = null
    chat.status = 'closed'
    if (pingTimer) clearInterval(pingTimer)
    pingTimer = null
    if (code === 4401) {
      // The access token expired: any REST call refreshes it (or logs out), then connect again.
      void chatUnreadCountApi()
        .catch(() => undefined)
        .finally(() => scheduleReconnect())
      return
    }
    scheduleReconnect()
  }
  t.onClose((res) => dropped((res as { code?: number }).code))
  t.onError(() => {
    dropped()
    t.close({ fail: () => undefined })
  })
}

/**
 * Connect (once) if logged in. The first connection of a login starts its sync from the newest message of the
 * conversation list: older messages are history, read over REST when a conversation opens.
 */
export async function startChat(): Promise<void> {
  if (!session.loggedIn || wanted) return
  wanted = true
  if (!chat.listLoaded) {
    try {
      await loadConversations()
    } catch {
      // Connect anyway (syncing from the start); the list loads when the 消息 tab shows.
    }
  }
  if (!chat.lastId) {
    for (const c of chat.conversations) chat.lastId = Math.max(chat.lastId, c.last_message?.id ?? 0)
  }
  connect()
}

/** Back in the foreground: reconnect at once instead of waiting out the backoff. */
export function resumeChat(): void {
  if (!session.loggedIn) return
  if (!wanted) {
    void startChat()
    return
  }
  if (!task) {
    if (retryTimer) clearTimeout(retryTimer)
    retryTimer = null
    attempt = 0
    connect()
  }
}

export function stopChat(): void {
  wanted = false
  generation += 1
  stopTimers()
  task?.close({ fail: () => undefined })
  task = null
  chat.status = 'idle'
  chat.conversations = []
  chat.threads = {}
  chat.listLoaded = false
  chat.lastId = 0
  chat.activeId = 0
  seen.clear()
  setTotal(0)
}

// A logout (or a dead session) closes the socket and forgets the messages; a new login connects again.
onTokensChange((tokens) => {
  if (!tokens) stopChat()
  else if (!wanted) void startChat()
})

// Conversations belong to the acting role (a user can be a client and an artist), and the socket serves the role
// it was opened with: a role switch starts over.
watch(
  () => session.me?.acting_role,
  (now, before) => {
    if (!wanted || before === undefined || now === undefined || now === before) return
    stopChat()
    void startChat()
  },
)

/** An id for the idempotent send (a retry reuses it). */
export function newClientMsgId(): string {
  const hex = (n: number) =>
    Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join('')
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[Math.floor(Math.random() * 4)]}${hex(3)}-${hex(12)}`
}
