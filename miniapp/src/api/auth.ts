import { request } from '@/utils/request'
import type { SmsSendResult, TokenPair } from './types'

export function sendSmsCodeApi(phone: string) {
  return request<SmsSendResult>('/auth/sms/send', { method: 'POST', data: { phone } })
}

export function smsLoginApi(phone: string, code: string) {
  return request<TokenPair>('/auth/sms/login', { method: 'POST', data: { phone, code } })
}

export function wechatLoginApi(code: string) {
  return request<TokenPair>('/auth/wechat/login', { method: 'POST', data: { code } })
}

export function wechatPhoneApi(code: string) {
  return request<TokenPair>('/auth/wechat/phone', { method: 'POST', data: { code } })
}

export function logoutApi() {
  // Logging out locally must work even if the server is unreachable, so no toast here.
  return request<void>('/auth/logout', { method: 'POST', toast: false })
}
