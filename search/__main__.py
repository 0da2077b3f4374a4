"""`python -m search reindex`: rebuild the search index from the database (the recovery path when
the index missed updates or its mapping changed). `python -m search drain`: write what the search outbox
holds now (the workers do this every few seconds)."""

from __future__ import annotations

import argparse
import sys
import time

from domain.artists.search_sync import drain_all, reindex
from domain.db import DatabaseNotConfigured, database_url_from_settings, session_factory, session_scope
from domain.settings import Settings
from search.factory import artist_search_from_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m search")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("reindex", help="rebuild the artist index from the database")
    sub.add_parser("drain", help="index the artists queued in the search outbox")
    args = parser.parse_args(argv)
    settings = Settings()
    try:
        url = database_url_from_settings(settings)
    except DatabaseNotConfigured as exc:
        parser.exit(2, f"{exc}\n")
    search = artist_search_from_settings(settings, url)
    started = time.perf_counter()
    if args.command == "drain":
        report = drain_all(search, session_factory(url))
        print(f"drained {report.done} artists, {len(report.failed)} failed")
        return 1 if report.failed else 0
    with session_scope(url) as session:
        count = reindex(search, session)
    print(f"reindexed {count} artists into {type(search).__name__} in {time.perf_counter() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
