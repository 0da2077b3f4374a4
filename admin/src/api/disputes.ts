// 纠纷处理: the dispute list, one booking's workbench, and the ruling (the booking's resolve_dispute intervention).
import { http, type QueryParams } from '@/utils/request'
import type { PageQuery, PageResult, Schemas } from './types'

export type DisputeItem = Schemas['DisputeListItem']
export type DisputeState = DisputeItem['state']
export type Workbench = Schemas['WorkbenchOut']
export type DisputeCase = Schemas['DisputeOutFull']
export type DisputeStatement = Schemas['StatementOut']
export type Resolution = 'full_refund' | 'partial_refund' | 'release'

export interface DisputeQuery {
  state: '' | DisputeState
  keyword: string
  opened: [string, string] | null // YYYY-MM-DD, Asia/Shanghai days
}

export function disputeParams(q: DisputeQuery): QueryParams {
  return {
    state: q.state,
    keyword: q.keyword.trim(),
    opened_from: q.opened?.[0] ?? '',
    opened_to: q.opened?.[1] ?? '',
  }
}

export const getDisputesApi = (q: DisputeQuery, page: PageQuery) =>
  http.get<PageResult<DisputeItem>>('/admin/disputes', { ...disputeParams(q), ...page })

export const getWorkbenchApi = (bookingId: number) => http.get<Workbench>(`/admin/disputes/${bookingId}`)

export type DisputeChat = Schemas['DisputeChatOut']
export type ChatMessage = Schemas['MessageOut']
/** The pair's chat as typed (contacts unmasked); every call is recorded in the audit log, so load it on demand. */
export const getDisputeChatApi = (bookingId: number, beforeSeq?: number) =>
  http.get<DisputeChat>(`/admin/disputes/${bookingId}/chat`, beforeSeq ? { before_seq: beforeSeq } : {})

export interface Ruling {
  resolution: Resolution
  refund_amount: number | null // fen; partial_refund only
  reason: string
}

/** The ruling goes to the booking's workflow like every intervention; its reason is sent to both parties. */
export const resolveDisputeApi = (bookingId: number, ruling: Ruling) =>
  http.post<Schemas['ActionOut']>(`/admin/bookings/${bookingId}/actions/resolve_dispute`, ruling)

export const contractLinkApi = (bookingId: number) =>
  http.post<Schemas['DownloadLinkOut']>(`/admin/bookings/${bookingId}/contract/download-link`)
