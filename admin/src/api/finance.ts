// 资金: money flows (payments, refunds, payouts, commission), settlement approvals and reconciliation
// differences. Every list has an `.xlsx` sibling route taking the same filters (downloadXlsx).
import { getAccessToken } from '@/utils/auth'
import { ApiError, buildUrl, http, type QueryParams } from '@/utils/request'
import type { PageQuery, Schemas } from './types'

export type FlowKind = 'payments' | 'refunds' | 'payouts' | 'commissions'
export type PaymentFlow = Schemas['PaymentFlowOut']
export type RefundFlow = Schemas['RefundFlowOut']
export type PayoutFlow = Schemas['PayoutFlowOut']
export type CommissionFlow = Schemas['CommissionFlowOut']
export type FlowTotals = Schemas['FlowTotals']
export interface FlowRows {
  payments: PaymentFlow
  refunds: RefundFlow
  payouts: PayoutFlow
  commissions: CommissionFlow
}
export interface FlowPage<K extends FlowKind> {
  items: FlowRows[K][]
  totals: FlowTotals
  total: number
  page: number
  page_size: number
}

/** Filters of 资金流水; dates are China days 'YYYY-MM-DD' (inclusive), '' = not filtered. */
export interface FlowFilters {
  start: string
  end: string
  gateway: string
  status: string
  booking_id: string
  artist_id: string
}

export function flowParams(f: FlowFilters): QueryParams {
  return {
    start: f.start,
    end: f.end,
    gateway: f.gateway,
    status: f.status,
    booking_id: f.booking_id.trim(),
    artist_id: f.artist_id.trim(),
  }
}

export const getFlowPageApi = <K extends FlowKind>(kind: K, filters: QueryParams, page: PageQuery) =>
  http.get<FlowPage<K>>(`/admin/money/${kind}`, { ...filters, ...page })

/**
 * Download an export with the operator's login and save it under `filename`. A 401 goes through the request
 * wrapper once (which refreshes an expired token or ends the session), then the download is tried again.
 */
export async function downloadXlsx(path: string, params: QueryParams, filename: string): Promise<void> {
  const fetchFile = () =>
    fetch(buildUrl(path, params), { headers: { Authorization: `Bearer ${getAccessToken() ?? ''}` } })
  let res = await fetchFile()
  if (res.status === 401) {
    await http.get('/admin/me')
    res = await fetchFile()
  }
  if (!res.ok) {
    let body: { code?: string; message?: string } = {}
    try {
      body = (await res.json()) as typeof body
    } catch {
      // not JSON
    }
    throw new ApiError(res.status, body.code ?? `http_${res.status}`, body.message ?? '导出失败，请稍后重试')
  }
  const url = URL.createObjectURL(await res.blob())
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

const yuan2 = new Intl.NumberFormat('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })

/** Integer fen → `¥1,234.50`: money lists show two decimals, as the exports do. */
export function formatYuan(fen: number | null | undefined): string {
  if (fen === null || fen === undefined) return '-'
  return `¥${yuan2.format(fen / 100)}`
}
