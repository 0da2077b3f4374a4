"""search: artist_busy_days finds an artist's slots through the (artist_id, period) index alone

Its status condition was in the WHERE clause, which also matches the partial index of blocking slots
(ix_calendar_slots_blocking_period); without fresh statistics (just after a bulk load) the planner ANDed both
bitmaps and read every blocking slot's entry for each artist: 130 ms a call at 1M slots. As an aggregate
FILTER the condition can't pick that index.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-04 14:05:00
"""
from alembic import op

revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None

NEW = """
CREATE OR REPLACE FUNCTION artist_busy_days(aid bigint) RETURNS datemultirange LANGUAGE sql VOLATILE AS $$
    SELECT coalesce(range_agg(daterange(
               (lower(period) AT TIME ZONE 'Asia/Shanghai')::date,
               CASE WHEN upper_inc(period) THEN (upper(period) AT TIME ZONE 'Asia/Shanghai')::date + 1
                    ELSE ((upper(period) - interval '1 microsecond') AT TIME ZONE 'Asia/Shanghai')::date + 1
               END, '[)'))
                    FILTER (WHERE status IN ('held', 'booked', 'rest', 'unavailable') AND NOT isempty(period)),
                    '{}'::datemultirange)
    FROM calendar_slots
    WHERE artist_id = aid
$$
"""

OLD = """
CREATE OR REPLACE FUNCTION artist_busy_days(aid bigint) RETURNS datemultirange LANGUAGE sql VOLATILE AS $$
    SELECT coalesce(range_agg(daterange(
               (lower(period) AT TIME ZONE 'Asia/Shanghai')::date,
               CASE WHEN upper_inc(period) THEN (upper(period) AT TIME ZONE 'Asia/Shanghai')::date + 1
                    ELSE ((upper(period) - interval '1 microsecond') AT TIME ZONE 'Asia/Shanghai')::date + 1
               END, '[)')), '{}'::datemultirange)
    FROM calendar_slots
    WHERE artist_id = aid AND status IN ('held', 'booked', 'rest', 'unavailable') AND NOT isempty(period)
$$
"""


def upgrade() -> None:
    op.execute(NEW)


def downgrade() -> None:
    op.execute(OLD)
