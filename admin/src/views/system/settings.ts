// 系统设置: how a rule's value reads and what the form refuses before the server does (the server checks again:
// domain/system/registry.py is the truth, these messages mirror it).
import type { Setting, Tier } from '@/api/system'

export function isTiers(value: unknown): value is Tier[] {
  return Array.isArray(value) && value.every((t) => t && typeof t === 'object' && 'days_before' in t)
}

/** "距演出 ≥30 天：退 100%；≥7 天：退 50%；…" */
export function tiersText(tiers: Tier[]): string {
  return [...tiers]
    .sort((a, b) => b.days_before - a.days_before)
    .map((t) => `≥${t.days_before}天退${t.refund_percent}%`)
    .join('；')
}

/** A value as operators read it in the table and the history. */
export function formatValue(rule: Pick<Setting, 'kind' | 'unit'>, value: unknown): string {
  if (rule.kind === 'bool') return value ? '开启' : '关闭'
  if (rule.kind === 'int') return `${value}${rule.unit ? ` ${rule.unit}` : ''}`
  if (rule.kind === 'tiers') return isTiers(value) ? tiersText(value) : '-'
  return typeof value === 'string' && value ? value : '（未设置）'
}

/** 1000 基点 → "10%" */
export function basisPoints(bp: number): string {
  return `${(bp / 100).toFixed(2).replace(/\.?0+$/, '')}%`
}

/** Why the form's value cannot be saved ('' when it can). */
export function problemOf(rule: Setting, value: unknown): string {
  if (rule.kind === 'int') {
    if (typeof value !== 'number' || !Number.isInteger(value)) return '请输入整数'
    if (rule.min !== null && value < rule.min) return `不能小于 ${rule.min}`
    if (rule.max !== null && value > rule.max) return `不能大于 ${rule.max}`
    return ''
  }
  if (rule.kind === 'text') {
    const text = typeof value === 'string' ? value.trim() : ''
    if (text.length > rule.max_length) return `最多 ${rule.max_length} 个字`
    if (text && rule.pattern && !new RegExp(`^(?:${rule.pattern})$`).test(text)) return rule.pattern_hint || '格式不正确'
    return ''
  }
  if (rule.kind === 'tiers') {
    if (!isTiers(value) || value.length === 0) return '至少保留一条阶梯'
    if (value.length > 10) return '最多 10 条阶梯'
    const sorted = [...value].sort((a, b) => b.days_before - a.days_before)
    const days = sorted.map((t) => t.days_before)
    if (new Set(days).size !== days.length) return '距演出天数不能重复'
    if (days[days.length - 1] !== 0) return '须包含距演出 0 天的一条'
    if (sorted.some((t, i) => i > 0 && t.refund_percent > (sorted[i - 1]?.refund_percent ?? 100)))
      return '距演出越近，退款比例不能越高'

    return ''
  }
  return ''
}

/** The value to send: text trimmed, tiers far-to-near. */
export function cleanValue(rule: Setting, value: unknown): unknown {
  if (rule.kind === 'text') return typeof value === 'string' ? value.trim() : value
  if (rule.kind === 'tiers' && isTiers(value)) {
    return [...value].sort((a, b) => b.days_before - a.days_before).map((t) => ({ ...t }))
  }
  return value
}

export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

/** Rules grouped in the server's order. */
export function groupsOf(rules: Setting[]): { group: string; label: string; rules: Setting[] }[] {
  const out: { group: string; label: string; rules: Setting[] }[] = []
  for (const r of rules) {
    let g = out.find((x) => x.group === r.group)
    if (!g) {
      g = { group: r.group, label: r.group_label, rules: [] }
      out.push(g)
    }
    g.rules.push(r)
  }
  return out
}
