import { beforeEach, describe, expect, it, vi } from 'vitest'

vi.mock('@/layout/index.vue', () => ({ default: {} }))

import { createPinia, setActivePinia } from 'pinia'
import type { Operator } from '@/api/auth'
import { buildMenu, menuPaths } from '@/router/menu'
import { menuRoutes } from '@/router/routes'
import { useUserStore } from './user'

// The built-in 客服 role (domain/accounts/roles.py BUILTIN_ROLES["support"]).
const SUPPORT = [
  'admin:user:list',
  'admin:artist:list',
  'admin:order:list',
  'admin:order:intervene',
  'admin:dispute:resolve',
  'admin:content:review',
]

function operator(permissions: string[]): Operator {
  return {
    id: 7,
    username: 'kefu',
    display_name: '客服小张',
    is_active: true,
    role: 'support',
    role_name: '客服',
    permissions,
    created_at: '2026-12-04T00:00:00Z',
  }
}

describe('hasPermission', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('grants only the codes the role lists', () => {
    const store = useUserStore()
    store.operator = operator(SUPPORT)
    expect(store.hasPermission('admin:order:list')).toBe(true)
    expect(store.hasPermission('admin:finance:flow')).toBe(false)
    expect(store.hasPermission(undefined)).toBe(true) // pages without a code
    expect(store.roleName).toBe('客服')
  })

  it('grants nothing before the operator is known', () => {
    expect(useUserStore().hasPermission('admin:order:list')).toBe(false)
  })

  it('builds a 客服 menu without the 资金 or 系统 sections', () => {
    const store = useUserStore()
    store.operator = operator(SUPPORT)
    const menu = buildMenu(menuRoutes, (code) => store.hasPermission(code))
    expect(menu.map((e) => e.title)).not.toContain('资金')
    expect(menu.map((e) => e.title)).not.toContain('系统')
    expect(menuPaths(menu)).toContain('/orders')
    expect(menuPaths(menu).some((p) => p.startsWith('/finance'))).toBe(false)
  })
})
