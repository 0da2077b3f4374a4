"""payouts through a payout channel, daily reconciliation differences

Artists' bank accounts for the bank-transfer channel, the batch files finance pays by hand, and the daily
reconciliation runs with the differences they found (the operators' queue).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 22:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('artist_payout_accounts',
    sa.Column('artist_id', sa.BigInteger(), nullable=False),
    sa.Column('account_name_cipher', sa.LargeBinary(), nullable=False),
    sa.Column('account_name_masked', sa.String(length=40), nullable=False),
    sa.Column('account_no_cipher', sa.LargeBinary(), nullable=False),
    sa.Column('account_no_masked', sa.String(length=40), nullable=False),
    sa.Column('bank_name', sa.String(length=100), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['artist_id'], ['users.id'], name=op.f('fk_artist_payout_accounts_artist_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('artist_id', name=op.f('pk_artist_payout_accounts'))
    )
    op.create_table('payout_batches',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('batch_no', sa.String(length=32), nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.Column('line_count', sa.Integer(), nullable=False),
    sa.Column('total_amount', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['operators.id'], name=op.f('fk_payout_batches_created_by_operators')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payout_batches')),
    sa.UniqueConstraint('batch_no', name=op.f('uq_payout_batches_batch_no'))
    )
    op.create_table('payout_batch_lines',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('batch_id', sa.BigInteger(), nullable=False),
    sa.Column('booking_id', sa.BigInteger(), nullable=False),
    sa.Column('transfer_no', sa.String(length=40), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('account_name_cipher', sa.LargeBinary(), nullable=False),
    sa.Column('account_no_cipher', sa.LargeBinary(), nullable=False),
    sa.Column('bank_name', sa.String(length=100), nullable=False),
    sa.Column('status', sa.String(length=16), server_default='exported', nullable=False),
    sa.Column('failure_reason', sa.String(length=300), nullable=True),
    sa.Column('settled_by', sa.BigInteger(), nullable=True),
    sa.Column('settled_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status in ('exported','paid','failed')", name=op.f('ck_payout_batch_lines_status')),
    sa.ForeignKeyConstraint(['batch_id'], ['payout_batches.id'], name=op.f('fk_payout_batch_lines_batch_id_payout_batches')),
    sa.ForeignKeyConstraint(['booking_id'], ['payouts.booking_id'],
                            name=op.f('fk_payout_batch_lines_booking_id_payouts')),
    sa.ForeignKeyConstraint(['settled_by'], ['operators.id'], name=op.f('fk_payout_batch_lines_settled_by_operators')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payout_batch_lines')),
    sa.UniqueConstraint('transfer_no', name=op.f('uq_payout_batch_lines_transfer_no'))
    )
    op.create_index(op.f('ix_payout_batch_lines_batch_id'), 'payout_batch_lines', ['batch_id'], unique=False)
    op.create_index(op.f('ix_payout_batch_lines_booking_id'), 'payout_batch_lines', ['booking_id'], unique=False)
    op.create_table('reconciliation_runs',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('gateway', sa.String(length=20), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('runs', sa.Integer(), server_default='1', nullable=False),
    sa.Column('bill_lines', sa.Integer(), server_default='0', nullable=False),
    sa.Column('matched', sa.Integer(), server_default='0', nullable=False),
    sa.Column('differences', sa.Integer(), server_default='0', nullable=False),
    sa.Column('fee_amount', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reconciliation_runs')),
    sa.UniqueConstraint('gateway', 'day', name='uq_reconciliation_runs_gateway_day')
    )
    op.create_table('reconciliation_differences',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('gateway', sa.String(length=20), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('line_kind', sa.String(length=16), nullable=False),
    sa.Column('order_id', sa.String(length=40), nullable=True),
    sa.Column('refund_no', sa.String(length=64), nullable=True),
    sa.Column('gateway_txn_id', sa.String(length=64), nullable=True),
    sa.Column('booking_id', sa.BigInteger(), nullable=True),
    sa.Column('our_amount', sa.BigInteger(), nullable=True),
    sa.Column('gateway_amount', sa.BigInteger(), nullable=True),
    sa.Column('detail', sa.String(length=300), nullable=False),
    sa.Column('status', sa.String(length=16), server_default='open', nullable=False),
    sa.Column('resolution_note', sa.String(length=500), nullable=True),
    sa.Column('resolved_by', sa.BigInteger(), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("kind in ('missing_on_our_side','missing_at_gateway','amount_mismatch','ledger_missing')",
                       name=op.f('ck_reconciliation_differences_kind')),
    sa.CheckConstraint("status in ('open','resolved')", name=op.f('ck_reconciliation_differences_status')),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_reconciliation_differences_booking_id_bookings')),
    sa.ForeignKeyConstraint(['resolved_by'], ['operators.id'],
                            name=op.f('fk_reconciliation_differences_resolved_by_operators')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reconciliation_differences')),
    sa.UniqueConstraint('gateway', 'day', 'key', name='uq_reconciliation_differences_key')
    )
    op.create_index('ix_reconciliation_differences_status_day', 'reconciliation_differences', ['status', 'day'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_reconciliation_differences_status_day', table_name='reconciliation_differences')
    op.drop_table('reconciliation_differences')
    op.drop_table('reconciliation_runs')
    op.drop_index(op.f('ix_payout_batch_lines_booking_id'), table_name='payout_batch_lines')
    op.drop_index(op.f('ix_payout_batch_lines_batch_id'), table_name='payout_batch_lines')
    op.drop_table('payout_batch_lines')
    op.drop_table('payout_batches')
    op.drop_table('artist_payout_accounts')
