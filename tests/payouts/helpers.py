"""Rows a payout test starts from: a settled booking with an approved payout and its settlement posted."""

from __future__ import annotations

from sqlalchemy.orm import Session

from domain.accounts.crypto import FieldCipher
from domain.ledger import accounts
from domain.ledger.service import post
from domain.models import Payout
from domain.payouts.accounts import save_account
from domain.payouts.schemas import PayoutAccountIn
from tests.factories import artist_row, insert_booking, user_row

CIPHER = FieldCipher("test-id-key", "test-hash-key")  # what the `settings` fixture configures


def settled_booking(db: Session, *, artist_id: int | None = None, paid: int = 1_000_000, rate_bp: int = 1000,
                    status: str = "approved", openid: str | None = None) -> Payout:
    """A COMPLETED booking whose settlement was posted (escrow → artist payable + commission) and whose payout
    row is `status`."""
    if artist_id is None:
        artist_id = artist_row(db, user={"wechat_openid": openid} if openid else None)
    client = user_row(db).id
    booking = insert_booking(db, client, artist_id, status="COMPLETED", fee_amount=paid, paid_amount=paid)
    commission = paid * rate_bp // 10_000
    post(db, kind="settlement", ref=f"booking-{booking}", booking_id=booking, artist_id=artist_id,
         lines=[(accounts.ESCROW, paid), (accounts.ARTIST_PAYABLE, -(paid - commission)),
                (accounts.COMMISSION, -commission)])
    payout = Payout(booking_id=booking, artist_id=artist_id, gross_amount=paid, commission_amount=commission,
                    payout_amount=paid - commission, status=status, payout_no=f"PO{booking}")
    db.add(payout)
    db.commit()
    return payout


def bank_account(db: Session, artist_id: int, name: str = "林晚晴", no: str = "6222020200112233445",
                 bank: str = "中国工商银行北京朝阳支行") -> None:
    save_account(db, CIPHER, artist_id, PayoutAccountIn(account_name=name, account_no=no, bank_name=bank))
    db.commit()
