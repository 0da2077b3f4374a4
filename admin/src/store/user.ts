import { defineStore } from 'pinia'
import { getOperatorMeApi, logoutApi, operatorLoginApi, type Operator, type OperatorLoginParams } from '@/api/auth'
import { clearTokens, getTokens, setTokens } from '@/utils/auth'

export const useUserStore = defineStore('user', {
  state: () => ({
    operator: null as Operator | null,
  }),
  getters: {
    displayName: (state) => state.operator?.display_name || state.operator?.username || '',
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
     * Permission codes (`admin:<domain>:<action>`). The operator payload (OperatorOut) carries no codes yet,
     * so an operator without a `permissions` list may do everything.
     */
    hasPermission(code: string | undefined): boolean {
      if (!code) return true
      const codes = (this.operator as { permissions?: string[] } | null)?.permissions
      return codes === undefined || codes.includes(code)
    },
  },
})
