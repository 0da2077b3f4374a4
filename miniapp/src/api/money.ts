/**
 * Money records: the client's 支付记录 / 支付凭证 and the artist's 收入明细 (+ its Excel file).
 * Shapes come from the generated schema.d.ts (`python -m api.client_types`); amounts are integer fen.
 */
import type { components } from './schema'
import type { Page } from './types'
import { API_BASE, ApiError, NETWORK_ERROR_MESSAGE, request } from '@/utils/request'
import { getAccessToken } from '@/utils/token'

type S = components['schemas']

/** One line of 支付记录: a payment (type 'payment', opens its receipt) or a refund (type 'refund'). */
export type PaymentRecord = S['PaymentRecordOut']
/** 支付凭证 of one paid order, with the refunds taken from it. */
export type Receipt = S['ReceiptOut']
export type IncomeBooking = S['IncomeBookingOut']
export type IncomeBookings = S['IncomeBookingsOut']
/** 'YYYY-MM-DD' (China days, inclusive) — the show date range of 收入明细. */
export interface DateRange {
  start: string
  end: string
}

export function listMyPaymentsApi(page = 1, pageSize = 20, options: { toast?: boolean } = {}) {
  return request<Page<PaymentRecord>>('/me/payments', { query: { page, page_size: pageSize }, ...options })
}

export function getReceiptApi(orderId: string, options: { toast?: boolean } = {}) {
  return request<Receipt>(`/me/payments/${encodeURIComponent(orderId)}`, options)
}

export function listIncomeBookingsApi(range: DateRange, page = 1, pageSize = 20, options: { toast?: boolean } = {}) {
  return request<IncomeBookings>('/me/artist/income/bookings', {
    query: { start: range.start, end: range.end, page, page_size: pageSize },
    ...options,
  })
}

function download(url: string): Promise<{ statusCode: number; tempFilePath: string }> {
  return new Promise((resolve, reject) => {
    const token = getAccessToken()
    uni.downloadFile({
      url,
      header: token ? { Authorization: `Bearer ${token}` } : {},
      success: (res) => resolve({ statusCode: res.statusCode, tempFilePath: res.tempFilePath }),
      fail: () => reject(new ApiError(0, 'network_error', NETWORK_ERROR_MESSAGE)),
    })
  })
}

/**
 * Download 收入明细 of `range` as .xlsx with the artist's own login (the Authorization header, like every call)
 * and open it: mp-weixin opens it with uni.openDocument (share/save from its menu); H5 saves it as a file.
 */
export async function exportIncomeBookings(range: DateRange): Promise<void> {
  const url = `${API_BASE}/me/artist/income/bookings.xlsx?start=${range.start}&end=${range.end}`
  let res = await download(url)
  if (res.statusCode === 401) {
    await request('/me', { toast: false }) // refreshes an expired access token (or fails as a real 401 would)
    res = await download(url)
  }
  if (res.statusCode !== 200) {
    throw new ApiError(res.statusCode, `http_${res.statusCode}`, res.statusCode === 403 ? '仅艺人本人可以导出收入明细' : '导出失败，请稍后重试')
  }
  const filename = `收入明细-${range.start}至${range.end}.xlsx`
  // #ifdef H5
  const a = document.createElement('a')
  a.href = res.tempFilePath
  a.download = filename
  document.body.appendChild(a)
  a.click()
  a.remove()
  // #endif
  // #ifndef H5
  await new Promise<void>((resolve, reject) => {
    uni.openDocument({
      filePath: res.tempFilePath,
      fileType: 'xlsx',
      showMenu: true,
      success: () => resolve(),
      fail: () => reject(new ApiError(0, 'open_failed', `${filename} 已下载，但无法打开`)),
    })
  })
  // #endif
}
