"""refunds and disputes: the idempotency key is (booking_id, step), not a platform-wide step

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 14:00:00
"""
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A refund step ("refund-cancel") and a dispute step repeat on every booking: unique per booking only.
    op.drop_constraint('uq_refunds_step', 'refunds', type_='unique')
    op.create_unique_constraint('uq_refunds_booking_step', 'refunds', ['booking_id', 'step'])
    op.drop_constraint('uq_disputes_step', 'disputes', type_='unique')
    op.create_unique_constraint('uq_disputes_booking_step', 'disputes', ['booking_id', 'step'])


def downgrade() -> None:
    op.drop_constraint('uq_disputes_booking_step', 'disputes', type_='unique')
    op.create_unique_constraint('uq_disputes_step', 'disputes', ['step'])
    op.drop_constraint('uq_refunds_booking_step', 'refunds', type_='unique')
    op.create_unique_constraint('uq_refunds_step', 'refunds', ['step'])
