// Booking states as the console shows them (labels as domain/bookings/states.py STATUS_LABELS; the API sends the
// label too, these are for the filter and the tag colours).
import type { Option } from '@/utils/options'

export const STATUS_OPTIONS: Option<string>[] = [
  { value: 'REQUESTED', label: '待艺人确认', tag: 'warning' },
  { value: 'CONFIRMED', label: '艺人已报价', tag: 'primary' },
  { value: 'CONTRACT_SENT', label: '待签合同', tag: 'primary' },
  { value: 'CLIENT_SIGNED', label: '待艺人会签', tag: 'primary' },
  { value: 'SIGNED', label: '待付定金', tag: 'warning' },
  { value: 'DEPOSIT_PAID', label: '已付定金', tag: 'primary' },
  { value: 'FULLY_PAID', label: '已付全款', tag: 'success' },
  { value: 'PERFORMED', label: '待确认演出', tag: 'primary' },
  { value: 'ACCEPTED', label: '待结算', tag: 'primary' },
  { value: 'SETTLING', label: '结算中', tag: 'primary' },
  { value: 'COMPLETED', label: '已完成', tag: 'success' },
  { value: 'DISPUTED', label: '纠纷处理中', tag: 'danger' },
  { value: 'REJECTED', label: '艺人已拒绝', tag: 'info' },
  { value: 'EXPIRED', label: '已过期', tag: 'info' },
  { value: 'WITHDRAWN', label: '已撤回', tag: 'info' },
  { value: 'CANCELLED', label: '已取消', tag: 'info' },
]
