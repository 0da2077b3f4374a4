import { request } from '@/utils/request'
import type { components } from './schema'

type S = components['schemas']
export type HelpCategory = S['CategoryOut']
export type HelpArticleSummary = S['ArticleSummary']
export type HelpArticle = S['ArticleOut']
export type ComplaintInput = S['ComplaintIn']
export type ComplaintSummary = S['ComplaintSummary']
export type Complaint = S['ComplaintOut']
export type ComplaintTargetType = ComplaintInput['target_type']
export interface ComplaintPage {
  items: ComplaintSummary[]
  total: number
  page: number
  page_size: number
}

/** 帮助中心 (public): the categories with their article counts, a category's articles or a search. */
export const helpCategoriesApi = () => request<HelpCategory[]>('/help/categories')
export const helpArticlesApi = (query: { category?: string; q?: string }) =>
  request<HelpArticleSummary[]>('/help/articles', { query })
export const helpArticleApi = (id: number | string) => request<HelpArticle>(`/help/articles/${encodeURIComponent(String(id))}`)

/** 投诉与反馈: the caller's own complaints (nobody else's are ever returned). */
export const fileComplaintApi = (body: ComplaintInput) => request<Complaint>('/complaints', { method: 'POST', data: body })
export const myComplaintsApi = (page = 1) => request<ComplaintPage>('/complaints', { query: { page, page_size: 20 } })
export const complaintApi = (id: number | string) => request<Complaint>(`/complaints/${encodeURIComponent(String(id))}`)
export const replyComplaintApi = (id: number | string, body: string) =>
  request<Complaint>(`/complaints/${encodeURIComponent(String(id))}/replies`, { method: 'POST', data: { body } })

/** The complaint categories (domain/support/complaints.py CATEGORIES), in the form's order. */
export const COMPLAINT_CATEGORIES: { value: string; label: string }[] = [
  { value: 'service', label: '服务质量' },
  { value: 'breach', label: '违约爽约' },
  { value: 'fraud', label: '虚假信息或欺诈' },
  { value: 'offline_deal', label: '诱导私下交易' },
  { value: 'harassment', label: '骚扰或辱骂' },
  { value: 'other', label: '其他' },
]
export const TARGET_LABELS: Record<ComplaintTargetType, string> = { order: '订单', artist: '艺人', client: '需求方', message: '聊天消息' }
export const STATUS_BADGE: Record<Complaint['status'], string> = {
  pending: 'badge-danger',
  processing: 'badge-warning',
  resolved: 'badge-success',
  closed: 'badge-muted',
}
