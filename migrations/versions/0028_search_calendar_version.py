"""search: calendar-only changes move their own version, so cached answers without available_on outlive them

Every hold, booking or release rewrites the artist's index row (busy_days, and the document upsert with a new
indexed_at): with one version for everything, each booking action emptied the whole cache of search answers.
Now `artist_search_version` moves only when a searchable field changes (or a row comes or goes), and
`artist_search_calendar_version` when only busy_days does; search/pg.py keys answers filtered by available_on on
both.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-04 14:00:00
"""
from alembic import op

revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None

CHANGED = """
CREATE OR REPLACE FUNCTION artist_search_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND (to_jsonb(OLD) - 'busy_days' - 'indexed_at') = (to_jsonb(NEW) - 'busy_days' - 'indexed_at') THEN
        IF OLD.busy_days IS DISTINCT FROM NEW.busy_days THEN
            PERFORM nextval('artist_search_calendar_version');
        END IF;
        RETURN NULL;
    END IF;
    PERFORM nextval('artist_search_version');
    RETURN NULL;
END
$$
"""

PREVIOUS = """
CREATE OR REPLACE FUNCTION artist_search_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM nextval('artist_search_version');
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    op.execute("CREATE SEQUENCE artist_search_calendar_version")
    op.execute(CHANGED)


def downgrade() -> None:
    op.execute(PREVIOUS)
    op.execute("DROP SEQUENCE artist_search_calendar_version")
