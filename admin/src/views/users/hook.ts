// State and labels of the 用户管理 page (vue-pure-admin style: the page folder holds its hook).
import { reactive } from 'vue'
import {
  getUserListApi,
  type AdminUser,
  type UserRole,
  type UserStatus,
  type VerificationStatus,
} from '@/api/users'
import { usePagedList } from '@/composables/usePagedList'
import { lookup, type Option } from '@/utils/options'

export const ROLE_OPTIONS: Option<UserRole>[] = [
  { value: 'client', label: '需求方', tag: 'primary' },
  { value: 'artist', label: '艺人', tag: 'success' },
]

export const STATUS_OPTIONS: Option<UserStatus>[] = [
  { value: 'active', label: '正常', tag: 'success' },
  { value: 'warned', label: '警告', tag: 'warning' },
  { value: 'banned', label: '封禁', tag: 'danger' },
]

export const VERIFICATION_OPTIONS: Option<VerificationStatus>[] = [
  { value: 'unverified', label: '未认证', tag: 'info' },
  { value: 'pending', label: '审核中', tag: 'warning' },
  { value: 'verified', label: '已认证', tag: 'success' },
  { value: 'rejected', label: '已驳回', tag: 'danger' },
]

export const roleOf = (role: UserRole) => lookup(ROLE_OPTIONS, role)
export const statusOf = (status: UserStatus | null) => lookup(STATUS_OPTIONS, status)
export const verificationOf = (status: VerificationStatus) => lookup(VERIFICATION_OPTIONS, status)

/** 机构/艺名 column: a user can hold both profiles. */
export function profileNames(user: AdminUser): string {
  return [user.org_name, user.stage_name].filter((n): n is string => !!n).join(' / ') || '-'
}

/** The list's filters as the export takes them (GET /admin/users.xlsx: the same filters as the list). */
export function userExportParams(f: { phone: string; role: UserRole | ''; status: UserStatus | '' }) {
  return {
    phone: f.phone.replace(/\D/g, '') || undefined,
    role: f.role || undefined,
    status: f.status || undefined,
  }
}

export function useUsers() {
  const filters = reactive({
    phone: '',
    role: '' as UserRole | '',
    status: '' as UserStatus | '',
  })
  const list = usePagedList((page) =>
    getUserListApi({
      phone: filters.phone.replace(/\D/g, ''), // the API takes digits only (partial match)
      role: filters.role,
      status: filters.status,
      ...page,
    }),
  )

  function reset() {
    filters.phone = ''
    filters.role = ''
    filters.status = ''
    list.search()
  }

  /** Put the row returned by a status change in place without reloading the page. */
  const replaceRow = (user: AdminUser) => list.replaceRow((r) => r.id === user.id, user)

  const { pagination, rows, loading, load, search, onPageChange, onSizeChange } = list
  return { filters, pagination, rows, loading, load, search, reset, onPageChange, onSizeChange, replaceRow }
}
