"""The authorisation matrix: every /api/v1 operation of the OpenAPI document, called by every actor of
tests/api/authz_matrix.py against one world (client A's inquiry, booking, demand, uploads and review; the artist's
profile, cases, qualifications and calendar), must answer as declared there. A route without a declaration, or a
declaration without a route, fails the build.

How requests are built: path ids come from the world by parameter name (RECIPES may map them elsewhere or make a
fresh object per request); bodies come from RECIPES, else a placeholder built from the request schema. Requests
that would spoil the world for later checks run last (see `_phase`): reads, then writes, then deletions and
closings (each on a fresh object where several actors may delete), then logout.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.context import AppContext
from domain.accounts import sessions
from domain.models import AuditLog, Backup, Dispute, Operator, Payout, ReconciliationDifference, Role, User
from domain.time import SHANGHAI, utc_now
from tests.api.authz_matrix import (
    ANON,
    ARTIST,
    ARTIST_B,
    CLIENT_A,
    CLIENT_B,
    MATRIX,
    MEMBER,
    OPERATOR,
    PUBLIC,
    Actor,
    Rule,
    rule_for,
)
from tests.factories import completed_booking, demand_body, inquiry_body, paid_order, user_row, verify_phones
from tests.helpers import V1, bearer, join_team, operator_token, register_artist, register_client, sms_login
from tests.storage.conftest import image_bytes, pdf_bytes

Route = tuple[str, str]
PHONES = {CLIENT_A: "13800000801", CLIENT_B: "13800000802", ARTIST: "13900000801", ARTIST_B: "13900000802",
          MEMBER: "13600000801"}
NEXT_YEAR = utc_now().astimezone(SHANGHAI).year + 1
# Denied actors go first, so a wrongly allowed mutation can't be hidden by an allowed one before it.
ORDER = [ANON, OPERATOR, CLIENT_B, ARTIST_B, MEMBER, CLIENT_A, ARTIST]


# --- the world


@dataclass
class World:
    api: httpx.AsyncClient
    db: Session
    ctx: AppContext
    tokens: dict[Actor, str] = field(default_factory=dict)
    ids: dict[str, Any] = field(default_factory=dict)
    made: int = 0  # a counter for fresh names and dates

    def headers(self, actor: Actor) -> dict[str, str]:
        if actor == ANON:
            return {}
        out = bearer(self.tokens[actor])
        if actor in (MEMBER, ARTIST_B):  # acting for the artist, as the team feature does
            out["X-Artist-Id"] = str(self.ids["artist_id"])
        return out

    def next(self) -> int:
        self.made += 1
        return self.made

    async def call(self, actor: Actor, method: str, path: str, **kw: Any) -> httpx.Response:
        return await self.api.request(method, f"{V1}{path}", headers=self.headers(actor), **kw)

    async def ok(self, actor: Actor, method: str, path: str, status: int = 200, **kw: Any) -> Any:
        res = await self.call(actor, method, path, **kw)
        assert res.status_code == status, (method, path, res.text)
        return res.json() if res.content else None

    async def upload(self, actor: Actor, purpose: str = "case_image", content_type: str = "image/png",
                     data: bytes | None = None) -> dict:
        intent = await self.ok(actor, "POST", "/uploads/intent", json={"purpose": purpose,
                                                                       "content_type": content_type})
        res = await self.api.post(intent["url"], headers=bearer(self.tokens[actor]), data=intent["fields"],
                                  files={intent["file_field"]: ("f", data or image_bytes("PNG", (64, 48)),
                                                                content_type)})
        assert res.status_code == 200, res.text
        return dict(res.json())

    # Fresh objects, for requests that delete or consume what they aim at.
    async def new_case(self) -> int:
        media = [(await self.upload(ARTIST))["upload_id"]]  # a file belongs to one case
        body = {"title": f"年会开场{self.next()}", "event_type": "公司年会", "media": media}
        return int((await self.ok(ARTIST, "POST", "/me/artist/cases", 201, json=body))["id"])

    async def new_slot(self) -> int:
        day = f"{NEXT_YEAR}-06-{self.next() % 28 + 1:02d}"
        body = {"start_date": day, "end_date": day, "status": "rest"}
        return int((await self.ok(ARTIST, "PUT", "/calendar/me/range", json=body))["slots"][0]["id"])

    async def new_tag(self) -> int:
        return int((await self.ok(OPERATOR, "POST", "/admin/tags", 201, json={"name": f"标签{self.next()}"}))["id"])

    async def new_member(self) -> int:
        """A member whose removal doesn't touch MEMBER: a user created directly (no SMS), logged in directly."""
        user = user_row(self.db, f"1360000{self.next():04d}")
        token = sessions.open_session(self.db, self.ctx.tokens, user=user).access_token
        self.db.commit()
        await join_team(self.api, self.tokens[ARTIST], token, str(user.phone))
        return user.id

    async def invite(self, phone: str) -> int:
        res = await self.ok(ARTIST, "POST", "/me/artist/team", 202, json={"phone": phone, "role": "assistant"})
        return int(res["id"])

    async def new_invitation(self) -> int:
        return await self.invite(f"1360000{self.next():04d}")

    async def to_member(self) -> int:
        return await self.invite(PHONES[MEMBER])

    async def new_refresh_token(self) -> str:
        user = self.db.get(User, self.ids["client_a_id"])
        issued = sessions.open_session(self.db, self.ctx.tokens, user=user, acting_role="client")
        self.db.commit()
        return issued.refresh_token


async def build_world(api: httpx.AsyncClient, db: Session, ctx: AppContext) -> World:
    w = World(api, db, ctx)
    w.tokens[CLIENT_A] = await register_client(api, PHONES[CLIENT_A])
    w.tokens[CLIENT_B] = await register_client(api, PHONES[CLIENT_B], org="明月文化传媒")
    w.tokens[ARTIST] = await register_artist(api, PHONES[ARTIST])
    w.tokens[ARTIST_B] = await register_artist(api, PHONES[ARTIST_B], name="周小北")
    w.tokens[MEMBER] = (await sms_login(api, PHONES[MEMBER]))["access_token"]  # no role of their own
    w.tokens[OPERATOR] = await operator_token(api, db)
    for actor in (CLIENT_A, CLIENT_B, ARTIST, ARTIST_B, MEMBER):
        me = await w.ok(actor, "GET", "/me")
        w.ids[f"{actor.name.lower()}_id"] = me["id"]
    verify_phones(db, *PHONES.values())
    await join_team(api, w.tokens[ARTIST], w.tokens[MEMBER], PHONES[MEMBER])
    # An invitation to nobody of the matrix: what everyone but its addressee is refused.
    w.ids["invitation_id"] = await w.new_invitation()

    # The artist's things: a case (pending review), a qualification, a calendar slot, a submitted draft.
    w.ids["artist_upload"] = (await w.upload(ARTIST))["upload_id"]
    w.ids["case_id"] = await w.new_case()
    doc = await w.upload(ARTIST, "document", "application/pdf", pdf_bytes())
    w.ids["qualification_id"] = (await w.ok(ARTIST, "POST", "/me/artist/qualifications", 201, json={
        "upload_id": doc["upload_id"], "kind": "certificate", "title": "声乐十级"}))["id"]
    w.ids["slot_id"] = await w.new_slot()
    await w.ok(ARTIST, "PUT", "/me/artist/profile", json=PROFILE_DRAFT)
    await w.ok(ARTIST, "POST", "/me/artist/profile/submit")

    # Client A's things: an upload, an inquiry (a live booking workflow), an approved demand, a favourite,
    # and a review of a finished booking.
    upload = await w.upload(CLIENT_A)
    w.ids["upload_id"], w.ids["key"] = upload["upload_id"], upload["key"]
    inquiry = await w.ok(CLIENT_A, "POST", "/inquiries", 201,
                         json=inquiry_body([w.ids["artist_id"]], contact_phone=PHONES[CLIENT_A]))
    w.ids["inquiry_id"], w.ids["booking_id"] = inquiry["id"], inquiry["bookings"][0]["id"]
    w.ids["demand_id"] = (await w.ok(CLIENT_A, "POST", "/demands", 201, json=demand_body()))["id"]
    await w.ok(OPERATOR, "POST", f"/admin/demands/{w.ids['demand_id']}/review", json={"status": "approved"})
    await w.ok(CLIENT_A, "POST", f"/favorites/artists/{w.ids['artist_id']}")
    w.ids["done_booking_id"] = completed_booking(db, w.ids["client_a_id"], w.ids["artist_id"])
    w.ids["order_id"] = paid_order(db, w.ids["done_booking_id"], "balance", 1_000_000)
    review = await w.ok(CLIENT_A, "POST", f"/bookings/{w.ids['done_booking_id']}/review", 201, json={
        "effect_score": 5, "attitude_score": 4, "punctuality_score": 4, "text": "演出效果很好"})
    w.ids["review_id"] = review["id"]
    w.ids["tag_id"] = await w.new_tag()
    for _ in range(100):  # the request's notification is written by the booking workflow
        notes = (await w.ok(ARTIST, "GET", "/notifications"))["items"]
        if notes:
            break
        await asyncio.sleep(0.05)
    assert notes, "the artist should have been told about the new request"
    w.ids["notification_id"] = notes[0]["id"]
    w.ids["user_id"] = w.ids["client_a_id"]  # the console's routes aim at client A
    return w


# --- how each route is called

PROFILE_DRAFT = {"stage_name": "林晚晴", "artist_types": ["singer"], "styles": ["流行"], "city": "北京",
                 "bio": "简介", "prices": [{"title": "标准演出", "duration_minutes": 60, "min_amount": 800_000}]}
QUOTE = {"fee_amount": 1_200_000, "deposit_percent": 30, "balance_due_days": 3}
Kwargs = Callable[["World", Actor], Awaitable[dict[str, Any]]]
IdValue = Callable[["World", Actor], Awaitable[Any]]


@dataclass(frozen=True)
class Recipe:
    kwargs: dict[str, Any] | Kwargs | None = None  # httpx request arguments (json=, params=, files=...)
    ids: dict[str, str | IdValue] = field(default_factory=dict)  # path parameter -> world id name or factory
    # Path parameter -> a factory of a new object for each allowed caller, whose request deletes or consumes it
    # (refused callers aim at the world's standing object, named by `ids` or by the parameter).
    fresh: dict[str, Callable[[World], Awaitable[Any]]] = field(default_factory=dict)


async def _action(w: World, actor: Actor) -> str:
    # An action of the caller's own side that the booking's state (REQUESTED) does not allow: past
    # authorisation it answers 409, and nothing changes.
    return {CLIENT_A: "pay_balance", ARTIST: "countersign"}.get(actor, "withdraw")


async def _template_id(w: World, actor: Actor) -> int:
    return int((await w.ok(OPERATOR, "GET", "/admin/contract-templates"))["items"][0]["id"])


async def _rule_key(w: World, actor: Actor) -> str:
    return "booking.commission_rate_bp"  # a rule of 系统设置 (its history)


async def _backup(w: World, actor: Actor) -> int:
    """A finished backup (its download link is only signed, the object need not exist)."""
    row = w.db.scalar(select(Backup).where(Backup.workflow_id == "matrix-backup"))
    if row is None:
        row = Backup(workflow_id="matrix-backup", trigger="schedule", status="succeeded",
                     key="private/backups/2026/01/yanyue-20260101-030000-1.dump", size=5, sha256="0" * 64)
        w.db.add(row)
        w.db.commit()
    return row.id


async def _disputed(w: World, actor: Actor) -> int:
    """The completed booking with a dispute on record: the workbench opens it (404 for a booking without one)."""
    bid = w.ids["done_booking_id"]
    if w.db.scalar(select(Dispute.id).where(Dispute.booking_id == bid)) is None:
        w.db.add(Dispute(booking_id=bid, step="900-dispute", opened_by_role="client", opened_by_id=w.ids["client_a_id"],
                         reason="演出时长不足", from_status="COMPLETED"))
        w.db.commit()
    return int(bid)


async def _intervention(w: World, actor: Actor) -> str:
    return "resolve_dispute"  # the booking is not disputed: past authorisation it answers 409


async def _own_role(w: World, actor: Actor) -> dict[str, Any]:
    return {"json": {"role": "artist" if actor in (ARTIST, ARTIST_B) else "client"}}


async def _refresh(w: World, actor: Actor) -> dict[str, Any]:
    return {"json": {"refresh_token": await w.new_refresh_token()}}


async def _sms_send(w: World, actor: Actor) -> dict[str, Any]:
    return {"json": {"phone": f"1370000{w.next():04d}"}}


async def _local_upload(w: World, actor: Actor) -> dict[str, Any]:
    """Client A's upload token (a fresh one each time: a token uploads once), sent by each actor."""
    intent = await w.ok(CLIENT_A, "POST", "/uploads/intent", json={"purpose": "case_image",
                                                                   "content_type": "image/png"})
    return {"data": intent["fields"], "files": {intent["file_field"]: ("f.png", image_bytes("PNG", (32, 32)),
                                                                        "image/png")}}


async def _complete(w: World, actor: Actor) -> dict[str, Any]:
    return {"json": {"key": w.ids["key"]}}


async def _case_order(w: World, actor: Actor) -> dict[str, Any]:
    cases = await w.ok(ARTIST, "GET", "/me/artist/cases")
    return {"json": {"ids": [c["id"] for c in cases]}}


async def _qualification(w: World, actor: Actor) -> dict[str, Any]:
    # The caller's own new document where they may upload; a refused caller never gets to read it.
    doc = (await w.upload(actor, "document", "application/pdf", pdf_bytes()))["upload_id"] \
        if actor in (ARTIST, MEMBER) else w.ids["artist_upload"]
    return {"json": {"upload_id": doc, "kind": "certificate", "title": "证书"}}


async def _new_case_body(w: World, actor: Actor) -> dict[str, Any]:
    # The caller's own new file where they may upload; a refused caller never gets to read it.
    media = (await w.upload(actor))["upload_id"] if actor in (ARTIST, MEMBER) else w.ids["artist_upload"]
    return {"json": {"title": "新案例", "event_type": "婚礼", "media": [media]}}


async def _new_inquiry(w: World, actor: Actor) -> dict[str, Any]:
    return {"json": inquiry_body([w.ids["artist_id"]], days=60 + w.next(),
                                 contact_phone=PHONES.get(actor, PHONES[CLIENT_A]))}


async def _team_invite(w: World, actor: Actor) -> dict[str, Any]:
    return {"json": {"phone": f"1360000{w.next():04d}", "role": "assistant"}}


async def _proceed(w: World, actor: Actor) -> dict[str, Any]:
    return {"json": {"booking_ids": [w.ids["booking_id"]]}}


async def _difference(w: World, actor: Actor) -> int:
    # A difference in the reconciliation queue (the sandbox's bill never disagrees with our books).
    if "difference_id" not in w.ids:
        row = ReconciliationDifference(gateway="sandbox", day=utc_now().date(), key="payment:authz-matrix",
                                       kind="missing_on_our_side", line_kind="payment", order_id="Pauthzmatrix",
                                       detail="authz matrix")
        w.db.add(row)
        w.db.commit()
        w.ids["difference_id"] = row.id
    return int(w.ids["difference_id"])


async def _settlement(w: World, actor: Actor) -> int:
    # The completed booking's settlement, paid out: listed and shown; a decision on it answers 409 (nothing to do).
    if "settlement_id" not in w.ids:
        booking_id = int(w.ids["done_booking_id"])
        w.db.add(Payout(booking_id=booking_id, artist_id=w.ids["artist_id"], gross_amount=1_000_000,
                        commission_amount=100_000, payout_amount=900_000, status="paid", channel="sandbox"))
        w.db.commit()
        w.ids["settlement_id"] = booking_id
    return int(w.ids["settlement_id"])


async def _support_role(w: World, actor: Actor) -> int:
    return int(w.db.scalar(select(Role.id).where(Role.code == "support")) or 0)


async def _new_role(w: World) -> int:
    body = {"code": f"matrix_{w.next()}", "name": "临时角色", "permissions": ["admin:order:list"]}
    return int((await w.ok(OPERATOR, "POST", "/admin/roles", 201, json=body))["id"])


async def _the_operator(w: World, actor: Actor) -> int:
    return int(w.db.scalar(select(Operator.id).where(Operator.username == "ops")) or 0)


async def _no_batch(w: World, actor: Actor) -> int:
    # A bank batch needs bank payouts in flight, which the world has none of: id 0 is refused as input (422)
    # once the caller is past authorisation, so the check still tells allowed from refused callers.
    return 0


V = V1
async def _new_banner(w: World) -> int:
    image = await w.ok(OPERATOR, "POST", "/admin/homepage/banner-images", 201,
                       files={"file": ("b.png", image_bytes("PNG", (75, 30)), "image/png")})
    body = {"title": f"横幅{w.next()}", "image_key": image["image_key"]}
    return int((await w.ok(OPERATOR, "POST", "/admin/homepage/banners", 201, json=body))["id"])


async def _banner(w: World, actor: Actor) -> int:
    if "banner_id" not in w.ids:
        w.ids["banner_id"] = await _new_banner(w)
    return int(w.ids["banner_id"])


async def _banner_edit(w: World, actor: Actor) -> dict[str, Any]:
    banner_id = await _banner(w, actor)
    banner = next(b for b in await w.ok(OPERATOR, "GET", "/admin/homepage/banners") if b["id"] == banner_id)
    return {"json": {"title": "改过的横幅", "image_key": banner["image_key"]}}


async def _banner_order(w: World, actor: Actor) -> dict[str, Any]:
    await _banner(w, actor)
    return {"json": {"ids": [b["id"] for b in await w.ok(OPERATOR, "GET", "/admin/homepage/banners")]}}


async def _new_announcement(w: World) -> int:
    body = {"title": f"公告{w.next()}", "body": "平台维护通知"}
    return int((await w.ok(OPERATOR, "POST", "/admin/announcements", 201, json=body))["id"])


async def _announcement(w: World, actor: Actor) -> int:
    if "announcement_id" not in w.ids:
        w.ids["announcement_id"] = await _new_announcement(w)
    return int(w.ids["announcement_id"])


async def _new_article(w: World) -> int:
    body = {"category": "booking", "title": f"如何预约{w.next()}", "body": "在艺人主页点击立即预约。"}
    return int((await w.ok(OPERATOR, "POST", "/admin/help/articles", 201, json=body))["id"])


async def _article(w: World, actor: Actor) -> int:
    if "article_id" not in w.ids:
        w.ids["article_id"] = await _new_article(w)
    return int(w.ids["article_id"])


async def _complaint(w: World, actor: Actor) -> int:
    """Client A's complaint about their finished booking."""
    if "complaint_id" not in w.ids:
        body = {"target_type": "order", "target_id": w.ids["done_booking_id"], "category": "service",
                "body": "演出迟到半小时"}
        w.ids["complaint_id"] = (await w.ok(CLIENT_A, "POST", "/complaints", 201, json=body))["id"]
    return int(w.ids["complaint_id"])


async def _assign_body(w: World, actor: Actor) -> dict[str, Any]:
    return {"json": {"operator_id": await _the_operator(w, actor)}}


async def _complaint_body(w: World, actor: Actor) -> dict[str, Any]:
    # About an artist other than the caller (one's own profile is refused as input).
    target = w.ids["artist_b_id"] if actor == ARTIST else w.ids["artist_id"]
    return {"json": {"target_type": "artist", "target_id": target, "category": "other", "body": "回复太慢"}}


async def _conversation(w: World, actor: Actor) -> int:
    """Client A's conversation with the artist (client A asked them)."""
    if "conversation_id" not in w.ids:
        conv = await w.ok(CLIENT_A, "POST", "/chat/conversations", json={"peer_id": w.ids["artist_id"]})
        w.ids["conversation_id"] = conv["id"]
    return int(w.ids["conversation_id"])


async def _chat_peer(w: World, actor: Actor) -> dict[str, Any]:
    # Clients open one with the artist, artists with client A (who asked the artist, never artist B).
    peer = w.ids["client_a_id"] if actor in (ARTIST, ARTIST_B, MEMBER) else w.ids["artist_id"]
    return {"json": {"peer_id": peer}}


async def _chat_message(w: World, actor: Actor) -> dict[str, Any]:
    return {"json": {"client_msg_id": f"matrix-{actor.name}-{w.next()}", "kind": "text", "text": "您好，档期还有吗"}}


CHAT = {"conversation_id": _conversation}
RECIPES: dict[Route, Recipe] = {
    ("POST", f"{V}/chat/conversations"): Recipe(_chat_peer),
    ("GET", f"{V}/chat/search"): Recipe({"params": {"q": "档期"}}),
    ("GET", f"{V}/chat/conversations/{{conversation_id}}"): Recipe(ids=CHAT),
    ("GET", f"{V}/chat/conversations/{{conversation_id}}/messages"): Recipe(ids=CHAT),
    ("POST", f"{V}/chat/conversations/{{conversation_id}}/messages"): Recipe(_chat_message, ids=CHAT),
    ("POST", f"{V}/chat/conversations/{{conversation_id}}/read"): Recipe({"json": {"seq": 1}}, ids=CHAT),
    ("POST", f"{V}/chat/conversations/{{conversation_id}}/block"): Recipe(ids=CHAT),
    ("DELETE", f"{V}/chat/conversations/{{conversation_id}}/block"): Recipe(ids=CHAT),
    ("GET", f"{V}/admin/disputes/{{booking_id}}/chat"): Recipe(ids={"booking_id": _disputed}),
    ("POST", f"{V}/auth/sms/send"): Recipe(_sms_send),
    ("POST", f"{V}/auth/sms/login"): Recipe({"json": {"phone": "13700009999", "code": "000000"}}),
    ("POST", f"{V}/auth/wechat/login"): Recipe({"json": {"code": "authz-matrix"}}),
    ("POST", f"{V}/auth/wechat/phone"): Recipe({"json": {"code": "not-a-phone-code"}}),
    ("POST", f"{V}/auth/refresh"): Recipe(_refresh),
    ("POST", f"{V}/me/role"): Recipe(_own_role),
    # Changing one's own account: an incomplete body shows the route is open to the caller, changing nothing.
    ("PUT", f"{V}/me/client-profile"): Recipe({"json": {}}),
    ("PUT", f"{V}/me/artist-profile"): Recipe({"json": {}}),
    ("POST", f"{V}/me/verification"): Recipe({"json": {}}),
    ("POST", f"{V}/uploads/licence"): Recipe({"files": {"file": ("l.png", b"not an image", "image/png")}}),
    ("POST", f"{V}/me/artist/team"): Recipe(_team_invite),
    ("DELETE", f"{V}/me/artist/team/{{user_id}}"): Recipe(fresh={"user_id": World.new_member},
                                                         ids={"user_id": "member_id"}),
    ("DELETE", f"{V}/me/artist/team/invitations/{{invitation_id}}"): Recipe(
        fresh={"invitation_id": World.new_invitation}),
    ("POST", f"{V}/me/team-invitations/{{invitation_id}}/accept"): Recipe(fresh={"invitation_id": World.to_member}),
    ("POST", f"{V}/me/team-invitations/{{invitation_id}}/decline"): Recipe(fresh={"invitation_id": World.to_member}),
    ("GET", f"{V}/calendar/me"): Recipe({"params": {"start": f"{NEXT_YEAR}-06-01", "end": f"{NEXT_YEAR}-06-30"}}),
    ("PUT", f"{V}/calendar/me/range"): Recipe({"json": {"start_date": f"{NEXT_YEAR}-07-01",
                                                        "end_date": f"{NEXT_YEAR}-07-01", "status": "rest"}}),
    ("DELETE", f"{V}/calendar/me/slots/{{slot_id}}"): Recipe(fresh={"slot_id": World.new_slot}),
    ("PUT", f"{V}/me/artist/profile"): Recipe({"json": PROFILE_DRAFT}),
    ("PUT", f"{V}/me/artist/profile/privacy"): Recipe({"json": {"hide_prices": False, "hide_contact": False}}),
    ("POST", f"{V}/me/artist/qualifications"): Recipe(_qualification),
    ("POST", f"{V}/me/artist/cases"): Recipe(_new_case_body),
    ("PUT", f"{V}/me/artist/cases/order"): Recipe(_case_order),
    ("PATCH", f"{V}/me/artist/cases/{{case_id}}"): Recipe({"json": {"title": "改过的标题"}}),
    ("DELETE", f"{V}/me/artist/cases/{{case_id}}"): Recipe(fresh={"case_id": World.new_case}),
    ("POST", f"{V}/inquiries"): Recipe(_new_inquiry),
    ("POST", f"{V}/inquiries/{{inquiry_id}}/proceed"): Recipe(_proceed),
    ("POST", f"{V}/bookings/{{booking_id}}/actions/{{action}}"): Recipe({"json": {}}, ids={"action": _action}),
    ("POST", f"{V}/bookings/{{booking_id}}/review"): Recipe(
        {"json": {"effect_score": 5, "attitude_score": 5, "punctuality_score": 5}},
        ids={"booking_id": "done_booking_id"}),
    ("GET", f"{V}/bookings/{{booking_id}}/review"): Recipe(ids={"booking_id": "done_booking_id"}),
    ("PUT", f"{V}/reviews/{{review_id}}/reply"): Recipe({"json": {"reply": "谢谢"}}),
    ("POST", f"{V}/payments/callbacks/sandbox"): Recipe({"json": {"id": "forged", "resource": {}}}),
    ("POST", f"{V}/demands"): Recipe({"json": demand_body()}),
    ("POST", f"{V}/demands/{{demand_id}}/respond"): Recipe({"json": {"quote": QUOTE}}),
    ("POST", f"{V}/uploads/intent"): Recipe({"json": {"purpose": "case_image", "content_type": "image/png"}}),
    ("POST", f"{V}/uploads"): Recipe(_local_upload),
    ("POST", f"{V}/uploads/{{upload_id}}/complete"): Recipe(_complete),
    ("POST", f"{V}/admin/auth/login"): Recipe({"json": {"username": "ops", "password": "ops-password-1"}}),
    ("POST", f"{V}/admin/users/{{user_id}}/status"): Recipe({"json": {"status": "active", "reason": "核实无误"}}),
    ("POST", f"{V}/admin/operators"): Recipe({"json": {"username": "ops2", "password": "ops-password-2",
                                                       "display_name": "运营小李", "role": "support"}}),
    ("PUT", f"{V}/admin/operators/{{operator_id}}"): Recipe({"json": {"display_name": "运营小王"}},
                                                            ids={"operator_id": _the_operator}),
    ("GET", f"{V}/admin/backups/{{backup_id}}"): Recipe(ids={"backup_id": _backup}),
    ("GET", f"{V}/admin/backups/{{backup_id}}/download"): Recipe(ids={"backup_id": _backup}),
    ("POST", f"{V}/admin/roles"): Recipe({"json": {"code": "matrix", "name": "矩阵角色", "permissions": []}}),
    ("PUT", f"{V}/admin/roles/{{role_id}}"): Recipe({"json": {"name": "客服", "permissions": ["admin:order:list"]}},
                                                    ids={"role_id": _support_role}),
    ("DELETE", f"{V}/admin/roles/{{role_id}}"): Recipe(ids={"role_id": _support_role}, fresh={"role_id": _new_role}),
    ("PUT", f"{V}/admin/settings"): Recipe({"json": {"key": "booking.require_verification", "value": True}}),
    ("GET", f"{V}/admin/settings/{{key}}/history"): Recipe(ids={"key": _rule_key}),
    ("GET", f"{V}/admin/settlements/{{booking_id}}"): Recipe(ids={"booking_id": _settlement}),
    ("POST", f"{V}/admin/settlements/{{booking_id}}/approve"): Recipe({"json": {}}, ids={"booking_id": _settlement}),
    ("POST", f"{V}/admin/settlements/{{booking_id}}/reject"): Recipe({"json": {"reason": "核实中"}},
                                                                    ids={"booking_id": _settlement}),
    ("POST", f"{V}/admin/settlements/{{booking_id}}/retry"): Recipe({"json": {}}, ids={"booking_id": _settlement}),
    ("GET", f"{V}/admin/disputes/{{booking_id}}"): Recipe(ids={"booking_id": _disputed}),
    ("POST", f"{V}/admin/bookings/{{booking_id}}/actions/{{action}}"): Recipe(
        {"json": {"resolution": "release"}}, ids={"action": _intervention}),
    ("POST", f"{V}/admin/demands/{{demand_id}}/review"): Recipe({"json": {"status": "approved"}}),
    ("POST", f"{V}/admin/profile-reviews/{{artist_id}}/reject"): Recipe({"json": {"reason": "照片不清晰"}}),
    ("POST", f"{V}/admin/payouts/bank-batches/{{batch_id}}/lines/{{line_id}}/result"): Recipe(
        {"json": {"status": "paid"}}, ids={"batch_id": _no_batch, "line_id": _no_batch}),
    ("GET", f"{V}/admin/payouts/bank-batches/{{batch_id}}"): Recipe(ids={"batch_id": _no_batch}),
    ("POST", f"{V}/admin/payouts/bank-batches/{{batch_id}}/results"): Recipe(
        {"files": {"file": ("结果.xlsx", b"PK", "application/octet-stream")}}, ids={"batch_id": _no_batch}),
    ("GET", f"{V}/admin/payouts/bank-batches/{{batch_id}}/file"): Recipe(ids={"batch_id": _no_batch}),
    ("POST", f"{V}/admin/reconciliation/differences/{{difference_id}}/resolve"): Recipe(
        {"json": {"note": "已与渠道核实"}}, ids={"difference_id": _difference}),
    ("POST", f"{V}/admin/reconciliation/runs"): Recipe(
        {"json": {"day": (utc_now().astimezone(SHANGHAI).date() - timedelta(days=2)).isoformat()}}),
    ("POST", f"{V}/admin/tags"): Recipe({"json": {"name": "新标签"}}),
    ("PATCH", f"{V}/admin/tags/{{tag_id}}"): Recipe({"json": {"name": "改名标签"}}),
    ("DELETE", f"{V}/admin/tags/{{tag_id}}"): Recipe(fresh={"tag_id": World.new_tag}),
    ("POST", f"{V}/admin/qualifications/{{qualification_id}}/reject"): Recipe({"json": {"reason": "不清晰"}}),
    ("POST", f"{V}/admin/cases/{{case_id}}/reject"): Recipe({"json": {"reason": "不清晰"}}),
    ("POST", f"{V}/admin/reviews/{{review_id}}/hide"): Recipe({"json": {"reason": "含广告"}}),
    # 帮助中心 and 投诉与反馈
    ("GET", f"{V}/help/articles/{{article_id}}"): Recipe(ids={"article_id": _article}),
    ("PUT", f"{V}/admin/help/articles/{{article_id}}"): Recipe(
        {"json": {"category": "payment", "title": "改过的标题", "body": "正文"}}, ids={"article_id": _article}),
    ("DELETE", f"{V}/admin/help/articles/{{article_id}}"): Recipe(ids={"article_id": _article},
                                                                  fresh={"article_id": _new_article}),
    ("POST", f"{V}/admin/help/articles"): Recipe({"json": {"category": "account", "title": "实名", "body": "正文"}}),
    ("POST", f"{V}/complaints"): Recipe(_complaint_body),
    ("GET", f"{V}/complaints/{{complaint_id}}"): Recipe(ids={"complaint_id": _complaint}),
    ("POST", f"{V}/complaints/{{complaint_id}}/replies"): Recipe({"json": {"body": "补充：有录像"}},
                                                                 ids={"complaint_id": _complaint}),
    ("GET", f"{V}/admin/complaints/{{complaint_id}}"): Recipe(ids={"complaint_id": _complaint}),
    ("POST", f"{V}/admin/complaints/{{complaint_id}}/assign"): Recipe(_assign_body, ids={"complaint_id": _complaint}),
    ("POST", f"{V}/admin/complaints/{{complaint_id}}/replies"): Recipe({"json": {"body": "已收到，正在核实"}},
                                                                       ids={"complaint_id": _complaint}),
    ("POST", f"{V}/admin/complaints/{{complaint_id}}/resolve"): Recipe(
        {"json": {"status": "resolved", "result": "已提醒艺人守时"}}, ids={"complaint_id": _complaint}),
    ("POST", f"{V}/contracts/verify"): Recipe({"files": {"file": ("c.pdf", pdf_bytes(), "application/pdf")}}),
    ("POST", f"{V}/admin/contract-templates"): Recipe({"json": {
        "title": "演出服务合同", "body": "甲方：${client_name}\n乙方：${artist_name}\n费用：${fee}元，按规则履行。"}}),
    ("GET", f"{V}/admin/contract-templates/{{template_id}}"): Recipe(ids={"template_id": _template_id}),
    # 首页推荐, banners and 公告
    ("POST", f"{V}/admin/homepage/banner-images"): Recipe(
        {"files": {"file": ("b.png", image_bytes("PNG", (75, 30)), "image/png")}}),
    ("PUT", f"{V}/admin/homepage/banners/order"): Recipe(_banner_order),
    ("PUT", f"{V}/admin/homepage/banners/{{banner_id}}"): Recipe(_banner_edit, ids={"banner_id": _banner}),
    ("DELETE", f"{V}/admin/homepage/banners/{{banner_id}}"): Recipe(ids={"banner_id": _banner},
                                                                     fresh={"banner_id": _new_banner}),
    ("PUT", f"{V}/admin/announcements/{{announcement_id}}"): Recipe({"json": {"title": "改过的公告", "body": "正文"}},
                                                                    ids={"announcement_id": _announcement}),
    ("DELETE", f"{V}/admin/announcements/{{announcement_id}}"): Recipe(
        ids={"announcement_id": _announcement}, fresh={"announcement_id": _new_announcement}),
}


def _phase(route: Route) -> int:
    method, path = route
    if path.endswith("/auth/logout"):
        return 3
    if method == "DELETE" or path.endswith(("/close", "/reject", "/hide")):
        return 2
    return 0 if method == "GET" else 1


# --- reading the app


def spec_routes(app: Any) -> dict[Route, dict]:
    """Every /api/v1 operation of the OpenAPI document, with its operation object."""
    spec = app.openapi()
    return {(method.upper(), path): op for path, ops in spec["paths"].items() if path.startswith(V1)
            for method, op in ops.items()}


def _placeholder_body(spec: dict, op: dict) -> dict[str, Any] | None:
    """Required fields of the JSON body filled with placeholders: enough for routes that refuse before reading."""
    content = op.get("requestBody", {}).get("content", {})
    if not content:
        return None
    schema = next(iter(content.values())).get("schema", {})
    ref = schema.get("$ref", "").rsplit("/", 1)[-1]
    schema = spec["components"]["schemas"].get(ref, schema)
    samples = {"string": "x", "integer": 1, "number": 1, "boolean": False, "array": [], "object": {}}
    body = {name: samples.get(schema["properties"].get(name, {}).get("type", "string"), "x")
            for name in schema.get("required", [])}
    return {"files": {"file": ("x.bin", b"x")}} if "multipart/form-data" in content else {"json": body}


# --- judging


def refused(actor: Actor, status: int) -> bool:
    return status == 401 if actor == ANON else status in (403, 404)


def passed(status: int) -> bool:
    """Past authorisation: not refused, and no server error."""
    return status < 500 and status not in (401, 403, 404)


def judge(rule: Rule, actor: Actor, status: int) -> str | None:
    if status >= 500:
        return "a server error"
    if rule.signed:
        return None if status in (401, 403, 404) else "refused without a signature"
    if actor in rule.allowed:
        return None if passed(status) else "allowed"
    return None if refused(actor, status) else ("401" if actor == ANON else "403 or 404")


# --- the tests


def test_every_route_is_declared(api: httpx.AsyncClient) -> None:
    routes = set(spec_routes(api._transport.app))  # type: ignore[attr-defined]
    undeclared = sorted(r for r in routes if rule_for(r) is None)
    stale = sorted(set(MATRIX) - routes)
    stale_recipes = sorted(set(RECIPES) - routes)
    assert not undeclared, ("routes without a line in tests/api/authz_matrix.py (declare who may call them): "
                            + ", ".join(f"{m} {p}" for m, p in undeclared))
    assert not stale, "declared routes the app no longer has: " + ", ".join(f"{m} {p}" for m, p in stale)
    assert not stale_recipes, "recipes for routes the app no longer has: " + ", ".join(
        f"{m} {p}" for m, p in stale_recipes)


TEAM_FEATURE = (f"{V}/me/artist/profile", f"{V}/me/artist/cases", f"{V}/me/artist/qualifications", f"{V}/calendar/me")


def must_refuse(route: Route) -> set[Actor]:
    """The rules no declaration may break, whatever a route does."""
    method, path = route
    rule = rule_for(route)
    assert rule is not None
    out: set[Actor] = set()
    if rule.signed:
        return set(Actor)  # no login stands in for the signature
    if rule != PUBLIC:
        out.add(ANON)  # anonymous callers get 401 on every authenticated route
    if path.startswith(f"{V}/admin/") and path != f"{V}/admin/auth/login":
        out |= set(Actor) - {OPERATOR}  # the console refuses every non-operator
    if any(f"{{{p}}}" in path for p in ("booking_id", "inquiry_id", "upload_id", "order_id")) or (
            "{demand_id}" in path and not path.startswith(f"{V}/favorites/")):
        out.add(CLIENT_B)  # a client never sees or acts on another client's booking, inquiry, demand, upload, payment
    if path.startswith((f"{V}/me/artist/", f"{V}/calendar/me")):
        out.add(ARTIST_B)  # an artist never acts on another artist's profile, cases, qualifications, calendar
        if not path.startswith(TEAM_FEATURE) or path.endswith("/privacy"):
            out.add(MEMBER)  # a member acts for the artist only where the team feature allows
    if path.startswith((f"{V}/bookings", f"{V}/inquiries", f"{V}/reviews")):
        out.add(MEMBER)  # bookings and reviews are never the team's
    return out


def test_declarations_keep_the_rules() -> None:
    broken = [f"{m} {p}: declared allowed for {a}" for (m, p) in MATRIX for a in sorted(must_refuse((m, p)))
              if a in MATRIX[(m, p)].allowed]  # console routes without a line are OPERATOR_ONLY by rule_for
    assert not broken, "\n".join(broken)


async def test_authorisation_matrix(api_with_temporal: httpx.AsyncClient, db: Session, ctx: AppContext) -> None:
    api = api_with_temporal
    world = await build_world(api, db, ctx)
    await _another_artist_by_id(world)
    app = api._transport.app  # type: ignore[attr-defined]
    spec = app.openapi()
    routes = spec_routes(app)
    todo = sorted((r for r in routes if rule_for(r) is not None), key=lambda r: (_phase(r), r[1], r[0]))
    violations: list[str] = []
    seen: dict[tuple[Route, Actor], int] = {}
    audited = 0
    for route in todo:
        method, template = route
        rule, recipe = rule_for(route), RECIPES.get(route, Recipe())
        assert rule is not None
        order = sorted(Actor, key=lambda a: (a in rule.allowed, ORDER.index(a)))
        for actor in order:
            path = template
            for name in [p["name"] for p in routes[route].get("parameters", []) if p["in"] == "path"]:
                source = recipe.ids.get(name, name)
                if name in recipe.fresh and actor in rule.allowed:
                    value = await recipe.fresh[name](world)
                else:
                    value = await source(world, actor) if callable(source) else world.ids[source]
                path = path.replace(f"{{{name}}}", str(value))
            kwargs = recipe.kwargs
            if callable(kwargs):
                kwargs = await kwargs(world, actor)
            elif kwargs is None:
                kwargs = _placeholder_body(spec, routes[route]) or {}
            rows_before = _audit_rows(db, route) if _audited(route) and actor == OPERATOR else 0
            try:
                res = await api.request(method, path, headers=world.headers(actor), **kwargs)
            except Exception as exc:  # the app raised (a 500 in production): report it with the rest
                seen[(route, actor)] = 500
                violations.append(f"{method} {template} as {actor}: raised {exc!r}")
                continue
            seen[(route, actor)] = res.status_code
            wrong = judge(rule, actor, res.status_code)
            if wrong:
                violations.append(f"{method} {template} as {actor}: expected {wrong}, got {res.status_code} "
                                  f"{res.text[:160]}")
            if _audited(route) and actor == OPERATOR and 200 <= res.status_code < 300:
                audited += 1
                if (added := _audit_rows(db, route) - rows_before) != 1:  # one row per console write (domain.audit)
                    violations.append(f"{method} {template}: {added} audit rows for one write")
    assert not violations, f"{len(violations)} answers differ from tests/api/authz_matrix.py:\n" + "\n".join(
        violations)
    assert audited > 20  # the console's writes were exercised

    # The must-hold rules, checked on what the app answered (not only on what is declared).
    for route in todo:
        for actor in must_refuse(route):
            status = seen[(route, actor)]
            signed = (rule_for(route) or PUBLIC).signed
            assert status in (401, 403, 404) if signed else refused(actor, status), (route, actor, status)
    assert len(seen) == len(todo) * len(Actor)


def _audited(route: Route) -> bool:
    method, path = route
    return method != "GET" and path.startswith(f"{V}/admin/") and path != f"{V}/admin/auth/login"


def _audit_rows(db: Session, route: Route) -> int:
    """The audit rows of this console route so far."""
    method, path = route
    db.rollback()  # a fresh snapshot: the app committed in its own session
    return db.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.action == f"{method} {path.removeprefix(V)}")) or 0


async def _another_artist_by_id(w: World) -> None:
    """Without the X-Artist-Id header artist B acts as themself: the artist's case, slot and qualification ids
    are not found, and nothing changes."""
    own = bearer(w.tokens[ARTIST_B])
    window = {"start": f"{NEXT_YEAR}-06-01", "end": f"{NEXT_YEAR}-06-30"}

    async def state() -> tuple[list, list]:  # file links carry a fresh expiry: compare the rest
        cases = [(c["id"], c["title"], c["updated_at"]) for c in await w.ok(ARTIST, "GET", "/me/artist/cases")]
        return cases, (await w.ok(ARTIST, "GET", "/calendar/me", params=window))["slots"]

    before = await state()
    assert all(before)
    for method, path, body in [
        ("PATCH", f"/me/artist/cases/{w.ids['case_id']}", {"title": "改"}),
        ("DELETE", f"/me/artist/cases/{w.ids['case_id']}", None),
        ("DELETE", f"/calendar/me/slots/{w.ids['slot_id']}", None),
        ("GET", f"/me/artist/qualifications/{w.ids['qualification_id']}/url", None),
        ("PUT", "/me/artist/cases/order", {"ids": [w.ids["case_id"]]}),
    ]:
        res = await w.api.request(method, f"{V1}{path}", headers=own, json=body)
        assert res.status_code in (404, 422), (method, path, res.text)
    assert await state() == before
