import { http } from '@/utils/request'
import type { PageQuery, PageResult, Schemas } from './types'

export type UserStatus = Schemas['AccountStatus']
export type UserRole = Schemas['Role']
export type VerificationStatus = Schemas['VerificationStatus']

/** A row of GET /admin/users (operators see the full phone number). */
export type AdminUser = Schemas['AdminUserOut']

export interface UserListQuery extends PageQuery {
  phone?: string
  role?: UserRole | ''
  status?: UserStatus | ''
}

export type SetUserStatusParams = Schemas['UserStatusIn']

/** One entry of GET /admin/users/{id}/status-changes. */
export type UserStatusChange = Schemas['StatusChangeOut']

export const getUserListApi = (query: UserListQuery) =>
  http.get<PageResult<AdminUser>>('/admin/users', { ...query })

export const setUserStatusApi = (id: number, data: SetUserStatusParams) =>
  http.post<AdminUser>(`/admin/users/${id}/status`, data)

/** Newest first. */
export const getUserStatusChangesApi = (id: number) =>
  http.get<UserStatusChange[]>(`/admin/users/${id}/status-changes`)
