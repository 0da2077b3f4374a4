// 系统: operator accounts, roles and their permission codes, the audit log (api/routers/admin_access.py, admin.py).
import { http } from '@/utils/request'
import type { PageQuery, PageResult, Schemas } from './types'

export type Operator = Schemas['OperatorOut']
export type OperatorCreateParams = Schemas['OperatorCreateIn']
export type OperatorUpdateParams = Schemas['OperatorUpdateIn']
export type OperatorRole = Schemas['OperatorRoleOut']
export type OperatorRoleOption = Schemas['OperatorRoleOption']
export type RoleCreateParams = Schemas['OperatorRoleIn']
export type RoleUpdateParams = Schemas['OperatorRoleUpdateIn']
export type PermissionEntry = Schemas['PermissionOut']
export type AuditLog = Schemas['AuditLogOut']
export type AuditSource = 'console' | 'temporal_ui' | 'system'

export const getOperatorsApi = () => http.get<Operator[]>('/admin/operators')
export const getRoleOptionsApi = () => http.get<OperatorRoleOption[]>('/admin/operators/role-options')
export const createOperatorApi = (data: OperatorCreateParams) => http.post<Operator>('/admin/operators', data)
export const updateOperatorApi = (id: number, data: OperatorUpdateParams) =>
  http.put<Operator>(`/admin/operators/${id}`, data)

/** The catalogue of permission codes with their group and Chinese label, in menu order. */
export const getPermissionsApi = () => http.get<PermissionEntry[]>('/admin/permissions')
export const getRolesApi = () => http.get<OperatorRole[]>('/admin/roles')
export const createRoleApi = (data: RoleCreateParams) => http.post<OperatorRole>('/admin/roles', data)
export const updateRoleApi = (id: number, data: RoleUpdateParams) => http.put<OperatorRole>(`/admin/roles/${id}`, data)
export const deleteRoleApi = (id: number) => http.delete<void>(`/admin/roles/${id}`)

export interface AuditLogQuery extends PageQuery {
  operator_id?: number
  keyword?: string
  target_type?: string
  target_id?: string
  source?: AuditSource | ''
  date_from?: string
  date_to?: string
}

export const getAuditLogsApi = (query: AuditLogQuery) =>
  http.get<PageResult<AuditLog>>('/admin/audit-logs', { ...query })

export const SOURCE_LABELS: Record<AuditSource, string> = {
  console: '运营后台',
  temporal_ui: 'Temporal UI',
  system: '系统',
}
