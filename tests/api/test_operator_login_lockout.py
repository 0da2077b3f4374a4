"""Operator login lock-out through the API: per username (from any address) and per IP (for any username).

Before, 40 wrong passwords in a row were all simply answered 401. Time is moved by editing the lock row.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from api.app import create_app
from api.context import AppContext
from domain.accounts.login_throttle import LIMITS
from domain.models import LoginThrottle
from domain.time import utc_now
from tests.helpers import V1, make_operator

PASSWORD = "ops-password-1"  # tests.helpers.make_operator's
Connect = Callable[[str], AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def client_at(ctx: AppContext, db: Session) -> Connect:
    """The API as seen from another client address (the `api` fixture connects from 10.1.2.3)."""
    @asynccontextmanager
    async def connect(address: str) -> AsyncIterator[httpx.AsyncClient]:
        transport = httpx.ASGITransport(app=create_app(ctx.settings, ctx), client=(address, 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client
    return connect


async def _login(api: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await api.post(f"{V1}/admin/auth/login", json={"username": username, "password": password})


def _expire_locks(db: Session) -> None:
    """As if the 15 minutes had passed."""
    past = utc_now() - timedelta(seconds=1)
    db.execute(update(LoginThrottle).where(LoginThrottle.locked_until.is_not(None))
               .values(locked_until=past, window_started_at=past - timedelta(minutes=15)))
    db.commit()


async def test_wrong_passwords_lock_the_username_even_for_the_right_password(api, db: Session, client_at):
    make_operator(db, "ops")
    answers = [await _login(api, "ops", f"guess-{i}") for i in range(LIMITS["username"])]
    assert [a.status_code for a in answers] == [401] * (LIMITS["username"] - 1) + [429]
    assert answers[0].json()["detail"] == {"attempts_left": LIMITS["username"] - 1}
    assert answers[-1].json() == {"code": "login_locked", "message": "密码错误次数过多，请15分钟后再试",
                                  "detail": {"retry_after": 900}}
    locked = await _login(api, "ops", PASSWORD)
    assert locked.status_code == 429 and locked.json()["code"] == "login_locked", locked.text
    assert 0 < locked.json()["detail"]["retry_after"] <= 900
    async with client_at("10.7.7.7") as elsewhere:  # the username is locked wherever the attempt comes from
        assert (await _login(elsewhere, "ops", PASSWORD)).status_code == 429

    _expire_locks(db)
    ok = await _login(api, "ops", PASSWORD)
    assert ok.status_code == 200, ok.text
    # The lock is over and the count starts again: one miss leaves the full budget minus one.
    again = await _login(api, "ops", "guess-again")
    assert again.status_code == 401 and again.json()["detail"] == {"attempts_left": LIMITS["username"] - 1}


async def test_unknown_username_and_wrong_password_answer_alike_up_to_the_lock(api, db: Session):
    make_operator(db, "ops")
    for _ in range(LIMITS["username"]):
        wrong = await _login(api, "ops", "nope")
        unknown = await _login(api, "ghost", "nope")
        assert (wrong.status_code, wrong.json()) == (unknown.status_code, unknown.json())
    assert wrong.status_code == 429


async def test_many_usernames_from_one_ip_lock_that_ip(api, db: Session, client_at):
    make_operator(db, "ops")
    per_name = LIMITS["username"] - 1  # never enough to lock a username
    answers = [await _login(api, f"admin{i // per_name}", "nope") for i in range(LIMITS["ip"])]
    assert {a.status_code for a in answers[:-1]} == {401}
    assert answers[-1].status_code == 429
    assert answers[-1].json()["message"] == "当前网络登录失败次数过多，请15分钟后再试"
    refused = await _login(api, "ops", PASSWORD)  # a username never tried, right password, locked address
    assert refused.status_code == 429 and refused.json()["code"] == "login_locked"
    async with client_at("10.7.7.7") as elsewhere:
        assert (await _login(elsewhere, "ops", PASSWORD)).status_code == 200
    _expire_locks(db)
    assert (await _login(api, "ops", PASSWORD)).status_code == 200


async def test_a_successful_login_does_not_reset_the_ip_count_for_other_usernames(api, db: Session):
    make_operator(db, "ops")
    per_name = LIMITS["username"] - 1
    for i in range(LIMITS["ip"] - 1):
        assert (await _login(api, f"admin{i // per_name}", "nope")).status_code == 401
    assert (await _login(api, "ops", PASSWORD)).status_code == 200
    last = await _login(api, "someone-else", "nope")
    assert last.status_code == 429 and last.json()["message"].startswith("当前网络"), last.text


async def test_a_successful_login_clears_that_usernames_misses(api, db: Session, client_at):
    make_operator(db, "ops")
    async with client_at("10.7.7.8") as other:  # spread over addresses: only the username count matters here
        for _ in range(2):
            for _ in range(LIMITS["username"] - 1):
                assert (await _login(other, "ops", "nope")).status_code == 401
            assert (await _login(api, "ops", PASSWORD)).status_code == 200
