import { request } from '@/utils/request'
import type { Qualification, QualificationInput } from './types'

/**
 * 资质认证: private documents only operators review. In acting mode (代为管理) the wrapper adds `X-Artist-Id`,
 * so these are the managed artist's. The file itself is shown through GET /uploads/{upload_id}/url.
 */
export function getMyQualificationsApi(options: { toast?: boolean } = {}) {
  return request<Qualification[]>('/me/artist/qualifications', options)
}

/** `upload_id`: an image uploaded with purpose `licence`, or a PDF with purpose `document`. */
export function addQualificationApi(body: QualificationInput) {
  return request<Qualification>('/me/artist/qualifications', { method: 'POST', data: body })
}
