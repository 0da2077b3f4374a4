"""The artist calendar (档期): batch marks through the API, booking holds through the service the booking
workflow's activities call, and no double booking when many holds race."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import Range
from sqlalchemy.orm import Session

from domain.calendar import service as calendar
from domain.db import session_factory
from domain.errors import AppError
from domain.models import CalendarSlot, User
from domain.time import SHANGHAI, utc_now
from tests.factories import artist_row, insert_booking, user_row
from tests.helpers import V1, bearer, register_artist, register_client

NEXT_YEAR = utc_now().astimezone(SHANGHAI).year + 1


def at(day: date, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def local(iso: str) -> datetime:
    return datetime.fromisoformat(iso).astimezone(SHANGHAI)


def user_id(db: Session, phone: str) -> int:
    uid = db.scalar(select(User.id).where(User.phone == phone))
    assert uid is not None
    return uid


async def get_calendar(api: httpx.AsyncClient, token: str, start: date, end: date) -> list[dict]:
    res = await api.get(f"{V1}/calendar/me", params={"start": start.isoformat(), "end": end.isoformat()},
                        headers=bearer(token))
    assert res.status_code == 200, res.text
    return list(res.json()["slots"])


async def put_range(api: httpx.AsyncClient, token: str, **body: object) -> httpx.Response:
    return await api.put(f"{V1}/calendar/me/range", json=body, headers=bearer(token))


@pytest.fixture
async def artist(api: httpx.AsyncClient) -> str:
    return await register_artist(api, "13900000001")


async def test_rest_on_every_monday_of_a_month(api: httpx.AsyncClient, artist: str):
    res = await put_range(api, artist, start_date=f"{NEXT_YEAR}-03-01", end_date=f"{NEXT_YEAR}-03-31",
                          status="rest", weekdays=[0], note="陪家人")
    assert res.status_code == 200, res.text
    mondays = [date(NEXT_YEAR, 3, d) for d in range(1, 32) if date(NEXT_YEAR, 3, d).weekday() == 0]
    assert res.json()["changed"] == len(mondays)

    slots = await get_calendar(api, artist, date(NEXT_YEAR, 2, 1), date(NEXT_YEAR, 4, 30))
    assert [local(s["start"]) for s in slots] == [at(d) for d in mondays]
    assert [local(s["end"]) for s in slots] == [at(d + timedelta(days=1)) for d in mondays]
    assert {(s["status"], s["status_label"], s["note"], s["timezone"], s["editable"]) for s in slots} == {
        ("rest", "休息", "陪家人", "Asia/Shanghai", True)}


async def test_evening_hours_and_replacing_overlapping_marks(api: httpx.AsyncClient, artist: str):
    week = [date(NEXT_YEAR, 5, d) for d in range(3, 10)]
    res = await put_range(api, artist, start_date=week[0].isoformat(), end_date=week[-1].isoformat(),
                          status="unavailable", start_time="18:00", end_time="22:00", note="驻场")
    assert res.status_code == 200, res.text
    assert [(local(s["start"]), local(s["end"])) for s in res.json()["slots"]] == [
        (at(d, 18), at(d, 22)) for d in week]

    # A whole day of rest replaces that evening's mark; the other evenings stay.
    wednesday = week[2]
    res = await put_range(api, artist, start_date=wednesday.isoformat(), end_date=wednesday.isoformat(),
                          status="rest")
    assert res.status_code == 200, res.text
    slots = await get_calendar(api, artist, week[0], week[-1])
    assert [(local(s["start"]), s["status"]) for s in slots] == [
        (at(d, 0) if d == wednesday else at(d, 18), "rest" if d == wednesday else "unavailable") for d in week]

    # A morning marked available cuts the day of rest in two: before and after the morning.
    res = await put_range(api, artist, start_date=wednesday.isoformat(), end_date=wednesday.isoformat(),
                          status="available", start_time="08:00", end_time="12:00")
    assert res.status_code == 200, res.text
    day = await get_calendar(api, artist, wednesday, wednesday)
    assert [(local(s["start"]), local(s["end"]), s["status"]) for s in day] == [
        (at(wednesday, 0), at(wednesday, 8), "rest"),
        (at(wednesday, 8), at(wednesday, 12), "available"),
        (at(wednesday, 12), at(wednesday + timedelta(days=1)), "rest")]

    # Until midnight with 24:00; repeating the same edit leaves the same calendar.
    for _ in range(2):
        res = await put_range(api, artist, start_date=wednesday.isoformat(), end_date=wednesday.isoformat(),
                              status="unavailable", start_time="20:00", end_time="24:00")
        assert res.status_code == 200, res.text
    day = await get_calendar(api, artist, wednesday, wednesday)
    assert [(local(s["start"]).hour, local(s["end"]).hour, s["status"]) for s in day] == [
        (0, 8, "rest"), (8, 12, "available"), (12, 20, "rest"), (20, 0, "unavailable")]


async def test_a_held_slot_blocks_the_edit_and_nothing_changes(api: httpx.AsyncClient, db: Session, artist: str):
    await register_client(api, "13700000001")
    artist_id, client_id = user_id(db, "13900000001"), user_id(db, "13700000001")
    show = date(NEXT_YEAR, 6, 12)
    res = await put_range(api, artist, start_date=show.isoformat(), end_date=show.isoformat(), status="available")
    assert res.status_code == 200, res.text
    booking = insert_booking(db, client_id, artist_id, start=at(show, 19), end=at(show, 21))
    calendar.hold_for_booking(db, booking, artist_id, at(show, 19), at(show, 21))
    db.commit()
    before = await get_calendar(api, artist, show - timedelta(days=3), show + timedelta(days=3))

    res = await put_range(api, artist, start_date=(show - timedelta(days=2)).isoformat(),
                          end_date=(show + timedelta(days=2)).isoformat(), status="rest", note="出国")
    assert res.status_code == 409, res.text
    body = res.json()
    assert body["code"] == "calendar_conflict"
    assert "冲突" in body["message"]
    assert [(local(c["start"]), local(c["end"]), c["status"], c["status_label"], c["booking_id"])
            for c in body["detail"]] == [(at(show, 19), at(show, 21), "held", "已预留", booking)]
    assert await get_calendar(api, artist, show - timedelta(days=3), show + timedelta(days=3)) == before
    assert [s["status"] for s in before] == ["available", "held"]
    held = before[1]
    assert held["booking_id"] == booking and held["editable"] is False

    # Around the show is fine: the morning of that day.
    res = await put_range(api, artist, start_date=show.isoformat(), end_date=show.isoformat(), status="rest",
                          start_time="09:00", end_time="12:00")
    assert res.status_code == 200, res.text

    # The hold can't be deleted by hand.
    res = await api.delete(f"{V1}/calendar/me/slots/{held['id']}", headers=bearer(artist))
    assert res.status_code == 409
    assert res.json()["message"] == "已关联预约的档期不能直接删除"


async def test_holds_are_idempotent_exclusive_and_released(api: httpx.AsyncClient, db: Session, artist: str):
    await register_client(api, "13700000001")
    artist_id, client_id = user_id(db, "13900000001"), user_id(db, "13700000001")
    show = date(NEXT_YEAR, 7, 1)
    first = insert_booking(db, client_id, artist_id, start=at(show, 19), end=at(show, 21))
    second = insert_booking(db, client_id, artist_id, start=at(show, 20), end=at(show, 23))

    slot = calendar.hold_for_booking(db, first, artist_id, at(show, 19), at(show, 21))
    again = calendar.hold_for_booking(db, first, artist_id, at(show, 19), at(show, 21))
    assert again.id == slot.id and again.status == "held"

    with pytest.raises(calendar.CalendarConflict) as caught:
        calendar.hold_for_booking(db, second, artist_id, at(show, 20), at(show, 23))
    assert (caught.value.status, caught.value.code, caught.value.message) == (
        409, "calendar_conflict", "该时段艺人档期已被占用，请选择其他时间")
    # The savepoint kept the caller's transaction usable: it commits the first hold.
    db.commit()
    assert db.scalars(select(CalendarSlot.booking_id)).all() == [first]

    calendar.book_for_booking(db, first)
    calendar.book_for_booking(db, first)
    db.commit()
    assert db.scalar(select(CalendarSlot.status).where(CalendarSlot.booking_id == first)) == "booked"
    with pytest.raises(calendar.CalendarConflict):  # a booked slot blocks too
        calendar.hold_for_booking(db, second, artist_id, at(show, 20), at(show, 23))
    with pytest.raises(AppError) as missing:
        calendar.book_for_booking(db, second)
    assert missing.value.code == "booking_slot_missing"

    calendar.release_for_booking(db, first)
    calendar.release_for_booking(db, first)
    db.commit()
    assert db.scalars(select(CalendarSlot)).all() == []
    freed = calendar.hold_for_booking(db, second, artist_id, at(show, 20), at(show, 23))
    db.commit()
    assert freed.booking_id == second
    slots = await get_calendar(api, artist, show, show)
    assert [(s["status"], s["booking_id"]) for s in slots] == [("held", second)]


async def test_conflicts_list_what_stands_in_the_way(api: httpx.AsyncClient, db: Session, artist: str):
    await register_client(api, "13700000001")
    artist_id, client_id = user_id(db, "13900000001"), user_id(db, "13700000001")
    show = date(NEXT_YEAR, 8, 8)
    for status, start_time, end_time in (("available", "08:00", "12:00"), ("rest", "12:00", "16:00"),
                                         ("unavailable", "22:00", "24:00")):
        res = await put_range(api, artist, start_date=show.isoformat(), end_date=show.isoformat(), status=status,
                              start_time=start_time, end_time=end_time, note=f"{status}备注")
        assert res.status_code == 200, res.text
    other = insert_booking(db, client_id, artist_id, start=at(show, 18), end=at(show, 20))
    request = insert_booking(db, client_id, artist_id, start=at(show, 10), end=at(show, 23))
    calendar.hold_for_booking(db, other, artist_id, at(show, 18), at(show, 20))
    db.commit()

    found = calendar.conflicts(db, artist_id, at(show, 10), at(show, 23), exclude_booking_id=request)
    assert [(c.start.astimezone(SHANGHAI).hour, c.status, c.status_label, c.note, c.booking_id) for c in found] == [
        (12, "rest", "休息", "rest备注", None), (18, "held", "已预留", "", other),
        (22, "unavailable", "不可约", "unavailable备注", None)]
    assert found[0].label == "休息"
    # The request's own hold is not a conflict with itself; touching stretches are not conflicts.
    assert [c.booking_id for c in calendar.conflicts(db, artist_id, at(show, 18), at(show, 20),
                                                     exclude_booking_id=other)] == []
    assert calendar.conflicts(db, artist_id, at(show, 16), at(show, 18)) == []


async def test_calendar_needs_the_artist_role(api: httpx.AsyncClient):
    client = await register_client(api, "13700000001")
    for method, url, body in (("GET", f"{V1}/calendar/me", None),
                              ("PUT", f"{V1}/calendar/me/range", {"start_date": f"{NEXT_YEAR}-01-05",
                                                                   "end_date": f"{NEXT_YEAR}-01-05", "status": "rest"}),
                              ("DELETE", f"{V1}/calendar/me/slots/1", None)):
        res = await api.request(method, url, json=body, headers=bearer(client))
        assert res.status_code == 403, res.text
        assert res.json()["message"] == "请切换到艺人身份后再操作"
    assert (await api.get(f"{V1}/calendar/me")).status_code == 401


async def test_an_artist_deletes_only_their_own_marks(api: httpx.AsyncClient, artist: str):
    other = await register_artist(api, "13900000002", name="周子墨")
    day = date(NEXT_YEAR, 9, 9)
    res = await put_range(api, artist, start_date=day.isoformat(), end_date=day.isoformat(), status="rest")
    slot_id = res.json()["slots"][0]["id"]

    res = await api.delete(f"{V1}/calendar/me/slots/{slot_id}", headers=bearer(other))
    assert res.status_code == 404 and res.json()["message"] == "档期不存在或已删除"
    assert await get_calendar(api, other, day, day) == []  # and never sees it
    assert len(await get_calendar(api, artist, day, day)) == 1

    res = await api.delete(f"{V1}/calendar/me/slots/{slot_id}", headers=bearer(artist))
    assert res.status_code == 200 and res.json() == {"id": slot_id, "deleted": True}
    assert await get_calendar(api, artist, day, day) == []
    assert (await api.delete(f"{V1}/calendar/me/slots/{slot_id}", headers=bearer(artist))).status_code == 404


async def test_default_window_covers_history_and_the_coming_months(api: httpx.AsyncClient, db: Session,
                                                                   artist: str):
    artist_id = user_id(db, "13900000001")
    today = utc_now().astimezone(SHANGHAI).date()
    for offset in (-40, -20, 60, 100):  # history is written by bookings, never by the artist
        day = today + timedelta(days=offset)
        db.add(CalendarSlot(artist_id=artist_id, status="unavailable", note=str(offset),
                            period=Range(at(day, 19), at(day, 21))))
    db.commit()
    res = await api.get(f"{V1}/calendar/me", headers=bearer(artist))
    assert res.status_code == 200
    assert [s["note"] for s in res.json()["slots"]] == ["-20", "60"]
    assert res.json()["start_date"] == (today - timedelta(days=30)).isoformat()


@pytest.mark.parametrize(("body", "message"), [
    ({"start_date": "{y}-03-10", "end_date": "{y}-03-01"}, "结束日期不能早于开始日期"),
    ({"start_date": "{y}-01-01", "end_date": "{z}-01-02"}, "一次最多设置366天的档期"),
    ({"start_date": "{y}-03-01", "end_date": "{y}-03-01", "start_time": "20:00", "end_time": "18:00"},
     "结束时间必须晚于开始时间"),
    ({"start_date": "{y}-03-01", "end_date": "{y}-03-01", "start_time": "20:00"},
     "开始时间和结束时间需同时填写；都不填表示全天"),
    ({"start_date": "{y}-03-01", "end_date": "{y}-03-01", "start_time": "8点", "end_time": "18:00"},
     "开始时间格式不正确，请使用 HH:MM（如 18:30）"),
    ({"start_date": "{y}-03-01", "end_date": "{y}-03-01", "weekdays": [7]}, "星期取值应为 0（周一）到 6（周日）"),
    ({"start_date": "{y}-03-02", "end_date": "{y}-03-02", "weekdays": [6]}, "所选日期范围内没有符合星期条件的日子"),
    ({"start_date": "{y}-03-01", "end_date": "{y}-03-01", "timezone": "Mars/Olympus"},
     "时区无效，请使用如 Asia/Shanghai 的时区名称"),
    ({"start_date": "2020-03-01", "end_date": "2020-03-02"}, "不能修改过去的档期"),
    ({"start_date": "9999-12-31", "end_date": "9999-12-31"}, "开始日期须在2000-01-01至2100-12-31之间"),
])
async def test_invalid_edits_are_refused_in_chinese(api: httpx.AsyncClient, artist: str, body: dict,
                                                     message: str):
    body = {k: v.format(y=NEXT_YEAR, z=NEXT_YEAR + 1) if isinstance(v, str) else v for k, v in body.items()}
    res = await put_range(api, artist, status="rest", **body)
    assert res.status_code == 422, res.text
    assert res.json()["message"] == message
    assert await get_calendar(api, artist, date(NEXT_YEAR - 1, 12, 1), date(NEXT_YEAR, 12, 31)) == []


async def test_yesterday_is_past_and_view_range_is_bounded(api: httpx.AsyncClient, artist: str):
    yesterday = utc_now().astimezone(SHANGHAI).date() - timedelta(days=1)
    res = await put_range(api, artist, start_date=yesterday.isoformat(), end_date=yesterday.isoformat(),
                          status="rest")
    assert res.status_code == 422 and res.json()["message"] == "不能修改过去的档期"
    res = await api.get(f"{V1}/calendar/me", params={"start": "2027-01-01", "end": "2028-03-01"},
                        headers=bearer(artist))
    assert res.status_code == 422 and res.json()["message"] == "一次最多查看400天的档期"
    res = await api.get(f"{V1}/calendar/me", params={"start": "2027-03-01", "end": "2027-01-01"},
                        headers=bearer(artist))
    assert res.status_code == 422 and res.json()["message"] == "结束日期不能早于开始日期"


def test_fifty_racing_holds_leave_exactly_one(db: Session, database_url: str):
    """Fifty bookings of one artist, overlapping times, held at once from fifty sessions: one wins."""
    artist_id, client_id = artist_row(db, "13900000001"), user_row(db, "13700000001").id
    show = date(NEXT_YEAR, 10, 1)
    bookings = [insert_booking(db, client_id, artist_id, start=at(show, 18, i), end=at(show, 20, i))
                for i in range(50)]
    factory = session_factory(database_url)

    def hold(booking_id: int, minute: int) -> str:
        with factory() as session:
            try:
                calendar.hold_for_booking(session, booking_id, artist_id, at(show, 18, minute),
                                          at(show, 20, minute))
                session.commit()
                return "held"
            except calendar.CalendarConflict:
                session.rollback()
                return "conflict"

    with ThreadPoolExecutor(max_workers=50) as pool:
        outcomes = list(pool.map(hold, bookings, range(50)))
    assert outcomes.count("held") == 1
    assert outcomes.count("conflict") == 49
    db.expire_all()
    held = db.scalars(select(CalendarSlot).where(CalendarSlot.artist_id == artist_id)).all()
    assert [s.status for s in held] == ["held"]
    assert held[0].booking_id == bookings[outcomes.index("held")]


async def test_hostile_input_from_an_artist_never_fails_the_server(api: httpx.AsyncClient, artist: str):
    from tests.api.test_input_safety import _assert_error_shape, _bodies, _paths

    fields = ["start_date", "end_date", "status", "note", "weekdays", "start_time", "end_time", "timezone"]
    bodies = _bodies(fields) + [json.dumps(b).encode() for b in (
        {"start_date": "9999-12-31", "end_date": "9999-12-31", "status": "rest"},
        {"start_date": "0001-01-01", "end_date": "0001-01-01", "status": "rest"},
        {"start_date": f"{NEXT_YEAR}-01-01", "end_date": f"{NEXT_YEAR}-01-01", "status": "rest",
         "weekdays": [-(10**30)], "start_time": "\x00", "end_time": "٢٣:٠٠", "timezone": "../../etc/passwd"},
        {"start_date": f"{NEXT_YEAR}-01-01", "end_date": f"{NEXT_YEAR}-01-01", "status": "rest", "timezone": "/"},
    )]
    for body in bodies:
        res = await api.put(f"{V1}/calendar/me/range", content=body,
                            headers={**bearer(artist), "Content-Type": "application/json"})
        _assert_error_shape(res, f"PUT range {body[:60]!r}")
    for query in ("?start=0001-01-01&end=0001-01-02", "?start=9999-12-31&end=9999-12-31", "?start=abc",
                  "?start=2027-01-01&end=" + "9" * 40):
        _assert_error_shape(await api.get(f"{V1}/calendar/me{query}", headers=bearer(artist)), query)
    for url in _paths(f"{V1}/calendar/me/slots/{{slot_id}}"):
        _assert_error_shape(await api.delete(url, headers=bearer(artist)), url)
