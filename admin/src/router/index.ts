import { createRouter, createWebHistory } from 'vue-router'
import { ElMessage } from 'element-plus'
import { useUserStore } from '@/store/user'
import { getTokens } from '@/utils/auth'
import { onSessionExpired } from '@/utils/request'
import { menuRoutes, routes } from './routes'

const APP_TITLE = '演约运营后台'

// History mode under /admin/: the API serves index.html for any unknown /admin/* path.
export const router = createRouter({
  history: createWebHistory(import.meta.env.BASE_URL),
  routes,
})

router.beforeEach(async (to) => {
  const store = useUserStore()
  const loggedIn = getTokens() !== null

  if (to.meta.public) {
    // Already logged in: the login page has nothing to offer.
    return loggedIn && to.name === 'Login' ? { path: '/' } : true
  }
  if (!loggedIn) {
    return { name: 'Login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
  }
  if (!store.operator) {
    try {
      await store.fetchOperator()
    } catch {
      // The wrapper already refreshed if it could; anything else means logging in again.
      store.reset()
      return { name: 'Login', query: { redirect: to.fullPath } }
    }
  }
  if (!store.hasPermission(to.meta.permission)) {
    // A page the role does not grant (a deep link, the landing page): the first page it does grant.
    const allowed = menuRoutes.find((r) => !r.meta?.hidden && store.hasPermission(r.meta?.permission))
    if (allowed) return { name: allowed.name }
    ElMessage.error('当前角色没有可用的页面，请联系管理员分配权限')
    store.reset()
    return { name: 'Login' }
  }
  return true
})

router.afterEach((to) => {
  document.title = to.meta.title ? `${to.meta.title} - ${APP_TITLE}` : APP_TITLE
})

onSessionExpired(() => {
  const store = useUserStore()
  store.operator = null
  const current = router.currentRoute.value
  // During the first navigation (nothing matched yet) the guard redirects itself, keeping the deep link.
  if (current.matched.length > 0 && current.name !== 'Login') {
    void router.replace({ name: 'Login', query: { redirect: current.fullPath } })
  }
})
