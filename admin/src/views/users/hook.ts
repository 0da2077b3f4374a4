// State and labels of the 用户管理 page (vue-pure-admin style: the page folder holds its hook).
import { onMounted, reactive, ref } from 'vue'
import {
  getUserListApi,
  type AdminUser,
  type UserRole,
  type UserStatus,
  type VerificationStatus,
} from '@/api/users'

type TagType = 'primary' | 'success' | 'warning' | 'danger' | 'info'

export const ROLE_OPTIONS: { value: UserRole; label: string; tag: TagType }[] = [
  { value: 'client', label: '需求方', tag: 'primary' },
  { value: 'artist', label: '艺人', tag: 'success' },
]

export const STATUS_OPTIONS: { value: UserStatus; label: string; tag: TagType }[] = [
  { value: 'active', label: '正常', tag: 'success' },
  { value: 'warned', label: '警告', tag: 'warning' },
  { value: 'banned', label: '封禁', tag: 'danger' },
]

export const VERIFICATION_OPTIONS: { value: VerificationStatus; label: string; tag: TagType }[] = [
  { value: 'unverified', label: '未认证', tag: 'info' },
  { value: 'pending', label: '审核中', tag: 'warning' },
  { value: 'verified', label: '已认证', tag: 'success' },
  { value: 'rejected', label: '已驳回', tag: 'danger' },
]

function lookup<V extends string>(options: { value: V; label: string; tag: TagType }[], value: V | null) {
  const found = options.find((o) => o.value === value)
  return found ?? { value, label: value ?? '-', tag: 'info' as TagType }
}

export const roleOf = (role: UserRole) => lookup(ROLE_OPTIONS, role)
export const statusOf = (status: UserStatus | null) => lookup(STATUS_OPTIONS, status)
export const verificationOf = (status: VerificationStatus) => lookup(VERIFICATION_OPTIONS, status)

/** 机构/艺名 column: a user can hold both profiles. */
export function profileNames(user: AdminUser): string {
  return [user.org_name, user.stage_name].filter((n): n is string => !!n).join(' / ') || '-'
}

export function useUsers() {
  const filters = reactive({
    phone: '',
    role: '' as UserRole | '',
    status: '' as UserStatus | '',
  })
  const pagination = reactive({ page: 1, pageSize: 20, total: 0 })
  const rows = ref<AdminUser[]>([])
  const loading = ref(false)

  // Only the latest query may write the table: a slow earlier response must not overwrite it.
  let seq = 0
  async function load() {
    const mine = ++seq
    loading.value = true
    try {
      const result = await getUserListApi({
        phone: filters.phone.replace(/\D/g, ''), // the API takes digits only (partial match)
        role: filters.role,
        status: filters.status,
        page: pagination.page,
        page_size: pagination.pageSize,
      })
      if (mine !== seq) return
      rows.value = result.items
      pagination.total = result.total
    } catch {
      // message already shown by the request wrapper; keep the previous rows
    } finally {
      if (mine === seq) loading.value = false
    }
  }

  function search() {
    pagination.page = 1
    void load()
  }

  function reset() {
    filters.phone = ''
    filters.role = ''
    filters.status = ''
    search()
  }

  function onPageChange(page: number) {
    pagination.page = page
    void load()
  }

  function onSizeChange(size: number) {
    pagination.pageSize = size
    pagination.page = 1
    void load()
  }

  /** Put the row returned by a status change in place without reloading the page. */
  function replaceRow(user: AdminUser) {
    const index = rows.value.findIndex((r) => r.id === user.id)
    if (index >= 0) rows.value.splice(index, 1, user)
  }

  onMounted(load)

  return { filters, pagination, rows, loading, load, search, reset, onPageChange, onSizeChange, replaceRow }
}
