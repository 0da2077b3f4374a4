"""search: the unfiltered total and facets kept in a small table, and GIN indexes on tags and regions

Counting the total and facets of a filter set that matches most artists read the whole artist_search heap and a
row per served city: ~85 ms at 100k artists each time the answer cache had to compute it anew.
`artist_search_counts` holds those counts for the whole index (artists; artists per served city, a home city or
region counted as often as the document lists it, like the counting statement; artists per type), kept exact by
statement-level triggers on artist_search in the writing transaction. search/pg.py answers a filter set without
filters from it.

Every writer of counts locks the ('total', '') row first (it is in every non-empty delta and sorts first), so two
transactions changing counts queue on it instead of deadlocking on city rows taken in different orders; an update
that changes no counted field (every calendar change rewrites busy_days) writes nothing here.

GIN on tags and on regions: a tag filter and the city filter's region half (city IN … OR regions && …) read only
their matches instead of every row.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-04 17:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None

FACETS_OF = """
CREATE FUNCTION artist_search_facets_of(city text, regions text[], types text[])
RETURNS TABLE (facet text, value text) LANGUAGE sql IMMUTABLE AS $$
    SELECT 'total', ''
    UNION ALL SELECT 'city', unnest(array_prepend(city, regions))
    UNION ALL (SELECT DISTINCT 'type', kind FROM unnest(types) AS kind)
$$
"""

# `rows`: (d, city, regions, artist_types) with d = +1 for a row that comes, -1 for one that goes.
APPLY = """
    INSERT INTO artist_search_counts AS c (facet, value, n)
    SELECT f.facet, f.value, sum(r.d) FROM ({rows}) r
    CROSS JOIN LATERAL artist_search_facets_of(r.city, r.regions, r.artist_types) f
    GROUP BY f.facet, f.value HAVING sum(r.d) <> 0 OR f.facet = 'total'
    ORDER BY f.facet <> 'total', f.facet, f.value
    ON CONFLICT (facet, value) DO UPDATE SET n = c.n + excluded.n;
"""
COUNTED = "city, regions, artist_types"
# Constant SQL put together here, no input: hence the noqa.
ON_INSERT = APPLY.format(rows=f"SELECT 1 AS d, {COUNTED} FROM new_rows")  # noqa: S608
ON_DELETE = APPLY.format(rows=f"SELECT -1 AS d, {COUNTED} FROM old_rows")  # noqa: S608
# Only rows whose counted fields changed: a calendar change (busy_days) or a re-indexed unchanged profile
# yields no rows, so it neither writes nor locks a count.
ON_UPDATE = APPLY.format(rows="""
    SELECT x.d, x.city, x.regions, x.artist_types FROM old_rows o JOIN new_rows n USING (artist_id)
    CROSS JOIN LATERAL (VALUES (-1, o.city, o.regions, o.artist_types), (1, n.city, n.regions, n.artist_types))
        AS x (d, city, regions, artist_types)
    WHERE (o.city, o.regions, o.artist_types) IS DISTINCT FROM (n.city, n.regions, n.artist_types)""")

RECOUNT = f"""
CREATE FUNCTION artist_search_recount() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN DELETE FROM artist_search_counts;
    ELSIF TG_OP = 'INSERT' THEN {ON_INSERT}
    ELSIF TG_OP = 'DELETE' THEN {ON_DELETE}
    ELSE {ON_UPDATE}
    END IF;
    RETURN NULL;
END
$$
"""  # noqa: S608


def upgrade() -> None:
    op.create_table(
        'artist_search_counts',
        sa.Column('facet', sa.String(length=10), nullable=False),
        sa.Column('value', sa.String(length=30), nullable=False),
        sa.Column('n', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('facet', 'value'),
    )
    op.execute(FACETS_OF)
    op.execute(RECOUNT)
    op.execute("CREATE TRIGGER artist_search_counts_inserted AFTER INSERT ON artist_search "
               "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION artist_search_recount()")
    op.execute("CREATE TRIGGER artist_search_counts_deleted AFTER DELETE ON artist_search "
               "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION artist_search_recount()")
    op.execute("CREATE TRIGGER artist_search_counts_updated AFTER UPDATE ON artist_search "
               "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
               "FOR EACH STATEMENT EXECUTE FUNCTION artist_search_recount()")
    op.execute("CREATE TRIGGER artist_search_counts_truncated AFTER TRUNCATE ON artist_search "
               "FOR EACH STATEMENT EXECUTE FUNCTION artist_search_recount()")
    op.execute(ON_INSERT.replace("new_rows", "artist_search"))
    op.create_index('ix_artist_search_tags', 'artist_search', ['tags'], postgresql_using='gin')
    op.create_index('ix_artist_search_regions', 'artist_search', ['regions'], postgresql_using='gin')


def downgrade() -> None:
    op.drop_index('ix_artist_search_regions', table_name='artist_search')
    op.drop_index('ix_artist_search_tags', table_name='artist_search')
    for name in ("inserted", "deleted", "updated", "truncated"):
        op.execute(f"DROP TRIGGER artist_search_counts_{name} ON artist_search")
    op.execute("DROP FUNCTION artist_search_recount()")
    op.execute("DROP FUNCTION artist_search_facets_of(text, text[], text[])")
    op.drop_table('artist_search_counts')
