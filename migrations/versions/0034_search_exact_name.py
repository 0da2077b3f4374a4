"""search: an index on the lower-cased stage name, for the exact-name tier of a keyword's relevance order

search/pg.py ranks a keyword's matches in tiers (the stage name is the keyword, the name contains it, anything
else matching), each tier by popularity, and reads each tier's first rows on its own: the two broad tiers walk
the popularity index and stop after a page, instead of scoring every match (ts_rank_cd over 11k matches of a
common style took ~30 ms at 100k artists). The exact tier needs this index, else the walk reads every row.

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-04 20:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0034'
down_revision = '0033'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_artist_search_stage_name_lower', 'artist_search', [sa.text('lower(stage_name)')])


def downgrade() -> None:
    op.drop_index('ix_artist_search_stage_name_lower', table_name='artist_search')
