"""`python -m search reindex`: rebuild the search index from the database (the recovery path when
the index missed updates or its mapping changed)."""

from __future__ import annotations

import argparse
import sys
import time

from devstack.database import resolve_database_url
from domain.db import session_scope
from domain.settings import Settings
from search.documents import iter_artist_documents
from search.factory import artist_search_from_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m search")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("reindex", help="rebuild the artist index from the database")
    parser.parse_args(argv)
    settings = Settings()
    url, _ = resolve_database_url(settings)
    search = artist_search_from_settings(settings, url)
    started = time.perf_counter()
    with session_scope(url) as session:
        count = search.reindex_all(iter_artist_documents(session))
    print(f"reindexed {count} artists into {type(search).__name__} in {time.perf_counter() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
