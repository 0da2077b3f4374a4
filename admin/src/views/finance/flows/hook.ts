// State of 资金流水: one filtered, paged list per tab (支付 / 退款 / 结算打款 / 平台佣金) and its totals.
import { reactive, ref } from 'vue'
import {
  downloadXlsx,
  flowParams,
  getFlowPageApi,
  type FlowFilters,
  type FlowKind,
  type FlowRows,
  type FlowTotals,
} from '@/api/finance'
import { usePagedList } from '@/composables/usePagedList'
import type { Option } from '@/utils/options'
import { useXlsxExport } from '../useXlsxExport'

export const TABS: { kind: FlowKind; label: string }[] = [
  { kind: 'payments', label: '支付' },
  { kind: 'refunds', label: '退款' },
  { kind: 'payouts', label: '结算打款' },
  { kind: 'commissions', label: '平台佣金' },
]

export const GATEWAY_OPTIONS: Option<string>[] = [
  { value: 'wechatpay', label: '微信支付', tag: 'success' },
  { value: 'alipay', label: '支付宝', tag: 'primary' },
  { value: 'sandbox', label: '沙箱支付', tag: 'warning' },
]

export const STATUS_OPTIONS: Record<FlowKind, Option<string>[]> = {
  payments: [
    { value: 'paid', label: '已支付', tag: 'success' },
    { value: 'created', label: '待支付', tag: 'warning' },
    { value: 'closed', label: '已关闭', tag: 'info' },
  ],
  refunds: [
    { value: 'succeeded', label: '已退款', tag: 'success' },
    { value: 'pending', label: '退款中', tag: 'warning' },
    { value: 'failing', label: '退款处理中', tag: 'danger' },
  ],
  payouts: [
    { value: 'pending_approval', label: '待审核', tag: 'warning' },
    { value: 'approved', label: '打款中', tag: 'primary' },
    { value: 'paying', label: '打款中', tag: 'primary' },
    { value: 'paid', label: '已到账', tag: 'success' },
    { value: 'failed', label: '打款失败', tag: 'danger' },
    { value: 'rejected', label: '已驳回', tag: 'info' },
  ],
  commissions: [],
}

/** Which filters a tab takes (the API ignores nothing silently: each list declares its own). */
export const HAS_GATEWAY: Record<FlowKind, boolean> = { payments: true, refunds: true, payouts: false, commissions: false }

export function tagOf(kind: FlowKind, status: string): Option<string>['tag'] {
  return STATUS_OPTIONS[kind].find((o) => o.value === status)?.tag ?? 'info'
}

export type FlowRow = FlowRows[FlowKind]

export function useFlows() {
  const kind = ref<FlowKind>('payments')
  const filters = reactive<FlowFilters>({ start: '', end: '', gateway: '', status: '', booking_id: '', artist_id: '' })
  const totals = ref<FlowTotals | null>(null)

  function params() {
    const p = flowParams(filters)
    if (!HAS_GATEWAY[kind.value]) p.gateway = ''
    if (kind.value === 'commissions') p.status = ''
    return p
  }

  const list = usePagedList<FlowRow>(async (page) => {
    const res = await getFlowPageApi(kind.value, params(), page)
    totals.value = res.totals
    return res
  })

  function switchTo(next: FlowKind) {
    kind.value = next
    filters.status = ''
    totals.value = null
    list.search()
  }

  function reset() {
    Object.assign(filters, { start: '', end: '', gateway: '', status: '', booking_id: '', artist_id: '' })
    list.search()
  }

  const { exporting, onExport } = useXlsxExport(() => {
    const label = TABS.find((t) => t.kind === kind.value)?.label ?? ''
    return downloadXlsx(`/admin/money/${kind.value}.xlsx`, params(), `资金流水-${label}.xlsx`)
  })

  return { kind, filters, totals, exporting, switchTo, reset, onExport, ...list }
}
