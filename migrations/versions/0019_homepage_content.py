"""homepage recommendations, banners and announcements

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 04:30:00
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
