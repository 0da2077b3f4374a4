// Token storage for the operator session. Kept apart from the request wrapper and the store so
// both can read it without importing each other.

export interface TokenPair {
  accessToken: string
  refreshToken: string
}

const STORAGE_KEY = 'yanyue-admin-auth'

export function getTokens(): TokenPair | null {
  try {
    const raw = localStorage.getItem(STORAGE_KEY)
    if (!raw) return null
    const parsed = JSON.parse(raw) as Partial<TokenPair>
    if (typeof parsed.accessToken !== 'string' || typeof parsed.refreshToken !== 'string') return null
    return { accessToken: parsed.accessToken, refreshToken: parsed.refreshToken }
  } catch {
    return null
  }
}

export function getAccessToken(): string | null {
  return getTokens()?.accessToken ?? null
}

export function setTokens(tokens: TokenPair): void {
  localStorage.setItem(STORAGE_KEY, JSON.stringify(tokens))
}

export function clearTokens(): void {
  localStorage.removeItem(STORAGE_KEY)
}
