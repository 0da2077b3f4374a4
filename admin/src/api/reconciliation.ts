// 对账差异: the daily reconciliation's differences queue and their resolution.
import { http, type QueryParams } from '@/utils/request'
import type { PageQuery, PageResult, Schemas } from './types'

// --- 对账差异 (GET /admin/reconciliation/differences, POST …/{id}/resolve)

export type Difference = Schemas['DifferenceOut']
export type DifferenceKind = Difference['kind']
export interface DifferenceQuery {
  status: '' | 'open' | 'resolved'
  kind: '' | DifferenceKind
  gateway: string
  day_from: string
  day_to: string
  booking_id: string
}

export function differenceParams(q: DifferenceQuery): QueryParams {
  return { ...q, booking_id: q.booking_id.trim() }
}

export const getDifferencesApi = (q: DifferenceQuery, page: PageQuery) =>
  http.get<PageResult<Difference>>(
    '/admin/reconciliation/differences',
    { ...differenceParams(q), ...page },
  )

export const resolveDifferenceApi = (id: number, note: string) =>
  http.post<Difference>(`/admin/reconciliation/differences/${id}/resolve`, { note })
