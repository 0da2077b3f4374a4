/**
 * WeChat subscribe messages (订阅消息): the mini-program asks the user for templates at the moments they matter
 * (after submitting a booking request, after paying, or when a switch in 通知设置 turns WeChat on) and tells the
 * API which ones were accepted: each acceptance allows one message.
 *
 * Quiet everywhere: H5 has no subscribe messages, the sandbox (沙箱) has no real templates, and a refusal or a
 * failure must never get in the way of the booking or payment that just succeeded.
 */
import { addSubscriptionsApi, getSubscribeTemplatesApi } from '@/api/notifications'

export type SubscribeMoment = 'after_booking' | 'after_payment'

/** Ask for these template ids (at most 3, WeChat's limit); resolves with the accepted ones. */
export async function requestSubscriptions(ids: string[]): Promise<string[]> {
  let accepted: string[] = []
  // #ifdef MP-WEIXIN
  const tmplIds = ids.slice(0, 3)
  if (!tmplIds.length) return []
  accepted = await new Promise<string[]>((resolve) => {
    uni.requestSubscribeMessage({
      tmplIds,
      // The answer carries one key per template id: 'accept' | 'reject' | 'ban' | 'filter'.
      success: (res) => {
        const answer = res as unknown as Record<string, string>
        resolve(tmplIds.filter((id) => answer[id] === 'accept'))
      },
      fail: () => resolve([]),
    })
  })
  if (accepted.length) await addSubscriptionsApi(accepted).catch(() => undefined)
  // #endif
  return accepted
}

/** After booking or paying: ask for that moment's templates (nothing on H5 or in the sandbox). */
export async function askAt(moment: SubscribeMoment): Promise<void> {
  // #ifdef MP-WEIXIN
  try {
    const meta = await getSubscribeTemplatesApi()
    if (meta.sandbox) return
    await requestSubscriptions(meta[moment])
  } catch {
    // never in the way of what the user just did
  }
  // #endif
}

/** The template of one kind (for 通知设置's WeChat switch), or null when there is none or it is the sandbox. */
export async function templateOf(kind: string): Promise<string | null> {
  try {
    const meta = await getSubscribeTemplatesApi()
    if (meta.sandbox) return null
    return meta.templates.find((t) => t.kind === kind)?.template_id ?? null
  } catch {
    return null
  }
}
