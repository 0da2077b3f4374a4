"""execute_payout through WeChat Pay 商家转账 against the loopback fake: signed requests, the real name encrypted
from 2,000 yuan on, bills in flight queried until final, real error codes failing the payout for an operator, and
retries that reuse or renew the out_bill_no as WeChat requires."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.ledger import accounts
from domain.ledger.service import balance
from domain.models import Booking, JournalEntry, Payout, RealNameVerification
from domain.payouts.errors import PayoutNotAwaitingConfirmation, PayoutNotFound
from domain.payouts.service import execute_payout, retry_payout, transfer_confirmation
from domain.payouts.wechat_transfer import WechatTransferChannel
from integrations.errors import IntegrationError
from tests.factories import artist_row
from tests.fakes.wechatpay_transfer import FakeWechatTransfer, _pem_private, _pem_public
from tests.payouts.helpers import CIPHER, settled_booking

REPORT = [{"info_type": "岗位类型", "info_content": "演出艺人"}, {"info_type": "报酬说明", "info_content": "演出费"}]


@pytest.fixture
def fake() -> Iterator[FakeWechatTransfer]:
    with FakeWechatTransfer() as server:
        yield server


@pytest.fixture
def channel(fake: FakeWechatTransfer) -> WechatTransferChannel:
    return WechatTransferChannel(scene_id="1005", report_infos=REPORT, **fake.channel_kwargs())


def _verified_artist(db: Session, openid: str, name: str = "林晚晴") -> int:
    artist = artist_row(db, user={"wechat_openid": openid, "verification_status": "verified"})
    db.add(RealNameVerification(user_id=artist, subject="individual",
                                legal_name_cipher=CIPHER.encrypt(name, context=b"real_name_verifications.legal_name"),
                                legal_name_masked=name[0] + "*", id_number_cipher=b"x" * 40,
                                id_number_hash=f"hash-{openid}", id_number_masked="1101**********1234",
                                status="verified"))
    db.commit()
    return artist


def _status(db: Session, payout: Payout) -> tuple[str, int, str | None]:
    db.expire_all()
    row = db.get(Payout, payout.booking_id)
    assert row is not None
    return row.status, row.attempts, row.failure_reason


def test_transfers_to_the_openid_with_the_encrypted_name_from_2000_yuan(
        db: Session, fake: FakeWechatTransfer, channel: WechatTransferChannel) -> None:
    artist = _verified_artist(db, "o-artist-1")
    large = settled_booking(db, artist_id=artist)               # 9,000 yuan payout: name required
    small = settled_booking(db, artist_id=artist, paid=100_000)  # 900 yuan: no name sent
    for payout in (large, small):
        assert execute_payout(db, channel, payout.booking_id, cipher=CIPHER) == "paid"
        db.commit()
        assert execute_payout(db, channel, payout.booking_id, cipher=CIPHER) == "paid"  # nothing sent again
    big, little = fake.bills[f"PO{large.booking_id}"], fake.bills[f"PO{small.booking_id}"]
    assert (big.openid, big.transfer_amount, big.user_name, big.transfer_scene_id) == ("o-artist-1", 900_000,
                                                                                      "林晚晴", "1005")
    assert (little.transfer_amount, little.user_name) == (90_000, None)
    assert big.transfer_remark == f"演约演出费结算 预约#{large.booking_id}"
    assert len([r for r in fake.requests if r.method == "POST"]) == 2
    assert fake.rejected_signatures == 0
    for payout, amount in ((large, 900_000), (small, 90_000)):
        assert balance(db, accounts.ARTIST_PAYABLE, booking_id=payout.booking_id) == 0
        assert balance(db, accounts.payout("wechat_transfer"), booking_id=payout.booking_id) == -amount
        row = db.get(Payout, payout.booking_id)
        assert row is not None and row.provider_id == fake.bills[row.payout_no].transfer_bill_no


def test_a_transfer_in_flight_is_queried_until_it_succeeds(
        db: Session, fake: FakeWechatTransfer, channel: WechatTransferChannel) -> None:
    payout = settled_booking(db, artist_id=_verified_artist(db, "o-artist-2"))
    fake.mode = "WAIT_USER_CONFIRM"  # the artist has not confirmed receipt in WeChat yet
    assert execute_payout(db, channel, payout.booking_id, cipher=CIPHER) == "paying"
    db.commit()
    # What the artist's mini-program passes to wx.requestMerchantTransfer; nobody else's payout.
    confirm = transfer_confirmation(db, channel, payout.artist_id, payout.booking_id)
    assert (confirm.mch_id, confirm.app_id, confirm.package, confirm.amount) == (
        fake.mchid, fake.appid, "affffddafdfafddffda==", 900_000)
    with pytest.raises(PayoutNotFound):
        transfer_confirmation(db, channel, artist_row(db), payout.booking_id)
    fake.settle(f"PO{payout.booking_id}", "TRANSFERING")
    with pytest.raises(PayoutNotAwaitingConfirmation):
        transfer_confirmation(db, channel, payout.artist_id, payout.booking_id)
    assert execute_payout(db, channel, payout.booking_id, cipher=CIPHER) == "paying"
    db.commit()
    assert db.scalar(select(JournalEntry).where(JournalEntry.kind == "payout")) is None
    fake.settle(f"PO{payout.booking_id}", "SUCCESS")
    assert execute_payout(db, channel, payout.booking_id, cipher=CIPHER) == "paid"
    db.commit()
    assert [r.method for r in fake.requests] == ["POST", "GET", "GET", "GET", "GET"]  # one transfer, then queries
    assert balance(db, accounts.payout("wechat_transfer"), booking_id=payout.booking_id) == -900_000


def test_not_enough_fails_the_payout_for_an_operator_who_retries_with_the_same_number(
        db: Session, fake: FakeWechatTransfer, channel: WechatTransferChannel) -> None:
    artist = _verified_artist(db, "o-artist-3")
    first, second = settled_booking(db, artist_id=artist), settled_booking(db, artist_id=artist, paid=200_000)
    fake.errors = ["NOT_ENOUGH"]
    assert execute_payout(db, channel, first.booking_id, cipher=CIPHER) == "failed"
    db.commit()
    assert execute_payout(db, channel, second.booking_id, cipher=CIPHER) == "paid"  # the other booking is fine
    db.commit()
    status, attempts, reason = _status(db, first)
    assert (status, attempts) == ("failed", 1) and "NOT_ENOUGH" in (reason or "")
    booking = db.get(Booking, first.booking_id)
    assert booking is not None and "NOT_ENOUGH" in (booking.needs_operator or "")
    assert f"PO{first.booking_id}" not in fake.bills  # WeChat created nothing
    assert balance(db, accounts.ARTIST_PAYABLE, booking_id=first.booking_id) == -900_000

    retry_payout(db, channel, first.booking_id, cipher=CIPHER)  # after topping up: 原单号重试
    db.commit()
    assert _status(db, first) == ("paid", 1, None)
    assert f"PO{first.booking_id}" in fake.bills and len(fake.bills) == 2


def test_a_failed_bill_needs_a_new_out_bill_no_on_retry(
        db: Session, fake: FakeWechatTransfer, channel: WechatTransferChannel) -> None:
    payout = settled_booking(db, artist_id=_verified_artist(db, "o-artist-4"))
    fake.mode = "FAIL"
    assert execute_payout(db, channel, payout.booking_id, cipher=CIPHER) == "failed"
    db.commit()
    assert "收款用户账户异常" in (_status(db, payout)[2] or "")
    fake.mode = "SUCCESS"
    retry_payout(db, channel, payout.booking_id, cipher=CIPHER)
    db.commit()
    assert _status(db, payout) == ("paid", 2, None)
    assert fake.bills[f"PO{payout.booking_id}"].state == "FAIL"
    assert fake.bills[f"PO{payout.booking_id}A2"].state == "SUCCESS"
    entries = db.scalars(select(JournalEntry).where(JournalEntry.kind == "payout")).all()
    assert [e.ref for e in entries] == [f"PO{payout.booking_id}"]  # one payout entry, whatever the attempts


def test_system_error_is_retried_by_the_caller_with_the_same_number(
        db: Session, fake: FakeWechatTransfer, channel: WechatTransferChannel) -> None:
    payout = settled_booking(db, artist_id=_verified_artist(db, "o-artist-5"))
    fake.errors = ["SYSTEM_ERROR", "FREQUENCY_LIMITED"]
    for code in ("SYSTEM_ERROR", "FREQUENCY_LIMITED"):
        with pytest.raises(IntegrationError) as err:
            execute_payout(db, channel, payout.booking_id, cipher=CIPHER)
        assert err.value.provider_code == code
        db.rollback()  # what the activity boundary does
        assert _status(db, payout)[0] == "approved"
    assert execute_payout(db, channel, payout.booking_id, cipher=CIPHER) == "paid"
    db.commit()
    posted = [r for r in fake.requests if r.method == "POST"]
    assert len(posted) == 3 and all(b'"out_bill_no": "PO%d"' % payout.booking_id in r.body for r in posted)


def test_signatures_are_checked_both_ways(db: Session, fake: FakeWechatTransfer) -> None:
    artist = _verified_artist(db, "o-artist-6")
    payout, small = settled_booking(db, artist_id=artist), settled_booking(db, artist_id=artist, paid=100_000)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged_request = WechatTransferChannel(scene_id="1005", report_infos=REPORT,
                                           **{**fake.channel_kwargs(), "private_key": _pem_private(other)})
    assert execute_payout(db, forged_request, payout.booking_id, cipher=CIPHER) == "failed"
    db.rollback()
    assert fake.rejected_signatures == 1 and not fake.bills
    wrong_platform = WechatTransferChannel(scene_id="1005", report_infos=REPORT, **{
        **fake.channel_kwargs(), "public_key": _pem_public(other.public_key())})
    with pytest.raises(IntegrationError):  # the answer's signature doesn't verify: not believed
        execute_payout(db, wrong_platform, small.booking_id, cipher=CIPHER)
    db.rollback()
    assert _status(db, small)[0] == "approved"


def test_the_channel_is_configuration(db: Session, fake: FakeWechatTransfer, tmp_path: Path) -> None:
    from domain.payouts.factory import payout_channel_from_settings
    from domain.settings import Settings

    key, pub = tmp_path / "apiclient_key.pem", tmp_path / "pub_key.pem"
    key.write_text(fake.merchant_private_pem)
    pub.write_text(fake.platform_public_pem)
    base = Settings(_env_file=None, data_dir=tmp_path)
    assert payout_channel_from_settings(base).is_sandbox
    assert payout_channel_from_settings(base.model_copy(update={"payout_channel": "bank"})).name == "bank"
    with pytest.raises(RuntimeError):
        payout_channel_from_settings(base.model_copy(update={"payout_channel": "wechat_transfer"}))
    channel = payout_channel_from_settings(base.model_copy(update={
        "payout_channel": "wechat_transfer", "wechatpay_mchid": fake.mchid, "wechatpay_appid": fake.appid,
        "wechatpay_private_key_path": key, "wechatpay_cert_serial_no": fake.merchant_serial,
        "wechatpay_apiv3_key": fake.apiv3_key, "wechatpay_public_key_path": pub,
        "wechatpay_public_key_id": fake.public_key_id, "wechatpay_api_base": fake.url}))
    payout = settled_booking(db, artist_id=_verified_artist(db, "o-artist-7"))
    assert execute_payout(db, channel, payout.booking_id, cipher=CIPHER) == "paid"
    assert fake.bills[f"PO{payout.booking_id}"].transfer_scene_id == "1005"
