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
