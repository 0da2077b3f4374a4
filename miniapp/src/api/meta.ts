import { request } from '@/utils/request'
import type { CustomerService, MetaOptions, QuoteDefaults } from './types'

let cached: Promise<MetaOptions> | null = null

/** Options change rarely; one fetch per app launch is enough (a failed fetch is retried next call). */
export function getMetaOptionsApi(): Promise<MetaOptions> {
  if (!cached) {
    cached = request<MetaOptions>('/meta/options').catch((e) => {
      cached = null
      throw e
    })
  }
  return cached
}

/** 联系客服 as operators set it in 系统设置 (public; an empty field is not set). Fetched each time the page shows. */
export function getCustomerServiceApi(): Promise<CustomerService> {
  return request<CustomerService>('/meta/customer-service', { toast: false })
}

/** The balance due days and refund tiers a new quote starts from (系统设置; public). */
export function getQuoteDefaultsApi(): Promise<QuoteDefaults> {
  return request<QuoteDefaults>('/meta/quote-defaults', { toast: false })
}
