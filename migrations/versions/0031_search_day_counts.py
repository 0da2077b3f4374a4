"""search: the total and facets of the artists busy on each day, kept as deltas, so "free on a day" is counted
without reading the index

A search filtered only by available_on counted ~92k free artists over the whole artist_search heap (~100 ms at
100k artists). Its counts are the kept counts (migration 0030) minus those of the artists busy that day:
`artist_search_day_counts` holds, per day, the total and facets of the artists whose busy_days take that day, as
rows to be summed. A statement-level trigger on artist_search appends, for each row whose busy days or counted
fields changed, -1 for every (day, facet) the old row counted towards and +1 for the new one: inserts only, so
calendar writes never wait on each other for a count. When a day it touched has more than COMPACT_AT rows, it
folds that day's rows into one per facet, skipping rows another transaction is folding (SKIP LOCKED: no waits,
no deadlocks; whoever deletes a row adds its value back in the same statement, so sums never change).

Busy days without an end (a slot open at either side) can't be listed day by day: artist_busy_dates leaves such
an artist out entirely, and search/pg.py counts those few rows live (ix_artist_search_busy_open finds them).

A calendar write costs this one more INSERT of a handful of rows (the days the change touches, ~4 facets each),
and every ~10th write on a day a fold of ≤ COMPACT_AT rows.

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-04 17:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None

COMPACT_AT = 64

BUSY_DATES = """
CREATE FUNCTION artist_busy_dates(busy datemultirange) RETURNS SETOF date LANGUAGE sql IMMUTABLE AS $$
    SELECT generate_series(lower(r), upper(r) - 1, interval '1 day')::date FROM unnest(busy) AS r
    WHERE NOT (lower_inf(busy) OR upper_inf(busy))
$$
"""

# `rows`: (d, busy_days, city, regions, artist_types) with d = +1 for a row that comes, -1 for one that goes.
APPLY = """
    WITH appended AS (
        INSERT INTO artist_search_day_counts (day, facet, value, n)
        SELECT b.day, f.facet, f.value, sum(r.d) FROM ({rows}) r
        CROSS JOIN LATERAL artist_busy_dates(r.busy_days) AS b (day)
        CROSS JOIN LATERAL artist_search_facets_of(r.city, r.regions, r.artist_types) f
        GROUP BY b.day, f.facet, f.value HAVING sum(r.d) <> 0
        RETURNING day)
    SELECT array_agg(DISTINCT day) INTO touched FROM appended;
"""
COUNTED = "busy_days, city, regions, artist_types"
# Constant SQL put together here, no input: hence the noqa.
ON_INSERT = APPLY.format(rows=f"SELECT 1 AS d, {COUNTED} FROM new_rows")  # noqa: S608
ON_DELETE = APPLY.format(rows=f"SELECT -1 AS d, {COUNTED} FROM old_rows")  # noqa: S608
ON_UPDATE = APPLY.format(rows="""
    SELECT x.* FROM old_rows o JOIN new_rows n USING (artist_id)
    CROSS JOIN LATERAL (VALUES (-1, o.busy_days, o.city, o.regions, o.artist_types),
                               (1, n.busy_days, n.city, n.regions, n.artist_types))
        AS x (d, busy_days, city, regions, artist_types)
    WHERE (o.busy_days, o.city, o.regions, o.artist_types) IS DISTINCT FROM
          (n.busy_days, n.city, n.regions, n.artist_types)""")

RECOUNT = f"""
CREATE FUNCTION artist_search_day_recount() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    touched date[];
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM artist_search_day_counts;
        RETURN NULL;
    ELSIF TG_OP = 'INSERT' THEN {ON_INSERT}
    ELSIF TG_OP = 'DELETE' THEN {ON_DELETE}
    ELSE {ON_UPDATE}
    END IF;
    IF touched IS NULL THEN
        RETURN NULL;
    END IF;
    WITH crowded AS (
        SELECT day FROM artist_search_day_counts WHERE day = ANY (touched) GROUP BY day HAVING count(*) > {COMPACT_AT}),
    folded AS (
        DELETE FROM artist_search_day_counts WHERE ctid IN (
            SELECT ctid FROM artist_search_day_counts WHERE day IN (SELECT day FROM crowded)
            FOR UPDATE SKIP LOCKED)
        RETURNING day, facet, value, n)
    INSERT INTO artist_search_day_counts (day, facet, value, n)
    SELECT day, facet, value, sum(n) FROM folded GROUP BY day, facet, value HAVING sum(n) <> 0;
    RETURN NULL;
END
$$
"""  # noqa: S608

FILL = """
    INSERT INTO artist_search_day_counts (day, facet, value, n)
    SELECT b.day, f.facet, f.value, count(*) FROM artist_search s
    CROSS JOIN LATERAL artist_busy_dates(s.busy_days) AS b (day)
    CROSS JOIN LATERAL artist_search_facets_of(s.city, s.regions, s.artist_types) f
    GROUP BY b.day, f.facet, f.value
"""


def upgrade() -> None:
    op.create_table(
        'artist_search_day_counts',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('facet', sa.String(length=10), nullable=False),
        sa.Column('value', sa.String(length=30), nullable=False),
        sa.Column('n', sa.BigInteger(), nullable=False),
    )
    op.create_index('ix_artist_search_day_counts_day', 'artist_search_day_counts', ['day'])
    op.execute(BUSY_DATES)
    op.execute(RECOUNT)
    op.execute("CREATE TRIGGER artist_search_day_counts_inserted AFTER INSERT ON artist_search "
               "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION artist_search_day_recount()")
    op.execute("CREATE TRIGGER artist_search_day_counts_deleted AFTER DELETE ON artist_search "
               "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION artist_search_day_recount()")
    op.execute("CREATE TRIGGER artist_search_day_counts_updated AFTER UPDATE ON artist_search "
               "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
               "FOR EACH STATEMENT EXECUTE FUNCTION artist_search_day_recount()")
    op.execute("CREATE TRIGGER artist_search_day_counts_truncated AFTER TRUNCATE ON artist_search "
               "FOR EACH STATEMENT EXECUTE FUNCTION artist_search_day_recount()")
    op.execute(FILL)
    op.create_index('ix_artist_search_busy_open', 'artist_search', ['artist_id'],
                    postgresql_where=sa.text('lower_inf(busy_days) OR upper_inf(busy_days)'))


def downgrade() -> None:
    op.drop_index('ix_artist_search_busy_open', table_name='artist_search')
    for name in ("inserted", "deleted", "updated", "truncated"):
        op.execute(f"DROP TRIGGER artist_search_day_counts_{name} ON artist_search")
    op.execute("DROP FUNCTION artist_search_day_recount()")
    op.execute("DROP FUNCTION artist_busy_dates(datemultirange)")
    op.drop_index('ix_artist_search_day_counts_day', table_name='artist_search_day_counts')
    op.drop_table('artist_search_day_counts')
