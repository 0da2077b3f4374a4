"""search: the filterable fields of each index row in a narrow table, so counting a filter set reads ~100 bytes a
match instead of ~1 KB

Counting the total and facets of a filter set without keyword (a tag, a type and a city, a date) visited each
match's artist_search row: ~1 KB each (tokens, tsv, bio, works, name grams), 8 to a page, so 3-6k matches read
3-7k pages (30-40 ms at 100k artists). `artist_search_filters` holds only what the filters and the counts read,
~30 rows to a page, with the same GIN indexes, and the artist types also as bits (type_bits); search/pg.py counts
such filter sets there. Statement-level
triggers on artist_search keep it equal in the writing transaction (a calendar change updates its busy_days
too: one more row update per change, HOT as nothing indexed changes).

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-04 17:20:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None

# Bit i stands for the i-th artist type of search.pg.FACET_TYPES (domain.enums.ARTIST_TYPE_LABELS' order; a test
# checks they agree): counting 8 bit tests a row cost ~1/10 of 8 `kind = ANY(artist_types)` (each walks the array).
TYPE_BITS = """
CREATE FUNCTION artist_type_bits(types text[]) RETURNS integer LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(bit_or(1 << (p - 1)), 0)::integer
    FROM unnest(types) AS kind, array_position(
        ARRAY['singer', 'dancer', 'host', 'band', 'magician', 'crosstalk', 'acrobat', 'other'], kind) AS p
$$
"""

COLUMNS = "city, regions, artist_types, tags, verified, price_min, price_max, rating, busy_days"

COPY = f"""
CREATE FUNCTION artist_search_copy_filters() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM artist_search_filters;
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO artist_search_filters (artist_id, {COLUMNS}) SELECT artist_id, {COLUMNS} FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
        DELETE FROM artist_search_filters f USING old_rows o WHERE f.artist_id = o.artist_id;
    ELSE
        UPDATE artist_search_filters f
        SET city = n.city, regions = n.regions, artist_types = n.artist_types, tags = n.tags, verified = n.verified,
            price_min = n.price_min, price_max = n.price_max, rating = n.rating, busy_days = n.busy_days
        FROM new_rows n
        WHERE f.artist_id = n.artist_id
          AND (f.city, f.regions, f.artist_types, f.tags, f.verified, f.price_min, f.price_max, f.rating, f.busy_days)
              IS DISTINCT FROM
              (n.city, n.regions, n.artist_types, n.tags, n.verified, n.price_min, n.price_max, n.rating, n.busy_days);
    END IF;
    RETURN NULL;
END
$$
"""  # noqa: S608


def upgrade() -> None:
    op.execute(TYPE_BITS)
    op.create_table(
        'artist_search_filters',
        sa.Column('artist_id', sa.BigInteger(), nullable=False),
        sa.Column('city', sa.String(length=30), nullable=False),
        sa.Column('regions', postgresql.ARRAY(sa.String(length=30)), nullable=False),
        sa.Column('artist_types', postgresql.ARRAY(sa.String(length=20)), nullable=False),
        sa.Column('tags', postgresql.ARRAY(sa.String(length=30)), nullable=False),
        sa.Column('verified', sa.Boolean(), nullable=False),
        sa.Column('price_min', sa.BigInteger(), nullable=True),
        sa.Column('price_max', sa.BigInteger(), nullable=True),
        sa.Column('rating', sa.Float(), nullable=True),
        sa.Column('busy_days', postgresql.DATEMULTIRANGE(), nullable=False),
        sa.Column('type_bits', sa.Integer(), sa.Computed('artist_type_bits((artist_types)::text[])', persisted=True),
                  nullable=False),
        sa.PrimaryKeyConstraint('artist_id'),
    )
    op.execute(f"INSERT INTO artist_search_filters (artist_id, {COLUMNS}) "  # noqa: S608
               f"SELECT artist_id, {COLUMNS} FROM artist_search")
    op.create_index('ix_artist_search_filters_types', 'artist_search_filters', ['artist_types'],
                    postgresql_using='gin')
    op.create_index('ix_artist_search_filters_tags', 'artist_search_filters', ['tags'], postgresql_using='gin')
    op.create_index('ix_artist_search_filters_regions', 'artist_search_filters', ['regions'],
                    postgresql_using='gin')
    op.create_index('ix_artist_search_filters_city', 'artist_search_filters', ['city'])
    op.execute(COPY)
    op.execute("CREATE TRIGGER artist_search_filters_inserted AFTER INSERT ON artist_search "
               "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION artist_search_copy_filters()")
    op.execute("CREATE TRIGGER artist_search_filters_deleted AFTER DELETE ON artist_search "
               "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION artist_search_copy_filters()")
    op.execute("CREATE TRIGGER artist_search_filters_updated AFTER UPDATE ON artist_search "
               "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
               "FOR EACH STATEMENT EXECUTE FUNCTION artist_search_copy_filters()")
    op.execute("CREATE TRIGGER artist_search_filters_truncated AFTER TRUNCATE ON artist_search "
               "FOR EACH STATEMENT EXECUTE FUNCTION artist_search_copy_filters()")


def downgrade() -> None:
    for name in ("inserted", "deleted", "updated", "truncated"):
        op.execute(f"DROP TRIGGER artist_search_filters_{name} ON artist_search")
    op.execute("DROP FUNCTION artist_search_copy_filters()")
    op.drop_table('artist_search_filters')
    op.execute("DROP FUNCTION artist_type_bits(text[])")
