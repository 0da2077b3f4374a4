// State of the 艺人管理 page: filters (statistics period included), the paged list with its totals, the export.
import { reactive, shallowRef } from 'vue'
import { artistParams, getArtistListApi, type ArtistFilters, type ArtistStats } from '@/api/artists'
import { downloadXlsx } from '@/api/finance'
import { usePagedList } from '@/composables/usePagedList'
import type { Option } from '@/utils/options'
import { useXlsxExport } from '../finance/useXlsxExport'

export const ARTIST_TYPE_OPTIONS = [
  { value: 'singer', label: '歌手' },
  { value: 'dancer', label: '舞者' },
  { value: 'host', label: '主持人' },
  { value: 'band', label: '乐队' },
  { value: 'magician', label: '魔术师' },
  { value: 'crosstalk', label: '相声' },
  { value: 'acrobat', label: '杂技' },
  { value: 'other', label: '其他' },
] as const

export const CITY_OPTIONS = ['北京', '上海', '广州', '深圳', '杭州', '成都', '武汉', '西安', '南京', '重庆', '长沙', '苏州']

export const LISTED_OPTIONS: Option<'listed' | 'pending'>[] = [
  { value: 'listed', label: '已公开', tag: 'success' },
  { value: 'pending', label: '入驻待审核', tag: 'warning' },
]

export const SORT_OPTIONS = [
  { value: 'newest', label: '最新入驻' },
  { value: 'bookings', label: '预约数' },
  { value: 'completed_shows', label: '完成演出' },
  { value: 'revenue', label: '成交额' },
  { value: 'rating', label: '评分' },
  { value: 'cancellations', label: '取消数' },
] as const

/** 'YYYY-MM-DD' of a day `daysAgo` before today, in Beijing time. */
export function shanghaiDay(daysAgo = 0): string {
  const d = new Date(Date.now() - daysAgo * 86_400_000)
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(d)
}

function defaults(): ArtistFilters {
  // The last 30 days unless the operator picks another period.
  return {
    start: shanghaiDay(29),
    end: shanghaiDay(0),
    keyword: '',
    city: '',
    artist_type: '',
    status: '',
    listed: '',
    sort: 'newest',
  }
}

export function useArtists() {
  const filters = reactive<ArtistFilters>(defaults())
  const totals = shallowRef<ArtistStats | null>(null)
  const list = usePagedList(async (page) => {
    const result = await getArtistListApi(artistParams(filters), page)
    totals.value = result.totals
    return result
  })
  const { exporting, onExport } = useXlsxExport(() =>
    downloadXlsx('/admin/artists.xlsx', artistParams(filters), '艺人列表.xlsx'),
  )

  function reset() {
    Object.assign(filters, defaults())
    list.search()
  }

  return { filters, totals, exporting, onExport, reset, ...list }
}
