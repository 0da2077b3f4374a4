import type { RouteRecordRaw } from 'vue-router'
import type { Component } from 'vue'
import {
  ChatLineSquare,
  Coin,
  CollectionTag,
  DocumentChecked,
  Files,
  Finished,
  Money,
  Picture,
  Stamp,
  Tickets,
  User,
  Wallet,
} from '@element-plus/icons-vue'
import { Notebook } from '@element-plus/icons-vue'
import Layout from '@/layout/index.vue'

declare module 'vue-router' {
  interface RouteMeta {
    title?: string
    /** Menu icon; a route without one under the layout still shows, just without an icon. */
    icon?: Component
    /** Permission code required to open the page (see store/user.ts hasPermission). */
    permission?: string
    /** Reachable without logging in. */
    public?: boolean
    /** Side-menu section (a key of MENU_GROUPS); the section opens as a sub-menu. */
    group?: MenuGroupKey
  }
}

/** Side-menu sections, in menu order of their first page. */
export const MENU_GROUPS = {
  content: { title: '内容审核', icon: Finished },
  finance: { title: '资金', icon: Money },
} satisfies Record<string, { title: string; icon: Component }>
export type MenuGroupKey = keyof typeof MENU_GROUPS

/**
 * Pages inside the layout; the side menu is built from this list, so a menu entry exists only
 * when its page does. Next: 订单 (orders), 艺人 (artists), 内容 (content), 资金 (finance),
 * 数据 (dashboards), 系统设置 (settings).
 */
export const menuRoutes: RouteRecordRaw[] = [
  {
    path: 'users',
    name: 'Users',
    component: () => import('@/views/users/index.vue'),
    meta: { title: '用户管理', icon: User, permission: 'admin:user:list' },
  },
  {
    path: 'contracts/templates',
    name: 'ContractTemplates',
    component: () => import('@/views/contracts/templates/index.vue'),
    meta: { title: '合同模板', icon: Notebook, permission: 'admin:contract:template' },
  },
  {
    path: 'content/profiles',
    name: 'ProfileReviews',
    component: () => import('@/views/content/profiles/index.vue'),
    meta: { title: '资料审核', icon: DocumentChecked, permission: 'admin:content:profile', group: 'content' },
  },
  {
    path: 'content/cases',
    name: 'CaseReviews',
    component: () => import('@/views/content/cases/index.vue'),
    meta: { title: '案例审核', icon: Picture, permission: 'admin:content:case', group: 'content' },
  },
  {
    path: 'content/demands',
    name: 'DemandReviews',
    component: () => import('@/views/content/demands/index.vue'),
    meta: { title: '需求审核', icon: Tickets, permission: 'admin:content:demand', group: 'content' },
  },
  {
    path: 'content/reviews',
    name: 'ReviewManage',
    component: () => import('@/views/content/reviews/index.vue'),
    meta: { title: '评价管理', icon: ChatLineSquare, permission: 'admin:content:review', group: 'content' },
  },
  {
    path: 'content/qualifications',
    name: 'Qualifications',
    component: () => import('@/views/content/qualifications/index.vue'),
    meta: { title: '资质审核', icon: Files, permission: 'admin:content:qualification', group: 'content' },
  },
  {
    path: 'content/tags',
    name: 'Tags',
    component: () => import('@/views/content/tags/index.vue'),
    meta: { title: '标签管理', icon: CollectionTag, permission: 'admin:content:tag', group: 'content' },
  },
  {
    path: 'finance/flows',
    name: 'FinanceFlows',
    component: () => import('@/views/finance/flows/index.vue'),
    meta: { title: '资金流水', icon: Coin, permission: 'admin:finance:flow', group: 'finance' },
  },
  {
    path: 'finance/settlements',
    name: 'FinanceSettlements',
    component: () => import('@/views/finance/settlements/index.vue'),
    meta: { title: '结算审批', icon: Wallet, permission: 'admin:finance:settlement', group: 'finance' },
  },
  {
    path: 'finance/reconciliation',
    name: 'FinanceReconciliation',
    component: () => import('@/views/finance/reconciliation/index.vue'),
    meta: { title: '对账差异', icon: Stamp, permission: 'admin:finance:reconciliation', group: 'finance' },
  },
]

export const routes: RouteRecordRaw[] = [
  {
    path: '/login',
    name: 'Login',
    component: () => import('@/views/login/index.vue'),
    meta: { title: '登录', public: true },
  },
  {
    path: '/',
    component: Layout,
    redirect: '/users',
    children: menuRoutes,
  },
  {
    path: '/:pathMatch(.*)*',
    redirect: '/',
  },
]
