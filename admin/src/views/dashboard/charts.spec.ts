import { describe, expect, it } from 'vitest'
import type { DashboardFunnel, DashboardNewUsers, DashboardOverview } from '@/api/dashboard'
import { demandOption, funnelOption, newUsersOption, trendOption, yuan } from './charts'
import { daysEnding, shanghaiToday } from './days'

const zero = {
  paid_amount: 0, refunded_amount: 0, gmv_amount: 0, commission_amount: 0, orders: 0, final_bookings: 0,
  completed_bookings: 0, completion_rate: 0, paid_shows: 0, disputed_shows: 0, dispute_rate: 0,
}

describe('dashboard charts', () => {
  it('draws money in yuan and orders on the second axis, one point per day', () => {
    const o = {
      start: '2026-11-01', end: '2026-11-02', totals: zero, periods: [],
      daily: [
        { ...zero, day: '2026-11-01', gmv_amount: 123_456, commission_amount: 12_345, orders: 2 },
        { ...zero, day: '2026-11-02', gmv_amount: 100, orders: 0 },
      ],
    } as DashboardOverview
    const option = trendOption(o)
    expect(option.xAxis).toMatchObject({ data: ['11-01', '11-02'] })
    const series = option.series as { name: string; data: number[]; yAxisIndex?: number }[]
    expect(series.map((s) => s.data)).toEqual([[1234.56, 1], [123.45, 0], [2, 0]])
    expect(series[2]?.yAxisIndex).toBe(1)
    expect(yuan(1)).toBe(0.01)
  })

  it('keeps the funnel in the steps’ order with counts and shares', () => {
    const f: DashboardFunnel = {
      start: '2026-11-01', end: '2026-11-07',
      steps: [
        { key: 'booking', label: '预约', count: 5, rate: 1 },
        { key: 'contract', label: '签约', count: 4, rate: 0.8 },
        { key: 'payment', label: '支付', count: 3, rate: 0.6 },
        { key: 'show', label: '演出', count: 1, rate: 0.2 },
        { key: 'settlement', label: '结算', count: 1, rate: 0.2 },
      ],
    }
    const [series] = funnelOption(f).series as { sort: string; max: number; data: { name: string; value: number }[] }[]
    expect(series?.sort).toBe('none')
    expect(series?.max).toBe(5)
    expect(series?.data.map((d) => d.name)).toEqual([
      '预约  5（100%）', '签约  4（80%）', '支付  3（60%）', '演出  1（20%）', '结算  1（20%）'])
  })

  it('puts the most requested demand on top and every role in the ring', () => {
    const items = [
      { key: 'singer', label: '歌手', bookings: 3, inquiries: 2 },
      { key: 'host', label: '主持人', bookings: 1, inquiries: 1 },
    ]
    expect(demandOption(items, '#000').yAxis).toMatchObject({ data: ['主持人', '歌手'] })
    const u = { start: '', end: '', total: 3, daily: [], by_role: [
      { role: 'client', label: '需求方', count: 2 }, { role: 'artist', label: '艺人', count: 1 }] } as DashboardNewUsers
    const [ring] = newUsersOption(u).series as { data: { name: string; value: number }[] }[]
    expect(ring?.data).toEqual([{ name: '需求方', value: 2 }, { name: '艺人', value: 1 }])
  })

  it('counts ranges in Beijing days', () => {
    expect(shanghaiToday(new Date('2026-11-30T16:30:00Z'))).toBe('2026-12-01')
    expect(daysEnding('2026-03-01', 7)).toEqual(['2026-02-23', '2026-03-01'])
    expect(daysEnding('2026-03-01', 1)).toEqual(['2026-03-01', '2026-03-01'])
  })
})
