"""artist_managers: an artist's agent team (经纪人/助理) who may edit the artist's profile on their behalf

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('artist_managers',
    sa.Column('artist_id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("role in ('agent','assistant')", name=op.f('ck_artist_managers_role')),
    sa.CheckConstraint('artist_id <> user_id', name=op.f('ck_artist_managers_not_self')),
    sa.ForeignKeyConstraint(['artist_id'], ['artist_profiles.user_id'], name=op.f('fk_artist_managers_artist_id_artist_profiles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_artist_managers_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('artist_id', 'user_id', name=op.f('pk_artist_managers'))
    )
    op.create_index(op.f('ix_artist_managers_user_id'), 'artist_managers', ['user_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_artist_managers_user_id'), table_name='artist_managers')
    op.drop_table('artist_managers')
