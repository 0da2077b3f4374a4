/**
 * The names the client uses for shapes of the API v1 contract. Every shape comes from schema.d.ts, which
 * `python -m api.client_types` generates from /openapi.json (a test fails when it is stale): never write a
 * response shape by hand here. Money fields end in `_amount` and are integer fen.
 */
import type { components, operations } from './schema'

type S = components['schemas']

/** One choice of a picker (GET /meta/options sends them for industries and artist types). */
export type Option<V extends string = string> = { value: V; label: string }
export type IndustryValue = S['Industry']
export type ArtistTypeValue = S['ArtistType']
export type MetaOptions = S['Options']
export type CustomerService = S['CustomerServiceOut']
export type QuoteDefaults = S['QuoteDefaultsOut']

/** The list envelope of every paginated route (domain/pages.py's Page[T]). */
export type Page<T> = Omit<S['Page_ArtistCard_'], 'items'> & { items: T[] }

export type ArtistItem = S['ArtistCard']
/** Facet counts over every match: { artist_types: { singer: 12 }, cities: { 上海: 5 } }. */
export type Facets = S['ArtistPage']['facets']
export type ArtistPage = S['ArtistPage']
export type ArtistPrice = S['PriceOut']
export type CalendarSlot = S['PublicSlot']
export type TeamMember = S['TeamMember']
export type ArtistContact = S['ContactOut']
export type CaseMedia = S['CaseMediaOut']
export type ArtistCase = S['CaseOut']
export type RatingSummary = S['RatingSummary']
export type ArtistReview = S['ReviewOut']
export type ArtistDetail = S['ArtistDetail']
/** GET /artists/{id}/calendar?month=YYYY-MM — the public month view, one entry per day. */
export type ArtistMonthCalendar = S['MonthCalendar']

/** GET /artists query: one value or several (repeated query parameters) for the lists. */
export type ArtistQuery = NonNullable<operations['list_artists_api_v1_artists_get']['parameters']['query']>
export type ArtistSort = NonNullable<ArtistQuery['sort']>
export type FavoriteResult = S['FavoriteOut']

// --- artist self-service (drafts, cases, uploads)

export type ReviewStatus = S['DraftOut']['status']
export type ArtistPriceInput = S['PriceLineIn']
/** PUT /me/artist/profile body (ProfileData): unknown fields are rejected. */
export type ArtistProfileData = S['ProfileData']
export type ArtistProfileDataOut = S['ProfileDataOut']
/** GET/PUT /me/artist/profile, POST …/submit. */
export type ArtistProfileDraft = S['DraftOut']
/** PUT /me/artist/profile/privacy: applies at once, no review. */
export type Privacy = S['PrivacyOut']
export type ModerationStatus = S['ArtistCaseOut']['moderation_status']
export type MyCaseMedia = S['CaseMediaDetailOut']
export type MyCase = S['ArtistCaseOut']
/** POST /me/artist/cases: `media` = upload ids in display order (≤9 images, ≤1 video). */
export type MyCaseInput = S['CaseIn']

export type UploadPurpose = S['IntentIn']['purpose']
export type UploadIntent = S['IntentOut']
/** GET /uploads/{id}/url: short-lived signed links to one of the viewer's own uploads. */
export type UploadUrl = S['UrlOut']
export type UploadDone = S['UploadDoneOut']

export type Role = S['RoleIn']['role']
export type VerificationStatus = S['VerificationOut']['status']
export type VerificationSubject = S['VerificationSubject']
export type ClientProfile = S['ClientProfileOut']
export type ArtistProfile = S['ArtistProfileOut']
export type Verification = S['VerificationOut']
export type Me = S['MeOut']
export type TokenPair = S['TokenPairOut']
export type SmsSendResult = S['SmsSendOut']
export type ClientProfileInput = S['ClientProfileIn']
export type ArtistProfileInput = S['ArtistProfileIn']
export type VerificationInput = S['VerificationIn']

/** 经纪人 / 助理: a member of an artist's agent team. */
export type ManagerRole = S['ManagerIn']['role']
/** GET /me/artist/team — the artist's team (phone masked). */
export type TeamManager = S['ManagerOut']
/** GET /me/managed-artists — the artists the user manages. */
export type ManagedArtist = S['ManagedArtistOut']
/** GET /me/artist/team/invitations — an invitation not yet answered (phone masked, no account named). */
export type TeamInvitation = S['TeamInvitationOut']
/** POST /me/artist/team (202) — the same answer for a registered and an unregistered phone. */
export type TeamInvite = S['TeamInviteOut']
/** GET /me/team-invitations — an invitation to the user's phone, to accept or decline. */
export type ReceivedInvitation = S['ReceivedInvitationOut']

// --- bookings: inquiries, orders, actions, notifications

/** POST /inquiries body: one inquiry sent to 1–10 artists (times are UTC ISO strings). */
export type InquiryInput = S['InquiryIn']
export type Inquiry = S['InquiryOut']
export type Booking = S['BookingOut']
export type BookingDetail = S['BookingDetail']
export type BookingEvent = S['EventOut']
export type BookingConflict = S['ConflictOut']
export type BookingQuery = NonNullable<operations['list_bookings_api_v1_bookings_get']['parameters']['query']>
/** POST /bookings/{id}/actions/{action} body; each action reads the fields it needs. */
export type ActionInput = S['ActionIn']
export type QuoteInput = S['QuoteIn']
/** The artist's quote on a booking (fee split, cancellation tiers, rider lines, note). */
export type BookingQuote = S['QuoteOut']
export type CancellationTier = S['TierOut']
/** The sent contract: the terms snapshot both sign, and each party's signature (short-lived links). */
export type BookingContract = S['ContractOut']
/** What cancelling now would give back (present when `cancel` is allowed). */
export type CancelPreview = S['CancelPreviewOut']
export type BookingPayment = S['PaymentOut']
export type ActionResult = S['ActionOut']
export type NotificationItem = S['NotificationOut']
export type NotificationPage = S['NotificationPage']

// --- artist workspace (calendar, reviews, qualifications) and the demand hall

/** GET /calendar/me — the artist's own slots (held/booked belong to bookings and are not editable). */
export type MyCalendar = S['CalendarOut']
export type MySlot = S['SlotOut']
/** PUT /calendar/me/range body: one status on the chosen days (weekdays 0=周一…6=周日) between two dates. */
export type CalendarRangeInput = S['RangeIn']
export type CalendarRangeResult = S['RangeOut']
export type CalendarDeleted = S['DeletedOut']
/** GET /me/reviews — reviews the artist received (hidden ones included, with the reason). */
export type MyReview = S['ReviewDetail']
export type Qualification = S['QualificationOut']
export type QualificationInput = S['QualificationIn']
export type QualificationKind = S['QualificationIn']['kind']
export type Demand = S['DemandOut']
/** POST /demands body (times are UTC ISO strings, money in fen). */
export type DemandInput = S['DemandIn']
export type DemandRespondInput = S['DemandRespondIn']
export type DemandRespondResult = S['DemandRespondOut']
/** GET /demands/{id}/answers — the owner's view of each artist's quote. */
export type DemandAnswer = S['DemandAnswerOut']
export type DemandQuery = NonNullable<operations['list_demands_api_v1_demands_get']['parameters']['query']>
/** POST /bookings/{id}/review body: three 1–5 scores, text, own `case_image` upload ids as photos. */
export type ReviewInput = S['ReviewIn']
/** A review as its client / the reviewed artist sees it. */
export type ReviewDetail = S['ReviewDetail']
/** GET /me/artist/income — the artist's totals (received, refunded, pending payout, settled, commission). */
export type Income = S['IncomeOut']

// --- e-contracts
export type ContractView = S['ContractView']
export type ContractEvidence = S['EvidenceOut']
export type ContractSignature = S['SignatureOut']
export type SignCodeResult = S['SignCodeOut']
export type ContractDownloadLink = S['DownloadLinkOut']

// --- the home page's operator-managed content (GET /home)
export type HomeContent = S['HomeOut']
export type HomeBanner = S['PublicBanner']
export type HomeAnnouncement = S['PublicAnnouncement']

// --- 私信 (chat): conversations, messages, search hits
export type ChatConversation = S['ConversationOut']
export type ChatConversationPage = S['ConversationPage']
export type ChatPeer = S['PeerOut']
export type ChatMessage = S['MessageOut']
export type ChatKind = ChatMessage['kind']
export type ChatAttachment = S['AttachmentOut']
export type ChatMessagePage = S['MessagePage']
export type ChatSearchHit = S['SearchHit']
export type ChatSearchPage = S['SearchPage']
export type ChatSendIn = S['SendIn']
export type ChatUnread = S['UnreadOut']
