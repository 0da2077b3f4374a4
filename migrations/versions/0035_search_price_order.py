"""search: indexes in the order of sort=price_asc and sort=price_desc

Sorting by price had no index: a page of the whole index sorted by price read and sorted all 99k rows (~65 ms at
100k artists), and a filtered one (婚礼 + singer + 上海 + a price range) built and read the whole match set
(~12 ms); walking these indexes stops after a page (0.1 ms; ~7 ms for the filtered one).

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-04 21:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0035'
down_revision = '0034'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_artist_search_price_asc', 'artist_search',
                    [sa.text('price_min ASC NULLS LAST'), sa.text('artist_id DESC')])
    op.create_index('ix_artist_search_price_desc', 'artist_search',
                    [sa.text('price_max DESC NULLS LAST'), sa.text('artist_id DESC')])


def downgrade() -> None:
    op.drop_index('ix_artist_search_price_desc', table_name='artist_search')
    op.drop_index('ix_artist_search_price_asc', table_name='artist_search')
