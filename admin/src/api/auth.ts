import { http } from '@/utils/request'

export interface Operator {
  id: number
  username: string
  display_name: string
  /** Permission codes such as `admin:user:status`; absent while the backend has no operator roles. */
  permissions?: string[]
}

export interface OperatorLoginParams {
  username: string
  password: string
}

export interface OperatorLoginResult {
  access_token: string
  refresh_token: string
  token_type: 'bearer'
  expires_in: number
  operator: Operator
}

/** POST /admin/auth/login. Not `auth`: a 401 here is a wrong password, not an expired session. */
export const operatorLoginApi = (data: OperatorLoginParams) =>
  http.post<OperatorLoginResult>('/admin/auth/login', data, { auth: false })

/** GET /admin/me: the logged-in operator. */
export const getOperatorMeApi = () => http.get<Operator>('/admin/me')

/** POST /auth/logout (204). Silent: logging out locally must work even if this call fails. */
export const logoutApi = () => http.post<void>('/auth/logout', undefined, { silent: true })
