import { describe, expect, it, vi } from 'vitest'
import { createApp, defineComponent, h, nextTick } from 'vue'
import type { PageQuery, PageResult } from '@/api/types'
import { usePagedList } from './usePagedList'

/** Run the composable inside a mounted component (it loads on mount). */
function mountList(fetch: (q: PageQuery) => Promise<PageResult<number>>) {
  let list!: ReturnType<typeof usePagedList<number>>
  const app = createApp(
    defineComponent({
      setup() {
        list = usePagedList(fetch, 2)
        return () => h('div')
      },
    }),
  )
  app.mount(document.createElement('div'))
  return list
}

const flush = async () => {
  for (let i = 0; i < 5; i++) await nextTick()
  await new Promise((r) => setTimeout(r, 0))
}

function pages(all: number[]) {
  return vi.fn(async ({ page, page_size }: PageQuery) => ({
    items: all.slice((page - 1) * page_size, page * page_size),
    total: all.length,
    page,
    page_size,
  }))
}

describe('usePagedList', () => {
  it('loads the first page on mount and pages on request', async () => {
    const fetch = pages([1, 2, 3])
    const list = mountList(fetch)
    await flush()
    expect(list.rows.value).toEqual([1, 2])
    expect(list.pagination.total).toBe(3)
    list.onPageChange(2)
    await flush()
    expect(list.rows.value).toEqual([3])
  })

  it('steps back when the page it was on has emptied (its last item was just decided)', async () => {
    const all = [1, 2, 3]
    const fetch = pages(all)
    const list = mountList(fetch)
    await flush()
    list.onPageChange(2)
    await flush()
    all.pop()
    void list.load()
    await flush()
    expect(list.pagination.page).toBe(1)
    expect(list.rows.value).toEqual([1, 2])
  })

  it('drops or replaces a row in place', async () => {
    const list = mountList(pages([1, 2]))
    await flush()
    list.replaceRow((r) => r === 2, 20)
    expect(list.rows.value).toEqual([1, 20])
    list.replaceRow((r) => r === 1, null)
    expect(list.rows.value).toEqual([20])
    expect(list.pagination.total).toBe(1)
  })

  it('ignores a slow earlier answer', async () => {
    let release!: () => void
    const slow = new Promise<void>((r) => (release = r))
    const fetch = vi.fn(async ({ page, page_size }: PageQuery) => {
      if (page === 1) await slow
      return { items: [page], total: 10, page, page_size }
    })
    const list = mountList(fetch)
    list.onPageChange(2)
    await flush()
    release()
    await flush()
    expect(list.rows.value).toEqual([2])
  })
})
