"""The models and the migrations describe the same schema (what `alembic check` would report as drift).

The database comes from the migrations (the `database_url` fixture runs them to head); the target is the metadata
migrations/env.py autogenerates against, so a model changed without a migration, or a migration without its model,
fails here instead of at deploy time."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import CheckConstraint, text
from sqlalchemy.dialects.postgresql import ExcludeConstraint

from domain.db import get_engine
from domain.models import Base
from search import pg as _search_tables  # noqa: F401  (the artist_search table, as in migrations/env.py)


def test_autogenerate_finds_no_difference(database_url: str) -> None:
    with get_engine(database_url).connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
        assert compare_metadata(context, Base.metadata) == []


def test_check_and_exclusion_constraints_match(database_url: str) -> None:
    """Autogenerate does not compare CHECK and EXCLUDE constraints; their names at least must agree."""
    declared = {
        (table.name, str(constraint.name))
        for table in Base.metadata.tables.values()
        for constraint in table.constraints
        if isinstance(constraint, CheckConstraint | ExcludeConstraint)
    }
    with get_engine(database_url).connect() as conn:
        built = {(row.table, row.name) for row in conn.execute(text(
            "SELECT c.conrelid::regclass::text AS table, c.conname AS name FROM pg_constraint c "
            "JOIN pg_namespace n ON n.oid = c.connamespace "
            "WHERE n.nspname = 'public' AND c.contype IN ('c', 'x')"))}
    assert declared == built
