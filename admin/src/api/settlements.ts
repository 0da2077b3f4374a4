// 结算审批: the ledger's settlement queue and an operator's decisions on it.
import { http, type QueryParams } from '@/utils/request'
import type { PageQuery, PageResult, Schemas } from './types'

// --- 结算审批 (GET /admin/settlements, POST /admin/settlements/{booking_id}/approve|reject|retry)

export type Settlement = Schemas['SettlementOut']
export type SettlementStatus = Settlement['status']
export type SettlementDecision = Settlement['allowed_decisions'][number]
export interface SettlementQuery {
  status: '' | SettlementStatus
  artist_id: string
  booking_id: string
}

export function settlementParams(q: SettlementQuery): QueryParams {
  return { status: q.status, artist_id: q.artist_id.trim(), booking_id: q.booking_id.trim() }
}

export const getSettlementsApi = (q: SettlementQuery, page: PageQuery) =>
  http.get<PageResult<Settlement>>('/admin/settlements', {
    ...settlementParams(q),
    ...page,
  })

export const decideSettlementApi = (bookingId: number, decision: SettlementDecision, reason?: string) =>
  http.post<Settlement>(`/admin/settlements/${bookingId}/${decision}`, { reason: reason || null })
