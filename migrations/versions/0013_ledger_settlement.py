"""double-entry ledger (journal entries and lines), settlement approval and the payout lifecycle

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 22:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('journal_entries',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('ref', sa.String(length=120), nullable=False),
    sa.Column('booking_id', sa.BigInteger(), nullable=True),
    sa.Column('artist_id', sa.BigInteger(), nullable=True),
    sa.Column('memo', sa.String(length=200), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['artist_id'], ['users.id'], name=op.f('fk_journal_entries_artist_id_users')),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_journal_entries_booking_id_bookings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_journal_entries')),
    sa.UniqueConstraint('kind', 'ref', name='uq_journal_entries_kind_ref')
    )
    op.create_index(op.f('ix_journal_entries_artist_id'), 'journal_entries', ['artist_id'], unique=False)
    op.create_index(op.f('ix_journal_entries_booking_id'), 'journal_entries', ['booking_id'], unique=False)
    op.create_table('journal_lines',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('entry_id', sa.BigInteger(), nullable=False),
    sa.Column('account', sa.String(length=60), nullable=False),
    sa.Column('booking_id', sa.BigInteger(), nullable=True),
    sa.Column('artist_id', sa.BigInteger(), nullable=True),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['artist_id'], ['users.id'], name=op.f('fk_journal_lines_artist_id_users')),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_journal_lines_booking_id_bookings')),
    sa.ForeignKeyConstraint(['entry_id'], ['journal_entries.id'],
                            name=op.f('fk_journal_lines_entry_id_journal_entries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_journal_lines'))
    )
    op.create_index('ix_journal_lines_account_booking', 'journal_lines', ['account', 'booking_id'], unique=False)
    op.create_index('ix_journal_lines_booking_id', 'journal_lines', ['booking_id'], unique=False)
    op.create_index(op.f('ix_journal_lines_entry_id'), 'journal_lines', ['entry_id'], unique=False)

    # Payouts written before approval existed were made at once: they are paid, through the sandbox.
    op.add_column('payouts', sa.Column('status', sa.String(length=20), server_default='pending_approval',
                                       nullable=False))
    op.add_column('payouts', sa.Column('payout_no', sa.String(length=32), nullable=True))
    op.add_column('payouts', sa.Column('channel', sa.String(length=20), nullable=True))
    op.add_column('payouts', sa.Column('auto_approve_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('payouts', sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('payouts', sa.Column('approved_by', sa.BigInteger(), nullable=True))
    op.add_column('payouts', sa.Column('provider_id', sa.String(length=64), nullable=True))
    op.add_column('payouts', sa.Column('failure_reason', sa.String(length=300), nullable=True))
    op.add_column('payouts', sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))
    op.add_column('payouts', sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE payouts SET status = 'paid', payout_no = 'PO' || booking_id, channel = 'sandbox', "
               "approved_at = created_at, paid_at = created_at, attempts = 1")
    op.alter_column('payouts', 'payout_no', nullable=False)
    op.create_unique_constraint(op.f('uq_payouts_payout_no'), 'payouts', ['payout_no'])
    op.create_index('ix_payouts_status', 'payouts', ['status'], unique=False)
    _post_existing_money(op.get_bind())
    # The settlement rules operators tune (domain.accounts.rules.DEFAULTS): the dispute window after the show and
    # the days after which a settlement is approved automatically.
    op.execute("INSERT INTO system_settings (key, value) VALUES "
               "('booking.settlement_dispute_window_hours', '72'::jsonb), "
               "('booking.settlement_auto_approve_days', '3'::jsonb) ON CONFLICT DO NOTHING")


def _post_existing_money(conn: sa.Connection) -> None:
    """The ledger of the money that moved before it existed, as domain.ledger.postings would have written it (only
    the sandbox payout existed then: paid orders, succeeded refunds (in the parts the refund
    code takes them: the booking's paid orders deposit first, consecutive slices per refund), settled payouts)."""
    def entry(kind: str, ref: str, booking_id: int, artist_id: int, memo: str, lines: list[tuple[str, int]]) -> None:
        lines = [(account, amount) for account, amount in lines if amount]
        if not lines:
            return
        entry_id = conn.execute(sa.text(
            "INSERT INTO journal_entries (kind, ref, booking_id, artist_id, memo) VALUES (:k, :r, :b, :a, :m) "
            "ON CONFLICT DO NOTHING RETURNING id"), {"k": kind, "r": ref, "b": booking_id, "a": artist_id,
                                                      "m": memo}).scalar()
        for account, amount in lines:
            conn.execute(sa.text("INSERT INTO journal_lines (entry_id, account, booking_id, artist_id, amount) "
                                 "VALUES (:e, :acc, :b, :a, :amt)"),
                         {"e": entry_id, "acc": account, "b": booking_id, "a": artist_id, "amt": amount})

    orders: dict[int, list[tuple[str, str, int]]] = {}
    for order_id, booking_id, artist_id, kind, amount, gateway in conn.execute(sa.text(
            "SELECT o.id, o.booking_id, b.artist_id, o.kind, o.amount, o.gateway FROM payment_orders o "
            "JOIN bookings b ON b.id = o.booking_id WHERE o.status = 'paid' "
            "ORDER BY o.booking_id, o.kind <> 'deposit', coalesce(o.paid_at, o.created_at), o.id")):
        entry("payment", order_id, booking_id, artist_id, f"收款 {kind} {order_id}",
              [(f"gateway:{gateway}", amount), ("escrow", -amount)])
        orders.setdefault(booking_id, []).append((order_id, gateway, amount))
    offsets: dict[int, int] = {}
    for refund_id, booking_id, artist_id, step, amount, status in conn.execute(sa.text(
            "SELECT r.id, r.booking_id, b.artist_id, r.step, r.amount, r.status FROM refunds r "
            "JOIN bookings b ON b.id = r.booking_id ORDER BY r.booking_id, r.id")):
        offset = offsets.get(booking_id, 0)
        offsets[booking_id] = offset + amount
        if status != "succeeded":
            continue  # posted by the refund code when it goes through
        remaining = amount
        for order_id, gateway, order_amount in orders.get(booking_id, []):
            skip = min(offset, order_amount)
            offset -= skip
            take = min(remaining, order_amount - skip)
            if take > 0:
                entry("refund", f"{refund_id}:{order_id}", booking_id, artist_id, f"退款 {step} {order_id}",
                      [("escrow", take), (f"gateway:{gateway}", -take)])
                remaining -= take
    for booking_id, artist_id, gross, commission, payout in conn.execute(sa.text(
            "SELECT booking_id, artist_id, gross_amount, commission_amount, payout_amount FROM payouts")):
        entry("settlement", f"booking-{booking_id}", booking_id, artist_id, f"结算 预约#{booking_id}",
              [("escrow", gross), ("artist_payable", -payout), ("commission", -commission)])
        entry("payout", f"PO{booking_id}", booking_id, artist_id, f"出款 PO{booking_id}",
              [("artist_payable", payout), ("payout:sandbox", -payout)])


def downgrade() -> None:
    op.execute("DELETE FROM system_settings WHERE key IN ('booking.settlement_dispute_window_hours', "
               "'booking.settlement_auto_approve_days')")
    op.drop_index('ix_payouts_status', table_name='payouts')
    op.drop_constraint(op.f('uq_payouts_payout_no'), 'payouts', type_='unique')
    for column in ('paid_at', 'attempts', 'failure_reason', 'provider_id', 'approved_by', 'approved_at',
                   'auto_approve_at', 'channel', 'payout_no', 'status'):
        op.drop_column('payouts', column)
    op.drop_index(op.f('ix_journal_lines_entry_id'), table_name='journal_lines')
    op.drop_index('ix_journal_lines_booking_id', table_name='journal_lines')
    op.drop_index('ix_journal_lines_account_booking', table_name='journal_lines')
    op.drop_table('journal_lines')
    op.drop_index(op.f('ix_journal_entries_booking_id'), table_name='journal_entries')
    op.drop_index(op.f('ix_journal_entries_artist_id'), table_name='journal_entries')
    op.drop_table('journal_entries')
