/**
 * The confirm-then-remove dialog of list pages (撤销邀请, 移除成员, 拒绝邀请, 退出团队): a red confirm button; on 确定
 * run `remove` (the request and the list update), then toast `done`. When it fails the request wrapper has
 * already shown why, and the list may be stale (accepted or removed meanwhile), so `reload` runs.
 */
export interface ConfirmRemove {
  title: string
  content: string
  confirmText: string
  /** Toast after success, e.g. 已移除. */
  done: string
  remove: () => Promise<unknown>
}

// --c-danger of App.vue: showModal takes a colour, not a CSS variable.
const DANGER = '#c92a2a'

export function useConfirmRemove(reload: () => unknown): (o: ConfirmRemove) => void {
  return (o) => {
    uni.showModal({
      title: o.title,
      content: o.content,
      confirmText: o.confirmText,
      cancelText: '取消',
      confirmColor: DANGER,
      success: async (res) => {
        if (!res.confirm) return
        try {
          await o.remove()
          uni.showToast({ title: o.done, icon: 'none' })
        } catch {
          void reload()
        }
      },
    })
  }
}
