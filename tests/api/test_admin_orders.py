"""订单管理 through the API: every booking with its filters and progress, an order's detail (notifications sent,
disputes, the Temporal UI link), and who may rule on a dispute. Bookings are written straight to the tables here
(no workflow runs for them); the figures come from those rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.models import Booking, BookingEvent, ClientProfile, Dispute, Notification, Operator, User
from domain.time import SHANGHAI
from tests.factories import artist_row, inquiry_row, paid_order, user_row
from tests.helpers import V1, bearer, operator_token

ORDERS = f"{V1}/admin/bookings"


def _client(db: Session, org: str, phone: str) -> int:
    user = user_row(db, phone)
    db.add(ClientProfile(user_id=user.id, org_name=org, industry="enterprise", contact_name="王经理",
                         contact_phone=phone))
    db.flush()
    return user.id


def _booking(db: Session, client: int, artist: int, status: str, start: datetime, *, city: str = "上海",
             event_type: str = "公司年会", needs_operator: str | None = None, paid: int = 0) -> int:
    inquiry = inquiry_row(db, client, start, start + timedelta(hours=2), city=city, event_type=event_type)
    b = Booking(inquiry_id=inquiry.id, client_id=client, artist_id=artist, status=status, start_at=start,
                end_at=start + timedelta(hours=2), commission_rate_bp=1000, paid_amount=paid,
                needs_operator=needs_operator)
    db.add(b)
    db.flush()
    return b.id


@pytest.fixture
def orders(db: Session) -> dict[str, Any]:
    """Five bookings of two clients and two artists, in different cities, stages and dates (China time)."""
    star = _client(db, "星河科技有限公司", "13811110001")
    bride = _client(db, "花嫁婚礼策划工作室", "13822220002")
    lin = artist_row(db, "13933330003", stage_name="林晚晴")
    zhou = artist_row(db, "13944440004", stage_name="周小舟乐队")
    day = datetime(2031, 5, 20, 19, 0, tzinfo=SHANGHAI)
    ids = {
        "requested": _booking(db, star, lin, "REQUESTED", day),
        "contract": _booking(db, star, zhou, "CONTRACT_SENT", day + timedelta(days=1), city="北京"),
        "disputed": _booking(db, bride, lin, "DISPUTED", day + timedelta(days=2), city="杭州", event_type="婚礼",
                             paid=300_000),
        "overdue": _booking(db, bride, zhou, "DEPOSIT_PAID", day + timedelta(days=3), city="北京",
                            needs_operator="尾款逾期未付，请运营跟进", paid=300_000),
        "rejected": _booking(db, star, lin, "REJECTED", day + timedelta(days=4)),
    }
    # The rejected one stopped at 预约: its closing event left REQUESTED.
    db.add(BookingEvent(booking_id=ids["rejected"], step="001-requested", action="request", actor_role="client",
                        actor_id=star, from_status=None, to_status="REQUESTED", data={}))
    db.add(BookingEvent(booking_id=ids["rejected"], step="002-reject", action="reject", actor_role="artist",
                        actor_id=lin, from_status="REQUESTED", to_status="REJECTED", data={"reason": "档期冲突"}))
    db.commit()
    return {"ids": ids, "star": star, "bride": bride, "lin": lin, "zhou": zhou}


async def _ids(api: httpx.AsyncClient, token: str, **params: Any) -> list[int]:
    res = await api.get(ORDERS, headers=bearer(token), params=params)
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["total"] == len(body["items"])
    return [row["id"] for row in body["items"]]


async def test_order_list_filters(api: httpx.AsyncClient, db: Session, orders: dict[str, Any]):
    ops = await operator_token(api, db)
    o = orders["ids"]
    newest_first = sorted(o.values(), reverse=True)
    assert await _ids(api, ops) == newest_first
    assert await _ids(api, ops, status="DISPUTED") == [o["disputed"]]
    assert await _ids(api, ops, stage="contract") == [o["contract"]]
    assert await _ids(api, ops, stage="payment") == [o["overdue"]]
    assert await _ids(api, ops, stage="closed") == [o["rejected"]]
    assert await _ids(api, ops, city="北京") == [o["overdue"], o["contract"]]
    # An artist by stage name (part of it) or id; a client by organisation name, phone or id.
    assert await _ids(api, ops, artist="小舟") == [o["overdue"], o["contract"]]
    assert await _ids(api, ops, artist=str(orders["lin"])) == [o["rejected"], o["disputed"], o["requested"]]
    assert await _ids(api, ops, client="花嫁") == [o["overdue"], o["disputed"]]
    assert await _ids(api, ops, client="13811110001") == [o["rejected"], o["contract"], o["requested"]]
    assert await _ids(api, ops, client=str(orders["bride"])) == [o["overdue"], o["disputed"]]
    # Performance dates, China time, both ends included: 21 and 22 May.
    assert await _ids(api, ops, date_from="2031-05-21", date_to="2031-05-22") == [o["disputed"], o["contract"]]
    # The operator queue: flagged bookings and disputes; and the rest.
    assert await _ids(api, ops, needs_operator="true") == [o["overdue"], o["disputed"]]
    assert await _ids(api, ops, needs_operator="false") == [o["rejected"], o["contract"], o["requested"]]
    assert await _ids(api, ops, keyword="婚礼") == [o["overdue"], o["disputed"]]  # event type or client name
    assert await _ids(api, ops, keyword="杭州") == [o["disputed"]]
    assert await _ids(api, ops, keyword=str(o["contract"])) == [o["contract"]]
    assert await _ids(api, ops, keyword="100%") == []  # LIKE wildcards are literal
    assert await _ids(api, ops, city="北京", needs_operator="true") == [o["overdue"]]
    paged = (await api.get(ORDERS, headers=bearer(ops), params={"page": 2, "page_size": 2})).json()
    assert (paged["total"], [r["id"] for r in paged["items"]]) == (5, newest_first[2:4])
    bad = await api.get(ORDERS, headers=bearer(ops), params={"date_from": "1999-01-01"})
    assert bad.status_code == 422


async def test_order_rows_show_progress(api: httpx.AsyncClient, db: Session, orders: dict[str, Any]):
    ops = await operator_token(api, db)
    rows = {r["id"]: r for r in (await api.get(ORDERS, headers=bearer(ops))).json()["items"]}
    o = orders["ids"]

    def states(key: str) -> list[tuple[str, str]]:
        return [(p["label"], p["state"]) for p in rows[o[key]]["progress"]]

    assert states("contract") == [("预约", "done"), ("签约", "current"), ("支付", "todo"), ("演出", "todo"),
                                  ("结算", "todo")]
    assert states("disputed") == [("预约", "done"), ("签约", "done"), ("支付", "done"), ("演出", "done"),
                                  ("结算", "current")]
    assert states("rejected") == [("预约", "stopped"), ("签约", "todo"), ("支付", "todo"), ("演出", "todo"),
                                  ("结算", "todo")]
    r = rows[o["overdue"]]
    assert (r["artist_name"], r["client_org"], r["city"], r["status_label"], r["needs_operator"], r["paid_amount"]) \
        == ("周小舟乐队", "花嫁婚礼策划工作室", "北京", "已付定金", "尾款逾期未付，请运营跟进", 300_000)


async def test_order_detail(api: httpx.AsyncClient, db: Session, orders: dict[str, Any], ctx):  # type: ignore[no-untyped-def]
    ops = await operator_token(api, db)
    bid, bride, lin = orders["ids"]["disputed"], orders["bride"], orders["lin"]
    order_id = paid_order(db, bid, "deposit", 300_000)
    db.add_all([
        Dispute(booking_id=bid, step="004-dispute", opened_by_role="client", opened_by_id=bride,
                reason="艺人迟到一小时", evidence=["a" * 32, "b" * 32], from_status="DEPOSIT_PAID"),
        Notification(user_id=bride, booking_id=bid, step=f"{bid}:004-dispute", title="订单进入纠纷处理",
                     body="款项已冻结，平台运营将介入处理"),
        Notification(user_id=lin, booking_id=bid, step=f"{bid}:004-dispute-a", title="订单进入纠纷处理",
                     body="款项已冻结，平台运营将介入处理", read_at=datetime(2031, 1, 1, tzinfo=UTC)),
    ])
    other = user_row(db)  # someone else's notification about another booking is not listed
    db.add(Notification(user_id=other.id, booking_id=orders["ids"]["requested"], step="x", title="其他", body="其他"))
    db.commit()
    res = await api.get(f"{ORDERS}/{bid}", headers=bearer(ops))
    assert res.status_code == 200, res.text
    d = res.json()
    assert (d["id"], d["status"], d["stage_label"], d["workflow_id"]) == (bid, "DISPUTED", "结算", f"booking-{bid}")
    assert d["temporal_ui_url"] == f"http://127.0.0.1:{ctx.settings.temporal_ui_port}/namespaces/" \
                                   f"{ctx.settings.temporal_namespace}/workflows/booking-{bid}"
    assert [(p["id"], p["amount"], p["status_label"]) for p in d["payments"]] == [(order_id, 300_000, "已支付")]
    assert [(n["recipient_label"], n["title"], n["read"]) for n in d["notifications"]] == [
        ("需求方", "订单进入纠纷处理", False), ("艺人", "订单进入纠纷处理", True)]
    assert [(x["reason"], x["opened_by_role"], x["evidence_count"], x["resolution"]) for x in d["disputes"]] == [
        ("艺人迟到一小时", "client", 2, None)]
    assert d["dispute"]["reason"] == "艺人迟到一小时"
    assert d["allowed_actions"] == ["resolve_dispute"]
    assert [p["state"] for p in d["progress"]] == ["done", "done", "done", "done", "current"]
    assert (await api.get(f"{ORDERS}/999999999", headers=bearer(ops))).status_code == 404


async def test_temporal_ui_link_follows_the_setting(api: httpx.AsyncClient, db: Session, orders: dict[str, Any],
                                                    ctx):  # type: ignore[no-untyped-def]
    ops = await operator_token(api, db)
    bid = orders["ids"]["requested"]
    before = ctx.settings.temporal_ui_url
    ctx.settings.temporal_ui_url = "https://temporal.example.com/"
    try:
        d = (await api.get(f"{ORDERS}/{bid}", headers=bearer(ops))).json()
    finally:
        ctx.settings.temporal_ui_url = before
    assert d["temporal_ui_url"] == f"https://temporal.example.com/namespaces/" \
                                   f"{ctx.settings.temporal_namespace}/workflows/booking-{bid}"


async def test_only_a_role_with_dispute_rights_may_rule(api: httpx.AsyncClient, db: Session,
                                                        orders: dict[str, Any]):
    """运营 may intervene in orders but not rule on disputes (refused before the workflow is asked)."""
    operations = await operator_token(api, db, "ops-operations", role="operations")
    bid = orders["ids"]["disputed"]
    ruling = {"resolution": "release", "reason": "核实后继续履约"}
    res = await api.post(f"{ORDERS}/{bid}/actions/resolve_dispute", headers=bearer(operations), json=ruling)
    assert res.status_code == 403 and res.json()["message"] == "当前角色没有处理纠纷的权限"
    # The same operator may read it, and a role without order rights may not even list.
    assert (await api.get(f"{ORDERS}/{bid}", headers=bearer(operations))).status_code == 200
    reviewer = await operator_token(api, db, "ops-reviewer", role="reviewer")
    assert (await api.get(ORDERS, headers=bearer(reviewer))).status_code == 403
    db.expire_all()
    assert db.get(Booking, bid).status == "DISPUTED"  # type: ignore[union-attr]
    assert db.get(User, orders["bride"]) is not None


async def test_temporal_ui_ticket_lets_the_proxy_admit_only_logged_in_operators(api: httpx.AsyncClient, db: Session):
    """The console's link to the Temporal UI first asks for a ticket (an HttpOnly cookie for /temporal/); nginx's
    auth_request asks GET …/temporal-ui/auth with the request's cookies whether to let the request through."""
    ops = await operator_token(api, db, "ops-ui")
    res = await api.post(f"{ORDERS}/temporal-ui/session", headers=bearer(ops))
    assert res.status_code == 200, res.text
    cookie = res.headers["set-cookie"]
    assert cookie.startswith("yanyue_temporal_ui=") and "HttpOnly" in cookie and "Path=/temporal/" in cookie
    ticket = cookie.split(";", 1)[0].split("=", 1)[1]
    auth = f"{ORDERS}/temporal-ui/auth"

    def with_ticket(value: str) -> dict[str, str]:
        return {"Cookie": f"yanyue_temporal_ui={value}"}

    assert (await api.get(auth, headers=with_ticket(ticket))).status_code == 204
    assert (await api.get(auth)).status_code == 401  # no ticket, no login
    assert (await api.get(auth, headers=with_ticket(ticket[:-2] + "xx"))).status_code == 401  # forged
    assert (await api.get(auth, headers=with_ticket(ops))).status_code == 401  # an access token is not a ticket
    # Only a role holding admin:system:temporal_ui (super_admin by default) gets a ticket: 运营 and 客服 may act on
    # orders through the console, but the UI can send any signal or update.
    for role in ("reviewer", "operations", "support"):
        other = await operator_token(api, db, f"ops-ui-{role}", role=role)
        assert (await api.post(f"{ORDERS}/temporal-ui/session", headers=bearer(other))).status_code == 403
    # Disabling the operator ends it at once; so does logging out of the console.
    op = db.scalar(select(Operator).where(Operator.username == "ops-ui"))
    assert op is not None
    op.is_active = False
    db.commit()
    assert (await api.get(auth, headers=with_ticket(ticket))).status_code == 401
    op.is_active = True
    db.commit()
    assert (await api.get(auth, headers=with_ticket(ticket))).status_code == 204
    assert (await api.post(f"{V1}/auth/logout", headers=bearer(ops))).status_code == 204
    assert (await api.get(auth, headers=with_ticket(ticket))).status_code == 401
