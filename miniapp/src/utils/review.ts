import type { ReviewStatus } from '@/api/types'

/** Labels of review states shared by the profile draft and cases (moderation). */
export const REVIEW_LABELS: Record<ReviewStatus, { text: string; badge: string }> = {
  editing: { text: '未提交', badge: 'badge-muted' },
  pending: { text: '审核中', badge: 'badge-warning' },
  approved: { text: '已通过', badge: 'badge-success' },
  rejected: { text: '未通过', badge: 'badge-danger' },
  published: { text: '已发布', badge: 'badge-success' },
}

export function reviewLabel(status: string | null | undefined): { text: string; badge: string } {
  return REVIEW_LABELS[(status || 'editing') as ReviewStatus] ?? { text: status || '未知', badge: 'badge-muted' }
}

/** "3000" / "3000.5" yuan → fen; null when not a valid amount. */
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
