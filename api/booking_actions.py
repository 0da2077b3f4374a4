"""Sending a user's action to the BookingWorkflow as a validated Update, and starting workflows."""

from __future__ import annotations

import base64
import binascii

from fastapi.concurrency import run_in_threadpool
from temporalio.client import WorkflowUpdateFailedError
from temporalio.common import TypedSearchAttributes
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from api.context import AppContext
from api.error_codes import raises
from api.routers.files import store_for_purpose
from domain.bookings.messages import ActionRequest, ActionResult, Actor, BookingInput, CancellationTier, Quote
from domain.bookings.schemas import ActionIn
from domain.bookings.service import signature_in_use
from domain.db import session_scope
from domain.errors import AppError, Conflict
from storage.media import MediaRejected, MediaTooLarge, thumbnail_key
from workflows.booking import BookingWorkflow, search_attributes

# Validator / handler failures (ApplicationError.type) -> HTTP status and error code.
FAILURES = {"InvalidAction": (409, "action_not_allowed"), "Forbidden": (403, "permission_denied"),
            "BadRequest": (422, "validation_error"), "CalendarConflict": (409, "calendar_conflict"),
            "NotReady": (409, "booking_not_ready"), "Closed": (409, "booking_closed"),
            "RefundExceedsPaid": (409, "refund_exceeds_paid"), "PermanentFailure": (409, "action_failed")}


@raises((503, "temporal_unavailable"))
async def start_booking(ctx: AppContext, inp: BookingInput) -> None:
    client = await ctx.temporal()
    await client.start_workflow(
        BookingWorkflow.run, inp, id=f"booking-{inp.booking_id}", task_queue=ctx.settings.temporal_task_queue,
        search_attributes=TypedSearchAttributes(search_attributes(inp, "REQUESTED").search_attributes))


def _signature_key(ctx: AppContext, booking_id: int, user_id: int | None, png_b64: str | None) -> str | None:
    if not png_b64:
        return None
    try:
        data = base64.b64decode(png_b64.split(",", 1)[-1], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise AppError("签名图片无效，请重新签名", code="signature_invalid", status=422) from exc
    try:  # PNG only, judged by content like every upload (api.routers.files)
        stored = store_for_purpose(ctx.storage, data, "signature", prefix=f"signatures/{booking_id}/{user_id}")
    except MediaRejected as exc:
        message = exc.message if isinstance(exc, MediaTooLarge) else "签名须为PNG图片，请重新签名"
        raise AppError(message, code="signature_invalid", status=422) from exc
    return stored.key


def action_request(ctx: AppContext, booking_id: int, action: str, role: str, actor_id: int | None,
                   body: ActionIn) -> ActionRequest:
    quote = None
    if body.quote is not None:
        q = body.quote
        tiers = [CancellationTier(t.days_before, t.refund_percent) for t in q.cancellation_tiers] \
            if q.cancellation_tiers else None
        quote = Quote(fee_amount=q.fee_amount, deposit_percent=q.deposit_percent,
                      balance_due_days=q.balance_due_days, rider=list(q.rider), note=q.note,
                      **({"cancellation_tiers": tiers} if tiers else {}))
    return ActionRequest(
        action=action, actor=Actor(role, actor_id), reason=body.reason, quote=quote,
        signature_key=_signature_key(ctx, booking_id, actor_id, body.signature_png_base64),
        refund_amount=body.refund_amount, resolution=body.resolution, extend_hours=body.extend_hours,
        evidence=list(body.evidence))


async def send_action(ctx: AppContext, booking_id: int, req: ActionRequest) -> ActionResult:
    """Send the validated update. A signature image stored for an action the workflow refused is removed, so
    refused signs leave nothing behind."""
    try:
        return await _send(ctx, booking_id, req)
    except AppError:
        if req.signature_key:
            await run_in_threadpool(_discard_signature, ctx, req.signature_key)
        raise


def _discard_signature(ctx: AppContext, key: str) -> None:
    with session_scope(ctx.database_url) as session:
        if not signature_in_use(session, key):  # a handler may have failed after the contract took it
            for k in (key, thumbnail_key(key)):
                ctx.storage.delete(k)


def _detail(cause: ApplicationError, status: int) -> object:
    details = cause.details[0] if cause.details else None
    if status == 422:  # the validation shape every other 422 has: [{field, message}]
        return [{"field": details if isinstance(details, str) else "", "message": cause.message}]
    return details if isinstance(details, dict) else None


@raises((503, "temporal_unavailable"), *FAILURES.values(), (409, "action_failed"))  # what the workflow answers
async def _send(ctx: AppContext, booking_id: int, req: ActionRequest) -> ActionResult:
    client = await ctx.temporal()
    handle = client.get_workflow_handle_for(BookingWorkflow.run, f"booking-{booking_id}")
    try:
        return await handle.execute_update(BookingWorkflow.act, req)
    except WorkflowUpdateFailedError as err:
        cause = err.cause
        while cause is not None and not isinstance(cause, ApplicationError):
            cause = cause.__cause__  # type: ignore[assignment]
        if isinstance(cause, ApplicationError):
            status, code = FAILURES.get(cause.type or "", (409, "action_failed"))
            raise AppError(cause.message, code=code, status=status, detail=_detail(cause, status)) from err
        raise Conflict("操作未能完成，请刷新后重试", code="action_failed") from err
    except RPCError as err:
        # The booking row exists (the caller read it): its workflow has ended.
        if err.status in (RPCStatusCode.NOT_FOUND, RPCStatusCode.FAILED_PRECONDITION):
            raise Conflict("预约已结束，不能再操作", code="booking_closed") from err
        raise
