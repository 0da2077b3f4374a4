import type { RouteRecordRaw } from 'vue-router'
import type { Component } from 'vue'
import { User } from '@element-plus/icons-vue'
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
  }
}

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
