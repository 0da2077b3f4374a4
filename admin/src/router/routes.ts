import type { RouteRecordRaw } from 'vue-router'
import type { Component } from 'vue'
import {
  Avatar,
  Bell,
  ChatLineSquare,
  Connection,
  DataAnalysis,
  DocumentCopy,
  FolderOpened,
  Key,
  List,
  Promotion,
  Setting,
  Star,
  Tools,
  UserFilled,
  Warning,
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
import { Headset, QuestionFilled } from '@element-plus/icons-vue'
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
    /** A page reached from another page (a detail), not listed in the side menu. */
    hidden?: boolean
  }
}

/** Side-menu sections, in menu order of their first page. */
export const MENU_GROUPS = {
  orders: { title: '订单', icon: List },
  artists: { title: '艺人', icon: Avatar },
  content: { title: '内容审核', icon: Finished },
  operations: { title: '运营内容', icon: Promotion },
  finance: { title: '资金', icon: Money },
  system: { title: '系统', icon: Setting },
} satisfies Record<string, { title: string; icon: Component }>
export type MenuGroupKey = keyof typeof MENU_GROUPS

/**
 * Pages inside the layout; the side menu is built from this list (but `hidden` details), so a menu entry
 * exists only when its page does. The first page the operator's role allows is the landing page.
 */
export const menuRoutes: RouteRecordRaw[] = [
  {
    path: 'dashboard',
    name: 'Dashboard',
    component: () => import('@/views/dashboard/index.vue'),
    meta: { title: '数据看板', icon: DataAnalysis, permission: 'admin:dashboard:view' },
  },
  {
    path: 'orders',
    name: 'Orders',
    component: () => import('@/views/orders/index.vue'),
    meta: { title: '订单管理', icon: List, permission: 'admin:order:list', group: 'orders' },
  },
  {
    path: 'orders/:id',
    name: 'OrderDetail',
    component: () => import('@/views/orders/detail.vue'),
    meta: { title: '订单详情', permission: 'admin:order:list', group: 'orders', hidden: true },
  },
  {
    path: 'disputes',
    name: 'Disputes',
    component: () => import('@/views/disputes/index.vue'),
    meta: { title: '纠纷处理', icon: Warning, permission: 'admin:dispute:resolve', group: 'orders' },
  },
  {
    path: 'disputes/:id',
    name: 'DisputeWorkbench',
    component: () => import('@/views/disputes/workbench.vue'),
    meta: { title: '纠纷工作台', permission: 'admin:dispute:resolve', group: 'orders', hidden: true },
  },
  {
    path: 'complaints',
    name: 'Complaints',
    component: () => import('@/views/support/complaints.vue'),
    meta: { title: '投诉工单', icon: Headset, permission: 'admin:complaint:handle', group: 'orders' },
  },
  {
    path: 'complaints/:id',
    name: 'ComplaintDetail',
    component: () => import('@/views/support/complaint-detail.vue'),
    meta: { title: '投诉详情', permission: 'admin:complaint:handle', group: 'orders', hidden: true },
  },
  {
    path: 'users',
    name: 'Users',
    component: () => import('@/views/users/index.vue'),
    meta: { title: '用户管理', icon: User, permission: 'admin:user:list' },
  },
  {
    path: 'artists',
    name: 'Artists',
    component: () => import('@/views/artists/index.vue'),
    meta: { title: '艺人管理', icon: Avatar, permission: 'admin:artist:list', group: 'artists' },
  },
  {
    path: 'artists/onboarding',
    name: 'ArtistOnboarding',
    component: () => import('@/views/artists/onboarding.vue'),
    meta: { title: '入驻审核', icon: UserFilled, permission: 'admin:content:profile', group: 'artists' },
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
    path: 'operations/home',
    name: 'HomeRecommendations',
    component: () => import('@/views/operations/home.vue'),
    meta: { title: '首页推荐', icon: Star, permission: 'admin:content:home', group: 'operations' },
  },
  {
    path: 'operations/announcements',
    name: 'Announcements',
    component: () => import('@/views/operations/announcements.vue'),
    meta: { title: '公告', icon: Bell, permission: 'admin:content:announcement', group: 'operations' },
  },
  {
    path: 'operations/help',
    name: 'HelpArticles',
    component: () => import('@/views/support/help.vue'),
    meta: { title: '帮助中心', icon: QuestionFilled, permission: 'admin:content:help', group: 'operations' },
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
  {
    path: 'system/settings',
    name: 'SystemSettings',
    component: () => import('@/views/system/settings.vue'),
    meta: { title: '系统设置', icon: Tools, permission: 'admin:system:settings', group: 'system' },
  },
  {
    path: 'system/integrations',
    name: 'SystemIntegrations',
    component: () => import('@/views/system/integrations.vue'),
    meta: { title: '集成状态', icon: Connection, permission: 'admin:system:integration', group: 'system' },
  },
  {
    path: 'system/operators',
    name: 'SystemOperators',
    component: () => import('@/views/system/operators.vue'),
    meta: { title: '运营账号', icon: User, permission: 'admin:system:operator', group: 'system' },
  },
  {
    path: 'system/roles',
    name: 'SystemRoles',
    component: () => import('@/views/system/roles.vue'),
    meta: { title: '角色权限', icon: Key, permission: 'admin:system:role', group: 'system' },
  },
  {
    path: 'system/audit',
    name: 'SystemAudit',
    component: () => import('@/views/system/audit.vue'),
    meta: { title: '操作日志', icon: DocumentCopy, permission: 'admin:system:audit', group: 'system' },
  },
  {
    path: 'system/backups',
    name: 'SystemBackups',
    component: () => import('@/views/system/backups.vue'),
    meta: { title: '数据备份', icon: FolderOpened, permission: 'admin:system:backup', group: 'system' },
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
    redirect: '/dashboard',
    children: menuRoutes,
  },
  {
    path: '/:pathMatch(.*)*',
    redirect: '/',
  },
]
