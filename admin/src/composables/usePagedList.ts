// Paged list state of every console table (用户管理 and the 内容审核 queues).
import { onMounted, reactive, ref, shallowRef } from 'vue'
import type { PageQuery, PageResult } from '@/api/types'

export function usePagedList<T>(fetch: (page: PageQuery) => Promise<PageResult<T>>, pageSize = 20) {
  const pagination = reactive({ page: 1, pageSize, total: 0 })
  // shallow: rows are replaced, never mutated in place (see replaceRow).
  const rows = shallowRef<T[]>([])
  const loading = ref(false)

  // Only the latest query may write the list: a slow earlier response must not overwrite it.
  let seq = 0
  async function load() {
    const mine = ++seq
    loading.value = true
    try {
      const result = await fetch({ page: pagination.page, page_size: pagination.pageSize })
      if (mine !== seq) return
      // The last item of the last page was just handled: step back instead of showing an empty page.
      if (!result.items.length && result.total > 0 && pagination.page > 1) {
        pagination.page = Math.max(1, Math.ceil(result.total / pagination.pageSize))
        void load()
        return
      }
      rows.value = result.items
      pagination.total = result.total
    } catch {
      // message already shown by the request wrapper; keep the previous rows
    } finally {
      if (mine === seq) loading.value = false
    }
  }

  function search() {
    pagination.page = 1
    void load()
  }

  function onPageChange(page: number) {
    pagination.page = page
    void load()
  }

  function onSizeChange(size: number) {
    pagination.pageSize = size
    pagination.page = 1
    void load()
  }

  /** Put an updated row in place (or drop it when it left the current filter) without reloading. */
  function replaceRow(match: (row: T) => boolean, next: T | null) {
    const index = rows.value.findIndex(match)
    if (index < 0) return
    const copy = rows.value.slice()
    if (next === null) {
      copy.splice(index, 1)
      pagination.total = Math.max(0, pagination.total - 1)
    } else {
      copy.splice(index, 1, next)
    }
    rows.value = copy
  }

  onMounted(load)

  return { pagination, rows, loading, load, search, onPageChange, onSizeChange, replaceRow }
}
