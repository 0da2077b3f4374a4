/**
 * What 需求方资料 and 艺人资料 share. Both need a login and the option lists; an existing profile is edited in
 * place and saving it must not change the role the user acts as, while a new one also switches the user to
 * that role; then back to 我的, or on to `?redirect=` (the action a new user tapped before logging in). Call it from the form page's setup (it registers onLoad).
 */
import { ref } from 'vue'
import { onLoad } from '@dcloudio/uni-app'
import { switchRoleApi } from '@/api/me'
import { getMetaOptionsApi } from '@/api/meta'
import type { Me, MetaOptions } from '@/api/types'
import { finishAt, redirectQuery, requireLogin, session, setMe } from '@/stores/session'

export function useRoleForm<P>(o: {
  role: 'artist' | 'client'
  /** The user's profile of this role, when there is one to edit. */
  profile: (me: Me) => P | null | undefined
  fill: (profile: P) => void
  options: (meta: MetaOptions) => void
}) {
  const submitting = ref(false)
  const isNew = ref(true)
  let redirect = ''

  /** Save through `save` (the page has validated), switch role when new, go to 我的. */
  async function submit(save: () => Promise<Me>): Promise<void> {
    if (submitting.value) return
    submitting.value = true
    try {
      let me = await save()
      if (isNew.value) me = await switchRoleApi(o.role)
      setMe(me)
      uni.showToast({ title: '资料已保存', icon: 'success' })
      finishAt(redirect)
    } catch {
      // The wrapper showed the server's message.
    } finally {
      submitting.value = false
    }
  }

  onLoad((query) => {
    redirect = query?.redirect ? decodeURIComponent(query.redirect) : ''
    if (!requireLogin(`/pages/role/${o.role}-form${redirectQuery(redirect)}`)) return
    const p = session.me ? o.profile(session.me) : null
    if (p) {
      isNew.value = false
      o.fill(p)
    }
    getMetaOptionsApi()
      .then(o.options)
      .catch(() => undefined)
  })

  return { submitting, isNew, submit }
}
