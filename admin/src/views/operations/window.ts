// Publish windows are picked in Beijing time whatever the operator's machine says, and sent with +08:00;
// the API keeps and answers UTC instants.
import { formatDateTime } from '@/utils/format'

/** The pickers' value format (Beijing wall-clock time). */
export const PICKER_FORMAT = 'YYYY-MM-DD HH:mm:ss'

/** `2030-12-31T16:00:00Z` → `2031-01-01 00:00:00` (for a picker); null stays null. */
export function toBeijing(utc: string | null | undefined): string | null {
  return utc ? formatDateTime(utc) : null
}

/** `2031-01-01 00:00:00` (Beijing) → `2031-01-01T00:00:00+08:00`; empty → null (an open end). */
export function fromBeijing(value: string | null | undefined): string | null {
  return value ? `${value.trim().replace(' ', 'T')}+08:00` : null
}

/** `2031-01-01 00:00 至 2031-01-02 00:00`, with 立即 / 长期 for open ends. */
export function windowLabel(start: string | null | undefined, end: string | null | undefined): string {
  const short = (v: string | null | undefined) => (v ? formatDateTime(v).slice(0, 16) : null)
  return `${short(start) ?? '立即'} 至 ${short(end) ?? '长期'}`
}
