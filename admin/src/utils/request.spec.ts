import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

const { messageError } = vi.hoisted(() => ({ messageError: vi.fn() }))
vi.mock('element-plus', () => ({ ElMessage: { error: messageError } }))

import { clearTokens, getTokens, setTokens } from './auth'
import { ApiError, buildUrl, onSessionExpired, request } from './request'

interface Call {
  url: string
  method: string
  auth: string | null
  body: unknown
}

function json(status: number, body: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  })
}

/** A fake fetch that records calls and answers from a handler. */
function mockFetch(handler: (call: Call) => Response | Promise<Response>) {
  const calls: Call[] = []
  const fn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const headers = (init?.headers ?? {}) as Record<string, string>
    const call: Call = {
      url: String(input),
      method: init?.method ?? 'GET',
      auth: headers.Authorization ?? null,
      body: init?.body ? JSON.parse(String(init.body)) : undefined,
    }
    calls.push(call)
    return handler(call)
  })
  vi.stubGlobal('fetch', fn)
  return calls
}

/** The ApiError a call rejects with (fails the test if it resolves). */
async function failure(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise
  } catch (e) {
    if (e instanceof ApiError) return e
    throw e
  }
  throw new Error('expected the request to fail')
}

const expired = () => json(401, { code: 'token_expired', message: '登录已过期', detail: null })

describe('request wrapper', () => {
  const sessionExpired = vi.fn()

  beforeEach(() => {
    clearTokens()
    messageError.mockClear()
    sessionExpired.mockClear()
    onSessionExpired(sessionExpired)
  })

  afterEach(() => {
    vi.unstubAllGlobals()
  })

  it('prefixes /api/v1, drops empty query values and sends the bearer token', async () => {
    setTokens({ accessToken: 'a1', refreshToken: 'r1' })
    const calls = mockFetch(() => json(200, { items: [], total: 0 }))

    const result = await request<{ total: number }>('/admin/users', {
      params: { phone: '', role: 'artist', status: undefined, page: 1 },
    })

    expect(result.total).toBe(0)
    expect(calls).toHaveLength(1)
    expect(calls[0]!.url).toBe('/api/v1/admin/users?role=artist&page=1')
    expect(calls[0]!.auth).toBe('Bearer a1')
  })

  it('builds URLs without a query string when nothing is set', () => {
    expect(buildUrl('admin/me', { phone: '' })).toBe('/api/v1/admin/me')
  })

  it('refreshes once on token_expired and retries with the new token', async () => {
    setTokens({ accessToken: 'old', refreshToken: 'r1' })
    const calls = mockFetch((call) => {
      if (call.url === '/api/v1/auth/refresh') {
        return json(200, { access_token: 'new', refresh_token: 'r2', token_type: 'bearer', expires_in: 900 })
      }
      return call.auth === 'Bearer new' ? json(200, { id: 1 }) : expired()
    })

    await expect(request('/admin/me')).resolves.toEqual({ id: 1 })

    expect(calls.map((c) => c.url)).toEqual(['/api/v1/admin/me', '/api/v1/auth/refresh', '/api/v1/admin/me'])
    expect(calls[1]!.body).toEqual({ refresh_token: 'r1' })
    expect(getTokens()).toEqual({ accessToken: 'new', refreshToken: 'r2' })
    expect(sessionExpired).not.toHaveBeenCalled()
    expect(messageError).not.toHaveBeenCalled()
  })

  it('shares one refresh between requests that expire together', async () => {
    setTokens({ accessToken: 'old', refreshToken: 'r1' })
    const calls = mockFetch(async (call) => {
      if (call.url === '/api/v1/auth/refresh') {
        await new Promise((resolve) => setTimeout(resolve, 10))
        return json(200, { access_token: 'new', refresh_token: 'r2' })
      }
      return call.auth === 'Bearer new' ? json(200, { url: call.url }) : expired()
    })

    await Promise.all([request('/a'), request('/b'), request('/c')])

    expect(calls.filter((c) => c.url === '/api/v1/auth/refresh')).toHaveLength(1)
  })

  it('logs out when the refresh fails, without looping', async () => {
    setTokens({ accessToken: 'old', refreshToken: 'revoked' })
    const calls = mockFetch((call) =>
      call.url === '/api/v1/auth/refresh'
        ? json(401, { code: 'refresh_token_invalid', message: '登录已失效，请重新登录', detail: null })
        : expired(),
    )

    await expect(request('/admin/me')).rejects.toMatchObject({ status: 401, code: 'token_expired' })

    expect(calls).toHaveLength(2)
    expect(getTokens()).toBeNull()
    expect(sessionExpired).toHaveBeenCalledTimes(1)
  })

  it('logs out on other 401s without trying to refresh', async () => {
    setTokens({ accessToken: 'bad', refreshToken: 'r1' })
    const calls = mockFetch(() => json(401, { code: 'token_invalid', message: '请先登录', detail: null }))

    await expect(request('/admin/me')).rejects.toBeInstanceOf(ApiError)

    expect(calls).toHaveLength(1)
    expect(sessionExpired).toHaveBeenCalledTimes(1)
    expect(messageError).toHaveBeenCalledWith(expect.objectContaining({ message: '请先登录' }))
  })

  it('treats a 401 on an unauthenticated call (wrong password) as an ordinary error', async () => {
    mockFetch(() => json(401, { code: 'invalid_credentials', message: '用户名或密码错误', detail: null }))

    const error = await failure(request('/admin/auth/login', { method: 'POST', data: {}, auth: false }))

    expect(error).toBeInstanceOf(ApiError)
    expect(error.message).toBe('用户名或密码错误')
    expect(sessionExpired).not.toHaveBeenCalled()
    expect(messageError).toHaveBeenCalledWith(expect.objectContaining({ message: '用户名或密码错误' }))
  })

  it("shows the server's Chinese message and keeps code and detail", async () => {
    setTokens({ accessToken: 'a1', refreshToken: 'r1' })
    mockFetch(() => json(409, { code: 'status_unchanged', message: '用户已是该状态', detail: { status: 'warned' } }))

    const error = await failure(request('/admin/users/1/status', { method: 'POST', data: {} }))

    expect(error).toMatchObject({ status: 409, code: 'status_unchanged', detail: { status: 'warned' } })
    expect(messageError).toHaveBeenCalledWith(expect.objectContaining({ message: '用户已是该状态' }))
  })

  it('stays quiet when asked to and falls back to a generic message for bodies without one', async () => {
    setTokens({ accessToken: 'a1', refreshToken: 'r1' })
    mockFetch(() => new Response('Bad Gateway', { status: 502 }))

    const error = await failure(request('/admin/me', { silent: true }))

    expect(error).toMatchObject({ status: 502, message: '服务暂时不可用，请稍后重试' })
    expect(messageError).not.toHaveBeenCalled()
  })

  it('turns a network failure into a Chinese message', async () => {
    vi.stubGlobal('fetch', vi.fn(() => Promise.reject(new TypeError('Failed to fetch'))))

    await expect(request('/admin/me', { auth: false })).rejects.toMatchObject({ code: 'network_error' })
    expect(messageError).toHaveBeenCalledWith(expect.objectContaining({ message: '网络异常，请检查网络后重试' }))
  })

  it('sends a FormData as multipart, as it is, with the token (file uploads)', async () => {
    setTokens({ accessToken: 'a1', refreshToken: 'r1' })
    let sent: RequestInit | undefined
    vi.stubGlobal('fetch', vi.fn(async (_input: RequestInfo | URL, init?: RequestInit) => {
      sent = init
      return json(201, { image_key: 'private/banners/x.png' })
    }))
    const form = new FormData()
    form.append('file', new Blob(['png']), 'b.png')

    await expect(request('/admin/homepage/banner-images', { method: 'POST', data: form })).resolves.toEqual({
      image_key: 'private/banners/x.png',
    })
    const headers = sent?.headers as Record<string, string>
    expect(sent?.body).toBe(form)
    expect(headers['Content-Type']).toBeUndefined()
    expect(headers.Authorization).toBe('Bearer a1')
  })

  it('returns undefined for 204', async () => {
    setTokens({ accessToken: 'a1', refreshToken: 'r1' })
    mockFetch(() => new Response(null, { status: 204 }))
    await expect(request('/auth/logout', { method: 'POST' })).resolves.toBeUndefined()
  })
})
