"""orders and dispute workbench: the parties' dispute statements

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 04:30:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dispute_statements",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("dispute_id", sa.BigInteger(), sa.ForeignKey("disputes.id", ondelete="CASCADE"), nullable=False),
        sa.Column("booking_id", sa.BigInteger(), sa.ForeignKey("bookings.id", ondelete="CASCADE"), nullable=False),
        sa.Column("author_role", sa.String(16), nullable=False),
        sa.Column("author_id", sa.BigInteger(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("body", sa.String(1000), nullable=False),
        sa.Column("evidence", postgresql.ARRAY(sa.String(200)), nullable=False, server_default="{}"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text('now()')),
        sa.UniqueConstraint("dispute_id", "author_role", name="uq_dispute_statements_party"),
    )
    op.create_index("ix_dispute_statements_dispute_id", "dispute_statements", ["dispute_id"])
    op.create_index("ix_dispute_statements_booking_id", "dispute_statements", ["booking_id"])


def downgrade() -> None:
    op.drop_table("dispute_statements")
