"""Things tests need in place before the step they test: ids, verified accounts, uploads, signature images and
bookings written straight to the tables. Logging in and registering roles live in tests/helpers.py."""

from __future__ import annotations

import base64
import io
from datetime import datetime, timedelta

import httpx
from PIL import Image, ImageDraw
from sqlalchemy import update
from sqlalchemy.orm import Session

from domain.models import Booking, Inquiry, User
from domain.time import utc_now
from tests.helpers import V1, bearer
from tests.storage.conftest import MP4_HEAD, image_bytes


async def user_id(api: httpx.AsyncClient, token: str) -> int:
    """The id of the account behind `token` (an artist's id is their artist id)."""
    return int((await api.get(f"{V1}/me", headers=bearer(token))).json()["id"])


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


def insert_booking(db: Session, client_id: int, artist_id: int, *, status: str = "REQUESTED",
                   start: datetime | None = None, end: datetime | None = None, fee_amount: int | None = None,
                   deposit_amount: int | None = None, balance_amount: int | None = None, paid_amount: int = 0) -> int:
    """An inquiry and its one booking written straight to the tables, in `status`: no workflow runs for it.
    For the states a test needs without walking the flow through the API."""
    start = start or utc_now() + timedelta(days=30)
    end = end or start + timedelta(hours=2)
    inquiry = Inquiry(client_id=client_id, event_type="公司年会", start_at=start, end_at=end, city="上海",
                      venue_address="浦东新区世纪大道1号", duration_minutes=int((end - start).total_seconds() // 60),
                      audience_size=200, budget_amount=fee_amount or 1_000_000, contact_name="王经理",
                      contact_phone="13800000001")
    db.add(inquiry)
    db.flush()
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
