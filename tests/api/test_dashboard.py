"""数据看板: every figure the console's home page shows, checked against rows this test wrote — bookings, their
events and disputes, paid orders, refunds and settlements posted to the ledger by the ledger's own postings — each
dated on a chosen China day, with rows just outside the range that must not count."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from domain.ledger import postings
from domain.models import (
    ArtistManager,
    Booking,
    BookingEvent,
    ClientProfile,
    Dispute,
    Inquiry,
    JournalEntry,
    PaymentOrder,
    Refund,
    User,
)
from domain.time import SHANGHAI, utc_now
from tests.factories import artist_row, insert_booking, paid_order, user_row
from tests.helpers import V1, bearer, operator_token

END = utc_now().astimezone(SHANGHAI).date() - timedelta(days=10)  # "today" of the range under test
D1, D2 = END - timedelta(days=1), END  # the two days inside the last-7-days range that carry data
EARLY, LATE = END - timedelta(days=20), END + timedelta(days=1)  # in the last 30 days only; after the range
RANGE = {"start": (END - timedelta(days=6)).isoformat(), "end": END.isoformat()}


def at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), SHANGHAI)


def _dated(db: Session, model: Any, row_id: Any, day: date, column: str = "created_at", hour: int = 12) -> None:
    db.execute(update(model).where(model.id == row_id).values({column: at(day, hour)}))


def _client(db: Session, day: date, phone: str | None = None) -> int:
    user = user_row(db, phone)
    db.add(ClientProfile(user_id=user.id, org_name="星河科技有限公司", industry="enterprise", contact_name="王经理",
                         contact_phone=user.phone))
    _dated(db, User, user.id, day)
    return user.id


def _artist(db: Session, day: date, types: list[str]) -> int:
    artist_id = artist_row(db, artist_types=types, stage_name=f"艺人{types[0]}")
    _dated(db, User, artist_id, day)
    return artist_id


def _booking(db: Session, client: int, artist: int, *, status: str, created: date, show: date | None = None,
             paid: int = 0, city: str = "上海", event_type: str = "公司年会") -> int:
    start = at(show, 19) if show else None
    bid = insert_booking(db, client, artist, status=status, start=start, fee_amount=1_000_000, paid_amount=paid)
    booking = db.get(Booking, bid)
    assert booking is not None
    db.execute(update(Inquiry).where(Inquiry.id == booking.inquiry_id).values(city=city, event_type=event_type))
    _dated(db, Booking, bid, created)
    _dated(db, Booking, bid, created, "updated_at")  # a final booking without events counts on its last change
    return bid


def _event(db: Session, booking_id: int, to_status: str, day: date) -> None:
    db.add(BookingEvent(booking_id=booking_id, step=f"9{to_status}", action="test", actor_role="system",
                        to_status=to_status, created_at=at(day)))


def _entry(db: Session, entry: JournalEntry | None, day: date) -> None:
    assert entry is not None
    _dated(db, JournalEntry, entry.id, day)


def _paid(db: Session, booking_id: int, kind: str, amount: int, day: date) -> PaymentOrder:
    order = db.get(PaymentOrder, paid_order(db, booking_id, kind, amount))
    assert order is not None
    _entry(db, postings.payment_received(db, order), day)
    return order


def _refunded(db: Session, order: PaymentOrder, amount: int, day: date) -> None:
    refund = Refund(booking_id=order.booking_id, step="refund-cancel", amount=amount, status="succeeded",
                    succeeded_at=at(day))
    db.add(refund)
    db.flush()
    _entry(db, postings.refund_part(db, refund, order, amount), day)


def _settled(db: Session, booking_id: int, artist_id: int, gross: int, day: date) -> None:
    commission = gross // 10
    _entry(db, postings.settlement(db, booking_id, artist_id, gross=gross, commission=commission,
                                   payout=gross - commission), day)


@pytest.fixture
def world(db: Session) -> dict[str, int]:
    """Three artists, a client, an agent and a user with no role; seven bookings across the range's edges; payments
    on three bookings, refunds on two, settlements on two; one dispute."""
    client = _client(db, D1)
    singer = _artist(db, D1, ["singer", "band"])
    magician = _artist(db, D1, ["magician"])
    host = _artist(db, D2, ["host"])
    db.add(ClientProfile(user_id=host, org_name="主持工作室", industry="agency", contact_name="李", contact_phone="1"))
    agent = user_row(db)
    db.add(ArtistManager(artist_id=singer, user_id=agent.id, role="agent"))
    _dated(db, User, agent.id, D2)
    _dated(db, User, user_row(db).id, D2)   # registered, no role chosen yet
    _dated(db, User, user_row(db).id, LATE)  # after the range
    db.commit()

    a = _booking(db, client, singer, status="COMPLETED", created=D1, show=D1, paid=1_000_000)
    b = _booking(db, client, singer, status="DISPUTED", created=D1, show=D2, paid=500_000)
    c = _booking(db, client, magician, status="FULLY_PAID", created=D2, show=D2, paid=400_000, city="北京",
                 event_type="婚礼")
    x = _booking(db, client, magician, status="CANCELLED", created=D2, city="北京")
    w = _booking(db, client, host, status="REQUESTED", created=D2, show=D2, city="杭州", event_type="商场活动")
    y = _booking(db, client, host, status="REJECTED", created=EARLY)
    z = _booking(db, client, host, status="EXPIRED", created=LATE)
    # B was asked in the same inquiry as A: two booking requests, one inquiry.
    db.execute(update(Booking).where(Booking.id == b).values(inquiry_id=db.get(Booking, a).inquiry_id))  # type: ignore[union-attr]
    _event(db, a, "COMPLETED", D2)
    _event(db, b, "DEPOSIT_PAID", D1)
    _event(db, x, "SIGNED", D2)
    _event(db, y, "REJECTED", EARLY)
    db.add(Dispute(booking_id=b, step="9dispute", opened_by_role="client", opened_by_id=client, reason="演出缩水",
                   from_status="DEPOSIT_PAID"))

    a_deposit = _paid(db, a, "deposit", 300_000, D1)
    _paid(db, a, "balance", 700_000, D2)
    b_deposit = _paid(db, b, "deposit", 500_000, D2)
    _paid(db, c, "deposit", 400_000, EARLY)
    _paid(db, c, "balance", 600_000, LATE)
    _refunded(db, a_deposit, 100_000, D2)
    _refunded(db, b_deposit, 200_000, D2)
    _settled(db, a, singer, 900_000, D2)   # commission 90 000
    _settled(db, c, magician, 400_000, D1)  # commission 40 000
    db.commit()
    return {"client": client, "singer": singer, "magician": magician, "host": host, "a": a, "b": b, "c": c, "x": x,
            "w": w, "y": y, "z": z}


async def _get(api: httpx.AsyncClient, token: str, path: str, **params: Any) -> dict[str, Any]:
    res = await api.get(f"{V1}/admin/dashboard/{path}", headers=bearer(token), params={**RANGE, **params})
    assert res.status_code == 200, res.text
    return dict(res.json())


def _figures(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in ("day", "key", "label", "start", "end")}


async def test_headline_figures_for_the_range_today_7_and_30_days_and_each_day(api: httpx.AsyncClient, db: Session,
                                                                               world: dict[str, int]) -> None:
    token = await operator_token(api, db)
    data = await _get(api, token, "overview")
    week = {"paid_amount": 1_500_000, "refunded_amount": 300_000, "gmv_amount": 1_200_000,
            "commission_amount": 130_000, "orders": 5, "final_bookings": 2, "completed_bookings": 1,
            "completion_rate": 0.5, "paid_shows": 3, "disputed_shows": 1, "dispute_rate": 0.3333}
    assert data["totals"] == week
    periods = {p["key"]: p for p in data["periods"]}
    assert (periods["today"]["start"], periods["7d"]["start"], periods["30d"]["start"]) == (
        END.isoformat(), RANGE["start"], (END - timedelta(days=29)).isoformat())
    assert [p["label"] for p in data["periods"]] == ["今日", "近7天", "近30天"]
    assert _figures(periods["7d"]) == week
    assert _figures(periods["today"]) == {
        "paid_amount": 1_200_000, "refunded_amount": 300_000, "gmv_amount": 900_000, "commission_amount": 90_000,
        "orders": 3, "final_bookings": 2, "completed_bookings": 1, "completion_rate": 0.5, "paid_shows": 2,
        "disputed_shows": 1, "dispute_rate": 0.5}
    # The last 30 days add the deposit of C, the booking Y created and rejected then; never what came after `end`.
    assert _figures(periods["30d"]) == {**week, "paid_amount": 1_900_000, "gmv_amount": 1_600_000, "orders": 6,
                                        "final_bookings": 3, "completion_rate": 0.3333}
    days = {d["day"]: d for d in data["daily"]}
    assert list(days) == [(END - timedelta(days=6 - i)).isoformat() for i in range(7)]
    assert (days[D1.isoformat()]["paid_amount"], days[D1.isoformat()]["commission_amount"],
            days[D1.isoformat()]["orders"], days[D1.isoformat()]["final_bookings"]) == (300_000, 40_000, 2, 0)
    assert _figures(days[D2.isoformat()]) == _figures(periods["today"])
    quiet = [d for d in data["daily"] if d["day"] not in (D1.isoformat(), D2.isoformat())]
    assert all(v == 0 for d in quiet for v in _figures(d).values())
    # The sum of the days is the range.
    for name in ("paid_amount", "refunded_amount", "gmv_amount", "commission_amount", "orders"):
        assert sum(d[name] for d in data["daily"]) == week[name]


async def test_funnel_counts_how_far_each_booking_of_the_range_got(api: httpx.AsyncClient, db: Session,
                                                                    world: dict[str, int]) -> None:
    token = await operator_token(api, db)
    data = await _get(api, token, "funnel")
    # A completed; B reached DEPOSIT_PAID before its dispute; C is FULLY_PAID; X was SIGNED before it was cancelled;
    # W was only asked. Y (before the range) and Z (after it) are not in the cohort.
    assert [(s["label"], s["count"], s["rate"]) for s in data["steps"]] == [
        ("预约", 5, 1.0), ("签约", 4, 0.8), ("支付", 3, 0.6), ("演出", 1, 0.2), ("结算", 1, 0.2)]


async def test_demand_by_artist_type_city_and_event_type(api: httpx.AsyncClient, db: Session,
                                                         world: dict[str, int]) -> None:
    token = await operator_token(api, db)
    data = await _get(api, token, "demand")

    def table(items: list[dict[str, Any]]) -> dict[str, tuple[str, int, int]]:
        return {i["key"]: (i["label"], i["bookings"], i["inquiries"]) for i in items}

    assert table(data["by_artist_type"]) == {"singer": ("歌手", 2, 1), "band": ("乐队", 2, 1),
                                             "magician": ("魔术师", 2, 2), "host": ("主持人", 1, 1)}
    assert table(data["by_city"]) == {"上海": ("上海", 2, 1), "北京": ("北京", 2, 2), "杭州": ("杭州", 1, 1)}
    assert table(data["by_event_type"]) == {"公司年会": ("公司年会", 3, 2), "婚礼": ("婚礼", 1, 1),
                                            "商场活动": ("商场活动", 1, 1)}
    assert [i["bookings"] for i in data["by_event_type"]] == [3, 1, 1]  # most requested first


async def test_top_artists_by_gmv_then_requests(api: httpx.AsyncClient, db: Session, world: dict[str, int]) -> None:
    token = await operator_token(api, db)
    items = (await _get(api, token, "top-artists"))["items"]
    # The singer: A paid 300 000 + 700 000 − 100 000, B 500 000 − 200 000. The magician's money came before the
    # range (C's deposit) or after it (C's balance).
    assert [(i["artist_id"], i["stage_name"], i["gmv_amount"], i["bookings"], i["completed"]) for i in items] == [
        (world["singer"], "艺人singer", 1_200_000, 2, 1), (world["magician"], "艺人magician", 0, 2, 0),
        (world["host"], "艺人host", 0, 1, 0)]
    assert [i["artist_id"] for i in (await _get(api, token, "top-artists", limit=2))["items"]] == [
        world["singer"], world["magician"]]


async def test_new_users_by_role(api: httpx.AsyncClient, db: Session, world: dict[str, int]) -> None:
    token = await operator_token(api, db)
    data = await _get(api, token, "new-users")
    assert data["total"] == 6
    assert [(r["label"], r["count"]) for r in data["by_role"]] == [
        ("需求方", 2), ("艺人", 3), ("经纪团队", 1), ("未选身份", 1)]
    days = {d["day"]: d for d in data["daily"]}
    assert days[D1.isoformat()] == {"day": D1.isoformat(), "client": 1, "artist": 2, "agent": 0, "none": 0}
    assert days[D2.isoformat()] == {"day": D2.isoformat(), "client": 1, "artist": 1, "agent": 1, "none": 1}
    assert sum(d["client"] + d["artist"] + d["agent"] + d["none"] for d in data["daily"]) == 7


async def test_an_empty_range_answers_zeros(api: httpx.AsyncClient, db: Session, world: dict[str, int]) -> None:
    token = await operator_token(api, db)
    empty = {"start": "2001-01-01", "end": "2001-01-31"}
    overview = await _get(api, token, "overview", **empty)
    assert all(v == 0 for v in overview["totals"].values())
    assert all(v == 0 for p in overview["periods"] for v in _figures(p).values())
    assert len(overview["daily"]) == 31 and all(v == 0 for d in overview["daily"] for v in _figures(d).values())
    funnel = await _get(api, token, "funnel", **empty)
    assert [(s["count"], s["rate"]) for s in funnel["steps"]] == [(0, 0.0)] * 5
    demand = await _get(api, token, "demand", **empty)
    assert demand["by_artist_type"] == demand["by_city"] == demand["by_event_type"] == []
    assert (await _get(api, token, "top-artists", **empty))["items"] == []
    users = await _get(api, token, "new-users", **empty)
    assert users["total"] == 0 and all(r["count"] == 0 for r in users["by_role"])


async def test_default_range_is_the_30_days_ending_today(api: httpx.AsyncClient, db: Session) -> None:
    token = await operator_token(api, db)
    res = await api.get(f"{V1}/admin/dashboard/overview", headers=bearer(token))
    assert res.status_code == 200, res.text
    today = utc_now().astimezone(SHANGHAI).date()
    assert (res.json()["start"], res.json()["end"]) == ((today - timedelta(days=29)).isoformat(), today.isoformat())


@pytest.mark.parametrize(("params", "code", "message"), [
    ({"start": "2026-03-02", "end": "2026-03-01"}, "date_range_invalid", "起始日期不能晚于截止日期"),
    ({"start": "2024-01-01", "end": "2025-01-01"}, "date_range_too_long", "日期范围不能超过366天"),
    ({"start": "2026-13-01"}, "validation_error", None),
    ({"end": "1999-12-31"}, "validation_error", None),
])
async def test_bad_ranges_are_refused_in_chinese(api: httpx.AsyncClient, db: Session, params: dict[str, str],
                                                 code: str, message: str | None) -> None:
    token = await operator_token(api, db)
    for path in ("overview", "funnel", "demand", "top-artists", "new-users"):
        res = await api.get(f"{V1}/admin/dashboard/{path}", headers=bearer(token), params=params)
        assert res.status_code == 422, res.text
        assert res.json()["code"] == code
        if message:
            assert res.json()["message"] == message
