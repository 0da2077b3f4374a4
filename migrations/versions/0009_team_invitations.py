"""team invitations: an artist invites a member by phone; the invited user accepts

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 14:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('team_invitations',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('artist_id', sa.BigInteger(), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), server_default='pending', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('responded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('accepted_by', sa.BigInteger(), nullable=True),
    sa.CheckConstraint("role in ('agent','assistant')", name=op.f('ck_team_invitations_role')),
    sa.CheckConstraint("status in ('pending','accepted','declined','cancelled')",
                       name=op.f('ck_team_invitations_status')),
    sa.ForeignKeyConstraint(['artist_id'], ['artist_profiles.user_id'],
                            name=op.f('fk_team_invitations_artist_id_artist_profiles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['accepted_by'], ['users.id'], name=op.f('fk_team_invitations_accepted_by_users'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_team_invitations'))
    )
    op.create_index('ix_team_invitations_phone_status', 'team_invitations', ['phone', 'status'], unique=False)
    op.create_index('ix_team_invitations_artist_created', 'team_invitations', ['artist_id', 'created_at'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_team_invitations_artist_created', table_name='team_invitations')
    op.drop_index('ix_team_invitations_phone_status', table_name='team_invitations')
    op.drop_table('team_invitations')
