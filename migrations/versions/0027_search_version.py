"""search: a sequence every write to artist_search moves on, so cached totals and facets know when they are stale

Counting the total and facets of a query that matches most artists costs ~50 ms at 100k artists; the PostgreSQL
backend keeps them per filter set while `artist_search_version` stays where it was (search/pg.py). A sequence,
not a counter row: writers never wait on each other for it.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-04 13:50:00
"""
from alembic import op

revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE SEQUENCE artist_search_version")
    op.execute("""
CREATE FUNCTION artist_search_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM nextval('artist_search_version');
    RETURN NULL;
END
$$
""")
    # Deferred to the commit: a reader that sees the new number then sees the change too, but for a reader
    # between this trigger and the commit itself (the cache also expires after FACET_CACHE_SECONDS).
    op.execute("CREATE CONSTRAINT TRIGGER artist_search_version AFTER INSERT OR UPDATE OR DELETE ON artist_search "
               "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION artist_search_changed()")


def downgrade() -> None:
    op.execute("DROP TRIGGER artist_search_version ON artist_search")
    op.execute("DROP FUNCTION artist_search_changed()")
    op.execute("DROP SEQUENCE artist_search_version")
