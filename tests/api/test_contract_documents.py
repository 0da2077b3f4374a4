"""Contract PDFs made beside the booking steps (activities.contract_documents, as `python -m workers` runs them):
the send_contract step only hands the document over, and however many makers run at once (the worker's document
process, the API opening the contract) each document is made once and is the file the platform recorded. The
unsigned document is rendered ahead once the quote is agreed, and used only while its text is still the
document's."""

from __future__ import annotations

import asyncio
import hashlib
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import httpx
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from activities.bookings import BookingActivities
from activities.contract_documents import DocumentMaker
from api.context import AppContext
from domain.bookings.messages import StepRecord
from domain.contracts.documents import ContractPapers
from domain.models import ArtistProfile, Booking, ContractDocument
from domain.payments.sandbox import SandboxGateway
from domain.settings import Settings
from tests.factories import inquiry_body, signature_png, verified_pair
from tests.helpers import V1, bearer, with_sign_code

QUOTE = {"fee_amount": 1_000_000, "deposit_percent": 30, "balance_due_days": 3}


class Handed:
    """An executor that only records what it was handed."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.functions: list[str] = []

    def submit(self, fn: Any, *args: Any) -> Future[str]:
        self.calls.append(args)
        self.functions.append(fn.__name__)
        future: Future[str] = Future()
        future.set_result("later")
        return future


async def _confirmed(api: httpx.AsyncClient, db: Session, n: int) -> tuple[str, str, int]:
    client, artist, aid = await verified_pair(api, db, f"138000008{n:02d}", f"139000008{n:02d}")
    res = await api.post(f"{V1}/inquiries", headers=bearer(client),
                         json=inquiry_body([aid], days=30, hours=2, contact_phone=f"138000008{n:02d}"))
    assert res.status_code == 201, res.text
    bid = int(res.json()["bookings"][0]["id"])
    res = await api.post(f"{V1}/bookings/{bid}/actions/confirm", headers=bearer(artist), json={"quote": QUOTE})
    assert res.status_code == 200, res.text
    return client, artist, bid


def _docs(db: Session, bid: int) -> list[ContractDocument]:
    db.expire_all()
    return list(db.scalars(select(ContractDocument).where(ContractDocument.booking_id == bid)))


async def test_the_send_contract_step_hands_the_document_to_the_maker(
        api_with_temporal: httpx.AsyncClient, db: Session, ctx: AppContext, settings: Settings,
        database_url: str, gateway: SandboxGateway) -> None:
    _, _, bid = await _confirmed(api_with_temporal, db, 1)
    papers = ContractPapers.from_settings(settings, ctx.storage)
    acts = BookingActivities(database_url, gateway, papers=papers)
    acts.documents = DocumentMaker(database_url, Handed(), papers)  # type: ignore[arg-type]
    digest = acts.send_contract(bid)
    assert len(digest) == 64
    assert _docs(db, bid) == []  # not made inside the step...
    assert acts.documents.executor.calls == [(database_url, bid, papers)]  # type: ignore[attr-defined]
    # ...but by the maker, after the step's commit.
    maker = DocumentMaker(database_url, ThreadPoolExecutor(1), papers)
    assert maker.submit(bid).result(timeout=30) == "unsigned"
    [doc] = _docs(db, bid)
    assert hashlib.sha256(ctx.storage.get(doc.unsigned_key)).hexdigest() == doc.unsigned_sha256


async def test_documents_made_by_several_makers_at_once_are_made_once(
        api_with_temporal: httpx.AsyncClient, db: Session, ctx: AppContext, settings: Settings,
        database_url: str) -> None:
    api = api_with_temporal
    client, artist, bid = await _confirmed(api, db, 2)
    res = await api.post(f"{V1}/bookings/{bid}/actions/send_contract", headers=bearer(artist), json={})
    assert res.status_code == 200, res.text
    # As if the worker had only handed it over: no document yet; four makers at once.
    db.execute(delete(ContractDocument).where(ContractDocument.booking_id == bid))
    db.commit()
    papers = ContractPapers.from_settings(settings, ctx.storage)
    maker = DocumentMaker(database_url, ThreadPoolExecutor(4), papers)
    assert [f.result(timeout=60) for f in [maker.submit(bid) for _ in range(4)]] == ["unsigned"] * 4
    [doc] = _docs(db, bid)
    assert hashlib.sha256(ctx.storage.get(doc.unsigned_key)).hexdigest() == doc.unsigned_sha256

    for token, action in ((client, "sign"), (artist, "countersign")):
        body = await with_sign_code(api, token, bid, action, {"signature_png_base64": signature_png()})
        res = await api.post(f"{V1}/bookings/{bid}/actions/{action}", headers=bearer(token), json=body)
        assert res.status_code == 200, res.text
    # The sealed one likewise: unmade again, then four makers at once.
    db.execute(update(ContractDocument).where(ContractDocument.booking_id == bid).values(
        sealed_key=None, sealed_sha256=None, sealed_at=None))
    db.commit()
    assert [f.result(timeout=60) for f in [maker.submit(bid) for _ in range(4)]] == ["sealed"] * 4
    [doc] = _docs(db, bid)
    assert doc.sealed_key is not None
    pdf = ctx.storage.get(doc.sealed_key)
    assert hashlib.sha256(pdf).hexdigest() == doc.sealed_sha256
    assert (await asyncio.to_thread(papers.seal.check, pdf)).valid  # pyHanko runs its own event loop
    assert db.scalar(select(func.count()).select_from(ContractDocument)
                     .where(ContractDocument.booking_id == bid)) == 1


class Counted:
    """Counts the renders of `papers` (each a ~0.1 s fpdf2 document)."""

    def __init__(self, papers: ContractPapers) -> None:
        self.renders, self._render = 0, papers._render
        papers._render = self  # type: ignore[method-assign, assignment]

    def __call__(self, *args: Any) -> bytes:
        self.renders += 1
        return self._render(*args)


async def test_the_document_rendered_once_the_quote_is_agreed_is_the_one_signed(
        api_with_temporal: httpx.AsyncClient, db: Session, ctx: AppContext, settings: Settings,
        database_url: str, gateway: SandboxGateway) -> None:
    api = api_with_temporal
    client, artist, bid = await _confirmed(api, db, 3)
    papers = ContractPapers.from_settings(settings, ctx.storage)
    acts = BookingActivities(database_url, gateway, papers=papers)
    acts.documents = DocumentMaker(database_url, Handed(), papers)  # type: ignore[arg-type]
    # The step that records the agreed quote hands the draft to the maker, after its commit (once: a repeat of the
    # step, or any other step, hands nothing). Numbered before the workflow's own steps, so the projection is theirs.
    confirmed = StepRecord(bid, "000-confirm", "confirm", "artist", None, "REQUESTED", "CONFIRMED")
    assert acts.record_step(confirmed) is True
    assert acts.record_step(confirmed) is False
    assert acts.record_step(StepRecord(bid, "000-note", "reminder", "system", None, None, "CONFIRMED")) is True
    assert acts.documents.executor.functions == ["make_draft"]  # type: ignore[attr-defined]

    counted = Counted(papers)
    maker = DocumentMaker(database_url, ThreadPoolExecutor(1), papers)
    assert maker.draft(bid).result(timeout=30) == "drafted"
    assert maker.draft(bid).result(timeout=30) == "not needed"  # already there
    assert counted.renders == 1
    drafts = [k for k in _stored(ctx, bid) if "/draft-" in k]
    assert len(drafts) == 1
    drafted = ctx.storage.get(drafts[0])

    # The contract is sent: its document is the draft, not rendered again.
    acts.send_contract(bid)
    assert maker.submit(bid).result(timeout=30) == "unsigned"
    assert counted.renders == 1
    [doc] = _docs(db, bid)
    assert ctx.storage.get(doc.unsigned_key) == drafted
    assert hashlib.sha256(drafted).hexdigest() == doc.unsigned_sha256
    assert not [k for k in _stored(ctx, bid) if "/draft-" in k]  # the draft became the document
    assert maker.draft(bid).result(timeout=30) == "not needed"  # a document exists
    res = await api.post(f"{V1}/bookings/{bid}/actions/send_contract", headers=bearer(artist), json={})
    assert res.status_code == 200, res.text  # the workflow's step finds the contract sent

    # The signer's evidence names that document.
    body = await with_sign_code(api, client, bid, "sign", {"signature_png_base64": signature_png()})
    res = await api.post(f"{V1}/bookings/{bid}/actions/sign", headers=bearer(client), json=body)
    assert res.status_code == 200, res.text
    res = await api.get(f"{V1}/bookings/{bid}/contract", headers=bearer(client))
    assert res.status_code == 200, res.text
    assert res.json()["evidence"][0]["document_sha256"] == doc.unsigned_sha256 == hashlib.sha256(drafted).hexdigest()


async def test_a_draft_whose_text_changed_before_sending_is_not_used(
        api_with_temporal: httpx.AsyncClient, db: Session, ctx: AppContext, settings: Settings,
        database_url: str, gateway: SandboxGateway) -> None:
    _, _, bid = await _confirmed(api_with_temporal, db, 4)
    papers = ContractPapers.from_settings(settings, ctx.storage)
    counted = Counted(papers)
    maker = DocumentMaker(database_url, ThreadPoolExecutor(1), papers)
    assert maker.draft(bid).result(timeout=30) == "drafted"
    # The artist renames themself between the quote and the contract: the document shows the new name.
    booking = db.get(Booking, bid)
    assert booking is not None
    db.execute(update(ArtistProfile).where(ArtistProfile.user_id == booking.artist_id).values(stage_name="新艺名"))
    db.commit()
    acts = BookingActivities(database_url, gateway, papers=papers)
    acts.documents = DocumentMaker(database_url, Handed(), papers)  # type: ignore[arg-type]
    acts.send_contract(bid)
    assert maker.submit(bid).result(timeout=30) == "unsigned"
    assert counted.renders == 2
    [doc] = _docs(db, bid)
    assert "新艺名" in doc.body
    assert hashlib.sha256(ctx.storage.get(doc.unsigned_key)).hexdigest() == doc.unsigned_sha256
    assert not [k for k in _stored(ctx, bid) if "/draft-" in k]  # the stale draft went too


async def test_drafts_of_a_booking_that_leaves_the_quote_without_a_contract_are_removed(
        api_with_temporal: httpx.AsyncClient, db: Session, ctx: AppContext, settings: Settings,
        database_url: str, gateway: SandboxGateway) -> None:
    _, _, bid = await _confirmed(api_with_temporal, db, 5)
    papers = ContractPapers.from_settings(settings, ctx.storage)
    maker = DocumentMaker(database_url, ThreadPoolExecutor(1), papers)
    assert maker.draft(bid).result(timeout=30) == "drafted"
    assert [k for k in _stored(ctx, bid) if "/draft-" in k]
    acts = BookingActivities(database_url, gateway, papers=papers)
    acts.documents = DocumentMaker(database_url, Handed(), papers)  # type: ignore[arg-type]
    assert acts.record_step(StepRecord(bid, "000-withdraw", "withdraw", "client", None, "CONFIRMED", "WITHDRAWN"))
    assert acts.documents.executor.functions == ["drop_drafts"]  # type: ignore[attr-defined]
    assert maker.drop_drafts(bid).result(timeout=30) == "dropped"
    assert _stored(ctx, bid) == []


def _stored(ctx: AppContext, bid: int) -> list[str]:
    return [key for key, _ in ctx.storage.list_keys(f"private/contracts/{bid}/")]
