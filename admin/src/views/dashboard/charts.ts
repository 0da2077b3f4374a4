// The dashboard's ECharts: only the chart types and components used here are registered (echarts/core), so the
// page's chunk carries no more of ECharts than it draws. Option builders are plain functions of the API's
// answers (tested in charts.spec.ts without a canvas).
import { use, type ComposeOption } from 'echarts/core'
import { CanvasRenderer } from 'echarts/renderers'
import { BarChart, FunnelChart, LineChart, PieChart } from 'echarts/charts'
import type { BarSeriesOption, FunnelSeriesOption, LineSeriesOption, PieSeriesOption } from 'echarts/charts'
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components'
import type { GridComponentOption, LegendComponentOption, TooltipComponentOption } from 'echarts/components'
import type {
  DashboardDemandItem,
  DashboardFunnel,
  DashboardNewUsers,
  DashboardOverview,
} from '@/api/dashboard'

use([CanvasRenderer, BarChart, FunnelChart, LineChart, PieChart, GridComponent, LegendComponent, TooltipComponent])

export type ChartOption = ComposeOption<
  | BarSeriesOption
  | FunnelSeriesOption
  | LineSeriesOption
  | PieSeriesOption
  | GridComponentOption
  | LegendComponentOption
  | TooltipComponentOption
>

const COLORS = ['#409eff', '#67c23a', '#e6a23c', '#f56c6c', '#909399', '#8e6fd8']
// One hue, darker first: the funnel's steps are stages of one thing, not good and bad.
const FUNNEL_COLORS = ['#1d5fb8', '#2a75d6', '#409eff', '#5fa9f5', '#7fbaf2']

/** Fen → yuan for an axis (money stays in fen everywhere but the drawing). */
export const yuan = (fen: number): number => fen / 100

/** `2026-11-24` → `11-24` on a day axis. */
const shortDay = (day: string): string => day.slice(5)

/** Daily 成交额 and 佣金收入 (yuan, left axis) with 订单数 (bars, right axis). */
export function trendOption(o: DashboardOverview): ChartOption {
  return {
    color: COLORS,
    tooltip: { trigger: 'axis' },
    legend: { data: ['成交额（元）', '佣金收入（元）', '订单数'], top: 0 },
    grid: { left: 56, right: 40, top: 36, bottom: 28 },
    xAxis: { type: 'category', data: o.daily.map((d) => shortDay(d.day)) },
    yAxis: [
      { type: 'value', name: '元', splitLine: { lineStyle: { type: 'dashed' } } },
      { type: 'value', name: '单', minInterval: 1, splitLine: { show: false } },
    ],
    series: [
      { name: '成交额（元）', type: 'line', smooth: true, z: 3, data: o.daily.map((d) => yuan(d.gmv_amount)) },
      { name: '佣金收入（元）', type: 'line', smooth: true, z: 3, data: o.daily.map((d) => yuan(d.commission_amount)) },
      {
        name: '订单数',
        type: 'bar',
        yAxisIndex: 1,
        barMaxWidth: 14,
        z: 1,
        itemStyle: { color: '#f3d19e' }, // light: the money lines stay readable over the bars
        data: o.daily.map((d) => d.orders),
      },
    ],
  }
}

/** 预约→签约→支付→演出→结算, widest first; the label shows the count and its share of the first step. */
export function funnelOption(f: DashboardFunnel): ChartOption {
  const first = f.steps[0]?.count ?? 0
  return {
    color: FUNNEL_COLORS,
    tooltip: { trigger: 'item', formatter: '{b}：{c} 单' },
    series: [
      {
        type: 'funnel',
        sort: 'none', // the steps' own order, even when a later step is (wrongly) larger
        left: '8%',
        width: '84%',
        top: 8,
        bottom: 8,
        min: 0,
        max: Math.max(first, 1),
        minSize: '40%', // room for the label of a small last step; the label carries the exact figures
        gap: 2,
        label: { position: 'inside', formatter: '{b}', color: '#fff' },
        data: f.steps.map((s) => ({ name: `${s.label}  ${s.count}（${Math.round(s.rate * 100)}%）`, value: s.count })),
      },
    ],
  }
}

/** One demand breakdown as horizontal bars, the most requested on top. */
export function demandOption(items: DashboardDemandItem[], color: string): ChartOption {
  const top = items.slice(0, 8).reverse()
  return {
    color: [color, '#b3d8ff'],
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { data: ['预约单数', '询价次数'], top: 0 },
    grid: { left: 72, right: 24, top: 30, bottom: 20 },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: top.map((i) => i.label) },
    series: [
      { name: '预约单数', type: 'bar', barMaxWidth: 12, data: top.map((i) => i.bookings) },
      { name: '询价次数', type: 'bar', barMaxWidth: 12, data: top.map((i) => i.inquiries) },
    ],
  }
}

/** New accounts by role as a ring. */
export function newUsersOption(u: DashboardNewUsers): ChartOption {
  const counts = new Map(u.by_role.map((r) => [r.label, r.count]))
  return {
    color: COLORS,
    tooltip: { trigger: 'item', formatter: '{b}：{c} 人（{d}%）' },
    legend: {
      orient: 'vertical',
      right: 16,
      top: 'middle',
      formatter: (name: string) => `${name}  ${counts.get(name) ?? 0} 人`,
    },
    series: [
      {
        type: 'pie',
        radius: ['45%', '72%'],
        center: ['36%', '50%'],
        label: { formatter: '{c}' },
        data: u.by_role.map((r) => ({ name: r.label, value: r.count })),
      },
    ],
  }
}

export const DEMAND_COLORS = { artist: '#409eff', city: '#67c23a', event: '#e6a23c' } as const
