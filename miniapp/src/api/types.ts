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
  /** Short-lived signed URL of the avatar thumbnail; null without an approved avatar. */
  avatar_url?: string | null
  /** 面议: the artist hides prices (price_min/max_amount and prices are then empty). */
  price_hidden?: boolean
  /** Mean of the three review scores (0–5); null before the first review. */
  rating?: number | null
  review_count?: number
  tags?: string[]
  /** 回复率: % of booking requests answered rather than left to expire; null before the first. */
  response_rate?: number | null
}

/** Facet counts over every match: { artist_types: { singer: 12 }, cities: { 上海: 5 } }. */
export type Facets = Record<string, Record<string, number>>

export interface ArtistPage extends Page<ArtistItem> {
  facets?: Facets
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

export interface TeamMember {
  name: string
  role: string
}

export interface ArtistContact {
  phone: string
  wechat: string | null
  masked: boolean
}

export type MediaKind = 'image' | 'video'

export interface CaseMedia {
  kind: MediaKind | string
  url: string
  thumbnail_url: string | null
}

export interface ArtistCase {
  id: number | string
  title: string
  event_type: string
  /** YYYY-MM-DD */
  performed_on: string | null
  description: string
  media: CaseMedia[]
}

export interface RatingSummary {
  count: number
  average: number | null
  effect: number | null
  attitude: number | null
  punctuality: number | null
}

export interface ArtistReview {
  id: number | string
  client_label: string
  effect_score: number
  attitude_score: number
  punctuality_score: number
  text: string
  photo_urls: string[]
  reply: string | null
  replied_at: string | null
  created_at: string
}

export interface ArtistDetail extends ArtistItem {
  regions?: string[]
  active_since_year?: number | null
  works?: string[]
  team?: TeamMember[]
  travel_terms?: string
  prices: ArtistPrice[]
  calendar: CalendarSlot[]
  contact?: ArtistContact | null
  cases?: ArtistCase[]
  rating_summary?: RatingSummary | null
  recent_reviews?: ArtistReview[]
  /** The logged-in viewer (a client) saved this artist; false for guests. */
  favorited?: boolean
}

/** GET /artists/{id}/calendar?month=YYYY-MM — the public month view. */
export interface ArtistMonthCalendar {
  month?: string
  slots?: CalendarSlot[]
  /** Some shapes list days instead of slots: { date: 'YYYY-MM-DD', status }. */
  days?: { date: string; status: string }[]
}

export type ArtistSort = 'relevance' | 'popularity' | 'rating' | 'price_asc' | 'price_desc' | 'newest'

export interface ArtistQuery {
  q?: string
  /** One value or several (sent as repeated query parameters). */
  city?: string | string[]
  artist_type?: string | string[]
  /** Fen. */
  price_min?: number
  price_max?: number
  min_rating?: number
  verified_only?: boolean
  /** YYYY-MM-DD */
  available_on?: string
  sort?: ArtistSort
  page?: number
  page_size?: number
}

export interface FavoriteResult {
  favorited: boolean
}

// --- artist self-service (drafts, cases, uploads)

export type ReviewStatus = 'editing' | 'pending' | 'approved' | 'rejected' | 'published'

export interface ArtistPriceInput {
  title: string
  duration_minutes: number
  min_amount: number
  /** Omitted = a fixed price (same as min_amount). */
  max_amount?: number | null
  negotiable: boolean
}

/** PUT /me/artist/profile body (ProfileData): unknown fields are rejected. */
export interface ArtistProfileData {
  stage_name: string
  avatar_upload_id?: string | null
  artist_types: ArtistTypeValue[]
  styles: string[]
  city: string
  regions: string[]
  active_since_year: number | null
  bio: string
  works: string[]
  team: TeamMember[]
  prices: ArtistPriceInput[]
  travel_terms: string
}

export interface ArtistProfileDataOut extends ArtistProfileData {
  avatar_url: string | null
  artist_type_labels: string[]
}

/** GET/PUT /me/artist/profile, POST …/submit. */
export interface ArtistProfileDraft {
  artist_id: number | string
  status: ReviewStatus
  status_label: string
  review_reason: string | null
  submitted_at: string | null
  reviewed_at: string | null
  updated_at: string | null
  data: ArtistProfileDataOut
  privacy?: { hide_prices: boolean; hide_contact: boolean }
}

export type ModerationStatus = 'pending' | 'approved' | 'rejected' | string

export interface MyCaseMedia extends CaseMedia {
  upload_id: string
  check_status: string
  check_label: string
}

export interface MyCase {
  id: number | string
  title: string
  event_type: string
  performed_on: string | null
  description: string
  position?: number
  moderation_status: ModerationStatus
  moderation_label?: string
  review_reason: string | null
  machine_check?: string
  machine_check_label?: string
  created_at?: string
  updated_at?: string
  media: MyCaseMedia[]
}

/** POST /me/artist/cases: `media` = upload ids in display order (≤9 images, ≤1 video). */
export interface MyCaseInput {
  title: string
  event_type: string
  performed_on: string | null
  description: string
  media: string[]
}

export type UploadPurpose = 'case_image' | 'case_video' | 'licence' | 'signature' | 'document'

export interface UploadIntent {
  upload_id: string
  key: string
  url: string
  method: string
  fields: Record<string, string>
  file_field: string
  content_type: string
  max_bytes: number
  expires_at: string
}

/** GET /uploads/{id}/url: short-lived signed links to one of the viewer's own uploads. */
export interface UploadUrl {
  url: string
  thumbnail_url: string | null
  expires_in: number
}

export interface UploadDone {
  upload_id: string
  key: string
  purpose: string
  content_type: string
  size: number
  thumbnail_key?: string | null
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

/** 经纪人 / 助理: a member of an artist's agent team. */
export type ManagerRole = 'agent' | 'assistant'

/** GET /me/artist/team — the artist's team (phone masked). */
export interface TeamManager {
  user_id: number | string
  phone: string | null
  role: ManagerRole
  role_label: string
  added_at: string
}

/** GET /me/managed-artists — the artists the user manages. */
export interface ManagedArtist {
  artist_id: number | string
  stage_name: string
  role: ManagerRole
  role_label: string
  added_at: string
}

/** GET /me/artist/team/invitations — an invitation not yet answered (phone masked, no account named). */
export interface TeamInvitation {
  id: number | string
  phone_masked: string
  role: ManagerRole
  role_label: string
  created_at: string
  expires_at: string
}

/** POST /me/artist/team (202) — the same answer for a registered and an unregistered phone. */
export interface TeamInvite extends TeamInvitation {
  invited: boolean
}

/** GET /me/team-invitations — an invitation to the user's phone, to accept or decline. */
export interface ReceivedInvitation {
  id: number | string
  artist_id: number | string
  stage_name: string
  role: ManagerRole
  role_label: string
  created_at: string
  expires_at: string
}
