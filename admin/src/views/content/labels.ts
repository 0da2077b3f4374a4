// Labels and tag colours shared by the 内容审核 pages. The API sends Chinese labels for most states;
// these are the short forms the queues show as tags.
import type { MachineCheck } from '@/api/cases'
import type { ReviewStatus } from '@/api/profiles'
import type { ReviewVisibility } from '@/api/reviews'

import { lookup, type Option } from '@/utils/options'

export type { Option, TagType } from '@/utils/options'

export const REVIEW_STATUS_OPTIONS: Option<ReviewStatus>[] = [
  { value: 'pending', label: '待审核', tag: 'warning' },
  { value: 'approved', label: '已通过', tag: 'success' },
  { value: 'rejected', label: '已驳回', tag: 'danger' },
]

/** Machine-check verdicts in the operators' words: 通过 / 建议复核 / 风险. */
export const MACHINE_CHECK_OPTIONS: Option<MachineCheck>[] = [
  { value: 'pass', label: '通过', tag: 'success' },
  { value: 'review', label: '建议复核', tag: 'warning' },
  { value: 'risky', label: '风险', tag: 'danger' },
  { value: 'pending', label: '机审中', tag: 'info' },
]

export const VISIBILITY_OPTIONS: Option<ReviewVisibility>[] = [
  { value: 'visible', label: '展示中', tag: 'success' },
  { value: 'hidden', label: '已隐藏', tag: 'info' },
]

export const reviewStatusOf = (value: string | null | undefined) => lookup(REVIEW_STATUS_OPTIONS, value)
export const machineCheckOf = (value: string | null | undefined) => lookup(MACHINE_CHECK_OPTIONS, value)
export const visibilityOf = (value: string | null | undefined) => lookup(VISIBILITY_OPTIONS, value)
