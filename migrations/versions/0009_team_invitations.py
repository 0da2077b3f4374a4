"""team invitations: an artist invites a member by phone; the invited user accepts (placeholder, filled by the team-invitation change)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 14:00:00
"""

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
