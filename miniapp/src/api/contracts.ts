import { request } from '@/utils/request'
import type { ContractDownloadLink, ContractView, SignCodeResult } from './types'

const id = (v: number | string) => encodeURIComponent(String(v))

/** The booking's contract: rendered text, status, document hashes, signatures and signing evidence. */
export function getContractApi(bookingId: number | string, options: { toast?: boolean } = {}) {
  return request<ContractView>(`/bookings/${id(bookingId)}/contract`, options)
}

/** 发送签署验证码: an SMS code to the signer's own phone; the sign action carries it. */
export function sendSignCodeApi(bookingId: number | string) {
  return request<SignCodeResult>(`/bookings/${id(bookingId)}/contract/sign-code`, { method: 'POST' })
}

/** A signed link to the contract PDF, valid for 10 minutes (the sealed one once both signed). */
export function contractLinkApi(bookingId: number | string) {
  return request<ContractDownloadLink>(`/bookings/${id(bookingId)}/contract/download-link`, { method: 'POST' })
}
