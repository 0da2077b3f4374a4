"""The artist's 收款账户 for bank transfers: stored encrypted, shown masked."""

from __future__ import annotations

from sqlalchemy.orm import Session

from domain.accounts.crypto import FieldCipher, mask_name
from domain.models import ArtistPayoutAccount
from domain.payouts.schemas import PayoutAccountIn, PayoutAccountOut
from domain.time import utc_now

ACCOUNT_NAME_CONTEXT = b"artist_payout_accounts.account_name"
ACCOUNT_NO_CONTEXT = b"artist_payout_accounts.account_no"


def mask_account_no(account_no: str) -> str:
    return f"{account_no[:4]} **** {account_no[-4:]}"


def view(row: ArtistPayoutAccount) -> PayoutAccountOut:
    return PayoutAccountOut(account_name_masked=row.account_name_masked, account_no_masked=row.account_no_masked,
                            bank_name=row.bank_name, updated_at=row.updated_at)


def find_account(session: Session, artist_id: int) -> PayoutAccountOut | None:
    row = session.get(ArtistPayoutAccount, artist_id)
    return view(row) if row is not None else None


def save_account(session: Session, cipher: FieldCipher, artist_id: int, data: PayoutAccountIn) -> PayoutAccountOut:
    row = session.get(ArtistPayoutAccount, artist_id, with_for_update=True)
    values = dict(account_name_cipher=cipher.encrypt(data.account_name, context=ACCOUNT_NAME_CONTEXT),
                  account_name_masked=mask_name(data.account_name),
                  account_no_cipher=cipher.encrypt(data.account_no, context=ACCOUNT_NO_CONTEXT),
                  account_no_masked=mask_account_no(data.account_no), bank_name=data.bank_name, updated_at=utc_now())
    if row is None:
        row = ArtistPayoutAccount(artist_id=artist_id, **values)
        session.add(row)
    else:
        for key, value in values.items():
            setattr(row, key, value)
    session.flush()
    return view(row)
