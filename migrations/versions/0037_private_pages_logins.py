"""private pages: a login no longer drops every kept page (the users trigger skips last_login_at)

Every SMS or WeChat login writes `users.last_login_at`, which no page shows; the trigger of 0036 told every API
process to drop every kept page on each of them. Now only a change of what a page may show (a status, a
verification, a phone) or a removed account does; a new account is on nobody's page yet.

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-05 03:00:00
"""
from alembic import op

revision = '0037'
down_revision = '0036'
branch_labels = None
depends_on = None

UNSHOWN = "'last_login_at'"  # columns of users no private page shows


def upgrade() -> None:
    op.execute("DROP TRIGGER users_private_pages ON users")
    op.execute("CREATE TRIGGER users_private_pages AFTER DELETE ON users "
               "FOR EACH ROW EXECUTE FUNCTION private_pages_changed('all')")
    op.execute(f"CREATE TRIGGER users_private_pages_shown AFTER UPDATE ON users FOR EACH ROW "
               f"WHEN ((to_jsonb(OLD) - {UNSHOWN}) IS DISTINCT FROM (to_jsonb(NEW) - {UNSHOWN})) "
               f"EXECUTE FUNCTION private_pages_changed('all')")


def downgrade() -> None:
    op.execute("DROP TRIGGER users_private_pages_shown ON users")
    op.execute("DROP TRIGGER users_private_pages ON users")
    op.execute("CREATE TRIGGER users_private_pages AFTER INSERT OR UPDATE OR DELETE ON users "
               "FOR EACH ROW EXECUTE FUNCTION private_pages_changed('all')")
