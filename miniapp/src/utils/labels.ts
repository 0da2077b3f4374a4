import type { Role, VerificationStatus } from '@/api/types'

export const ROLE_LABELS: Record<Role, string> = { client: '需求方', artist: '艺人' }

export const VERIFICATION_LABELS: Record<VerificationStatus, { text: string; badge: string }> = {
  unverified: { text: '未认证', badge: 'badge-muted' },
  pending: { text: '审核中', badge: 'badge-warning' },
  verified: { text: '已认证', badge: 'badge-success' },
  rejected: { text: '未通过', badge: 'badge-danger' },
}
