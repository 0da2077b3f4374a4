import { defineStore } from 'pinia'
import { getOperatorMeApi, logoutApi, operatorLoginApi, type Operator, type OperatorLoginParams } from '@/api/auth'
import { clearTokens, getTokens, setTokens } from '@/utils/auth'

export const useUserStore = defineStore('user', {
  state: () => ({
    operator: null as Operator | null,
  }),
  getters: {
    displayName: (state) => state.operator?.display_name || state.operator?.username || '',
    roleName: (state) => state.operator?.role_name ?? '',
  },
  actions: {
    async login(params: OperatorLoginParams) {
      const result = await operatorLoginApi(params)
      setTokens({ accessToken: result.access_token, refreshToken: result.refresh_token })
      this.operator = result.operator
    },
    async fetchOperator() {
      this.operator = await getOperatorMeApi()
      return this.operator
    },
    async logout() {
      if (getTokens()) await logoutApi().catch(() => undefined)
      this.reset()
    },
    /** Local only: used when the server already said the session is over. */
    reset() {
      clearTokens()
      this.operator = null
    },
    /**
     * Permission codes (`admin:<area>:<action>`) the operator's role grants (OperatorOut.permissions; the API checks
     * the same codes on every route). A page or button without a code is open to every operator.
     */
    hasPermission(code: string | undefined): boolean {
      if (!code) return true
      return this.operator?.permissions.includes(code) ?? false
    },
  },
})
