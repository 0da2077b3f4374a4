/**
 * Session state shared by all pages: whether someone is logged in and who they are (`Me`).
 * Tokens live in uni storage (utils/token.ts) so a reload keeps the login.
 */
import { reactive } from 'vue'
import { logoutApi } from '@/api/auth'
import { getMeApi } from '@/api/me'
import type { Me, TokenPair } from '@/api/types'
import { clearTokens, getAccessToken, onTokensChange, saveTokens } from '@/utils/token'
import { acting, exitActing } from './acting'

const ME_KEY = 'yanyue.me'

interface SessionState {
  loggedIn: boolean
  me: Me | null
}

export const session = reactive<SessionState>({
  loggedIn: !!getAccessToken(),
  me: (uni.getStorageSync(ME_KEY) as Me | '') || null,
})

onTokensChange((tokens) => {
  session.loggedIn = !!tokens
  if (!tokens) {
    session.me = null
    uni.removeStorageSync(ME_KEY)
    exitActing() // logging out (or a dead session) ends 代为管理
  }
})

export function setMe(me: Me): void {
  session.me = me
  uni.setStorageSync(ME_KEY, me)
  // Acting mode belongs to the account that entered it.
  const owner = acting.artist?.userId
  if (owner != null && String(owner) !== String(me.id)) exitActing()
}

/** Store a fresh token pair and return who logged in (the pair normally carries `me`). */
export async function loginWith(pair: TokenPair): Promise<Me> {
  exitActing()
  saveTokens(pair)
  const me = pair.me ?? (await getMeApi())
  setMe(me)
  return me
}

/** Re-read `/me`; quietly returns null when logged out or the token is no longer valid. */
export async function refreshMe(): Promise<Me | null> {
  if (!getAccessToken()) return null
  try {
    const me = await getMeApi({ toast: false })
    setMe(me)
    return me
  } catch {
    return session.me
  }
}

export async function logout(): Promise<void> {
  try {
    if (getAccessToken()) await logoutApi()
  } catch {
    // The server may already consider the token dead; the local logout below is what matters.
  } finally {
    clearTokens()
  }
}

const TAB_PAGES = ['/pages/index/index', '/pages/orders/index', '/pages/messages/index', '/pages/me/index']

export function isTabPage(url: string): boolean {
  return TAB_PAGES.includes(url.split('?')[0])
}

function currentPageUrl(): string {
  const pages = getCurrentPages()
  const page = pages[pages.length - 1] as unknown as { route?: string; options?: Record<string, string> } | undefined
  if (!page?.route) return ''
  const query = Object.entries(page.options || {})
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&')
  return `/${page.route}${query ? `?${query}` : ''}`
}

/**
 * Browsing never needs a login; acting does. Call this right before an action: it returns true
 * when logged in, otherwise opens the login page (which comes back here afterwards) and returns false.
 */
export function requireLogin(redirect: string = currentPageUrl()): boolean {
  if (session.loggedIn) return true
  const query = redirect ? `?redirect=${encodeURIComponent(redirect)}` : ''
  uni.navigateTo({ url: `/pages/login/index${query}` })
  return false
}

/** A page of this app to come back to: an absolute in-app path, never the login or role flow itself. */
export function safeRedirect(redirect?: string | null): string {
  if (!redirect || !redirect.startsWith('/') || redirect.startsWith('//')) return ''
  if (redirect.startsWith('/pages/login') || redirect.startsWith('/pages/role')) return ''
  return redirect
}

/** `?redirect=…` to hand on to the next page of the login flow ('' without one). */
export function redirectQuery(redirect?: string | null): string {
  const target = safeRedirect(redirect)
  return target ? `?redirect=${encodeURIComponent(target)}` : ''
}

/** Finish a flow (login, role forms, verification) on `redirect`, or on 我的 without one. */
export function finishAt(redirect?: string | null): void {
  const target = safeRedirect(redirect) || '/pages/me/index'
  if (isTabPage(target)) {
    uni.switchTab({ url: target })
  } else {
    uni.redirectTo({ url: target })
  }
}

/**
 * Where to go once logged in: back to where the user was (the action they tapped); a new user first chooses
 * a role, and the role form then finishes there.
 */
export function goAfterLogin(me: Me, redirect?: string): void {
  if (!me.roles.length) {
    uni.redirectTo({ url: `/pages/role/index${redirectQuery(redirect)}` })
    return
  }
  finishAt(redirect)
}
