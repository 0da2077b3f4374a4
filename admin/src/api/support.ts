// 帮助中心 articles and 投诉工单 (domain/support): the console's typed calls.
import { http } from '@/utils/request'
import type { PageQuery, PageResult, Schemas } from './types'

export type HelpArticle = Schemas['AdminArticleOut']
export type HelpArticleBody = Schemas['ArticleIn']
export type HelpCategory = Schemas['CategoryOut']
export type ComplaintItem = Schemas['AdminComplaintSummary']
export type Complaint = Schemas['AdminComplaintOut']
export type ComplaintStatus = Complaint['status']
export type Assignee = Schemas['AssigneeOut']

export const getHelpCategoriesApi = () => http.get<HelpCategory[]>('/help/categories')
export const getHelpArticlesApi = (q: { category: string; q: string }, page: PageQuery) =>
  http.get<PageResult<HelpArticle>>('/admin/help/articles', { category: q.category, q: q.q.trim(), ...page })
export const createHelpArticleApi = (body: HelpArticleBody) => http.post<HelpArticle>('/admin/help/articles', body)
export const updateHelpArticleApi = (id: number, body: HelpArticleBody) =>
  http.put<HelpArticle>(`/admin/help/articles/${id}`, body)
export const deleteHelpArticleApi = (id: number) => http.delete<void>(`/admin/help/articles/${id}`)

export interface ComplaintQuery {
  status: '' | ComplaintStatus
  target_type: '' | Complaint['target']['type']
  assignee: '' | 'me' | 'none'
  keyword: string
}

export const getComplaintsApi = (q: ComplaintQuery, page: PageQuery) =>
  http.get<PageResult<ComplaintItem>>('/admin/complaints', { ...q, keyword: q.keyword.trim(), ...page })
export const getComplaintApi = (id: number) => http.get<Complaint>(`/admin/complaints/${id}`)
export const getAssigneesApi = () => http.get<Assignee[]>('/admin/complaints/assignees')
export const assignComplaintApi = (id: number, operatorId: number) =>
  http.post<Complaint>(`/admin/complaints/${id}/assign`, { operator_id: operatorId })
export const replyComplaintApi = (id: number, body: string) =>
  http.post<Complaint>(`/admin/complaints/${id}/replies`, { body })
export const resolveComplaintApi = (id: number, status: 'resolved' | 'closed', result: string) =>
  http.post<Complaint>(`/admin/complaints/${id}/resolve`, { status, result })
