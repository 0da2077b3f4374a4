"""Telling a booking's workflow that its money arrived: one function for the gateway callback route and the
reconciliation job (which finds payments whose callback never came), so both signal the same way."""

from __future__ import annotations

from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from domain.bookings.messages import PaymentReceived

PAYMENT_SIGNAL = "payment_received"


def booking_workflow_id(booking_id: int) -> str:
    return f"booking-{booking_id}"


async def signal_payment(client: Client, booking_id: int, received: PaymentReceived) -> bool:
    """Signal `payment_received` to booking-<id>. False when that workflow has ended (cancelled, expired): the
    money is real, so the caller keeps the record and hands it to an operator instead of having the gateway
    retry forever. Any other RPCError is raised: the caller rolls back so the payment is seen again."""
    try:
        await client.get_workflow_handle(booking_workflow_id(booking_id)).signal(PAYMENT_SIGNAL, received)
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            return False
        raise
    return True


def ended_workflow_reason(order_id: str) -> str:
    return f"预约流程已结束后收到付款（订单 {order_id}），需退款"
