import { describe, expect, it } from 'vitest'
import type { Setting } from '@/api/system'
import { basisPoints, cleanValue, formatValue, groupsOf, problemOf } from './settings'

function rule(over: Partial<Setting>): Setting {
  return {
    key: 'k', label: '规则', group: 'g', group_label: '组', kind: 'int', value: 1, default: 1, help: '', unit: '小时',
    min: 1, max: 720, max_length: 0, pattern: null, pattern_hint: '', updated_at: null, updated_by: null, ...over,
  }
}

describe('系统设置 form rules', () => {
  it('refuses ints out of bounds and reads them with their unit', () => {
    const r = rule({})
    expect(problemOf(r, 0)).toBe('不能小于 1')
    expect(problemOf(r, 721)).toBe('不能大于 720')
    expect(problemOf(r, 1.5)).toBe('请输入整数')
    expect(problemOf(r, 48)).toBe('')
    expect(formatValue(r, 48)).toBe('48 小时')
    expect(basisPoints(1000)).toBe('10%')
    expect(basisPoints(750)).toBe('7.5%')
  })

  it('checks text against the pattern and length, empty allowed', () => {
    const r = rule({ kind: 'text', max_length: 20, pattern: '[0-9+\\- ]{5,20}', pattern_hint: '只能包含数字' })
    expect(problemOf(r, 'call me')).toBe('只能包含数字')
    expect(problemOf(r, '400-820-8820')).toBe('')
    expect(problemOf(r, '')).toBe('')
    expect(formatValue(r, '')).toBe('（未设置）')
    expect(cleanValue(r, '  400 ')).toBe('400')
  })

  it('checks refund tiers like the server and sends them far-to-near', () => {
    const r = rule({ kind: 'tiers' })
    expect(problemOf(r, [])).toBe('至少保留一条阶梯')
    expect(problemOf(r, [{ days_before: 7, refund_percent: 50 }])).toBe('须包含距演出 0 天的一条')
    expect(problemOf(r, [{ days_before: 7, refund_percent: 50 }, { days_before: 7, refund_percent: 0 }])).toBe(
      '距演出天数不能重复',
    )
    expect(problemOf(r, [{ days_before: 0, refund_percent: 60 }, { days_before: 30, refund_percent: 20 }])).toBe(
      '距演出越近，退款比例不能越高',
    )
    const tiers = [{ days_before: 0, refund_percent: 0 }, { days_before: 30, refund_percent: 100 }]
    expect(problemOf(r, tiers)).toBe('')
    expect(cleanValue(r, tiers)).toEqual([{ days_before: 30, refund_percent: 100 }, { days_before: 0, refund_percent: 0 }])
    expect(formatValue(r, tiers)).toBe('≥30天退100%；≥0天退0%')
  })

  it('groups rules in the order the server lists them', () => {
    const groups = groupsOf([rule({ key: 'a', group: 'x', group_label: '甲' }), rule({ key: 'b', group: 'y' }),
      rule({ key: 'c', group: 'x', group_label: '甲' })])
    expect(groups.map((g) => [g.label, g.rules.map((r) => r.key)])).toEqual([['甲', ['a', 'c']], ['组', ['b']]])
  })
})
