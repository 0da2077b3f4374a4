/**
 * The one request wrapper. Every API call goes through `request()` so that auth, token refresh and
 * error display behave the same on every page.
 *
 * - H5 is served by the platform under /h5/, so it calls the API on the same origin.
 * - mp-weixin needs an absolute origin (configure VITE_API_BASE for real deployments).
 */
import { clearTokens, getAccessToken, getRefreshToken, saveTokens } from './token'
import type { TokenPair } from '@/api/types'
import { ACTING_LOST_CODES, actingArtistId, exitActing, isActingPath } from '@/stores/acting'

export const NETWORK_ERROR_MESSAGE = '网络异常，请稍后重试'

function apiOrigin(): string {
  let origin = ''
  // #ifdef MP-WEIXIN
  origin = import.meta.env.VITE_API_BASE || 'http://127.0.0.1:8000'
  // #endif
  return origin
}

export const API_BASE = `${apiOrigin()}/api/v1`

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE'
export type QueryValue = string | number | boolean | null | undefined

export interface RequestOptions {
  method?: Method
  /** JSON body for POST/PUT. */
  data?: unknown
  /** Query parameters; empty strings, null, undefined and `false` are dropped; arrays repeat the key. */
  query?: Record<string, QueryValue | QueryValue[]>
  /** Show the server's message in a toast on failure (default true). */
  toast?: boolean
}

/** A failed call: `code` is the server's stable code (or `network_error`), `message` is Chinese. */
export class ApiError extends Error {
  readonly code: string
  readonly status: number
  readonly detail: unknown

  constructor(status: number, code: string, message: string, detail: unknown = null) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.detail = detail
  }
}

interface RawResponse {
  statusCode: number
  data: unknown
}

function buildQuery(query: RequestOptions['query']): string {
  if (!query) return ''
  const parts: string[] = []
  for (const [k, raw] of Object.entries(query)) {
    // FastAPI reads list parameters as repeated keys: city=北京&city=上海.
    for (const v of Array.isArray(raw) ? raw : [raw]) {
      if (v === undefined || v === null || v === '' || v === false) continue
      parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    }
  }
  return parts.length ? `?${parts.join('&')}` : ''
}

function send(url: string, method: Method, data: unknown, token: string, artistId = ''): Promise<RawResponse> {
  const header: Record<string, string> = { 'Content-Type': 'application/json' }
  if (token) header.Authorization = `Bearer ${token}`
  if (artistId) header['X-Artist-Id'] = artistId
  return new Promise((resolve, reject) => {
    uni.request({
      url,
      method,
      header,
      // uni.request would turn a GET body into a query string; we build queries ourselves.
      data: method === 'GET' ? undefined : (data as UniApp.RequestOptions['data']),
      dataType: 'json',
      success: (res) => resolve({ statusCode: res.statusCode, data: res.data }),
      fail: () => reject(new ApiError(0, 'network_error', NETWORK_ERROR_MESSAGE)),
    })
  })
}

function toApiError(res: RawResponse): ApiError {
  const body = (res.data && typeof res.data === 'object' ? res.data : {}) as {
    code?: unknown
    message?: unknown
    detail?: unknown
  }
  const code = typeof body.code === 'string' ? body.code : `http_${res.statusCode}`
  const message = typeof body.message === 'string' && body.message ? body.message : NETWORK_ERROR_MESSAGE
  return new ApiError(res.statusCode, code, message, body.detail ?? null)
}

// Several calls can hit an expired token at once; they share one refresh.
let refreshing: Promise<boolean> | null = null

function refreshTokens(): Promise<boolean> {
  const refreshToken = getRefreshToken()
  if (!refreshToken) return Promise.resolve(false)
  if (!refreshing) {
    refreshing = send(`${API_BASE}/auth/refresh`, 'POST', { refresh_token: refreshToken }, '')
      .then((res) => {
        if (res.statusCode >= 200 && res.statusCode < 300) {
          saveTokens(res.data as TokenPair)
          return true
        }
        return false
      })
      .catch(() => false)
      .finally(() => {
        refreshing = null
      })
  }
  return refreshing
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const { method = 'GET', data, query, toast = true } = options
  const url = `${API_BASE}${path}${buildQuery(query)}`
  // 代为管理: only the artist-workspace endpoints act for the managed artist (see stores/acting.ts).
  const artistId = isActingPath(path) ? actingArtistId() : ''
  try {
    const token = getAccessToken()
    let res = await send(url, method, data, token, artistId)
    if (res.statusCode === 401 && token) {
      const err = toApiError(res)
      if (err.code === 'token_expired' && (await refreshTokens())) {
        res = await send(url, method, data, getAccessToken(), artistId)
      }
      if (res.statusCode === 401) {
        // The session can't be recovered: log out locally so pages offer the login again.
        clearTokens()
        throw toApiError(res)
      }
    }
    if (res.statusCode >= 200 && res.statusCode < 300) {
      return (res.statusCode === 204 ? undefined : res.data) as T
    }
    const failed = toApiError(res)
    // Removed from the artist's team (or the artist is gone): acting mode no longer holds.
    if (artistId && ACTING_LOST_CODES.includes(failed.code) && actingArtistId() === artistId) exitActing()
    throw failed
  } catch (e) {
    const err = e instanceof ApiError ? e : new ApiError(0, 'network_error', NETWORK_ERROR_MESSAGE)
    if (toast) uni.showToast({ title: err.message, icon: 'none', duration: 2500 })
    throw err
  }
}

/**
 * Media URLs from the API (signed /api/v1/files/... links) may be origin-relative. uni's <image> resolves
 * those against the app base on H5 (/h5/...) and can't load them at all on mp-weixin, so make them absolute.
 */
export function absoluteUrl(url: string | null | undefined): string {
  if (!url) return ''
  if (/^(https?:|data:|blob:|wxfile:)/.test(url) || !url.startsWith('/')) return url
  let origin = apiOrigin()
  // #ifdef H5
  if (!origin && typeof location !== 'undefined') origin = location.origin
  // #endif
  return `${origin}${url}`
}

/** The server has no such route (yet): a 404 from the router itself, not a missing record. */
export function isMissingEndpoint(e: unknown): boolean {
  return e instanceof ApiError && e.status === 404 && e.message === '接口不存在'
}

/** Multipart upload (licence images) with the same auth and error handling. */
export function upload<T>(path: string, filePath: string, name = 'file'): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const token = getAccessToken()
    uni.uploadFile({
      url: `${API_BASE}${path}`,
      filePath,
      name,
      header: token ? { Authorization: `Bearer ${token}` } : {},
      success: (res) => {
        let body: unknown = null
        try {
          body = JSON.parse(res.data)
        } catch {
          body = null
        }
        if (res.statusCode >= 200 && res.statusCode < 300) {
          resolve(body as T)
          return
        }
        const err = toApiError({ statusCode: res.statusCode, data: body })
        uni.showToast({ title: err.message, icon: 'none', duration: 2500 })
        reject(err)
      },
      fail: () => {
        uni.showToast({ title: NETWORK_ERROR_MESSAGE, icon: 'none', duration: 2500 })
        reject(new ApiError(0, 'network_error', NETWORK_ERROR_MESSAGE))
      },
    })
  })
}

/**
 * Upload a file to a target handed out by `POST /uploads/intent`: the storage's own URL (a presigned S3
 * POST, or this API's `/uploads` with a signed token). `fields` go first, the file last under `fileField`.
 * Relative URLs are resolved against the API origin. The bearer token is only sent to our own API.
 */
export function uploadToTarget<T>(
  url: string,
  filePath: string,
  fields: Record<string, string>,
  fileField = 'file',
): Promise<{ statusCode: number; body: T | null }> {
  const origin = apiOrigin()
  const absolute = /^https?:\/\//.test(url) ? url : `${origin}${url}`
  const ownApi = !/^https?:\/\//.test(url) || (!!origin && url.startsWith(origin)) || isSameOrigin(url)
  const token = getAccessToken()
  return new Promise((resolve, reject) => {
    uni.uploadFile({
      url: absolute,
      filePath,
      name: fileField,
      formData: fields,
      header: ownApi && token ? { Authorization: `Bearer ${token}` } : {},
      success: (res) => {
        let body: unknown = null
        try {
          body = res.data ? JSON.parse(res.data) : null
        } catch {
          body = null
        }
        if (res.statusCode >= 200 && res.statusCode < 300) {
          resolve({ statusCode: res.statusCode, body: body as T | null })
          return
        }
        reject(toApiError({ statusCode: res.statusCode, data: body }))
      },
      fail: () => reject(new ApiError(0, 'network_error', NETWORK_ERROR_MESSAGE)),
    })
  })
}

function isSameOrigin(url: string): boolean {
  let same = false
  // #ifdef H5
  same = typeof location !== 'undefined' && url.startsWith(location.origin)
  // #endif
  return same
}
