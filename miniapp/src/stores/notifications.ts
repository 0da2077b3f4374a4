/**
 * The unread notification count and the badge on the 消息 tab (notifications plus unread 私信, which
 * stores/chat.ts reports through setChatUnread). Refreshed on app show, on each tab page's
 * onShow and after reads, so the badge counts down as items are read.
 */
import { reactive } from 'vue'
import { unreadCountApi } from '@/api/bookings'
import { session } from './session'

const MESSAGES_TAB_INDEX = 2

export const notices = reactive({ unread: 0, chatUnread: 0 })

function applyBadge(notificationsUnread: number): void {
  const n = notificationsUnread + notices.chatUnread
  // Fails harmlessly when the current page has no tab bar (mp-weixin): the next tab page's onShow sets it.
  const done = { fail: () => undefined }
  if (n > 0) uni.setTabBarBadge({ index: MESSAGES_TAB_INDEX, text: n > 99 ? '99+' : String(n), ...done })
  else uni.removeTabBarBadge({ index: MESSAGES_TAB_INDEX, ...done })
}

/** Set the count from an answer that carries it (the notification list's `unread`). */
export function setUnread(n: number): void {
  notices.unread = Math.max(0, n)
  applyBadge(notices.unread)
}

/** The unread 私信 total changed: the tab badge shows both counts. */
export function setChatUnread(n: number): void {
  notices.chatUnread = Math.max(0, n)
  applyBadge(notices.unread)
}

/** Re-read the count (quietly: no toast, a failure keeps the last value). Logged out: no badge. */
export async function refreshUnread(): Promise<void> {
  if (!session.loggedIn) {
    setUnread(0)
    return
  }
  try {
    const res = await unreadCountApi()
    setUnread(res.unread)
  } catch {
    applyBadge(notices.unread)
  }
}

/** One item was read here: count down at once, without waiting for the next refresh. */
export function markOneRead(): void {
  setUnread(notices.unread - 1)
}
