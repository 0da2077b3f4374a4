"""dashboard aggregates: indexes for the dashboard's date ranges (no aggregate tables: the queries are grouped
scans of a range, see domain/dashboard/service.py)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04 04:30:00
"""
from alembic import op

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


INDEXES = [("ix_bookings_created_at", "bookings", "created_at"), ("ix_bookings_start_at", "bookings", "start_at"),
           ("ix_journal_entries_created_at", "journal_entries", "created_at"),
           ("ix_users_created_at", "users", "created_at")]


def upgrade() -> None:
    for name, table, column in INDEXES:
        op.create_index(name, table, [column], unique=False)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
