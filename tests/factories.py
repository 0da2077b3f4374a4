"""Things tests need in place before the step they test: request bodies (inquiry, demand, profile draft, case), ids,
verified accounts, uploads, signature images, and accounts and bookings written straight to the tables. Logging in,
registering roles and joining a team live in tests/helpers.py."""

from __future__ import annotations

import base64
import io
import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
from PIL import Image, ImageDraw
from sqlalchemy import update
from sqlalchemy.orm import Session

from domain.models import ArtistProfile, Booking, Inquiry, PaymentOrder, User
from domain.time import utc_now
from tests.helpers import V1, bearer, register_artist, register_client
from tests.storage.conftest import MP4_HEAD, image_bytes

# --- request bodies: JSON-ready dicts; keyword arguments replace (or add) fields

# What a client fills in for an inquiry besides the artists and the times; the workflow tests' pydantic InquiryIn
# (tests/workflows/booking_helpers.py) and the raw rows of insert_booking start from the same values.
INQUIRY: dict[str, Any] = {
    "event_type": "公司年会", "city": "上海", "venue_address": "浦东新区世纪大道1号", "audience_size": 500,
    "requirements": "开场两首歌", "budget_amount": 3_000_000, "contact_name": "王经理", "contact_phone": "13800000001"}


def inquiry_body(artist_ids: list[int], *, days: float = 40, hours: float = 3, start: datetime | None = None,
                 **over: Any) -> dict[str, Any]:
    """An inquiry as POST /inquiries takes it: the show `days` ahead (or at `start`), lasting `hours`."""
    start = start or utc_now() + timedelta(days=days)
    return {"artist_ids": artist_ids, **INQUIRY, "start_at": start.isoformat(),
            "end_at": (start + timedelta(hours=hours)).isoformat(), **over}


def demand_body(days: float = 30, **over: Any) -> dict[str, Any]:
    """A demand post as POST /demands takes it: a three-hour show `days` ahead; the description carries a phone
    number, as clients type them."""
    start = utc_now() + timedelta(days=days)
    return {"event_type": "公司年会", "start_at": start.isoformat(), "end_at": (start + timedelta(hours=3)).isoformat(),
            "city": "上海", "budget_min_amount": 500_000, "budget_max_amount": 2_000_000, "artist_types": ["singer"],
            "description": "年会开场，两首流行歌曲。联系13800000001", **over}


def profile_draft(**over: Any) -> dict[str, Any]:
    """An artist's profile draft as PUT /me/artist/profile takes it, every section filled in; the bio carries a
    phone number and a WeChat id as artists type them."""
    return {
        "stage_name": "林晚晴Live", "artist_types": ["singer", "band"], "styles": ["流行", "爵士"], "city": "上海",
        "regions": ["上海", "杭州", "苏州"], "active_since_year": 2015,
        "bio": "十年驻唱经验。商务合作 138 1234 5678，微信：linwq_2015",
        "works": ["《夜上海》翻唱", "2023 上海爵士音乐节"],
        "team": [{"name": "阿杰", "role": "吉他手"}, {"name": "小米", "role": "鼓手"}],
        "prices": [{"title": "标准演出", "duration_minutes": 60, "min_amount": 800_000},
                   {"title": "婚礼全场", "duration_minutes": 180, "min_amount": 1_500_000, "max_amount": 2_500_000,
                    "negotiable": True}],
        "travel_terms": "江浙沪免差旅费，其他城市需报销往返高铁二等座及住宿",
        **over}


def case_body(media: list[str], **over: Any) -> dict[str, Any]:
    """A performance case as POST /me/artist/cases takes it, showing the uploads in `media`."""
    return {"title": "星河科技年会开场", "event_type": "公司年会", "performed_on": "2025-12-20",
            "description": "两千人年会，演唱三首歌曲。", "media": media, **over}


# --- through the API


async def user_id(api: httpx.AsyncClient, token: str) -> int:
    """The id of the account behind `token` (an artist's id is their artist id)."""
    return int((await api.get(f"{V1}/me", headers=bearer(token))).json()["id"])


async def verified_pair(api: httpx.AsyncClient, db: Session, client_phone: str,
                        artist_phone: str) -> tuple[str, str, int]:
    """A client and an artist registered through the API and real-name verified, as a booking needs them:
    (client token, artist token, artist id)."""
    client = await register_client(api, client_phone)
    artist = await register_artist(api, artist_phone)
    verify_phones(db, client_phone, artist_phone)
    return client, artist, await user_id(api, artist)


def verify_phones(db: Session, *phones: str) -> None:
    """Mark these accounts real-name verified, as the booking rules require, without the verification flow."""
    db.execute(update(User).where(User.phone.in_(phones)).values(verification_status="verified"))
    db.commit()


async def upload(api: httpx.AsyncClient, token: str, purpose: str = "case_image", content_type: str = "image/png",
                 data: bytes | None = None) -> str:
    """Upload a file through the API (intent, then the upload); returns the upload id. Without `data`: a
    320x180 PNG, or the head of an MP4 for video/mp4."""
    intent = await api.post(f"{V1}/uploads/intent", headers=bearer(token),
                            json={"purpose": purpose, "content_type": content_type})
    assert intent.status_code == 200, intent.text
    body = intent.json()
    if data is None:
        data = MP4_HEAD + b"\x00" * 100 if content_type == "video/mp4" else image_bytes("PNG", (320, 180))
    up = await api.post(body["url"], headers=bearer(token), data=body["fields"],
                        files={body["file_field"]: ("f", data, content_type)})
    assert up.status_code == 200, up.text
    return str(up.json()["upload_id"])


def signature_png() -> str:
    """A handwritten-looking signature: a real PNG with alpha, base64."""
    img = Image.new("RGBA", (240, 90), (0, 0, 0, 0))
    ImageDraw.Draw(img).line([(10, 60), (80, 20), (150, 70), (230, 30)], fill=(20, 20, 20, 255), width=4)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return base64.b64encode(buf.getvalue()).decode()


# --- rows written straight to the tables (flushed, not committed, unless said)


def user_row(db: Session, phone: str | None = None, **fields: Any) -> User:
    """An account with no role yet (a random 139 number unless `phone`)."""
    user = User(phone=phone or f"139{uuid.uuid4().int % 10**8:08d}", **fields)
    db.add(user)
    db.flush()
    return user


def artist_row(db: Session, phone: str | None = None, *, user: dict[str, Any] | None = None,
               **profile: Any) -> int:
    """An artist account with its published (approved) profile (a singer in 北京 unless `profile` says otherwise;
    approved_at=None for one still in 入驻审核); `user` sets account fields such as status or verification_status.
    Returns the artist id."""
    account = user_row(db, phone, **(user or {}))
    db.add(ArtistProfile(**{"user_id": account.id, "stage_name": "林晚晴", "artist_types": ["singer"], "city": "北京",
                            "contact_phone": account.phone, "approved_at": utc_now(), **profile}))
    db.flush()
    return account.id


def inquiry_row(db: Session, client_id: int, start: datetime, end: datetime, **over: Any) -> Inquiry:
    """An inquiry written straight to the table, with no booking yet."""
    fields = {**INQUIRY, "duration_minutes": int((end - start).total_seconds() // 60), **over}
    inquiry = Inquiry(client_id=client_id, start_at=start, end_at=end, **fields)
    db.add(inquiry)
    db.flush()
    return inquiry


def insert_booking(db: Session, client_id: int, artist_id: int, *, status: str = "REQUESTED",
                   start: datetime | None = None, end: datetime | None = None, fee_amount: int | None = None,
                   deposit_amount: int | None = None, balance_amount: int | None = None, paid_amount: int = 0) -> int:
    """An inquiry and its one booking written straight to the tables, in `status`: no workflow runs for it.
    For the states a test needs without walking the flow through the API."""
    start = start or utc_now() + timedelta(days=30)
    end = end or start + timedelta(hours=2)
    inquiry = inquiry_row(db, client_id, start, end, budget_amount=fee_amount or 1_000_000)
    booking = Booking(inquiry_id=inquiry.id, client_id=client_id, artist_id=artist_id, status=status,
                      start_at=start, end_at=end, fee_amount=fee_amount, deposit_amount=deposit_amount,
                      balance_amount=balance_amount, commission_rate_bp=1000, paid_amount=paid_amount)
    db.add(booking)
    db.commit()
    return booking.id


def completed_booking(db: Session, client_id: int, artist_id: int, status: str = "COMPLETED") -> int:
    """A booking whose show was ten days ago, paid in full when COMPLETED: what a review needs."""
    return insert_booking(db, client_id, artist_id, status=status, start=utc_now() - timedelta(days=10),
                          fee_amount=1_000_000, paid_amount=1_000_000 if status == "COMPLETED" else 0)


def paid_order(db: Session, booking_id: int, kind: str = "deposit", amount: int = 300_000,
               gateway: str = "sandbox") -> str:
    """A payment order of `booking_id` written straight to the table as paid (no gateway callback)."""
    order = PaymentOrder(id=f"P{booking_id:08d}{kind[:3]}", booking_id=booking_id, kind=kind, amount=amount,
                         gateway=gateway, status="paid", gateway_txn_id=f"TXN{booking_id}{kind}", paid_at=utc_now())
    db.add(order)
    db.commit()
    return order.id
