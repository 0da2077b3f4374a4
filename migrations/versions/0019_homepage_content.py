"""homepage recommendations, banners and announcements

The mini-program home's content that operators manage in the console (首页推荐, banners, 公告).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 04:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('home_recommendations',
    sa.Column('artist_id', sa.BigInteger(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['artist_id'], ['artist_profiles.user_id'],
                            name=op.f('fk_home_recommendations_artist_id_artist_profiles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['operators.id'],
                            name=op.f('fk_home_recommendations_created_by_operators')),
    sa.PrimaryKeyConstraint('artist_id', name=op.f('pk_home_recommendations'))
    )
    op.create_table('home_banners',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('title', sa.String(length=40), nullable=False),
    sa.Column('image_key', sa.String(length=200), nullable=False),
    sa.Column('link_type', sa.String(length=10), server_default='none', nullable=False),
    sa.Column('link_value', sa.String(length=200), server_default='', nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('enabled', sa.Boolean(), server_default='true', nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("link_type in ('none','artist','page')", name=op.f('ck_home_banners_link_type')),
    sa.CheckConstraint('ends_at is null or starts_at is null or ends_at > starts_at',
                       name=op.f('ck_home_banners_window')),
    sa.ForeignKeyConstraint(['created_by'], ['operators.id'], name=op.f('fk_home_banners_created_by_operators')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_home_banners')),
    sa.UniqueConstraint('image_key', name=op.f('uq_home_banners_image_key'))
    )
    op.create_table('announcements',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('title', sa.String(length=60), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('pinned', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('ends_at is null or ends_at > starts_at', name=op.f('ck_announcements_window')),
    sa.ForeignKeyConstraint(['created_by'], ['operators.id'], name=op.f('fk_announcements_created_by_operators')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_announcements'))
    )
    op.create_index(op.f('ix_announcements_starts_at'), 'announcements', ['starts_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_announcements_starts_at'), table_name='announcements')
    op.drop_table('announcements')
    op.drop_table('home_banners')
    op.drop_table('home_recommendations')
