"""search: the whole index's counts are appended as deltas and folded with SKIP LOCKED, like the per-day ones

Migration 0030 upserted artist_search_counts, one row per facet value: every profile change that moved a count
(a new or removed artist, another city or type) locked the ('total', '') row until its transaction ended, so such
changes queued one behind another, and a unit of work writing two artists' index rows could deadlock with another
writing them in the other order (each holding one artist's row and wanting the other's). Now the trigger only
appends rows (no waits), and when the table has more than COMPACT_AT rows folds it into one row per facet value,
skipping rows another transaction is folding (as artist_search_day_counts, migration 0031); search/pg.py sums.

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-04 17:40:00
"""
from alembic import op

revision = '0033'
down_revision = '0032'
branch_labels = None
depends_on = None

COMPACT_AT = 64

# `rows`: (d, city, regions, artist_types) with d = +1 for a row that comes, -1 for one that goes.
APPLY = """
    INSERT INTO artist_search_counts (facet, value, n)
    SELECT f.facet, f.value, sum(r.d) FROM ({rows}) r
    CROSS JOIN LATERAL artist_search_facets_of(r.city, r.regions, r.artist_types) f
    GROUP BY f.facet, f.value HAVING sum(r.d) <> 0;"""
FOLD = f"""
    GET DIAGNOSTICS appended = ROW_COUNT;
    IF appended = 0 OR (SELECT count(*) FROM artist_search_counts) <= {COMPACT_AT} THEN
        RETURN NULL;
    END IF;
    WITH folded AS (
        DELETE FROM artist_search_counts WHERE ctid IN (
            SELECT ctid FROM artist_search_counts FOR UPDATE SKIP LOCKED)
        RETURNING facet, value, n)
    INSERT INTO artist_search_counts (facet, value, n)
    SELECT facet, value, sum(n) FROM folded GROUP BY facet, value HAVING sum(n) <> 0;"""  # noqa: S608
# Migration 0030's: one row per facet value, the ('total', '') row first.
UPSERT = """
    INSERT INTO artist_search_counts AS c (facet, value, n)
    SELECT f.facet, f.value, sum(r.d) FROM ({rows}) r
    CROSS JOIN LATERAL artist_search_facets_of(r.city, r.regions, r.artist_types) f
    GROUP BY f.facet, f.value HAVING sum(r.d) <> 0 OR f.facet = 'total'
    ORDER BY f.facet <> 'total', f.facet, f.value
    ON CONFLICT (facet, value) DO UPDATE SET n = c.n + excluded.n;"""
COUNTED = "city, regions, artist_types"
UPDATED = """
    SELECT x.d, x.city, x.regions, x.artist_types FROM old_rows o JOIN new_rows n USING (artist_id)
    CROSS JOIN LATERAL (VALUES (-1, o.city, o.regions, o.artist_types), (1, n.city, n.regions, n.artist_types))
        AS x (d, city, regions, artist_types)
    WHERE (o.city, o.regions, o.artist_types) IS DISTINCT FROM (n.city, n.regions, n.artist_types)"""


def recount(apply: str, fold: str) -> str:
    """The trigger function: `apply` writes the counts of the rows that came and went, then `fold`."""
    on_insert = apply.format(rows=f"SELECT 1 AS d, {COUNTED} FROM new_rows")  # noqa: S608 (constant SQL)
    on_delete = apply.format(rows=f"SELECT -1 AS d, {COUNTED} FROM old_rows")  # noqa: S608
    on_update = apply.format(rows=UPDATED)
    return f"""
CREATE OR REPLACE FUNCTION artist_search_recount() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    appended bigint;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM artist_search_counts;
        RETURN NULL;
    ELSIF TG_OP = 'INSERT' THEN {on_insert}
    ELSIF TG_OP = 'DELETE' THEN {on_delete}
    ELSE {on_update}
    END IF;{fold}
    RETURN NULL;
END
$$
"""  # noqa: S608


def upgrade() -> None:
    op.execute("ALTER TABLE artist_search_counts DROP CONSTRAINT pk_artist_search_counts")
    op.execute(recount(APPLY, FOLD))


def downgrade() -> None:
    op.execute("LOCK TABLE artist_search_counts")
    op.execute("CREATE TEMPORARY TABLE folded_counts ON COMMIT DROP AS "
               "SELECT facet, value, sum(n)::bigint AS n FROM artist_search_counts GROUP BY facet, value")
    op.execute("DELETE FROM artist_search_counts")
    op.execute("INSERT INTO artist_search_counts SELECT * FROM folded_counts")
    op.execute("ALTER TABLE artist_search_counts ADD CONSTRAINT pk_artist_search_counts PRIMARY KEY (facet, value)")
    op.execute(recount(UPSERT, ""))
