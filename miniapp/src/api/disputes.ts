import { request } from '@/utils/request'
import type { components } from './schema'

export type DisputeStatementInput = components['schemas']['StatementIn']
export type DisputeStatement = components['schemas']['StatementOut']

/** 纠纷陈述: the other party's account of an open dispute (or the opener's addition), once per party, with up to
 * 9 evidence photos (ids of the caller's own uploads of purpose "evidence"). */
export function addDisputeStatementApi(bookingId: number | string, body: DisputeStatementInput) {
  return request<DisputeStatement>(`/bookings/${encodeURIComponent(String(bookingId))}/dispute/statements`, {
    method: 'POST',
    data: body,
  })
}
