"""Contract PDFs made beside the booking steps (activities.contract_documents, as `python -m workers` runs them):
the send_contract step only hands the document over, and however many makers run at once (the worker's document
process, the API opening the contract) each document is made once and is the file the platform recorded."""

from __future__ import annotations

import asyncio
import hashlib
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import httpx
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from activities.bookings import BookingActivities
from activities.contract_documents import DocumentMaker
from api.context import AppContext
from domain.contracts.documents import ContractPapers
from domain.models import ContractDocument
from domain.payments.sandbox import SandboxGateway
from domain.settings import Settings
from tests.factories import inquiry_body, signature_png, verified_pair
from tests.helpers import V1, bearer, with_sign_code

QUOTE = {"fee_amount": 1_000_000, "deposit_percent": 30, "balance_due_days": 3}


class Handed:
    """An executor that only records what it was handed."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def submit(self, fn: Any, *args: Any) -> Future[str]:
        self.calls.append(args)
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
    db.execute(ContractDocument.__table__.delete().where(ContractDocument.booking_id == bid))
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
