"""Shared steps of the booking workflow tests: parties, a booking with its workflow, actions, payments."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.common import TypedSearchAttributes
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from domain.bookings import service
from domain.bookings.messages import ActionRequest, ActionResult, Actor, PaymentReceived, Quote
from domain.bookings.schemas import InquiryIn
from domain.models import Booking, ClientProfile, PaymentOrder, User
from domain.payments import service as payments
from domain.payments.gateway import CallbackEvent
from domain.time import utc_now
from tests.factories import artist_row, inquiry_body, user_row
from workflows.booking import BookingWorkflow, search_attributes

QUEUE = "yanyue-test"  # the session worker's task queue (tests/conftest.py)


def parties(db: Session, n_artists: int = 1) -> tuple[int, list[int]]:
    """A verified client and verified artists."""
    suffix = uuid.uuid4().int % 10**7
    client = user_row(db, f"136{suffix:08d}", verification_status="verified")
    db.add(ClientProfile(user_id=client.id, org_name="星河科技有限公司", industry="enterprise", contact_name="王经理",
                         contact_phone=client.phone))
    artists = [artist_row(db, f"139{(suffix + i + 1) % 10**8:08d}", stage_name=f"歌手{i}",
                          user={"verification_status": "verified"}) for i in range(n_artists)]
    db.commit()
    return client.id, artists


def inquiry_in(artist_ids: list[int], days: float = 40, hours: int = 3, now: datetime | None = None) -> InquiryIn:
    """The inquiry the API would have parsed: the show `days` after `now` (the test server's clock)."""
    return InquiryIn.model_validate(inquiry_body(artist_ids, start=(now or utc_now()) + timedelta(days=days),
                                                 hours=hours))


# Settlement rules of the bookings these tests start unless a test says otherwise: no dispute window after the
# show and approval at once, so a settlement request pays out straight away. The settlement tests pass the
# platform's defaults (None: booking.settlement_* from the rules) or their own.
NO_SETTLEMENT_WAIT = {"settlement_window_hours": 0, "settlement_auto_approve_days": 0}


async def start(env: WorkflowEnvironment, db: Session, client_id: int, artist_ids: list[int],
                settlement: dict[str, int] | None = NO_SETTLEMENT_WAIT, **kw: Any) -> list[WorkflowHandle]:
    """Bookings whose show is `days` ahead of the (time-skipping) server's clock."""
    user = db.get(User, client_id)
    assert user is not None
    client = env.client
    now = max(await env.get_current_time(), utc_now())
    _, bookings = service.create_inquiry(db, user, inquiry_in(artist_ids, now=now, **kw))
    db.commit()
    handles = []
    for b in bookings:
        inp = service.workflow_input(db, b)
        for name, value in (settlement or {}).items():
            setattr(inp, name, value)
        handles.append(await client.start_workflow(
            BookingWorkflow.run, inp, id=f"booking-{b.id}", task_queue=QUEUE,
            search_attributes=TypedSearchAttributes(search_attributes(inp, "REQUESTED").search_attributes)))
    return handles


def booking_id(handle: WorkflowHandle) -> int:
    return int(handle.id.removeprefix("booking-"))


async def act(handle: WorkflowHandle, action: str, role: str, actor_id: int | None, **kw: Any) -> ActionResult:
    """Send an action as a client would: a booking whose first step hasn't run yet answers NotReady
    (预约尚未就绪，请稍后重试), so try again for a few seconds, as the pages do."""
    kw.setdefault("via", "console")  # as the API sends it (tests/workflows/test_temporal_ui_update.py: the UI's)
    req = ActionRequest(action=action, actor=Actor(role, actor_id), **kw)
    for _ in range(100):
        try:
            return await handle.execute_update(BookingWorkflow.act, req)
        except WorkflowUpdateFailedError as err:
            if not (isinstance(err.cause, ApplicationError) and err.cause.type == "NotReady"):
                raise
            await asyncio.sleep(0.1)
    raise AssertionError(f"booking {handle.id} never became ready for {action}")


QUOTE = Quote(fee_amount=1_000_000, deposit_percent=30, balance_due_days=3)  # ¥10,000: ¥3,000 + ¥7,000


async def to_signed(handle: WorkflowHandle, client_id: int, artist_id: int, quote: Quote = QUOTE) -> None:
    await act(handle, "confirm", "artist", artist_id, quote=quote)
    await act(handle, "send_contract", "artist", artist_id)
    await act(handle, "sign", "client", client_id, signature_key="private/signatures/c.png")
    await act(handle, "countersign", "artist", artist_id, signature_key="private/signatures/a.png")


async def pay(handle: WorkflowHandle, db: Session, client_id: int, kind: str) -> str:
    """What a paid gateway callback does: the order is paid (and posted to the ledger) and the workflow
    signalled."""
    result = await act(handle, f"pay_{kind}", "client", client_id)
    assert result.payment_order_id
    order = db.get(PaymentOrder, result.payment_order_id)
    assert order is not None
    received = paid_callback(db, order)
    assert received is not None
    await handle.signal(BookingWorkflow.payment_received, received)
    await settled(handle)
    return order.id


def paid_callback(db: Session, order: PaymentOrder, txn: str | None = None) -> PaymentReceived | None:
    """The gateway's verified "paid" notification for `order`, recorded as the callback route does."""
    received = payments.record_callback(db, order.gateway, CallbackEvent(
        notification_id=f"N{order.id}-{txn or ''}", order_id=order.id, amount=order.amount,
        gateway_txn_id=txn or f"T{order.id}", paid_at=utc_now()))
    db.commit()
    return received


async def settled(handle: WorkflowHandle, timeout: float = 15) -> None:
    """Wait (in real time) until the workflow has handled every queued signal and compensation."""
    deadline = asyncio.get_running_loop().time() + timeout
    while await handle.query(BookingWorkflow.busy):
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"{handle.id} still busy")
        await asyncio.sleep(0.05)


def booking(db: Session, handle: WorkflowHandle) -> Booking:
    db.expire_all()
    b = db.get(Booking, booking_id(handle))
    assert b is not None
    return b
