import { http } from '@/utils/request'
import type { PageQuery, PageResult } from './types'

export type UserStatus = 'active' | 'warned' | 'banned'
export type UserRole = 'client' | 'artist'
export type VerificationStatus = 'unverified' | 'pending' | 'verified' | 'rejected'

/** A row of GET /admin/users (operators see the full phone number). */
export interface AdminUser {
  id: number
  phone: string | null
  status: UserStatus
  roles: UserRole[]
  org_name: string | null
  stage_name: string | null
  verification_status: VerificationStatus
  created_at: string
}

export interface UserListQuery extends PageQuery {
  phone?: string
  role?: UserRole | ''
  status?: UserStatus | ''
}

export interface SetUserStatusParams {
  status: UserStatus
  /** 2-500 characters after trimming. */
  reason: string
}

/** One entry of GET /admin/users/{id}/status-changes. */
export interface UserStatusChange {
  id: number
  from_status: UserStatus
  to_status: UserStatus
  reason: string
  operator_id: number
  /** The operator's display name. */
  operator_name: string
  created_at: string
}

export const getUserListApi = (query: UserListQuery) =>
  http.get<PageResult<AdminUser>>('/admin/users', { ...query })

export const setUserStatusApi = (id: number, data: SetUserStatusParams) =>
  http.post<AdminUser>(`/admin/users/${id}/status`, data)

/** Newest first. */
export const getUserStatusChangesApi = (id: number) =>
  http.get<UserStatusChange[]>(`/admin/users/${id}/status-changes`)
