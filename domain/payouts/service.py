"""Executing an approved payout through a payout channel, and an operator's retry of a failed one.

Payout status (the row is written by the settlement; this module moves it on from "approved"):
  approved --execute--> paying --channel says succeeded--> paid   (+ the "payout" ledger entry, same transaction)
                               --channel says failed-----> failed (reason kept, booking flagged for an operator)
                               --in flight (WeChat accepted, bank batch)--> stays paying; executing again asks
                                 the channel (`query`) and moves on when it knows
  failed --operator retries (POST /admin/settlements/{id}/retry → the workflow → retry_payout)--> approved, then
                               executed again at once

The number sent to the channel is the payout_no (PO<booking id>) for the first transfer. The same number again is
the same transfer, so a retried activity never pays twice. Once the channel has a final failed record of a number
(WeChat FAIL / CANCELLED, a failed bank line), a retry needs a new one: `<payout_no>A<attempt>`; `attempts` counts
the numbers used. A refusal before anything was created at the channel keeps the number."""

from __future__ import annotations

import logging

from cryptography.exceptions import InvalidTag
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.accounts.crypto import FieldCipher, field_cipher_from_settings
from domain.accounts.verification import NAME_CONTEXT
from domain.ledger import accounts as ledger_accounts
from domain.ledger.service import post
from domain.models import ArtistPayoutAccount, Booking, Payout, RealNameVerification, User
from domain.payments.service import flag_for_operator
from domain.payouts.accounts import ACCOUNT_NAME_CONTEXT, ACCOUNT_NO_CONTEXT
from domain.payouts.channel import BankAccount, Payee, PayoutChannel, TransferNotFound, TransferResult
from domain.payouts.errors import PayoutNotAwaitingConfirmation, PayoutNotFound, PayoutNotRetryable
from domain.payouts.schemas import TransferConfirmationOut
from domain.settings import get_settings
from domain.time import utc_now

log = logging.getLogger(__name__)

STATUS_LABELS = {"pending_approval": "待审批", "approved": "待出款", "paying": "出款中", "paid": "已到账",
                 "failed": "出款失败", "rejected": "已驳回"}


def transfer_no(payout: Payout) -> str:
    """The number of the payout's current transfer at its channel (letters and digits: WeChat's out_bill_no)."""
    return payout.payout_no if payout.attempts <= 1 else f"{payout.payout_no}A{payout.attempts}"


def payee_of(session: Session, artist_id: int, cipher: FieldCipher | None = None) -> Payee:
    """Who receives an artist's payout: their openid, verified real name and 收款账户 (each may be missing;
    the channel refuses what it can't pay)."""
    cipher = cipher or field_cipher_from_settings(get_settings())

    def plain(blob: bytes, context: bytes) -> str | None:
        try:
            return cipher.decrypt(blob, context=context)
        except InvalidTag:  # written under another key: the channel refuses what it can't pay, with a reason
            log.error("payee data of artist %s does not decrypt with the configured key", artist_id)
            return None

    user = session.get(User, artist_id)
    verified = session.scalar(select(RealNameVerification).where(
        RealNameVerification.user_id == artist_id, RealNameVerification.status == "verified")
        .order_by(RealNameVerification.id.desc()).limit(1))
    account = session.get(ArtistPayoutAccount, artist_id)
    bank = None
    if account is not None:
        holder = plain(account.account_name_cipher, ACCOUNT_NAME_CONTEXT)
        number = plain(account.account_no_cipher, ACCOUNT_NO_CONTEXT)
        if holder and number:
            bank = BankAccount(account_name=holder, account_no=number, bank_name=account.bank_name)
    name = plain(verified.legal_name_cipher, NAME_CONTEXT) if verified else None
    return Payee(user_id=artist_id, name=name or (bank.account_name if bank else None),
                 openid=user.wechat_openid if user else None, bank_account=bank)


def _memo(payout: Payout) -> str:
    return f"演约演出费结算 预约#{payout.booking_id}"[:32]  # WeChat's transfer_remark: at most 32 characters


def _lock(session: Session, booking_id: int) -> Payout:
    payout = session.scalar(select(Payout).where(Payout.booking_id == booking_id).with_for_update())
    if payout is None:
        raise PayoutNotFound()
    return payout


def execute_payout(session: Session, channel: PayoutChannel, booking_id: int, *,
                   cipher: FieldCipher | None = None) -> str:
    """Pay an approved payout out through `channel`, or find out where a payout in flight is. Returns the
    payout's status afterwards ("paid", "paying", "failed"; any other status is returned unchanged: nothing to
    do). Idempotent: run it as often as you like. Flushes only (the caller commits). Raises IntegrationError
    (retriable) when the channel is unreachable: nothing is written then, the next call sends the same number."""
    payout = _lock(session, booking_id)
    if payout.status not in ("approved", "paying"):
        return payout.status
    if payout.status == "paying" and payout.channel not in (None, channel.name):
        # In flight at another channel (the setting changed since): never send it a second way.
        log.warning("payout %s is in flight at %s, not %s", payout.payout_no, payout.channel, channel.name)
        return payout.status
    payout.attempts = max(payout.attempts, 1)
    number = transfer_no(payout)
    if payout.status == "approved":
        payout.status, payout.channel = "paying", channel.name
        session.flush()
        result = _send(session, channel, payout, number, cipher)
    else:
        try:
            result = channel.query(number)
        except TransferNotFound:
            result = _send(session, channel, payout, number, cipher)
    return apply_result(session, payout, channel.name, result)


def _send(session: Session, channel: PayoutChannel, payout: Payout, number: str,
          cipher: FieldCipher | None) -> TransferResult:
    log.info("payout %s of booking %s: %s fen via %s", number, payout.booking_id, payout.payout_amount, channel.name)
    return channel.transfer(number, payout.payout_amount, payee_of(session, payout.artist_id, cipher), _memo(payout))


def apply_result(session: Session, payout: Payout, channel_name: str, result: TransferResult) -> str:
    """Record what the channel said about the payout's current transfer (also used by the bank batch results)."""
    if result.provider_id:
        payout.provider_id = result.provider_id[:64]
    if result.status == "succeeded":
        payout.status, payout.paid_at, payout.failure_reason = "paid", utc_now(), None
        post(session, kind="payout", ref=payout.payout_no, booking_id=payout.booking_id, artist_id=payout.artist_id,
             lines=[(ledger_accounts.ARTIST_PAYABLE, payout.payout_amount),
                    (ledger_accounts.payout(channel_name), -payout.payout_amount)],
             memo=f"出款 {transfer_no(payout)}")
    elif result.status == "failed":
        reason = (result.failure_reason or "出款失败")[:300]
        payout.status, payout.failure_reason = "failed", reason
        flag_for_operator(session, payout.booking_id, f"结算出款失败（{payout.payout_no}）：{reason}")
    session.flush()
    return payout.status


def retry_payout(session: Session, channel: PayoutChannel, booking_id: int, *,
                 cipher: FieldCipher | None = None) -> Payout:
    """An operator sends a failed payout again (after the artist fixed their account, or the merchant topped
    up). The payout goes back to "approved" — with a new transfer number when the channel keeps a failed record
    of the old one — and is executed at once through `channel` (the configured one)."""
    payout = session.scalar(select(Payout).where(Payout.booking_id == booking_id).with_for_update())
    if payout is None or payout.status != "failed":
        raise PayoutNotRetryable(detail={"status": payout.status if payout else None})
    old_channel = payout.channel
    try:
        if old_channel != channel.name:
            raise TransferNotFound(transfer_no(payout))  # another channel never saw this number
        channel.query(transfer_no(payout))
        payout.attempts = max(payout.attempts, 1) + 1  # the channel has a final record of the old number
    except TransferNotFound:
        if old_channel not in (None, channel.name):
            payout.attempts = max(payout.attempts, 1) + 1  # new channel, new number: no reuse across channels
    payout.status, payout.failure_reason, payout.channel = "approved", None, None
    session.flush()
    execute_payout(session, channel, booking_id, cipher=cipher)
    return payout


def transfer_confirmation(session: Session, channel: PayoutChannel, artist_id: int,
                          booking_id: int) -> TransferConfirmationOut:
    """What the artist's mini-program needs to confirm receipt of a WeChat transfer (WAIT_USER_CONFIRM): asked of
    WeChat each time (the package belongs to the bill's current state). Only the artist's own payout."""
    payout = session.scalar(select(Payout).where(Payout.booking_id == booking_id))
    if payout is None or payout.artist_id != artist_id:
        if session.scalar(select(Booking.id).where(Booking.id == booking_id, Booking.artist_id == artist_id)) is None:
            raise PayoutNotFound()
        raise PayoutNotAwaitingConfirmation()
    mchid, appid = getattr(channel, "mchid", None), getattr(channel, "appid", None)
    if payout.status != "paying" or payout.channel != channel.name or not (mchid and appid):
        raise PayoutNotAwaitingConfirmation(detail={"status": payout.status})
    try:
        result = channel.query(transfer_no(payout))
    except TransferNotFound as exc:
        raise PayoutNotAwaitingConfirmation() from exc
    if not result.package_info:
        raise PayoutNotAwaitingConfirmation(detail={"status": result.status})
    return TransferConfirmationOut(mch_id=mchid, app_id=appid, package=result.package_info,
                                   amount=payout.payout_amount)
