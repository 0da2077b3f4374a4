// 订单管理: every booking with filters and its progress, an order's detail, and the operators' interventions
// (the same validated workflow updates the parties' actions are).
import { http, type QueryParams } from '@/utils/request'
import type { PageQuery, PageResult, Schemas } from './types'

export type OrderRow = Schemas['OrderRow']
export type OrderDetail = Schemas['OrderDetail']
export type ProgressStep = Schemas['ProgressStep']
export type OrderStage = ProgressStep['stage']
export type BookingStatus = NonNullable<OrderRow['status']>
export type ActionBody = Partial<Schemas['ActionIn']>
export type OperatorAction = 'cancel' | 'extend_deadline' | 'resolve_dispute'
export type DownloadLink = Schemas['DownloadLinkOut']

export interface OrderQuery {
  keyword: string
  status: string
  stage: '' | OrderStage
  city: string
  artist: string
  client: string
  date_from: string
  date_to: string
  /** '' = everything, 'true' = 待运营处理 (flagged or disputed). */
  needs_operator: '' | 'true'
}

export const emptyOrderQuery = (): OrderQuery => ({
  keyword: '',
  status: '',
  stage: '',
  city: '',
  artist: '',
  client: '',
  date_from: '',
  date_to: '',
  needs_operator: '',
})

export function orderParams(q: OrderQuery): QueryParams {
  return {
    keyword: q.keyword.trim(),
    status: q.status,
    stage: q.stage,
    city: q.city.trim(),
    artist: q.artist.trim(),
    client: q.client.trim(),
    date_from: q.date_from,
    date_to: q.date_to,
    needs_operator: q.needs_operator,
  }
}

export const getOrdersApi = (q: OrderQuery, page: PageQuery) =>
  http.get<PageResult<OrderRow>>('/admin/bookings', { ...orderParams(q), ...page })

export const getOrderApi = (id: number) => http.get<OrderDetail>(`/admin/bookings/${id}`)

export const interveneApi = (id: number, action: OperatorAction, body: ActionBody) =>
  http.post<Schemas['ActionOut']>(`/admin/bookings/${id}/actions/${action}`, body)

/** A ticket (HttpOnly cookie) that lets this login through to the Temporal UI behind nginx. */
export const temporalUiSessionApi = () =>
  http.post<Schemas['TemporalUiSessionOut']>('/admin/bookings/temporal-ui/session')

export const contractLinkApi = (id: number) => http.post<DownloadLink>(`/admin/bookings/${id}/contract/download-link`)

export const STAGE_OPTIONS: { value: OrderStage; label: string }[] = [
  { value: 'booking', label: '预约' },
  { value: 'contract', label: '签约' },
  { value: 'payment', label: '支付' },
  { value: 'show', label: '演出' },
  { value: 'settlement', label: '结算' },
  { value: 'done', label: '已完成' },
  { value: 'closed', label: '已关闭' },
]
