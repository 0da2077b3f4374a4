import { describe, expect, it, vi } from 'vitest'

vi.mock('@/layout/index.vue', () => ({ default: {} }))

import type { RouteRecordRaw } from 'vue-router'
import { buildMenu, menuPaths } from './menu'
import { menuRoutes } from './routes'

const page = (path: string, title: string, extra: Record<string, unknown> = {}): RouteRecordRaw => ({
  path,
  component: {},
  meta: { title, ...extra },
})

describe('buildMenu', () => {
  it('gathers a section under one entry at the place of its first page', () => {
    const menu = buildMenu(
      [
        page('users', '用户管理'),
        page('content/profiles', '资料审核', { group: 'content' }),
        page('orders', '订单'),
        page('content/tags', '标签管理', { group: 'content' }),
      ],
      () => true,
    )
    expect(menu.map((e) => e.title)).toEqual(['用户管理', '内容审核', '订单'])
    const section = menu[1]
    expect(section?.type === 'group' && section.children.map((c) => c.path)).toEqual(['/content/profiles', '/content/tags'])
  })

  it('leaves out pages without permission and sections left empty', () => {
    const menu = buildMenu(
      [page('users', '用户管理'), page('content/tags', '标签管理', { group: 'content', permission: 'admin:content:tag' })],
      (p) => p !== 'admin:content:tag',
    )
    expect(menu.map((e) => e.title)).toEqual(['用户管理'])
  })

  it('puts every 内容审核 page of the console in one section', () => {
    const menu = buildMenu(menuRoutes, () => true)
    expect(menuPaths(menu)).toContain('/content/profiles')
    const section = menu.find((e) => e.type === 'group' && e.key === 'content')
    expect(section?.title).toBe('内容审核')
    expect(section?.type === 'group' && section.children.map((c) => c.title)).toEqual([
      '资料审核',
      '案例审核',
      '需求审核',
      '评价管理',
      '资质审核',
      '标签管理',
    ])
  })
})
