import type { ComplaintStatus } from '@/api/support'

export const STATUS_TAG: Record<ComplaintStatus, 'danger' | 'warning' | 'success' | 'info'> = {
  pending: 'danger',
  processing: 'warning',
  resolved: 'success',
  closed: 'info',
}
