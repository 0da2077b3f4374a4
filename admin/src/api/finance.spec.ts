import { afterEach, describe, expect, it, vi } from 'vitest'

vi.mock('element-plus', () => ({ ElMessage: { error: vi.fn() } }))

import { clearTokens, setTokens } from '@/utils/auth'
import { ApiError } from '@/utils/request'
import { downloadXlsx, flowParams, formatYuan } from './finance'

describe('formatYuan', () => {
  it('shows fen as yuan with two decimals', () => {
    expect(formatYuan(123_456_789)).toBe('¥1,234,567.89')
    expect(formatYuan(5)).toBe('¥0.05')
    expect(formatYuan(100)).toBe('¥1.00')
    expect(formatYuan(null)).toBe('-')
  })
})

describe('flowParams', () => {
  it('passes the filters, ids trimmed', () => {
    expect(flowParams({ start: '2026-01-01', end: '', gateway: 'sandbox', status: '', booking_id: ' 12 ', artist_id: '' }))
      .toEqual({ start: '2026-01-01', end: '', gateway: 'sandbox', status: '', booking_id: '12', artist_id: '' })
  })
})

describe('downloadXlsx', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
    clearTokens()
  })

  it('fetches the export with the login and the filters, and saves it under the name given', async () => {
    setTokens({ accessToken: 'access-1', refreshToken: 'refresh-1' })
    const seen: { url: string; auth: string }[] = []
    vi.stubGlobal('fetch', vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      seen.push({ url: String(input), auth: (init?.headers as Record<string, string>).Authorization ?? '' })
      return new Response('PK', { status: 200 })
    }))
    const createObjectURL = vi.fn(() => 'blob:x')
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() }))
    const clicked: string[] = []
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this.download)
    })
    await downloadXlsx('/admin/money/payments.xlsx', { status: 'paid', gateway: '' }, '资金流水-支付.xlsx')
    expect(seen).toEqual([{ url: '/api/v1/admin/money/payments.xlsx?status=paid', auth: 'Bearer access-1' }])
    expect(clicked).toEqual(['资金流水-支付.xlsx'])
    click.mockRestore()
  })

  it("turns the server's refusal into an ApiError with its message", async () => {
    setTokens({ accessToken: 'access-1', refreshToken: 'refresh-1' })
    vi.stubGlobal('fetch', vi.fn(async () => new Response(
      JSON.stringify({ code: 'date_range_invalid', message: '起始日期不能晚于截止日期' }), { status: 422 })))
    await expect(downloadXlsx('/admin/money/refunds.xlsx', {}, 'x.xlsx')).rejects.toMatchObject(
      new ApiError(422, 'date_range_invalid', '起始日期不能晚于截止日期'))
  })
})
