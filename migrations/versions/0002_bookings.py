"""bookings: inquiries, bookings, events, contracts, payments inbox, refunds, payouts, disputes, notifications

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 23:22:39.921938
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('payment_notifications',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('gateway', sa.String(length=20), nullable=False),
    sa.Column('notification_id', sa.String(length=80), nullable=False),
    sa.Column('order_id', sa.String(length=40), nullable=False),
    sa.Column('payload', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_notifications')),
    sa.UniqueConstraint('gateway', 'notification_id', name='uq_payment_notifications_id')
    )
    op.create_table('inquiries',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('client_id', sa.BigInteger(), nullable=False),
    sa.Column('event_type', sa.String(length=30), nullable=False),
    sa.Column('start_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('timezone', sa.String(length=40), server_default='Asia/Shanghai', nullable=False),
    sa.Column('city', sa.String(length=30), nullable=False),
    sa.Column('venue_address', sa.String(length=200), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('audience_size', sa.Integer(), nullable=False),
    sa.Column('requirements', sa.Text(), server_default='', nullable=False),
    sa.Column('budget_amount', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), server_default='CNY', nullable=False),
    sa.Column('contact_name', sa.String(length=50), nullable=False),
    sa.Column('contact_phone', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['users.id'], name=op.f('fk_inquiries_client_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inquiries'))
    )
    op.create_index(op.f('ix_inquiries_client_id'), 'inquiries', ['client_id'], unique=False)
    op.create_table('bookings',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('inquiry_id', sa.BigInteger(), nullable=False),
    sa.Column('client_id', sa.BigInteger(), nullable=False),
    sa.Column('artist_id', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=20), server_default='REQUESTED', nullable=False),
    sa.Column('start_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('currency', sa.String(length=3), server_default='CNY', nullable=False),
    sa.Column('fee_amount', sa.BigInteger(), nullable=True),
    sa.Column('deposit_amount', sa.BigInteger(), nullable=True),
    sa.Column('balance_amount', sa.BigInteger(), nullable=True),
    sa.Column('quote', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('commission_rate_bp', sa.Integer(), nullable=False),
    sa.Column('paid_amount', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('refunded_amount', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('commission_amount', sa.BigInteger(), nullable=True),
    sa.Column('payout_amount', sa.BigInteger(), nullable=True),
    sa.Column('deadline_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('balance_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('needs_operator', sa.String(length=200), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['artist_id'], ['users.id'], name=op.f('fk_bookings_artist_id_users')),
    sa.ForeignKeyConstraint(['client_id'], ['users.id'], name=op.f('fk_bookings_client_id_users')),
    sa.ForeignKeyConstraint(['inquiry_id'], ['inquiries.id'], name=op.f('fk_bookings_inquiry_id_inquiries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bookings'))
    )
    op.create_index(op.f('ix_bookings_artist_id'), 'bookings', ['artist_id'], unique=False)
    op.create_index(op.f('ix_bookings_client_id'), 'bookings', ['client_id'], unique=False)
    op.create_index(op.f('ix_bookings_inquiry_id'), 'bookings', ['inquiry_id'], unique=False)
    op.create_index('ix_bookings_status', 'bookings', ['status'], unique=False)
    op.create_table('booking_events',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('booking_id', sa.BigInteger(), nullable=False),
    sa.Column('step', sa.String(length=80), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('actor_role', sa.String(length=16), nullable=False),
    sa.Column('actor_id', sa.BigInteger(), nullable=True),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=False),
    sa.Column('data', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_booking_events_booking_id_bookings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking_events')),
    sa.UniqueConstraint('booking_id', 'step', name='uq_booking_events_step')
    )
    op.create_index(op.f('ix_booking_events_booking_id'), 'booking_events', ['booking_id'], unique=False)
    op.create_table('contracts',
    sa.Column('booking_id', sa.BigInteger(), nullable=False),
    sa.Column('terms', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('terms_sha256', sa.String(length=64), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('client_signed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('client_signer_id', sa.BigInteger(), nullable=True),
    sa.Column('client_signature_key', sa.String(length=200), nullable=True),
    sa.Column('artist_signed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('artist_signer_id', sa.BigInteger(), nullable=True),
    sa.Column('artist_signature_key', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_contracts_booking_id_bookings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('booking_id', name=op.f('pk_contracts'))
    )
    op.create_table('disputes',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('booking_id', sa.BigInteger(), nullable=False),
    sa.Column('step', sa.String(length=80), nullable=False),
    sa.Column('opened_by_role', sa.String(length=16), nullable=False),
    sa.Column('opened_by_id', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.String(length=1000), nullable=False),
    sa.Column('evidence', postgresql.ARRAY(sa.String(length=200)), server_default='{}', nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=False),
    sa.Column('resolution', sa.String(length=20), nullable=True),
    sa.Column('refund_amount', sa.BigInteger(), nullable=True),
    sa.Column('resolution_reason', sa.String(length=1000), nullable=True),
    sa.Column('resolved_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_disputes_booking_id_bookings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disputes')),
    sa.UniqueConstraint('step', name=op.f('uq_disputes_step'))
    )
    op.create_index(op.f('ix_disputes_booking_id'), 'disputes', ['booking_id'], unique=False)
    op.create_table('notifications',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('booking_id', sa.BigInteger(), nullable=True),
    sa.Column('step', sa.String(length=80), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('body', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_notifications_booking_id_bookings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    sa.UniqueConstraint('user_id', 'step', name='uq_notifications_user_step')
    )
    op.create_index('ix_notifications_user_created', 'notifications', ['user_id', 'created_at'], unique=False)
    op.create_table('payment_orders',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('booking_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), server_default='CNY', nullable=False),
    sa.Column('gateway', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=16), server_default='created', nullable=False),
    sa.Column('gateway_txn_id', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_payment_orders_booking_id_bookings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_orders'))
    )
    op.create_index(op.f('ix_payment_orders_booking_id'), 'payment_orders', ['booking_id'], unique=False)
    op.create_index('uq_payment_orders_paid', 'payment_orders', ['booking_id', 'kind'], unique=True, postgresql_where=sa.text("status = 'paid'"))
    op.create_table('payouts',
    sa.Column('booking_id', sa.BigInteger(), nullable=False),
    sa.Column('artist_id', sa.BigInteger(), nullable=False),
    sa.Column('gross_amount', sa.BigInteger(), nullable=False),
    sa.Column('commission_amount', sa.BigInteger(), nullable=False),
    sa.Column('payout_amount', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['artist_id'], ['users.id'], name=op.f('fk_payouts_artist_id_users')),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_payouts_booking_id_bookings')),
    sa.PrimaryKeyConstraint('booking_id', name=op.f('pk_payouts'))
    )
    op.create_index(op.f('ix_payouts_artist_id'), 'payouts', ['artist_id'], unique=False)
    op.create_table('penalties',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('booking_id', sa.BigInteger(), nullable=False),
    sa.Column('artist_id', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['artist_id'], ['users.id'], name=op.f('fk_penalties_artist_id_users')),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_penalties_booking_id_bookings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_penalties')),
    sa.UniqueConstraint('booking_id', name=op.f('uq_penalties_booking_id'))
    )
    op.create_index(op.f('ix_penalties_artist_id'), 'penalties', ['artist_id'], unique=False)
    op.create_table('refunds',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('booking_id', sa.BigInteger(), nullable=False),
    sa.Column('step', sa.String(length=80), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=16), server_default='pending', nullable=False),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_error', sa.String(length=300), nullable=True),
    sa.Column('gateway_refund_id', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('succeeded_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_refunds_booking_id_bookings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_refunds')),
    sa.UniqueConstraint('step', name=op.f('uq_refunds_step'))
    )
    op.create_index(op.f('ix_refunds_booking_id'), 'refunds', ['booking_id'], unique=False)
    op.add_column('calendar_slots', sa.Column('booking_id', sa.BigInteger(), nullable=True))
    op.add_column('calendar_slots', sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True))
    op.create_unique_constraint(op.f('uq_calendar_slots_booking_id'), 'calendar_slots', ['booking_id'])
    op.create_foreign_key(op.f('fk_calendar_slots_booking_id_bookings'), 'calendar_slots', 'bookings', ['booking_id'], ['id'], ondelete='SET NULL')
    op.execute(
        "INSERT INTO system_settings (key, value) VALUES "
        "('booking.response_hours', '48'::jsonb), ('booking.contract_hours', '72'::jsonb), "
        "('booking.deposit_hours', '24'::jsonb), ('booking.auto_confirm_hours', '72'::jsonb), "
        "('booking.commission_rate_bp', '1000'::jsonb) ON CONFLICT DO NOTHING"
    )


def downgrade() -> None:
    op.drop_constraint(op.f('fk_calendar_slots_booking_id_bookings'), 'calendar_slots', type_='foreignkey')
    op.drop_constraint(op.f('uq_calendar_slots_booking_id'), 'calendar_slots', type_='unique')
    op.drop_column('calendar_slots', 'updated_at')
    op.drop_column('calendar_slots', 'booking_id')
    op.drop_index(op.f('ix_refunds_booking_id'), table_name='refunds')
    op.drop_table('refunds')
    op.drop_index(op.f('ix_penalties_artist_id'), table_name='penalties')
    op.drop_table('penalties')
    op.drop_index(op.f('ix_payouts_artist_id'), table_name='payouts')
    op.drop_table('payouts')
    op.drop_index('uq_payment_orders_paid', table_name='payment_orders', postgresql_where=sa.text("status = 'paid'"))
    op.drop_index(op.f('ix_payment_orders_booking_id'), table_name='payment_orders')
    op.drop_table('payment_orders')
    op.drop_index('ix_notifications_user_created', table_name='notifications')
    op.drop_table('notifications')
    op.drop_index(op.f('ix_disputes_booking_id'), table_name='disputes')
    op.drop_table('disputes')
    op.drop_table('contracts')
    op.drop_index(op.f('ix_booking_events_booking_id'), table_name='booking_events')
    op.drop_table('booking_events')
    op.drop_index('ix_bookings_status', table_name='bookings')
    op.drop_index(op.f('ix_bookings_inquiry_id'), table_name='bookings')
    op.drop_index(op.f('ix_bookings_client_id'), table_name='bookings')
    op.drop_index(op.f('ix_bookings_artist_id'), table_name='bookings')
    op.drop_table('bookings')
    op.drop_index(op.f('ix_inquiries_client_id'), table_name='inquiries')
    op.drop_table('inquiries')
    op.drop_table('payment_notifications')
