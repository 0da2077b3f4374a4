/** Shapes of the API v1 contract (docs/api-v1.md). Money fields end in `_amount` and are integer fen. */

export interface Option<V extends string = string> {
  value: V
  label: string
}

export type IndustryValue =
  | 'enterprise'
  | 'wedding'
  | 'agency'
  | 'bar_ktv_livehouse'
  | 'school'
  | 'government'
  | 'other'

export type ArtistTypeValue =
  | 'singer'
  | 'dancer'
  | 'host'
  | 'band'
  | 'magician'
  | 'crosstalk'
  | 'acrobat'
  | 'other'

export interface MetaOptions {
  industries: Option<IndustryValue>[]
  artist_types: Option<ArtistTypeValue>[]
  cities: string[]
  sms_sandbox: boolean
}

export interface Page<T> {
  items: T[]
  total: number
  page: number
  page_size: number
}

export interface ArtistItem {
  id: number | string
  stage_name: string
  artist_types: ArtistTypeValue[]
  artist_type_labels: string[]
  styles: string[]
  city: string
  price_min_amount: number | null
  price_max_amount: number | null
  verified: boolean
  bio: string | null
}

export interface ArtistPrice {
  title: string
  duration_minutes: number | null
  min_amount: number | null
  max_amount: number | null
  negotiable: boolean
}

export interface CalendarSlot {
  start: string
  end: string
  status: 'available' | 'unavailable' | string
}

export interface ArtistDetail extends ArtistItem {
  prices: ArtistPrice[]
  calendar: CalendarSlot[]
}

export interface ArtistQuery {
  q?: string
  city?: string
  artist_type?: string
  page?: number
  page_size?: number
}

export type Role = 'client' | 'artist'
export type VerificationStatus = 'unverified' | 'pending' | 'verified' | 'rejected'
export type VerificationSubject = 'person' | 'organisation'

export interface ClientProfile {
  org_name: string
  industry: IndustryValue
  industry_label: string
  contact_name: string
  contact_phone: string
}

export interface ArtistProfile {
  stage_name: string
  artist_types: ArtistTypeValue[]
  styles: string[]
  city: string
  contact_phone: string
  contact_wechat: string | null
}

export interface Verification {
  status: VerificationStatus
  reason: string | null
  subject: VerificationSubject | null
  legal_name: string | null
  id_number: string | null
}

export interface Me {
  id: number | string
  /** Masked, e.g. 138****8000; null for a WeChat login that hasn't bound a phone yet. */
  phone: string | null
  status: 'active' | 'warned' | 'banned'
  roles: Role[]
  acting_role: Role | null
  client_profile: ClientProfile | null
  artist_profile: ArtistProfile | null
  verification: Verification
  can_book: boolean
  can_book_reason: string | null
}

export interface TokenPair {
  access_token: string
  refresh_token: string
  token_type: 'bearer'
  expires_in: number
  me: Me | null
}

export interface SmsSendResult {
  sent: boolean
  cooldown_seconds: number
  sandbox_code: string | null
}

export interface ClientProfileInput {
  org_name: string
  industry: IndustryValue
  contact_name: string
  contact_phone: string
}

export interface ArtistProfileInput {
  stage_name: string
  artist_types: ArtistTypeValue[]
  styles: string[]
  city: string
  contact_phone: string
  contact_wechat?: string
}

export interface VerificationInput {
  subject: VerificationSubject
  legal_name: string
  id_number: string
  licence_upload_id?: string
}
