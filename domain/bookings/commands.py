"""Booking commands: what a user or an operator asks of a booking, from the first checks to the re-read result.

Each command checks the caller's part and the transition table first (service.role_on, service.check_action),
then, where the step commits the user to the booking, their verification (service.check_may_book); stores a
signature image; ends the read transaction (no pooled connection waits on Temporal); sends the validated Update
to the BookingWorkflow, mapping its failures to error codes; and re-reads the booking. The workflow's validator
stays the judge when the state moved in between. Routes parse, call one of these, and return."""

from __future__ import annotations

import asyncio
import base64
import binascii
import re
import time
from collections.abc import Awaitable, Callable
from typing import Literal, Protocol

from anyio.to_thread import run_sync
from sqlalchemy import select
from sqlalchemy.orm import Session
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.common import TypedSearchAttributes
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from domain.accounts import rules
from domain.bookings import service
from domain.bookings.messages import ActionRequest, ActionResult, Actor, BookingInput, CancellationTier, Quote
from domain.bookings.schemas import ActionIn, ActionOut, InquiryIn, InquiryOut, ProceedIn
from domain.bookings.states import Action, BookingStatus
from domain.contracts import signing
from domain.db import session_scope
from domain.discovery import service as discovery
from domain.discovery.schemas import DemandRespondIn, DemandRespondOut
from domain.errors import AppError, Conflict, NotFound, raises
from domain.models import Booking, PaymentOrder, Upload, User
from domain.payments import service as payments
from domain.payments.registry import Gateways, PaymentMethodUnavailable
from domain.settings import Settings
from domain.uploads.service import remove_stored, store_for_purpose
from storage.base import ObjectStorage
from storage.media import UPLOAD_MAX_PIXELS, MediaRejected, MediaTooLarge, has_ink
from workflows.booking import BookingWorkflow, search_attributes

# Operators intervene with their own actions (and cancel); users may send every other action.
OperatorAction = Literal["cancel", "resolve_dispute", "extend_deadline"]
USER_ACTIONS = frozenset(a.value for a in Action) - {"resolve_dispute", "extend_deadline"}
# The steps that commit a user to a booking: refused to a banned or (where required) unverified account.
NEEDS_VERIFICATION = frozenset({"confirm", "sign", "countersign"})
PAY_ACTIONS = frozenset({"pay_deposit", "pay_balance"})
# Dispute evidence: ids of the actor's own finished uploads of this purpose (images, domain.uploads).
EVIDENCE_PURPOSE = "evidence"
_UPLOAD_ID = re.compile(r"[0-9a-f]{32}")
# How long an action waits for a just-started booking's workflow to run its first task before answering 409.
NOT_READY_WAIT = 5.0
# How long an action the booking's page allows waits for a workflow that is behind the page: a worker that died
# after a local activity committed a step, in a workflow task the server never heard complete, leaves the step on
# the page while the workflow takes it again once that task times out (10 s) on another worker.
BEHIND_WAIT = 20.0


class EvidenceInvalid(AppError):
    status, code, message = 422, "evidence_invalid", "纠纷凭证无效：请上传本人拍摄的凭证图片后再提交"


# Validator / handler failures (ApplicationError.type) -> HTTP status and error code.
FAILURES = {"InvalidAction": (409, "action_not_allowed"), "Forbidden": (403, "permission_denied"),
            "BadRequest": (422, "validation_error"), "CalendarConflict": (409, "calendar_conflict"),
            "NotReady": (409, "booking_not_ready"), "Closed": (409, "booking_closed"),
            "RefundExceedsPaid": (409, "refund_exceeds_paid"), "PermanentFailure": (409, "action_failed")}


class Deps(Protocol):
    """What the commands need besides the request's session, chosen once at start-up (api.context.AppContext)."""

    @property
    def settings(self) -> Settings: ...

    @property
    def database_url(self) -> str: ...

    @property
    def storage(self) -> ObjectStorage: ...

    @property
    def gateways(self) -> Gateways: ...

    async def temporal(self) -> Client: ...


# --- the commands


async def create_inquiry(deps: Deps, db: Session, client: User, body: InquiryIn) -> InquiryOut:
    inquiry, bookings = await run_sync(service.create_inquiry, db, client, body)
    inputs = await run_sync(lambda: [service.workflow_input(db, b) for b in bookings])
    # Started before the commit: if Temporal is down nothing is saved (activities retry until the rows appear).
    for inp in inputs:
        await start_booking(deps, inp)
    return await run_sync(service.inquiry_view, db, inquiry, deps.storage)


async def proceed(deps: Deps, db: Session, client: User, inquiry_id: int, body: ProceedIn) -> InquiryOut:
    """The client picks artists of an inquiry; the other open bookings are withdrawn."""
    inquiry = await run_sync(service.client_inquiry, db, client.id, inquiry_id)
    rows, _ = await run_sync(lambda: service.list_bookings(db, inquiry_id=inquiry_id, page_size=10))
    chosen = set(body.booking_ids)
    if not chosen <= {b.id for b in rows}:
        raise AppError("所选预约不属于该询价", code="booking_not_in_inquiry", status=422)
    await _end_read(db)
    for b in rows:
        if b.id not in chosen and b.status in (BookingStatus.REQUESTED, BookingStatus.CONFIRMED):
            req = _request(deps, b.id, "withdraw", "client", client.id, ActionIn(reason="需求方已选择其他艺人"))
            await send_action(deps, b.id, req)
    db.expire_all()
    return await run_sync(service.inquiry_view, db, inquiry, deps.storage)


@raises(PaymentMethodUnavailable)  # pay actions: deps.gateways.choose (through the Deps protocol)
async def act(deps: Deps, db: Session, user: User, acting_role: str | None, booking_id: int, action: str,
              body: ActionIn, origin: signing.Origin | None = None) -> ActionOut:
    """A client's or artist's action on their booking. A signature needs the signer's SMS code (signing intent,
    domain.contracts): checked, with its evidence written, before the workflow hears of it."""
    if action not in USER_ACTIONS:
        raise NotFound("不支持的操作")
    booking = await run_sync(service.get_booking, db, booking_id)
    role = service.role_on(booking, user.id, acting_role)
    service.check_action(booking, action, role)  # before a signature image is stored
    if action in NEEDS_VERIFICATION:
        await run_sync(service.check_may_book, db, user)
    if body.evidence:
        body = body.model_copy(update={"evidence": await run_sync(check_evidence, db, user.id, body.evidence)})
    if action in PAY_ACTIONS:
        deps.gateways.choose(body.gateway)  # an unknown or unoffered method: 400 before the workflow is asked
    evidence_id = None
    if action in signing.SIGN_ACTIONS:
        evidence_id = await run_sync(signing.confirm_intent, deps.settings, deps.storage, db, booking, user, role,
                                     body.sms_code, origin)
    try:
        return await _send_and_reread(deps, db, booking, action, role, user.id, body)
    except AppError:
        if evidence_id is not None:  # committed with the read; the workflow refused the signature
            await run_sync(signing.withdraw_intent, deps.database_url, evidence_id)
        raise


async def intervene(deps: Deps, db: Session, operator_id: int, booking_id: int, action: OperatorAction,
                    body: ActionIn) -> ActionOut:
    """An operator's intervention: the same validated update as a user's, as the operator."""
    booking = await run_sync(service.get_booking, db, booking_id)
    service.check_action(booking, action, "operator")
    if body.evidence:  # evidence is the parties' own uploads; an operator has none
        raise EvidenceInvalid()
    return await _send_and_reread(deps, db, booking, action, "operator", operator_id, body)


async def respond_to_demand(deps: Deps, db: Session, artist: User, demand_id: int,
                            body: DemandRespondIn) -> DemandRespondOut:
    """An artist answers a demand post: a booking from the demand's client to the artist, then the quote."""
    booking = await run_sync(discovery.respond, db, artist, demand_id, body.message)
    inp = await run_sync(service.workflow_input, db, booking)
    # Started before the commit: if Temporal is down nothing is saved.
    await start_booking(deps, inp)
    # The quote goes through the workflow, whose activities need the booking rows: commit them first.
    await run_sync(db.commit)
    quote_error = None
    try:
        req = await run_sync(_request, deps, booking.id, "confirm", "artist", artist.id, ActionIn(quote=body.quote),
                             db)
        await send_action(deps, booking.id, req)
    except AppError as err:  # the booking stands; the artist can quote again from the booking page
        quote_error = err.message
    db.expire_all()
    view = await run_sync(lambda: service.booking_views(db, [booking], "artist", deps.storage)[0])
    return DemandRespondOut(demand_id=demand_id, booking=view, quote_error=quote_error)


# --- the steps


async def _end_read(db: Session) -> None:
    # Nothing written yet: end the read transaction so no pooled connection waits on the workflow.
    await run_sync(db.commit)


async def _send_and_reread(deps: Deps, db: Session, booking: Booking, action: str, role: str, actor_id: int,
                           body: ActionIn) -> ActionOut:
    req = await run_sync(_request, deps, booking.id, action, role, actor_id, body, db)
    await _end_read(db)
    result = await send_action(deps, booking.id, req)
    db.expire_all()
    pay = await run_sync(_payment_for_choice, deps, db, result, body.gateway) if result.payment_order_id else None
    detail = await run_sync(service.booking_detail, db, booking, role, deps.storage)
    if pay is None:
        return ActionOut(status=result.status, payment_order_id=result.payment_order_id, pay_url=result.pay_url,
                         booking=detail)
    return ActionOut(status=result.status, payment_order_id=pay.order.id, pay_url=pay.pay_url or None,
                     pay_params=pay.pay_params, gateway=pay.order.gateway, booking=detail)


def _payment_for_choice(deps: Deps, db: Session, result: ActionResult,
                        choice: str | None) -> payments.PaymentStart | None:
    """The order the workflow opened, at the gateway the client chose. A workflow that doesn't forward the
    choice yet opens it at the default gateway: then it is re-opened here at the chosen one (which closes the
    other), so the client always pays where they asked to."""
    order = db.get(PaymentOrder, result.payment_order_id)
    if order is None:
        return None
    gateway = deps.gateways.choose(choice) if choice else deps.gateways[order.gateway]
    if gateway.name == order.gateway:
        return payments.PaymentStart(order, result.pay_url or "", order.pay_params)
    started = payments.create_order(db, gateway, order.booking_id, order.kind, order.amount, gateways=deps.gateways)
    db.commit()
    return started


@raises((503, "temporal_unavailable"))
async def start_booking(deps: Deps, inp: BookingInput) -> None:
    client = await deps.temporal()
    await client.start_workflow(
        BookingWorkflow.run, inp, id=f"booking-{inp.booking_id}", task_queue=deps.settings.temporal_task_queue,
        search_attributes=TypedSearchAttributes(search_attributes(inp, "REQUESTED").search_attributes))


def _signature_key(storage: ObjectStorage, booking_id: int, user_id: int | None, png_b64: str | None) -> str | None:
    if not png_b64:
        return None
    try:
        data = base64.b64decode(png_b64.split(",", 1)[-1], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise AppError("签名图片无效，请重新签名", code="signature_invalid", status=422) from exc
    if not has_ink(data, max_pixels=UPLOAD_MAX_PIXELS["signature"]):  # an exported blank canvas
        raise AppError("签名为空白，请在签名区手写签名后再提交", code="signature_invalid", status=422)
    try:  # PNG only, judged by content like every upload (domain.uploads)
        stored = store_for_purpose(storage, data, "signature", prefix=f"signatures/{booking_id}/{user_id}")
    except MediaRejected as exc:
        message = exc.message if isinstance(exc, MediaTooLarge) else "签名须为PNG图片，请重新签名"
        raise AppError(message, code="signature_invalid", status=422) from exc
    return stored.key


def check_evidence(session: Session, user_id: int, evidence: list[str]) -> list[str]:
    """The evidence of a dispute, each entry an id of `user_id`'s own finished upload of purpose `evidence`
    (repeats dropped, order kept); anything else (another user's upload, another purpose, an intent never
    completed, any other string) refuses the whole action before the workflow hears of it."""
    ids = list(dict.fromkeys(evidence))
    if not all(_UPLOAD_ID.fullmatch(i) for i in ids):
        raise EvidenceInvalid()
    owned = set(session.scalars(select(Upload.id).where(
        Upload.id.in_(ids), Upload.user_id == user_id, Upload.purpose == EVIDENCE_PURPOSE)))
    if len(owned) != len(ids):
        raise EvidenceInvalid()
    return ids


def _request(deps: Deps, booking_id: int, action: str, role: str, actor_id: int | None,
             body: ActionIn, session: Session | None = None) -> ActionRequest:
    """The workflow's message for `body`; a signature image in it is stored first (removed again by
    send_action when the workflow refuses). What a quote leaves out (the balance due days, the refund tiers)
    is the platform's default from 系统设置 (`session` reads it)."""
    quote = None
    if body.quote is not None:
        q = body.quote
        assert session is not None, "a quote needs the session that reads the platform's defaults"
        due_days = q.balance_due_days if q.balance_due_days is not None else \
            int(rules.get_rule(session, "booking.balance_due_days"))
        tiers = [CancellationTier(t.days_before, t.refund_percent) for t in q.cancellation_tiers] \
            if q.cancellation_tiers else [CancellationTier(int(t["days_before"]), int(t["refund_percent"]))
                                          for t in rules.get_rule(session, "booking.cancellation_tiers")]
        quote = Quote(fee_amount=q.fee_amount, deposit_percent=q.deposit_percent, balance_due_days=due_days,
                      rider=list(q.rider), note=q.note, cancellation_tiers=tiers)
    return ActionRequest(
        action=action, actor=Actor(role, actor_id), reason=body.reason, quote=quote,
        signature_key=_signature_key(deps.storage, booking_id, actor_id, body.signature_png_base64),
        refund_amount=body.refund_amount, resolution=body.resolution, extend_hours=body.extend_hours,
        evidence=list(body.evidence), gateway=body.gateway,
        via="console")  # checked and audited by the API (an action from the Temporal UI is by the workflow)


async def _update_when_ready(handle: WorkflowHandle, req: ActionRequest,
                             page_allows: Callable[[], Awaitable[bool]]) -> ActionResult:
    """The update, sent again for a few seconds rather than answered 409 when the workflow is not where the
    booking's page is: refused as NotReady (the workflow has not run its first task yet, e.g. the artist confirms
    right after the inquiry while the workers are busy), or refused as InvalidAction while the page, read again,
    still allows the action (the workflow is behind it, see BEHIND_WAIT). Any other refusal, or InvalidAction once
    the page has moved on too (another request won the race), is answered at once. A refused update leaves
    nothing in the history, so resending is safe."""
    start = time.monotonic()
    delay = 0.02
    while True:
        try:
            return await handle.execute_update(BookingWorkflow.act, req)
        except WorkflowUpdateFailedError as err:
            cause = _application_cause(err)
            waited = time.monotonic() - start + delay
            kind = cause.type if cause is not None else None
            if not ((kind == "NotReady" and waited <= NOT_READY_WAIT)
                    or (kind == "InvalidAction" and waited <= BEHIND_WAIT and await page_allows())):
                raise
        await asyncio.sleep(delay)
        delay = min(delay * 2, 0.5)


def _page_allows(deps: Deps, booking_id: int, req: ActionRequest) -> bool:
    """Whether the booking as stored (its page) allows the request's action to its sender now."""
    with session_scope(deps.database_url) as session:
        booking = session.get(Booking, booking_id)
        return booking is not None and service.allows(booking, req.action, req.actor.role)


async def send_action(deps: Deps, booking_id: int, req: ActionRequest) -> ActionResult:
    """Send the validated update. A signature image stored for an action the workflow refused is removed, so
    refused signs leave nothing behind."""
    try:
        return await _send(deps, booking_id, req)
    except AppError:
        if req.signature_key:
            await run_sync(_discard_signature, deps, req.signature_key)
        raise


def _discard_signature(deps: Deps, key: str) -> None:
    with session_scope(deps.database_url) as session:
        if not service.signature_in_use(session, key):  # a handler may have failed after the contract took it
            remove_stored(deps.storage, key)


def _detail(cause: ApplicationError, status: int) -> object:
    details = cause.details[0] if cause.details else None
    if status == 422:  # the validation shape every other 422 has: [{field, message}]
        return [{"field": details if isinstance(details, str) else "", "message": cause.message}]
    return details if isinstance(details, dict) else None


def _application_cause(err: WorkflowUpdateFailedError) -> ApplicationError | None:
    cause = err.cause
    while cause is not None and not isinstance(cause, ApplicationError):
        cause = cause.__cause__  # type: ignore[assignment]
    return cause


@raises((503, "temporal_unavailable"), *FAILURES.values(), (409, "action_failed"))  # what the workflow answers
async def _send(deps: Deps, booking_id: int, req: ActionRequest) -> ActionResult:
    client = await deps.temporal()
    handle = client.get_workflow_handle_for(BookingWorkflow.run, f"booking-{booking_id}")
    try:
        return await _update_when_ready(handle, req, lambda: run_sync(_page_allows, deps, booking_id, req))
    except WorkflowUpdateFailedError as err:
        cause = _application_cause(err)
        if isinstance(cause, ApplicationError):
            status, code = FAILURES.get(cause.type or "", (409, "action_failed"))
            raise AppError(cause.message, code=code, status=status, detail=_detail(cause, status)) from err
        raise Conflict("操作未能完成，请刷新后重试", code="action_failed") from err
    except RPCError as err:
        # The booking row exists (the caller read it): its workflow has ended.
        if err.status in (RPCStatusCode.NOT_FOUND, RPCStatusCode.FAILED_PRECONDITION):
            raise Conflict("预约已结束，不能再操作", code="booking_closed") from err
        raise
