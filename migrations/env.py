from alembic import context
from sqlalchemy import create_engine, pool

from domain import models  # noqa: F401  (registers every table)
from domain.db import Base, sqlalchemy_url
from search import pg as _search_tables  # noqa: F401  (the artist_search table)

config = context.config
url = config.attributes.get("database_url") or config.get_main_option("sqlalchemy.url")
if not url:
    raise SystemExit("set the database URL (devstack.database.migrate does this)")

connectable = create_engine(sqlalchemy_url(url), poolclass=pool.NullPool)
with connectable.connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()
