/** Display helpers. Money arrives as integer fen and is only formatted here, at the edge. */

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}

/** Yuan amount without the currency sign: 300000 → "3,000", 12345 → "123.45", 12340 → "123.40". */
function yuan(fen: number): string {
  const negative = fen < 0
  const abs = Math.abs(Math.round(fen))
  const whole = groupThousands(String(Math.floor(abs / 100)))
  const cents = abs % 100
  const text = cents === 0 ? whole : `${whole}.${String(cents).padStart(2, '0')}`
  return negative ? `-${text}` : text
}

/** 30000 → "¥300". */
export function formatFen(fen: number): string {
  return `¥${yuan(fen)}`
}

/**
 * A price range for cards: "¥3,000–8,000", "¥3,000" when both ends agree, "¥3,000起" with only a
 * minimum, "面议" when the artist published no price.
 */
export function formatFenRange(min: number | null | undefined, max: number | null | undefined): string {
  const hasMin = typeof min === 'number'
  const hasMax = typeof max === 'number'
  if (hasMin && hasMax) {
    return min === max ? formatFen(min) : `${formatFen(min)}–${yuan(max)}`
  }
  if (hasMin) return `${formatFen(min)}起`
  if (hasMax) return `${formatFen(max)}以内`
  return '面议'
}

/** 13800138000 → "138****8000"; already-masked values pass through. */
export function maskPhone(phone: string): string {
  return /^\d{11}$/.test(phone) ? `${phone.slice(0, 3)}****${phone.slice(7)}` : phone
}

// Same rule as the API: mainland mobile numbers.
export const PHONE_RE = /^1[3-9]\d{9}$/
export const SMS_CODE_RE = /^\d{6}$/

/** Mainland resident ID: 18 characters with the ISO 7064 MOD 11-2 check digit. */
export function isValidIdNumber(id: string): boolean {
  const value = id.trim().toUpperCase()
  if (!/^\d{17}[\dX]$/.test(value)) return false
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  const checks = '10X98765432'
  const sum = weights.reduce((acc, w, i) => acc + w * Number(value[i]), 0)
  return checks[sum % 11] === value[17]
}

const SHANGHAI_OFFSET_MS = 8 * 3600 * 1000

/** ISO timestamp (UTC) → "12月3日 周三" in Asia/Shanghai, without relying on Intl time zones (absent in some mini-program runtimes). */
export function formatShanghaiDay(iso: string): string {
  const t = Date.parse(iso)
  if (Number.isNaN(t)) return ''
  const d = new Date(t + SHANGHAI_OFFSET_MS)
  const week = '日一二三四五六'[d.getUTCDay()]
  return `${d.getUTCMonth() + 1}月${d.getUTCDate()}日 周${week}`
}

/** Yuan as typed ("3000", "3000.5") → fen; null when not a valid amount (at most 2 decimals). */
export function yuanToFen(text: string): number | null {
  const v = text.trim()
  if (!/^\d{1,9}(\.\d{1,2})?$/.test(v)) return null
  return Math.round(Number(v) * 100)
}

/** fen → yuan text for inputs (300000 → "3000", 12345 → "123.45"). */
export function fenToYuanText(fen: number | null | undefined): string {
  if (typeof fen !== 'number') return ''
  return fen % 100 === 0 ? String(fen / 100) : (fen / 100).toFixed(2)
}

/** ISO timestamp (UTC) → "2025年3月1日" in Asia/Shanghai. */
export function formatShanghaiDate(iso: string): string {
  const t = Date.parse(iso)
  if (Number.isNaN(t)) return ''
  const d = new Date(t + SHANGHAI_OFFSET_MS)
  return `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日`
}
