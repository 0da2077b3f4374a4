import { http } from '@/utils/request'
import type { Schemas } from './types'

export type Operator = Schemas['OperatorOut']

export type OperatorLoginParams = Schemas['OperatorLoginIn']

export type OperatorLoginResult = Schemas['OperatorTokenOut']

/** POST /admin/auth/login. Not `auth`: a 401 here is a wrong password, not an expired session. */
export const operatorLoginApi = (data: OperatorLoginParams) =>
  http.post<OperatorLoginResult>('/admin/auth/login', data, { auth: false })

/** GET /admin/me: the logged-in operator. */
export const getOperatorMeApi = () => http.get<Operator>('/admin/me')

/** POST /auth/logout (204). Silent: logging out locally must work even if this call fails. */
export const logoutApi = () => http.post<void>('/auth/logout', undefined, { silent: true })
