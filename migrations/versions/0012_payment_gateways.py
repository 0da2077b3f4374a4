"""WeChat Pay / Alipay gateways: client pay parameters on orders, per-order refund parts, open-order index

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 22:00:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("payment_orders", sa.Column("pay_params", postgresql.JSONB(), nullable=True))
    op.create_index("ix_payment_orders_open", "payment_orders", ["created_at"],
                    postgresql_where=sa.text("status = 'created'"))
    op.add_column("refunds", sa.Column("parts", postgresql.JSONB(), nullable=True))


def downgrade() -> None:
    op.drop_column("refunds", "parts")
    op.drop_index("ix_payment_orders_open", table_name="payment_orders")
    op.drop_column("payment_orders", "pay_params")
