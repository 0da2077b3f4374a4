// The one HTTP wrapper of the console: every API module goes through `request`.
// - prefixes /api/v1 (same origin as the console), attaches the bearer token;
// - on 401 `token_expired` refreshes once via POST /auth/refresh and retries the request;
//   any other 401 on an authenticated call (or a failed refresh) ends the session;
// - failures become an `ApiError` carrying the server's {code, message, detail} and, unless the
//   caller passes `silent`, the server's Chinese message is shown with ElMessage.error.
import { ElMessage } from 'element-plus'
import { clearTokens, getAccessToken, getTokens, setTokens } from './auth'

export const API_PREFIX = '/api/v1'

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
export type QueryValue = string | number | boolean | null | undefined
export type QueryParams = Record<string, QueryValue>

export interface RequestOptions {
  method?: Method
  /** Query string; null, undefined and '' are left out. */
  params?: QueryParams
  /** JSON body; a FormData is sent as multipart (file uploads) as it is. */
  data?: unknown
  /** Send the bearer token and take part in refresh/logout (default true). */
  auth?: boolean
  /** Do not show an error message; the caller handles the ApiError. */
  silent?: boolean
  signal?: AbortSignal
}

/** Error body of every API failure: see docs/api-v1.md. */
export interface ApiErrorBody {
  code: string
  message: string
  detail?: unknown
}

export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly detail: unknown

  constructor(status: number, code: string, message: string, detail: unknown = null) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.detail = detail
  }
}

// Used only when a response has no {code, message} body (proxy errors, a crashed server).
const FALLBACK_MESSAGES: Record<number, string> = {
  400: '请求有误，请检查后重试',
  401: '登录已失效，请重新登录',
  403: '没有权限执行该操作',
  404: '请求的内容不存在',
  409: '操作与当前状态冲突，请刷新后重试',
  422: '提交的数据格式有误',
  429: '操作过于频繁，请稍后再试',
}
const NETWORK_ERROR_MESSAGE = '网络异常，请检查网络后重试'

type SessionExpiredHandler = () => void
let sessionExpiredHandler: SessionExpiredHandler | null = null

/** Registered once by the app (router push to the login page); the wrapper has no router import. */
export function onSessionExpired(handler: SessionExpiredHandler | null): void {
  sessionExpiredHandler = handler
}

function expireSession(): void {
  clearTokens()
  sessionExpiredHandler?.()
}

export function buildUrl(path: string, params?: QueryParams): string {
  const url = API_PREFIX + (path.startsWith('/') ? path : `/${path}`)
  if (!params) return url
  const query = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) {
    if (value === null || value === undefined || value === '') continue
    query.append(key, String(value))
  }
  const qs = query.toString()
  return qs ? `${url}?${qs}` : url
}

function send(path: string, options: RequestOptions, token: string | null): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json' }
  // The browser sets multipart's Content-Type itself (with the boundary).
  const multipart = options.data instanceof FormData
  if (options.data !== undefined && !multipart) headers['Content-Type'] = 'application/json'
  if (token) headers.Authorization = `Bearer ${token}`
  return fetch(buildUrl(path, options.params), {
    method: options.method ?? 'GET',
    headers,
    body: options.data === undefined ? undefined : multipart ? (options.data as FormData) : JSON.stringify(options.data),
    signal: options.signal,
  })
}

function isErrorBody(body: unknown): body is ApiErrorBody {
  if (typeof body !== 'object' || body === null) return false
  const b = body as Record<string, unknown>
  return typeof b.code === 'string' && typeof b.message === 'string'
}

async function toApiError(res: Response): Promise<ApiError> {
  let body: unknown = null
  try {
    body = await res.json()
  } catch {
    // not JSON: fall through to the generic message
  }
  if (isErrorBody(body)) return new ApiError(res.status, body.code, body.message, body.detail ?? null)
  const message =
    FALLBACK_MESSAGES[res.status] ??
    (res.status >= 500 ? '服务暂时不可用，请稍后重试' : `请求失败（${res.status}）`)
  return new ApiError(res.status, `http_${res.status}`, message, body)
}

// One refresh at a time: requests that hit token_expired together share it.
let refreshing: Promise<boolean> | null = null

function refreshTokens(): Promise<boolean> {
  refreshing ??= (async () => {
    const refreshToken = getTokens()?.refreshToken
    if (!refreshToken) return false
    try {
      const res = await fetch(buildUrl('/auth/refresh'), {
        method: 'POST',
        headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
        body: JSON.stringify({ refresh_token: refreshToken }),
      })
      if (!res.ok) return false
      const pair = (await res.json()) as { access_token?: unknown; refresh_token?: unknown }
      if (typeof pair.access_token !== 'string' || typeof pair.refresh_token !== 'string') return false
      setTokens({ accessToken: pair.access_token, refreshToken: pair.refresh_token })
      return true
    } catch {
      return false
    }
  })().finally(() => {
    refreshing = null
  })
  return refreshing
}

async function parseBody<T>(res: Response): Promise<T> {
  if (res.status === 204) return undefined as T
  const text = await res.text()
  return (text ? JSON.parse(text) : undefined) as T
}

async function perform<T>(path: string, options: RequestOptions): Promise<T> {
  const auth = options.auth ?? true
  const sentToken = auth ? getAccessToken() : null
  let res = await send(path, options, sentToken)

  if (res.status === 401 && auth) {
    const error = await toApiError(res)
    let retried = false
    if (error.code === 'token_expired') {
      // Another request may have refreshed while this one was in flight: then just retry.
      const current = getAccessToken()
      const fresh = current !== null && current !== sentToken ? true : await refreshTokens()
      if (fresh) {
        res = await send(path, options, getAccessToken())
        retried = true
      }
    }
    if (!retried) {
      expireSession()
      throw error
    }
    if (res.status === 401) {
      const retryError = await toApiError(res)
      expireSession()
      throw retryError
    }
  }

  if (!res.ok) throw await toApiError(res)
  return parseBody<T>(res)
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  try {
    return await perform<T>(path, options)
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e
    const error = e instanceof ApiError ? e : new ApiError(0, 'network_error', NETWORK_ERROR_MESSAGE)
    // grouping: several calls failing at once (e.g. session expiry) show one message, not a stack.
    if (!options.silent) ElMessage.error({ message: error.message, grouping: true })
    throw error
  }
}

export const http = {
  get: <T>(path: string, params?: QueryParams, options: RequestOptions = {}) =>
    request<T>(path, { ...options, method: 'GET', params }),
  post: <T>(path: string, data?: unknown, options: RequestOptions = {}) =>
    request<T>(path, { ...options, method: 'POST', data }),
  put: <T>(path: string, data?: unknown, options: RequestOptions = {}) =>
    request<T>(path, { ...options, method: 'PUT', data }),
  patch: <T>(path: string, data?: unknown, options: RequestOptions = {}) =>
    request<T>(path, { ...options, method: 'PATCH', data }),
  delete: <T>(path: string, options: RequestOptions = {}) => request<T>(path, { ...options, method: 'DELETE' }),
}
