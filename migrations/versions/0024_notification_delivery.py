"""notifications that reach people: per-user channel settings and one delivery row per notification and channel

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-04 10:00:00
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
