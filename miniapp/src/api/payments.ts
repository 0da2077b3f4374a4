import { request } from '@/utils/request'
import type { components } from './schema'

/** A payment method the platform offers (微信支付 / 支付宝; 沙箱支付 only when no real gateway is configured). */
export type PaymentMethod = components['schemas']['PaymentMethodOut']
export type PaymentGatewayName = 'wechatpay' | 'alipay' | 'sandbox'

export function paymentMethodsApi(): Promise<PaymentMethod[]> {
  return request<PaymentMethod[]>('/payments/methods')
}
