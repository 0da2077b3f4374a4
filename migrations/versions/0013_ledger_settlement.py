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
    # The settlement rules operators tune (domain.accounts.rules.DEFAULTS): the dispute window after the show and
    # the days after which a settlement is approved automatically.
    op.execute("INSERT INTO system_settings (key, value) VALUES "
               "('booking.settlement_dispute_window_hours', '72'::jsonb), "
               "('booking.settlement_auto_approve_days', '3'::jsonb) ON CONFLICT DO NOTHING")


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
