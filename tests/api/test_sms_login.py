"""SMS code login through the API: limits, hashing, single use, lock-out."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from domain.models import PhoneLock, SmsCode, User
from tests.helpers import V1, sms_login


def _age_codes(db: Session, phone: str, by: timedelta) -> None:
    """Move a phone's codes into the past, as if time had passed."""
    rows = db.scalars(select(SmsCode).where(SmsCode.phone == phone)).all()
    for row in rows:
        row.created_at -= by
        row.expires_at -= by
    db.commit()


async def test_send_answer_is_the_same_for_registered_and_new_phones(api: httpx.AsyncClient, db: Session):
    await sms_login(api, "13800000001")  # now registered
    _age_codes(db, "13800000001", timedelta(minutes=2))
    known = await api.post(f"{V1}/auth/sms/send", json={"phone": "13800000001"})
    unknown = await api.post(f"{V1}/auth/sms/send", json={"phone": "13800000002"})
    assert known.status_code == unknown.status_code == 200
    assert set(known.json()) == set(unknown.json())
    assert known.json()["cooldown_seconds"] == unknown.json()["cooldown_seconds"] == 60


async def test_code_is_stored_hashed_and_works_once(api: httpx.AsyncClient, db: Session):
    sent = (await api.post(f"{V1}/auth/sms/send", json={"phone": "13700000001"})).json()
    code = sent["sandbox_code"]
    assert len(code) == 6 and code.isdigit()
    row = db.scalar(select(SmsCode).where(SmsCode.phone == "13700000001"))
    assert row is not None and code not in row.code_hash
    first = await api.post(f"{V1}/auth/sms/login", json={"phone": "13700000001", "code": code})
    assert first.status_code == 200
    assert first.json()["me"]["phone"] == "137****0001"
    again = await api.post(f"{V1}/auth/sms/login", json={"phone": "13700000001", "code": code})
    assert again.status_code == 400 and again.json()["code"] == "sms_code_invalid"


async def test_expired_code_is_refused(api: httpx.AsyncClient, db: Session):
    code = (await api.post(f"{V1}/auth/sms/send", json={"phone": "13700000002"})).json()["sandbox_code"]
    _age_codes(db, "13700000002", timedelta(minutes=5, seconds=1))
    res = await api.post(f"{V1}/auth/sms/login", json={"phone": "13700000002", "code": code})
    assert res.status_code == 400 and res.json()["code"] == "sms_code_invalid"
    assert db.scalar(select(User).where(User.phone == "13700000002")) is None


async def test_cooldown_hour_and_day_limits_per_phone(api: httpx.AsyncClient, db: Session):
    phone = "13700000003"
    assert (await api.post(f"{V1}/auth/sms/send", json={"phone": phone})).status_code == 200
    again = await api.post(f"{V1}/auth/sms/send", json={"phone": phone})
    assert again.status_code == 429 and again.json()["code"] == "sms_too_frequent"
    assert 0 < again.json()["detail"]["retry_after"] <= 60
    for _ in range(4):  # 5 within an hour are allowed
        _age_codes(db, phone, timedelta(seconds=61))
        assert (await api.post(f"{V1}/auth/sms/send", json={"phone": phone})).status_code == 200
    _age_codes(db, phone, timedelta(seconds=61))
    sixth = await api.post(f"{V1}/auth/sms/send", json={"phone": phone})
    assert sixth.status_code == 429 and sixth.json()["code"] == "sms_limit_reached"
    assert "1小时" in sixth.json()["message"]
    for _ in range(5):  # an hour later, 5 more: 10 in the day
        _age_codes(db, phone, timedelta(minutes=61))
        assert (await api.post(f"{V1}/auth/sms/send", json={"phone": phone})).status_code == 200
    _age_codes(db, phone, timedelta(minutes=61))
    eleventh = await api.post(f"{V1}/auth/sms/send", json={"phone": phone})
    assert eleventh.status_code == 429 and "今日" in eleventh.json()["message"]
    assert db.query(SmsCode).filter(SmsCode.phone == phone).count() == 10


async def test_per_ip_limit(api: httpx.AsyncClient, db: Session):
    for i in range(10):  # ten different phones from one address within a minute
        assert (await api.post(f"{V1}/auth/sms/send", json={"phone": f"1360000{i:04d}"})).status_code == 200
    res = await api.post(f"{V1}/auth/sms/send", json={"phone": "13600009999"})
    assert res.status_code == 429 and "网络" in res.json()["message"]


async def test_five_wrong_codes_void_the_code_and_lock_the_phone(api: httpx.AsyncClient, db: Session):
    phone = "13700000004"
    code = (await api.post(f"{V1}/auth/sms/send", json={"phone": phone})).json()["sandbox_code"]
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for left in (4, 3, 2, 1):
        res = await api.post(f"{V1}/auth/sms/login", json={"phone": phone, "code": wrong})
        assert res.status_code == 400 and res.json()["detail"]["attempts_left"] == left
    fifth = await api.post(f"{V1}/auth/sms/login", json={"phone": phone, "code": wrong})
    assert fifth.status_code == 429 and fifth.json()["code"] == "phone_locked"
    right = await api.post(f"{V1}/auth/sms/login", json={"phone": phone, "code": code})
    assert right.status_code == 429  # locked, and the code is void anyway
    send = await api.post(f"{V1}/auth/sms/send", json={"phone": phone})
    assert send.status_code == 429 and send.json()["code"] == "phone_locked"
    # 15 minutes later the phone may ask again, but the old code stays void.
    db.execute(update(PhoneLock).values(locked_until=PhoneLock.locked_until - timedelta(minutes=15)))
    db.commit()
    assert (await api.post(f"{V1}/auth/sms/login", json={"phone": phone, "code": code})).status_code == 400
    _age_codes(db, phone, timedelta(minutes=2))
    assert (await api.post(f"{V1}/auth/sms/send", json={"phone": phone})).status_code == 200


async def test_invalid_phone_and_code_formats(api: httpx.AsyncClient):
    bad = await api.post(f"{V1}/auth/sms/send", json={"phone": "12345"})
    assert bad.status_code == 422 and "手机号" in bad.json()["message"]
    code = await api.post(f"{V1}/auth/sms/login", json={"phone": "13700000005", "code": "12ab56"})
    assert code.status_code == 422 and "验证码" in code.json()["message"]


FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


async def test_phone_in_other_digits_reaches_the_same_account(api: httpx.AsyncClient, db: Session):
    """`13７１２３４５６０９` used to register a second account: phones are normalised to ASCII digits first."""
    first = await sms_login(api, "13712345609")
    for typed in ("13７１２３４５６０９", "13712345609".translate(ARABIC_INDIC), " １３７１２３４５６０９　"):
        _age_codes(db, "13712345609", timedelta(minutes=2))
        sent = await api.post(f"{V1}/auth/sms/send", json={"phone": typed})
        assert sent.status_code == 200, sent.text
        # The code typed in full-width digits works as well.
        res = await api.post(f"{V1}/auth/sms/login",
                             json={"phone": typed, "code": sent.json()["sandbox_code"].translate(FULL_WIDTH)})
        assert res.status_code == 200, res.text
        assert res.json()["me"]["id"] == first["me"]["id"] and res.json()["me"]["phone"] == "137****5609"
    assert db.scalar(select(func.count()).select_from(User)) == 1
    assert set(db.scalars(select(SmsCode.phone))) == {"13712345609"}


async def test_phone_with_letters_or_wrong_length_is_refused(api: httpx.AsyncClient, db: Session):
    for typed in ("1371234560a", "1371234560".translate(ARABIC_INDIC), "１２７１２３４５６０９", "137 1234 5609"):
        res = await api.post(f"{V1}/auth/sms/send", json={"phone": typed})
        assert res.status_code == 422, (typed, res.text)
        assert res.json()["message"] == "手机号格式不正确（请输入11位手机号）"
    assert db.scalar(select(func.count()).select_from(SmsCode)) == 0
