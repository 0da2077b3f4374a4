"""Who may call each /api/v1 route: the declarations tests/api/test_authz_matrix.py checks against the app.

One line per operation of the OpenAPI document. A route without a line fails the build: decide who may call it
and add it here (and, if its body or ids need more than the defaults, a recipe in the test file).

The actors, each aiming at the objects of CLIENT_A and of ARTIST (their inquiry, booking, demand, uploads, review;
the artist's profile, cases, qualifications, calendar slots):
- ANON      no token
- CLIENT_A  the client who owns the inquiry, booking, demand, uploads and review
- CLIENT_B  another client (someone else's objects)
- ARTIST    the booked artist, owner of the profile, cases, qualifications and calendar
- ARTIST_B  another artist, naming ARTIST in X-Artist-Id as a team member would
- MEMBER    a member of ARTIST's team (no role of their own), naming ARTIST in X-Artist-Id
- OPERATOR  an operator of the console

Console routes (/admin/..., but the login) need no line: each names its permission code
(api.deps.require_permission) and is OPERATOR_ONLY here; tests/api/test_permissions.py checks the codes per role.

Allowed: the request gets past authorisation (2xx, or a 4xx about state or input such as 409/422/429).
Everyone else is refused: 401 without a token, 403 or 404 with one (a client never learns that another
client's booking exists, so 404 is the right answer there).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Actor(StrEnum):
    ANON = "anonymous"
    CLIENT_A = "client A"
    CLIENT_B = "client B"
    ARTIST = "artist"
    ARTIST_B = "artist B"
    MEMBER = "team member"
    OPERATOR = "operator"


ANON, CLIENT_A, CLIENT_B, ARTIST, ARTIST_B, MEMBER, OPERATOR = tuple(Actor)


@dataclass(frozen=True)
class Rule:
    allowed: frozenset[Actor]
    # Authorised by a signature in the request (payment callback, signed file link), not by a login:
    # without it every caller is refused alike, whatever token they carry.
    signed: bool = False


def allow(*actors: Actor) -> Rule:
    return Rule(frozenset(actors))


PUBLIC = allow(*Actor)
USERS = allow(CLIENT_A, CLIENT_B, ARTIST, ARTIST_B, MEMBER)  # any logged-in user, on their own account
CLIENTS = allow(CLIENT_A, CLIENT_B)
ARTISTS = allow(ARTIST, ARTIST_B)
ROLE_HOLDERS = allow(CLIENT_A, CLIENT_B, ARTIST, ARTIST_B)  # users acting as client or artist
TEAM = allow(ARTIST, MEMBER)  # the artist and their team (X-Artist-Id)
OPERATOR_ONLY = allow(OPERATOR)
SIGNED = Rule(frozenset(), signed=True)

V = "/api/v1"

MATRIX: dict[tuple[str, str], Rule] = {
    # accounts and sessions
    ("POST", f"{V}/auth/sms/send"): PUBLIC,
    ("POST", f"{V}/auth/sms/login"): PUBLIC,
    ("POST", f"{V}/auth/wechat/login"): PUBLIC,
    ("POST", f"{V}/auth/wechat/phone"): USERS,
    ("POST", f"{V}/auth/refresh"): PUBLIC,
    ("POST", f"{V}/auth/logout"): allow(CLIENT_A, CLIENT_B, ARTIST, ARTIST_B, MEMBER, OPERATOR),
    ("GET", f"{V}/me"): USERS,
    ("POST", f"{V}/me/role"): USERS,
    ("PUT", f"{V}/me/client-profile"): USERS,
    ("PUT", f"{V}/me/artist-profile"): USERS,
    ("GET", f"{V}/me/verification"): USERS,
    ("POST", f"{V}/me/verification"): USERS,
    ("POST", f"{V}/uploads/licence"): USERS,
    # the artist's team: managed by the artist alone; the invited user accepts or declines, a member may leave
    ("GET", f"{V}/me/artist/income"): allow(ARTIST),
    ("GET", f"{V}/me/artist/income/bookings"): allow(ARTIST),
    ("GET", f"{V}/me/artist/income/bookings.xlsx"): allow(ARTIST),
    # the artist's 收款账户 (bank transfers): the artist alone, never the team
    ("GET", f"{V}/me/artist/payout-account"): allow(ARTIST),
    ("PUT", f"{V}/me/artist/payout-account"): allow(ARTIST),
    ("GET", f"{V}/me/artist/payouts/{{booking_id}}/wechat-confirmation"): allow(ARTIST),
    ("GET", f"{V}/me/artist/team"): allow(ARTIST),
    ("POST", f"{V}/me/artist/team"): allow(ARTIST),
    ("DELETE", f"{V}/me/artist/team/{{user_id}}"): allow(ARTIST),
    ("GET", f"{V}/me/artist/team/invitations"): allow(ARTIST),
    ("DELETE", f"{V}/me/artist/team/invitations/{{invitation_id}}"): allow(ARTIST),
    ("GET", f"{V}/me/team-invitations"): USERS,
    ("POST", f"{V}/me/team-invitations/{{invitation_id}}/accept"): allow(MEMBER),  # an invitation to MEMBER
    ("POST", f"{V}/me/team-invitations/{{invitation_id}}/decline"): allow(MEMBER),
    ("GET", f"{V}/me/managed-artists"): USERS,
    ("DELETE", f"{V}/me/managed-artists/{{artist_id}}"): allow(MEMBER),
    # public pages
    ("GET", f"{V}/meta/options"): PUBLIC,
    ("GET", f"{V}/meta/customer-service"): PUBLIC,  # 联系客服 (系统设置)
    ("GET", f"{V}/meta/subscribe-templates"): PUBLIC,  # 订阅消息 template ids the mini-program asks for
    ("GET", f"{V}/meta/quote-defaults"): PUBLIC,  # the quote form's starting values (系统设置)
    ("GET", f"{V}/artists"): PUBLIC,
    ("GET", f"{V}/artists/{{artist_id}}"): PUBLIC,
    ("GET", f"{V}/artists/{{artist_id}}/calendar"): PUBLIC,
    ("GET", f"{V}/artists/{{artist_id}}/reviews"): PUBLIC,
    ("GET", f"{V}/home"): PUBLIC,  # the mini-program home: banners, recommended artists, announcements
    # the artist's calendar, profile draft, cases and qualifications: the artist and their team
    ("GET", f"{V}/calendar/me"): TEAM,
    ("PUT", f"{V}/calendar/me/range"): TEAM,
    ("DELETE", f"{V}/calendar/me/slots/{{slot_id}}"): TEAM,
    ("GET", f"{V}/me/artist/profile"): TEAM,
    ("PUT", f"{V}/me/artist/profile"): TEAM,
    ("POST", f"{V}/me/artist/profile/submit"): TEAM,
    ("PUT", f"{V}/me/artist/profile/privacy"): allow(ARTIST),
    ("GET", f"{V}/me/artist/qualifications"): TEAM,
    ("POST", f"{V}/me/artist/qualifications"): TEAM,
    ("GET", f"{V}/me/artist/qualifications/{{qualification_id}}/url"): TEAM,
    ("GET", f"{V}/me/artist/cases"): TEAM,
    ("POST", f"{V}/me/artist/cases"): TEAM,
    ("PUT", f"{V}/me/artist/cases/order"): TEAM,
    ("PATCH", f"{V}/me/artist/cases/{{case_id}}"): TEAM,
    ("DELETE", f"{V}/me/artist/cases/{{case_id}}"): TEAM,
    # inquiries and bookings: the booking's client and artist only (never the team)
    ("POST", f"{V}/inquiries"): CLIENTS,
    ("GET", f"{V}/inquiries/{{inquiry_id}}"): allow(CLIENT_A),
    ("POST", f"{V}/inquiries/{{inquiry_id}}/proceed"): allow(CLIENT_A),
    ("GET", f"{V}/bookings"): ROLE_HOLDERS,
    ("GET", f"{V}/bookings/{{booking_id}}"): allow(CLIENT_A, ARTIST),
    ("POST", f"{V}/bookings/{{booking_id}}/actions/{{action}}"): allow(CLIENT_A, ARTIST),
    ("POST", f"{V}/bookings/{{booking_id}}/review"): allow(CLIENT_A),
    ("GET", f"{V}/bookings/{{booking_id}}/review"): allow(CLIENT_A, ARTIST),
    ("POST", f"{V}/bookings/{{booking_id}}/dispute/statements"): allow(CLIENT_A, ARTIST),  # its parties only
    # e-contracts: the booking's parties (and operators through the console); verifying a PDF is public
    ("GET", f"{V}/bookings/{{booking_id}}/contract"): allow(CLIENT_A, ARTIST),
    ("POST", f"{V}/bookings/{{booking_id}}/contract/sign-code"): allow(CLIENT_A, ARTIST),
    ("POST", f"{V}/bookings/{{booking_id}}/contract/download-link"): allow(CLIENT_A, ARTIST),
    ("POST", f"{V}/admin/bookings/{{booking_id}}/contract/download-link"): OPERATOR_ONLY,
    ("POST", f"{V}/contracts/verify"): PUBLIC,
    ("GET", f"{V}/admin/contract-templates"): OPERATOR_ONLY,
    ("POST", f"{V}/admin/contract-templates"): OPERATOR_ONLY,
    ("GET", f"{V}/admin/contract-templates/{{template_id}}"): OPERATOR_ONLY,
    ("PUT", f"{V}/reviews/{{review_id}}/reply"): allow(ARTIST),
    ("GET", f"{V}/me/reviews"): ROLE_HOLDERS,
    ("GET", f"{V}/notifications"): USERS,
    ("GET", f"{V}/notifications/unread-count"): USERS,
    ("POST", f"{V}/notifications/{{notification_id}}/read"): allow(ARTIST),  # the artist's notification
    ("POST", f"{V}/notifications/read-all"): USERS,
    ("GET", f"{V}/me/notification-settings"): USERS,  # 通知设置: one's own
    ("PUT", f"{V}/me/notification-settings"): USERS,
    ("POST", f"{V}/me/notification-settings/subscriptions"): USERS,
    ("POST", f"{V}/payments/callbacks/sandbox"): SIGNED,
    ("POST", f"{V}/payments/callbacks/wechatpay"): SIGNED,
    ("POST", f"{V}/payments/callbacks/wechatpay/refund"): SIGNED,
    ("POST", f"{V}/payments/callbacks/alipay"): SIGNED,
    ("GET", f"{V}/payments/methods"): USERS,
    # the client's payment records and receipts: the payer only
    ("GET", f"{V}/me/payments"): CLIENTS,
    ("GET", f"{V}/me/payments/{{order_id}}"): allow(CLIENT_A),
    # favourites and demands
    ("POST", f"{V}/favorites/artists/{{artist_id}}"): CLIENTS,
    ("DELETE", f"{V}/favorites/artists/{{artist_id}}"): CLIENTS,
    ("GET", f"{V}/favorites/artists"): CLIENTS,
    ("POST", f"{V}/favorites/demands/{{demand_id}}"): ARTISTS,
    ("DELETE", f"{V}/favorites/demands/{{demand_id}}"): ARTISTS,
    ("GET", f"{V}/favorites/demands"): ARTISTS,
    ("POST", f"{V}/demands"): CLIENTS,
    ("GET", f"{V}/demands"): ARTISTS,
    ("GET", f"{V}/demands/mine"): CLIENTS,
    ("GET", f"{V}/demands/{{demand_id}}"): allow(CLIENT_A, ARTIST, ARTIST_B),  # owner; artists once approved
    ("POST", f"{V}/demands/{{demand_id}}/close"): allow(CLIENT_A),
    ("GET", f"{V}/demands/{{demand_id}}/answers"): allow(CLIENT_A),
    ("POST", f"{V}/demands/{{demand_id}}/respond"): ARTISTS,
    # uploads: each user's own
    ("POST", f"{V}/uploads/intent"): USERS,
    ("POST", f"{V}/uploads"): allow(CLIENT_A),  # with client A's upload token
    ("POST", f"{V}/uploads/{{upload_id}}/complete"): allow(CLIENT_A),
    ("GET", f"{V}/uploads/{{upload_id}}/url"): allow(CLIENT_A),
    ("GET", f"{V}/files/{{key}}"): SIGNED,
    # chat: each user's own conversations in the role they act in; a conversation is its two members' only
    # (an artist opens one only with a client who asked them; a team member has no chat of their own)
    ("POST", f"{V}/chat/conversations"): allow(CLIENT_A, CLIENT_B, ARTIST),
    ("GET", f"{V}/chat/conversations"): USERS,
    ("GET", f"{V}/chat/unread-count"): USERS,
    ("GET", f"{V}/chat/search"): USERS,
    ("GET", f"{V}/chat/conversations/{{conversation_id}}"): allow(CLIENT_A, ARTIST),
    ("GET", f"{V}/chat/conversations/{{conversation_id}}/messages"): allow(CLIENT_A, ARTIST),
    ("POST", f"{V}/chat/conversations/{{conversation_id}}/messages"): allow(CLIENT_A, ARTIST),
    ("POST", f"{V}/chat/conversations/{{conversation_id}}/read"): allow(CLIENT_A, ARTIST),
    ("POST", f"{V}/chat/conversations/{{conversation_id}}/block"): allow(CLIENT_A, ARTIST),
    ("DELETE", f"{V}/chat/conversations/{{conversation_id}}/block"): allow(CLIENT_A, ARTIST),
    ("GET", f"{V}/admin/disputes/{{booking_id}}/chat"): OPERATOR_ONLY,
    # the console
    ("POST", f"{V}/admin/auth/login"): PUBLIC,
    ("GET", f"{V}/admin/me"): OPERATOR_ONLY,
    ("GET", f"{V}/admin/users"): OPERATOR_ONLY,
    ("POST", f"{V}/admin/users/{{user_id}}/status"): OPERATOR_ONLY,
    ("GET", f"{V}/admin/users/{{user_id}}/status-changes"): OPERATOR_ONLY,
    ("POST", f"{V}/admin/operators"): OPERATOR_ONLY,
    ("GET", f"{V}/admin/settings"): OPERATOR_ONLY,
    ("PUT", f"{V}/admin/settings"): OPERATOR_ONLY,
    # payouts (the list, bank-transfer batches for finance) and the daily reconciliation queue
    ("GET", f"{V}/admin/payouts"): OPERATOR_ONLY,
    ("GET", f"{V}/admin/payouts/bank-batches"): OPERATOR_ONLY,
    ("POST", f"{V}/admin/payouts/bank-batches"): OPERATOR_ONLY,
    ("GET", f"{V}/admin/payouts/bank-batches/{{batch_id}}"): OPERATOR_ONLY,
    ("GET", f"{V}/admin/payouts/bank-batches/{{batch_id}}/file"): OPERATOR_ONLY,
    ("POST", f"{V}/admin/payouts/bank-batches/{{batch_id}}/lines/{{line_id}}/result"): OPERATOR_ONLY,
    ("POST", f"{V}/admin/payouts/bank-batches/{{batch_id}}/results"): OPERATOR_ONLY,
    ("GET", f"{V}/admin/reconciliation/differences"): OPERATOR_ONLY,
    ("POST", f"{V}/admin/reconciliation/differences/{{difference_id}}/resolve"): OPERATOR_ONLY,
    ("POST", f"{V}/admin/reconciliation/runs"): OPERATOR_ONLY,
    ("GET", f"{V}/admin/bookings"): OPERATOR_ONLY,
    ("GET", f"{V}/admin/bookings/{{booking_id}}"): OPERATOR_ONLY,
    ("POST", f"{V}/admin/bookings/{{booking_id}}/actions/{{action}}"): OPERATOR_ONLY,
    # 结算审批
    ("GET", f"{V}/admin/settlements"): OPERATOR_ONLY,
    ("GET", f"{V}/admin/settlements/{{booking_id}}"): OPERATOR_ONLY,
    ("POST", f"{V}/admin/settlements/{{booking_id}}/approve"): OPERATOR_ONLY,
    ("POST", f"{V}/admin/settlements/{{booking_id}}/reject"): OPERATOR_ONLY,
    ("POST", f"{V}/admin/settlements/{{booking_id}}/retry"): OPERATOR_ONLY,
    ("GET", f"{V}/admin/demands"): OPERATOR_ONLY,
    ("POST", f"{V}/admin/demands/{{demand_id}}/review"): OPERATOR_ONLY,
    ("GET", f"{V}/admin/profile-reviews"): OPERATOR_ONLY,
    ("POST", f"{V}/admin/profile-reviews/{{artist_id}}/approve"): OPERATOR_ONLY,
    ("POST", f"{V}/admin/profile-reviews/{{artist_id}}/reject"): OPERATOR_ONLY,
    ("GET", f"{V}/admin/tags"): OPERATOR_ONLY,
    ("POST", f"{V}/admin/tags"): OPERATOR_ONLY,
    ("PATCH", f"{V}/admin/tags/{{tag_id}}"): OPERATOR_ONLY,
    ("DELETE", f"{V}/admin/tags/{{tag_id}}"): OPERATOR_ONLY,
    ("GET", f"{V}/admin/artists/{{artist_id}}/tags"): OPERATOR_ONLY,
    ("PUT", f"{V}/admin/artists/{{artist_id}}/tags/{{tag_id}}"): OPERATOR_ONLY,
    ("DELETE", f"{V}/admin/artists/{{artist_id}}/tags/{{tag_id}}"): OPERATOR_ONLY,
    ("GET", f"{V}/admin/qualifications"): OPERATOR_ONLY,
    ("POST", f"{V}/admin/qualifications/{{qualification_id}}/approve"): OPERATOR_ONLY,
    ("POST", f"{V}/admin/qualifications/{{qualification_id}}/reject"): OPERATOR_ONLY,
    ("GET", f"{V}/admin/qualifications/{{qualification_id}}/url"): OPERATOR_ONLY,
    ("GET", f"{V}/admin/cases"): OPERATOR_ONLY,
    ("POST", f"{V}/admin/cases/{{case_id}}/approve"): OPERATOR_ONLY,
    ("POST", f"{V}/admin/cases/{{case_id}}/reject"): OPERATOR_ONLY,
    ("GET", f"{V}/admin/reviews"): OPERATOR_ONLY,
    ("POST", f"{V}/admin/reviews/{{review_id}}/hide"): OPERATOR_ONLY,
    ("POST", f"{V}/admin/reviews/{{review_id}}/unhide"): OPERATOR_ONLY,
    # 资金流水 and their Excel exports
    ("GET", f"{V}/admin/money/payments"): OPERATOR_ONLY,
    ("GET", f"{V}/admin/money/payments.xlsx"): OPERATOR_ONLY,
    ("GET", f"{V}/admin/money/refunds"): OPERATOR_ONLY,
    ("GET", f"{V}/admin/money/refunds.xlsx"): OPERATOR_ONLY,
    ("GET", f"{V}/admin/money/payouts"): OPERATOR_ONLY,
    ("GET", f"{V}/admin/money/payouts.xlsx"): OPERATOR_ONLY,
    ("GET", f"{V}/admin/money/commissions"): OPERATOR_ONLY,
    ("GET", f"{V}/admin/money/commissions.xlsx"): OPERATOR_ONLY,
    ("GET", f"{V}/admin/settlements.xlsx"): OPERATOR_ONLY,
    ("GET", f"{V}/admin/reconciliation/differences.xlsx"): OPERATOR_ONLY,
    # 帮助中心 (public) and 投诉与反馈 (a complaint is its filer's only)
    ("GET", f"{V}/help/categories"): PUBLIC,
    ("GET", f"{V}/help/articles"): PUBLIC,
    ("GET", f"{V}/help/articles/{{article_id}}"): PUBLIC,
    ("POST", f"{V}/complaints"): USERS,
    ("GET", f"{V}/complaints"): USERS,
    ("GET", f"{V}/complaints/{{complaint_id}}"): allow(CLIENT_A),
    ("POST", f"{V}/complaints/{{complaint_id}}/replies"): allow(CLIENT_A),
}



def rule_for(route: tuple[str, str]) -> Rule | None:
    """The declared rule, or OPERATOR_ONLY for a console route without a line; None: undeclared."""
    if route in MATRIX:
        return MATRIX[route]
    return OPERATOR_ONLY if route[1].startswith(f"{V}/admin/") else None
