/**
 * A paged list that loads on pull-down and on reaching the bottom. A reset bumps the generation, so a slow
 * older response can't overwrite newer results. Call it from a page's setup (it registers page hooks).
 */
import { computed, ref, type Ref } from 'vue'
import { onPullDownRefresh, onReachBottom } from '@dcloudio/uni-app'
import type { Page } from '@/api/types'
import { ApiError } from '@/utils/request'

export function usePagedList<T, P extends Page<T> = Page<T>>(
  fetchPage: (page: number) => Promise<P>,
  options: { enabled?: () => boolean; onPage?: (res: P, reset: boolean) => void } = {},
) {
  const items = ref([]) as Ref<T[]>
  const total = ref(0)
  const page = ref(0)
  const loading = ref(false)
  /** Why the last load failed (Chinese), '' when it didn't. */
  const error = ref('')
  /** At least one page arrived. */
  const loaded = ref(false)
  const hasMore = computed(() => items.value.length < total.value)

  let generation = 0

  async function load(reset: boolean) {
    if (options.enabled && !options.enabled()) return
    if (loading.value && !reset) return
    if (!reset && !hasMore.value) return
    const gen = reset ? ++generation : generation
    loading.value = true
    error.value = ''
    try {
      const res = await fetchPage(reset ? 1 : page.value + 1)
      if (gen !== generation) return
      items.value = reset ? res.items : [...items.value, ...res.items]
      // A short page is the last one whatever the total says: a search's total may lag a few seconds behind its
      // pages (SEARCH_COUNTS_LAG_SECONDS), and the list must not keep asking for rows that have left; nor show
      // fewer than it holds.
      total.value = res.items.length < res.page_size ? items.value.length : Math.max(res.total, items.value.length)
      page.value = res.page
      loaded.value = true
      options.onPage?.(res, reset)
    } catch (e) {
      if (gen === generation) error.value = e instanceof ApiError ? e.message : '加载失败'
    } finally {
      if (gen === generation) loading.value = false
    }
  }

  onPullDownRefresh(async () => {
    await load(true)
    uni.stopPullDownRefresh()
  })

  onReachBottom(() => {
    void load(false)
  })

  return { items, total, page, loading, error, loaded, hasMore, load }
}
