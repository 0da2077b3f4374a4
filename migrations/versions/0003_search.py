"""search: artist_search (jieba tokens + 'simple' tsvector GIN, pg_trgm on stage names)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 10:00:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table('artist_search',
    sa.Column('artist_id', sa.BigInteger(), nullable=False),
    sa.Column('stage_name', sa.String(length=50), nullable=False),
    sa.Column('artist_types', postgresql.ARRAY(sa.String(length=20)), server_default='{}', nullable=False),
    sa.Column('styles', postgresql.ARRAY(sa.String(length=30)), server_default='{}', nullable=False),
    sa.Column('city', sa.String(length=30), nullable=False),
    sa.Column('regions', postgresql.ARRAY(sa.String(length=30)), server_default='{}', nullable=False),
    sa.Column('bio', sa.Text(), server_default='', nullable=False),
    sa.Column('works', postgresql.ARRAY(sa.Text()), server_default='{}', nullable=False),
    sa.Column('price_min', sa.BigInteger(), nullable=True),
    sa.Column('price_max', sa.BigInteger(), nullable=True),
    sa.Column('rating', sa.Float(), nullable=True),
    sa.Column('review_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('popularity', sa.Integer(), server_default='0', nullable=False),
    sa.Column('verified', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('tags', postgresql.ARRAY(sa.String(length=30)), server_default='{}', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tokens', sa.Text(), server_default='', nullable=False),
    sa.Column('tsv', postgresql.TSVECTOR(), sa.Computed("to_tsvector('simple'::regconfig, tokens)", persisted=True), nullable=True),
    sa.Column('indexed_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['artist_id'], ['artist_profiles.user_id'], name=op.f('fk_artist_search_artist_id_artist_profiles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('artist_id', name=op.f('pk_artist_search'))
    )
    op.create_index('ix_artist_search_tsv', 'artist_search', ['tsv'], unique=False, postgresql_using='gin')
    op.create_index('ix_artist_search_stage_name_trgm', 'artist_search', ['stage_name'], unique=False, postgresql_using='gin', postgresql_ops={'stage_name': 'gin_trgm_ops'})
    op.create_index('ix_artist_search_types', 'artist_search', ['artist_types'], unique=False, postgresql_using='gin')
    op.create_index('ix_artist_search_city', 'artist_search', ['city'], unique=False)
    op.create_index('ix_artist_search_popularity', 'artist_search', [sa.text('popularity DESC'), 'artist_id'], unique=False)
    op.create_index('ix_artist_search_created_at', 'artist_search', [sa.text('created_at DESC'), 'artist_id'], unique=False)
    # Calendar look-ups by status for `available_on` use the existing GiST (artist_id, period) index.


def downgrade() -> None:
    op.drop_table('artist_search')
