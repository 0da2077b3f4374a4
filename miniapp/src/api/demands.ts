import { request } from '@/utils/request'
import type {
  Demand,
  DemandAnswer,
  DemandInput,
  DemandQuery,
  DemandRespondInput,
  DemandRespondResult,
  FavoriteResult,
  Page,
} from './types'

const id = (v: number | string) => encodeURIComponent(String(v))

/** 需求大厅 (artists): approved, open demands, filtered by artist type, city and show date. */
export function listDemandsApi(query: DemandQuery = {}, options: { toast?: boolean } = {}) {
  return request<Page<Demand>>('/demands', { query, ...options })
}

/** 我的需求 (clients): every demand they posted, with moderation state and answer counts. */
export function myDemandsApi(page = 1, pageSize = 20, options: { toast?: boolean } = {}) {
  return request<Page<Demand>>('/demands/mine', { query: { page, page_size: pageSize }, ...options })
}

export function getDemandApi(demandId: number | string, options: { toast?: boolean } = {}) {
  return request<Demand>(`/demands/${id(demandId)}`, options)
}

/** 发布需求: visible to artists once an operator approved it. */
export function createDemandApi(body: DemandInput) {
  return request<Demand>('/demands', { method: 'POST', data: body })
}

export function closeDemandApi(demandId: number | string) {
  return request<Demand>(`/demands/${id(demandId)}/close`, { method: 'POST' })
}

/** The owner's view of the artists' quotes (each one a booking). */
export function demandAnswersApi(demandId: number | string, options: { toast?: boolean } = {}) {
  return request<DemandAnswer[]>(`/demands/${id(demandId)}/answers`, options)
}

/** 报价: opens a booking from the demand's client to this artist with the quote attached. */
export function respondDemandApi(demandId: number | string, body: DemandRespondInput, options: { toast?: boolean } = {}) {
  return request<DemandRespondResult>(`/demands/${id(demandId)}/respond`, { method: 'POST', data: body, ...options })
}

export function favoriteDemandApi(demandId: number | string) {
  return request<FavoriteResult>(`/favorites/demands/${id(demandId)}`, { method: 'POST' })
}

export function unfavoriteDemandApi(demandId: number | string) {
  return request<FavoriteResult>(`/favorites/demands/${id(demandId)}`, { method: 'DELETE' })
}

/** 我收藏的需求 (artists). */
export function favoriteDemandsApi(page = 1, pageSize = 20, options: { toast?: boolean } = {}) {
  return request<Page<Demand>>('/favorites/demands', { query: { page, page_size: pageSize }, ...options })
}
