/**
 * Token persistence in uni storage. Kept apart from the session store so the request wrapper can
 * read and replace tokens without importing the API modules (which import the wrapper).
 */
const ACCESS_KEY = 'yanyue.access_token'
const REFRESH_KEY = 'yanyue.refresh_token'

export interface Tokens {
  access_token: string
  refresh_token: string
}

type Listener = (tokens: Tokens | null) => void
const listeners: Listener[] = []

export function getAccessToken(): string {
  return (uni.getStorageSync(ACCESS_KEY) as string) || ''
}

export function getRefreshToken(): string {
  return (uni.getStorageSync(REFRESH_KEY) as string) || ''
}

export function saveTokens(tokens: Tokens): void {
  uni.setStorageSync(ACCESS_KEY, tokens.access_token)
  uni.setStorageSync(REFRESH_KEY, tokens.refresh_token)
  listeners.forEach((fn) => fn(tokens))
}

export function clearTokens(): void {
  uni.removeStorageSync(ACCESS_KEY)
  uni.removeStorageSync(REFRESH_KEY)
  listeners.forEach((fn) => fn(null))
}

/** The session store listens so a failed refresh inside the wrapper logs the user out everywhere. */
export function onTokensChange(fn: Listener): void {
  listeners.push(fn)
}
