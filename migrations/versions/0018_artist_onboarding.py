"""artist onboarding approval: artists registered before it are public, so they count as approved

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 04:30:00
"""
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A profile is public once approved (domain.artists.onboarding). Until now every profile was public at
    # once: those already registered keep their place.
    op.execute("UPDATE artist_profiles SET approved_at = created_at WHERE approved_at IS NULL")


def downgrade() -> None:
    pass  # the approval times stay: harmless to the previous version, which ignored them
