"""private pages: triggers that tell the API processes whose pages a write changed (NOTIFY yanyue_private_pages)

A user's booking list, a booking's detail and the notification centre are answered from an API process's memory
while nothing they show has changed (api/private_pages.py). These triggers say what changed, on commit and only
then: `{"u": <user id>}` for a write to a row of that user's (a booking names its client and its artist; a row of
a booking names the booking's parties), `{"all": 1}` for a write to what every page may show (names, avatars,
settings, an artist's reviews). PostgreSQL sends each distinct payload once per transaction. What a trigger doesn't
name (an artist's count of completed shows on another client's card) shows within the pages' TTL.

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-05 00:00:00
"""
from alembic import op

revision = '0036'
down_revision = '0035'
branch_labels = None
depends_on = None

# The channel is api/private_pages.py's CHANNEL.
# table -> how its rows name the users whose pages they show on: 'user' + columns holding user ids, 'booking' + the
# column holding a booking id, or 'all'.
TABLES = {
    'bookings': ('user', 'client_id', 'artist_id'),
    'inquiries': ('user', 'client_id'),
    'notifications': ('user', 'user_id'),
    'real_name_verifications': ('user', 'user_id'),
    'calendar_slots': ('user', 'artist_id'),
    'booking_events': ('booking', 'booking_id'),
    'contracts': ('booking', 'booking_id'),
    'contract_documents': ('booking', 'booking_id'),
    'contract_signature_evidence': ('booking', 'booking_id'),
    'disputes': ('booking', 'booking_id'),
    'dispute_statements': ('booking', 'booking_id'),
    'payment_orders': ('booking', 'booking_id'),
    'refunds': ('booking', 'booking_id'),
    'payouts': ('booking', 'booking_id'),
    'penalties': ('booking', 'booking_id'),
    'journal_entries': ('booking', 'booking_id'),
    'reviews': ('all',),  # an artist's rating shows on every card of the artist
    'users': ('all',),
    'artist_profiles': ('all',),
    'client_profiles': ('all',),
    'uploads': ('all',),
    'system_settings': ('all',),
    'contract_templates': ('all',),
}

FUNCTION = """
CREATE FUNCTION private_pages_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    how text := TG_ARGV[0];
    rec jsonb;
    col text;
    party bigint;
BEGIN
    IF how = 'all' THEN
        PERFORM pg_notify('yanyue_private_pages', '{"all":1}');
        RETURN NULL;
    END IF;
    FOREACH rec IN ARRAY ARRAY[to_jsonb(OLD), to_jsonb(NEW)] LOOP
        CONTINUE WHEN rec IS NULL OR jsonb_typeof(rec) <> 'object';
        IF how = 'user' THEN
            FOREACH col IN ARRAY TG_ARGV[1:] LOOP
                CONTINUE WHEN rec->>col IS NULL;
                PERFORM pg_notify('yanyue_private_pages', '{"u":' || (rec->>col) || '}');
            END LOOP;
        ELSIF rec->>TG_ARGV[1] IS NOT NULL THEN
            FOR party IN SELECT unnest(ARRAY[b.client_id, b.artist_id]) FROM bookings b
                         WHERE b.id = (rec->>TG_ARGV[1])::bigint LOOP
                PERFORM pg_notify('yanyue_private_pages', '{"u":' || party || '}');
            END LOOP;
        END IF;
    END LOOP;
    RETURN NULL;
END $$;
"""


def upgrade() -> None:
    op.get_bind().exec_driver_sql(FUNCTION)  # as written: its ':' are JSON, not bind parameters
    for table, how in TABLES.items():
        args = ", ".join(f"'{a}'" for a in how)
        op.execute(f"CREATE TRIGGER {table}_private_pages AFTER INSERT OR UPDATE OR DELETE ON {table} "
                   f"FOR EACH ROW EXECUTE FUNCTION private_pages_changed({args})")


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DROP TRIGGER {table}_private_pages ON {table}")
    op.execute("DROP FUNCTION private_pages_changed()")
