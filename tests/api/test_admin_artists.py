"""Artists in the console: 入驻审核 (a new artist is public only once approved), per-artist statistics for a
period, and the user and artist lists as Excel files with personal data masked by role."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import httpx
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from api.context import AppContext
from domain.accounts.verification import ID_CONTEXT, NAME_CONTEXT
from domain.ledger import accounts
from domain.ledger import service as ledger
from domain.models import Booking, BookingEvent, ClientProfile, RealNameVerification, Review
from tests.factories import (
    artist_row,
    inquiry_body,
    inquiry_row,
    profile_draft,
    user_id,
    user_row,
    verify_phones,
)
from tests.helpers import V1, bearer, operator_token, register_artist, register_client

REVIEWS = f"{V1}/admin/profile-reviews"


async def _hidden(api: httpx.AsyncClient, artist_id: int, name: str, client: str) -> None:
    """Nothing public knows the artist: search, the page, its calendar and reviews, favourites, a booking."""
    assert name not in [a["stage_name"] for a in (await api.get(f"{V1}/artists", params={"q": name})).json()["items"]]
    assert (await api.get(f"{V1}/artists/{artist_id}")).status_code == 404
    assert (await api.get(f"{V1}/artists/{artist_id}/calendar", params={"month": "2030-01"})).status_code == 404
    assert (await api.get(f"{V1}/artists/{artist_id}/reviews")).status_code == 404
    assert (await api.post(f"{V1}/favorites/artists/{artist_id}", headers=bearer(client))).status_code == 404
    booked = await api.post(f"{V1}/inquiries", headers=bearer(client), json=inquiry_body([artist_id]))
    assert (booked.status_code, booked.json()["code"]) == (404, "artist_not_found"), booked.text


async def _queue(api: httpx.AsyncClient, ops: str, kind: str, status: str = "pending") -> list[dict]:
    res = await api.get(REVIEWS, headers=bearer(ops), params={"kind": kind, "status": status})
    assert res.status_code == 200, res.text
    return list(res.json()["items"])


async def test_new_artist_is_public_only_once_approved(api: httpx.AsyncClient, db: Session):
    client = await register_client(api, "13800001201")
    artist = await register_artist(api, "13900001201", name="入驻新星", approve=False)
    artist_id = await user_id(api, artist)
    verify_phones(db, "13800001201", "13900001201")
    ops = await operator_token(api, db)

    mine = (await api.get(f"{V1}/me/artist/profile", headers=bearer(artist))).json()
    assert (mine["status"], mine["listed"], mine["data"]["stage_name"]) == ("pending", False, "入驻新星")
    await _hidden(api, artist_id, "入驻新星", client)

    # The application waits in the onboarding queue, not among edits of public profiles.
    [item] = await _queue(api, ops, "onboarding")
    assert (item["artist_id"], item["onboarding"], item["phone"]) == (artist_id, True, "139****1201")
    assert await _queue(api, ops, "edit") == []

    # The artist completes the profile before the decision: the application goes back to editing, then again.
    saved = await api.put(f"{V1}/me/artist/profile", headers=bearer(artist),
                          json=profile_draft(stage_name="入驻新星", bio="原创唱作歌手"))
    assert saved.status_code == 200 and saved.json()["status"] == "editing"
    assert await _queue(api, ops, "onboarding") == []
    assert (await api.post(f"{V1}/me/artist/profile/submit", headers=bearer(artist))).json()["status"] == "pending"
    [item] = await _queue(api, ops, "onboarding")
    approved = await api.post(f"{REVIEWS}/{artist_id}/approve", headers=bearer(ops),
                              json={"submitted_at": item["submitted_at"]})
    assert approved.status_code == 200, approved.text
    assert (approved.json()["status"], approved.json()["listed"]) == ("approved", True)

    page = await api.get(f"{V1}/artists/{artist_id}")
    assert page.status_code == 200 and page.json()["bio"] == "原创唱作歌手"
    found = (await api.get(f"{V1}/artists", params={"q": "入驻新星"})).json()["items"]
    assert [a["id"] for a in found] == [artist_id]
    assert (await api.post(f"{V1}/favorites/artists/{artist_id}", headers=bearer(client))).status_code == 200
    favourites = (await api.get(f"{V1}/favorites/artists", headers=bearer(client))).json()["items"]
    assert [a["id"] for a in favourites] == [artist_id]
    assert await _queue(api, ops, "onboarding") == []

    # A later edit of the now public profile is an edit, not an application.
    await api.put(f"{V1}/me/artist/profile", headers=bearer(artist), json=profile_draft(stage_name="入驻新星"))
    await api.post(f"{V1}/me/artist/profile/submit", headers=bearer(artist))
    assert [i["artist_id"] for i in await _queue(api, ops, "edit")] == [artist_id]
    assert await _queue(api, ops, "onboarding") == []


async def test_rejected_application_stays_hidden_with_reason(api: httpx.AsyncClient, db: Session):
    client = await register_client(api, "13800001202")
    artist = await register_artist(api, "13900001202", name="待改资料", approve=False)
    artist_id = await user_id(api, artist)
    verify_phones(db, "13800001202", "13900001202")
    ops = await operator_token(api, db)

    rejected = await api.post(f"{REVIEWS}/{artist_id}/reject", headers=bearer(ops),
                              json={"reason": "请补充艺人简介和报价"})
    assert rejected.status_code == 200, rejected.text
    mine = (await api.get(f"{V1}/me/artist/profile", headers=bearer(artist))).json()
    assert (mine["status"], mine["review_reason"], mine["listed"]) == ("rejected", "请补充艺人简介和报价", False)
    await _hidden(api, artist_id, "待改资料", client)
    assert [i["artist_id"] for i in await _queue(api, ops, "onboarding", "rejected")] == [artist_id]

    # Edited and submitted again, it is back in the onboarding queue.
    await api.put(f"{V1}/me/artist/profile", headers=bearer(artist), json=profile_draft(stage_name="待改资料"))
    assert (await api.post(f"{V1}/me/artist/profile/submit", headers=bearer(artist))).status_code == 200
    assert [i["artist_id"] for i in await _queue(api, ops, "onboarding")] == [artist_id]
    # The console's artist list shows it as not public.
    listed = (await api.get(f"{V1}/admin/artists", headers=bearer(ops), params={"listed": "pending"})).json()
    assert [(a["id"], a["listed"]) for a in listed["items"]] == [(artist_id, False)]


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _booking(db: Session, client_id: int, artist_id: int, status: str, created: str, start: str,
             fee: int | None = None, answered: str | None = None) -> int:
    """A booking row in `status`, created at `created` (UTC), shown at `start` (UTC); `answered`: the status the
    artist's answer to the request moved it to (CONFIRMED / REJECTED / EXPIRED), as the projection records it."""
    booking = Booking(inquiry_id=_inquiry(db, client_id, _at(start)), client_id=client_id, artist_id=artist_id,
                      status=status, start_at=_at(start), end_at=_at(start).replace(hour=23), fee_amount=fee,
                      commission_rate_bp=1000, created_at=_at(created))
    db.add(booking)
    db.flush()
    if answered:
        db.add(BookingEvent(booking_id=booking.id, step="answer", action="confirm", actor_role="artist",
                            from_status="REQUESTED", to_status=answered))
    return booking.id


def _inquiry(db: Session, client_id: int, start: datetime) -> int:
    return inquiry_row(db, client_id, start, start.replace(hour=23)).id


def _review(db: Session, booking_id: int, client_id: int, artist_id: int, scores: tuple[int, int, int],
            created: str) -> None:
    db.add(Review(booking_id=booking_id, client_id=client_id, artist_id=artist_id, effect_score=scores[0],
                  attitude_score=scores[1], punctuality_score=scores[2], created_at=_at(created)))


def _figures(db: Session) -> dict[str, int]:
    """Three artists and a client; October 2026 (China time) is the period the tests ask about."""
    client = user_row(db, "13800001210").id
    a = artist_row(db, "13900001210", stage_name="统计甲", city="北京")
    b = artist_row(db, "13900001211", stage_name="统计乙", city="北京")
    c = artist_row(db, "13900001212", stage_name="统计丙", city="上海", approved_at=None)
    # 甲: four requests in October (one at 01:00 on 1 October in China, still 30 September in UTC), one cancelled,
    # three answered of four; two shows in October (one requested in September) for ¥15,000 (¥13,000 net).
    b1 = _booking(db, client, a, "COMPLETED", "2026-10-05 02:00", "2026-10-20 10:00", 1_000_000, "CONFIRMED")
    _booking(db, client, a, "CANCELLED", "2026-10-06 02:00", "2026-12-01 10:00", 800_000, "CONFIRMED")
    _booking(db, client, a, "PERFORMED", "2026-10-07 02:00", "2026-11-02 10:00", 700_000, "CONFIRMED")
    _booking(db, client, a, "EXPIRED", "2026-09-30 17:00", "2026-12-05 10:00", None, "EXPIRED")
    b4 = _booking(db, client, a, "COMPLETED", "2026-09-20 02:00", "2026-10-10 10:00", 500_000, "CONFIRMED")
    b7 = _booking(db, client, a, "COMPLETED", "2026-08-01 02:00", "2026-08-20 10:00", 300_000, "CONFIRMED")
    _booking(db, client, a, "REQUESTED", "2026-11-05 02:00", "2026-12-20 10:00")
    _review(db, b1, client, a, (5, 5, 4), "2026-10-25 02:00")
    _review(db, b4, client, a, (3, 4, 5), "2026-10-12 02:00")
    _review(db, b7, client, a, (1, 1, 1), "2026-08-30 02:00")  # outside the period
    # After the show a dispute refunded ¥2,000 of b1's fee (the ledger's refund entry): revenue is net of it.
    ledger.post(db, kind="refund", ref=f"dispute-{b1}", booking_id=b1, artist_id=a,
                lines=[(accounts.ESCROW, 200_000), (accounts.gateway("sandbox"), -200_000)])
    # 乙: two requests, both answered; one show for ¥20,000.
    _booking(db, client, b, "COMPLETED", "2026-10-10 02:00", "2026-10-15 10:00", 2_000_000, "CONFIRMED")
    _booking(db, client, b, "REJECTED", "2026-10-11 02:00", "2026-12-15 10:00", None, "REJECTED")
    db.commit()
    return {"client": client, "a": a, "b": b, "c": c}


OCTOBER = {"start": "2026-10-01", "end": "2026-10-31"}


async def test_artist_statistics_for_a_period(api: httpx.AsyncClient, db: Session):
    ids = _figures(db)
    ops = await operator_token(api, db)
    res = await api.get(f"{V1}/admin/artists", headers=bearer(ops), params={**OCTOBER, "sort": "revenue"})
    assert res.status_code == 200, res.text
    page = res.json()
    rows = {r["id"]: r for r in page["items"]}
    assert [r["id"] for r in page["items"]] == [ids["b"], ids["a"], ids["c"]]  # by revenue in October
    assert rows[ids["a"]]["stats"] == {"bookings": 4, "completed_shows": 2, "revenue_amount": 1_300_000,
                                       "response_rate": 75, "rating": 4.3, "review_count": 2, "cancellations": 1}
    assert rows[ids["b"]]["stats"] == {"bookings": 2, "completed_shows": 1, "revenue_amount": 2_000_000,
                                       "response_rate": 100, "rating": None, "review_count": 0, "cancellations": 0}
    assert rows[ids["c"]]["stats"]["bookings"] == 0 and rows[ids["c"]]["listed"] is False
    assert page["totals"] == {"bookings": 6, "completed_shows": 3, "revenue_amount": 3_300_000,
                              "response_rate": 83, "rating": 4.3, "review_count": 2, "cancellations": 1}
    assert rows[ids["a"]]["phone"] == "13900001210"  # a super_admin may see phone numbers

    # All time: every booking and review counts.
    everything = (await api.get(f"{V1}/admin/artists", headers=bearer(ops))).json()
    a_all = next(r for r in everything["items"] if r["id"] == ids["a"])["stats"]
    assert (a_all["bookings"], a_all["completed_shows"], a_all["revenue_amount"]) == (7, 4, 2_300_000)
    assert (a_all["rating"], a_all["review_count"]) == (3.2, 3)

    # Filters and paging.
    async def listed_ids(**params: str) -> list[int]:
        r = await api.get(f"{V1}/admin/artists", headers=bearer(ops), params={**OCTOBER, **params})
        assert r.status_code == 200, r.text
        return [a["id"] for a in r.json()["items"]]

    assert await listed_ids(city="上海") == [ids["c"]]
    assert await listed_ids(keyword="统计乙") == [ids["b"]]
    assert await listed_ids(keyword="1390000121", sort="bookings") == [ids["a"], ids["b"], ids["c"]]
    assert await listed_ids(listed="listed", sort="cancellations") == [ids["a"], ids["b"]]
    assert await listed_ids(sort="revenue", page="2", page_size="2") == [ids["c"]]
    bad = await api.get(f"{V1}/admin/artists", headers=bearer(ops), params={"start": "2026-11-01", "end": "2026-10-01"})
    assert (bad.status_code, bad.json()["code"]) == (422, "date_range_invalid")

    # One artist, month by month (China time: the 01:00 request of 1 October belongs to October).
    one = await api.get(f"{V1}/admin/artists/{ids['a']}/stats", headers=bearer(ops),
                        params={"start": "2026-09-01", "end": "2026-10-31"})
    assert one.status_code == 200, one.text
    assert one.json()["months"] == [
        {"month": "2026-09", "bookings": 1, "completed_shows": 0, "revenue_amount": 0, "cancellations": 0},
        {"month": "2026-10", "bookings": 4, "completed_shows": 2, "revenue_amount": 1_300_000, "cancellations": 1}]
    assert one.json()["artist"]["stats"]["bookings"] == 5
    assert (await api.get(f"{V1}/admin/artists/987654/stats", headers=bearer(ops))).status_code == 404


def _sheet(content: bytes) -> list[list]:
    ws = load_workbook(io.BytesIO(content)).active
    assert ws is not None
    return [list(r) for r in ws.iter_rows(values_only=True)]


async def _xlsx(api: httpx.AsyncClient, token: str, path: str, **params: str) -> list[list]:
    res = await api.get(f"{V1}/admin/{path}", headers=bearer(token), params=params)
    assert res.status_code == 200, res.text
    assert res.headers["content-type"].startswith("application/vnd.openxmlformats")
    return _sheet(res.content)


async def test_artist_export_adds_up_and_masks_phones_by_role(api: httpx.AsyncClient, db: Session):
    ids = _figures(db)
    admin = await operator_token(api, db)
    ops = await operator_token(api, db, "yunying", role="operations")  # 运营: exports, but no admin:pii:view

    header, *rows, totals = await _xlsx(api, admin, "artists.xlsx", **OCTOBER, sort="revenue")
    col = {name: i for i, name in enumerate(header)}
    assert [r[col["艺人ID"]] for r in rows] == [ids["b"], ids["a"], ids["c"]]
    assert [r[col["成交额（元）"]] for r in rows] == [20000, 13000, 0]
    assert (totals[col["成交额（元）"]], totals[col["预约数"]], totals[col["取消数"]]) == (33000, 6, 1)
    assert totals[col["完成演出"]] == sum(r[col["完成演出"]] for r in rows) == 3
    assert [r[col["入驻审核"]] for r in rows] == ["已通过", "已通过", "待审核"]
    assert rows[1][col["手机号"]] == "13900001210" and rows[1][col["评分"]] == 4.3

    # The list's filters apply; an operator without admin:pii:view gets masked phone numbers.
    header, *rows, totals = await _xlsx(api, ops, "artists.xlsx", **OCTOBER, city="北京", sort="revenue")
    assert [r[col["艺人ID"]] for r in rows] == [ids["b"], ids["a"]]
    assert [r[col["手机号"]] for r in rows] == ["139****1211", "139****1210"]
    assert totals[col["成交额（元）"]] == 33000
    listed = (await api.get(f"{V1}/admin/artists", headers=bearer(ops), params={"keyword": "统计甲"})).json()
    assert listed["items"][0]["phone"] == "139****1210"


async def test_user_export_masks_personal_data_by_role(api: httpx.AsyncClient, db: Session, ctx: AppContext):
    clients = []
    for i, (name, id_number) in enumerate([("王晓明", "110101199003071234"), ("李华", "31010119851212567X")]):
        user = user_row(db, f"1380000122{i}", verification_status="verified")
        db.add(ClientProfile(user_id=user.id, org_name=f"星河科技{i}号", industry="enterprise", contact_name=name,
                             contact_phone=f"1370000122{i}"))
        db.add(RealNameVerification(
            user_id=user.id, subject="person", legal_name_cipher=ctx.cipher.encrypt(name, context=NAME_CONTEXT),
            legal_name_masked=name[0] + "*" * (len(name) - 1), id_number_hash=f"h{i}",
            id_number_cipher=ctx.cipher.encrypt(id_number, context=ID_CONTEXT),
            id_number_masked=id_number[:4] + "**********" + id_number[-4:], status="verified"))
        clients.append(user.id)
    banned = artist_row(db, "13900001220", user={"status": "banned"})
    db.commit()
    admin = await operator_token(api, db)
    ops = await operator_token(api, db, "yunying", role="operations")

    header, *rows = await _xlsx(api, admin, "users.xlsx", role="client")  # nothing to sum: no totals row
    col = {name: i for i, name in enumerate(header)}
    assert [r[col["用户ID"]] for r in rows] == clients[::-1]  # newest first, as the list
    first = rows[1]
    assert (first[col["手机号"]], first[col["实名姓名"]], first[col["证件号码"]], first[col["联系人"]]) == (
        "13800001220", "王晓明", "110101199003071234", "王晓明")

    header, *rows = await _xlsx(api, ops, "users.xlsx", role="client")
    first = rows[1]
    assert (first[col["手机号"]], first[col["实名姓名"]], first[col["证件号码"]], first[col["联系人"]],
            first[col["联系电话"]]) == ("138****1220", "王**", "1101**********1234", "王**", "137****1220")
    assert all("1101991" not in str(cell) for row in rows for cell in row)

    header, *rows = await _xlsx(api, ops, "users.xlsx", status="banned")
    assert [(r[col["用户ID"]], r[col["艺名"]], r[col["账号状态"]]) for r in rows] == [(banned, "林晚晴", "封禁")]
    assert (await api.get(f"{V1}/admin/users.xlsx", headers=bearer(ops), params={"phone": "abc"})).status_code == 422


async def test_lists_mask_phones_and_find_by_the_full_number_without_pii(api: httpx.AsyncClient, db: Session):
    """Without admin:pii:view the user and artist lists show masked numbers and a phone search needs the whole
    number: matching a few digits at a time would spell a masked number out."""
    client = user_row(db, "13800001230").id
    artist = artist_row(db, "13900001230")
    db.commit()
    admin = await operator_token(api, db)
    kefu = await operator_token(api, db, "kefu", role="support")

    async def users(token: str, phone: str) -> list[tuple[int, str]]:
        res = await api.get(f"{V1}/admin/users", headers=bearer(token), params={"phone": phone})
        assert res.status_code == 200, res.text
        return [(u["id"], u["phone"]) for u in res.json()["items"]]

    async def artists(token: str, keyword: str) -> list[tuple[int, str]]:
        res = await api.get(f"{V1}/admin/artists", headers=bearer(token), params={"keyword": keyword})
        assert res.status_code == 200, res.text
        return [(a["id"], a["phone"]) for a in res.json()["items"]]

    assert await users(admin, "0000123") == [(artist, "13900001230"), (client, "13800001230")]
    assert await users(kefu, "0000123") == []
    assert await users(kefu, "13800001230") == [(client, "138****1230")]
    assert await artists(admin, "001230") == [(artist, "13900001230")]
    assert await artists(kefu, "001230") == []
    assert await artists(kefu, "13900001230") == [(artist, "139****1230")]
    status = await api.post(f"{V1}/admin/users/{client}/status", headers=bearer(admin),
                            json={"status": "warned", "reason": "测试警告"})
    assert status.status_code == 200 and status.json()["phone"] == "13800001230"


async def test_seeded_and_factory_artists_are_public(api: httpx.AsyncClient, db: Session):
    """Artists approved through the test helpers and factories (what hundreds of other tests rely on)."""
    token = await register_artist(api, "13900001230", name="默认通过")
    artist_id = await user_id(api, token)
    row = artist_row(db, "13900001231", stage_name="工厂艺人")
    db.commit()
    for i in (artist_id, row):
        assert (await api.get(f"{V1}/artists/{i}")).status_code == 200
