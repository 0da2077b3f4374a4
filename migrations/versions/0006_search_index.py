"""search: name_grams (1-2 character substrings of stage names, GIN) so short name keywords use an index;
a rating-sort index; a GiST over blocking calendar periods for available_on

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 18:00:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('artist_search', sa.Column('name_grams', postgresql.ARRAY(sa.Text()), server_default='{}',
                                             nullable=False))
    # Same values as search.pg.name_grams, so existing rows match before the next reindex.
    op.execute("""
        UPDATE artist_search SET name_grams = ARRAY(
            SELECT DISTINCT substr(lower(stage_name), i, n)
            FROM generate_series(1, char_length(stage_name)) AS i, (VALUES (1), (2)) AS v(n)
            WHERE i + n - 1 <= char_length(stage_name)
            ORDER BY 1)
    """)
    op.create_index('ix_artist_search_name_grams', 'artist_search', ['name_grams'], unique=False,
                    postgresql_using='gin')
    op.create_index('ix_artist_search_rating', 'artist_search',
                    [sa.text('rating DESC NULLS LAST'), sa.text('review_count DESC'), sa.text('artist_id DESC')],
                    unique=False)
    op.create_index('ix_calendar_slots_blocking_period', 'calendar_slots', ['period'], unique=False,
                    postgresql_using='gist',
                    postgresql_where=sa.text("status IN ('held', 'booked', 'rest', 'unavailable')"))


def downgrade() -> None:
    op.drop_index('ix_calendar_slots_blocking_period', table_name='calendar_slots')
    op.drop_index('ix_artist_search_rating', table_name='artist_search')
    op.drop_index('ix_artist_search_name_grams', table_name='artist_search')
    op.drop_column('artist_search', 'name_grams')
