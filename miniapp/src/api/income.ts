import { request } from '@/utils/request'
import type { Booking, Income, Page } from './types'

/** Which orders 我的收入 lists: 待结算 (settlement), 已结算 (done), 待付款 (payment). */
export type IncomeStage = 'settlement' | 'done' | 'payment'

/** The artist's orders of one stage (GET /bookings as artist, `stage` filter). */
export function listIncomeOrdersApi(stage: IncomeStage, page = 1, pageSize = 20, options: { toast?: boolean } = {}) {
  return request<Page<Booking>>('/bookings', { query: { stage, page, page_size: pageSize }, ...options })
}

/** 我的收入 totals. */
export function getIncomeApi(options: { toast?: boolean } = {}) {
  return request<Income>('/me/artist/income', options)
}
