"""Migration 0013 posts the money that moved before the ledger existed: afterwards the old bookings' books add up
like new ones (escrow empty once settled, every entry balanced)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from devstack.database import drop_database, ensure_database
from domain.db import sqlalchemy_url
from domain.ledger import accounts
from domain.ledger.service import balance
from domain.settings import ROOT
from tests.workflows.ledger_invariants import booking_problems, unbalanced_entries


@pytest.fixture
def old_database(database_url: str) -> Iterator[str]:
    """A database of its own at revision 0012 (before the ledger)."""
    server = make_url(sqlalchemy_url(database_url)).set(database="postgres").render_as_string(hide_password=False)
    name = f"yanyue_backfill_{os.getpid()}"
    drop_database(server, name)
    url = ensure_database(server, name)
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.attributes["database_url"] = url
    command.upgrade(cfg, "0012")
    yield url
    drop_database(server, name)


def test_existing_payments_refunds_and_payouts_are_posted(old_database: str) -> None:
    engine = create_engine(sqlalchemy_url(old_database), poolclass=NullPool)
    with engine.begin() as conn:
        client, artist = (conn.execute(text("INSERT INTO users (phone) VALUES (:p) RETURNING id"), {"p": p}).scalar()
                          for p in ("13900000001", "13900000002"))
        inquiry = conn.execute(text(
            "INSERT INTO inquiries (client_id, event_type, start_at, end_at, city, venue_address, duration_minutes, "
            "audience_size, budget_amount, contact_name, contact_phone) VALUES (:c, '年会', now(), "
            "now() + interval '2 hours', '上海', '某地', 120, 100, 1000000, '王经理', '13800000001') RETURNING id"),
            {"c": client}).scalar()
        settled, cancelled = (conn.execute(text(
            "INSERT INTO bookings (inquiry_id, client_id, artist_id, status, start_at, end_at, commission_rate_bp) "
            "VALUES (:i, :c, :a, :s, now(), now() + interval '2 hours', 1000) RETURNING id"),
            {"i": inquiry, "c": client, "a": artist, "s": s}).scalar() for s in ("COMPLETED", "CANCELLED"))
        for booking, kind, amount in ((settled, "deposit", 300_000), (settled, "balance", 700_000),
                                      (cancelled, "deposit", 300_000), (cancelled, "balance", 700_000)):
            conn.execute(text("INSERT INTO payment_orders (id, booking_id, kind, amount, gateway, status, paid_at) "
                              "VALUES (:id, :b, :k, :amt, 'sandbox', 'paid', now())"),
                         {"id": f"P{booking}{kind}", "b": booking, "k": kind, "amt": amount})
        # A dispute gave 400,000 back before settling; the cancelled one was refunded in two steps.
        for booking, step, amount in ((settled, "refund-dispute-009", 400_000), (cancelled, "refund-cancel", 150_000),
                                      (cancelled, "refund-late", 850_000)):
            conn.execute(text("INSERT INTO refunds (booking_id, step, amount, status) "
                              "VALUES (:b, :s, :a, 'succeeded')"), {"b": booking, "s": step, "a": amount})
        conn.execute(text("INSERT INTO payouts (booking_id, artist_id, gross_amount, commission_amount, payout_amount) "
                          "VALUES (:b, :a, 600000, 60000, 540000)"), {"b": settled, "a": artist})
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.attributes["database_url"] = old_database
    command.upgrade(cfg, "0013")
    with Session(engine) as session:
        assert unbalanced_entries(session) == []
        assert booking_problems(session, settled) == [] and booking_problems(session, cancelled) == []
        assert balance(session, accounts.ESCROW, booking_id=settled) == 0
        assert balance(session, accounts.ESCROW, booking_id=cancelled) == 0
        assert balance(session, accounts.COMMISSION) == -60_000
        assert balance(session, accounts.gateway("sandbox")) == 2_000_000 - 400_000 - 1_000_000
        # The cancelled booking's second refund took the rest of the deposit and all of the balance.
        parts = session.execute(text("SELECT ref FROM journal_entries WHERE kind = 'refund' AND booking_id = :b "
                                     "ORDER BY ref"), {"b": cancelled}).scalars().all()
        assert len(parts) == 3
        payout = session.execute(text("SELECT status, payout_no FROM payouts WHERE booking_id = :b"),
                                 {"b": settled}).one()
        assert tuple(payout) == ("paid", f"PO{settled}")
    engine.dispose()
