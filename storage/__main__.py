"""`python -m storage cleanup [--older-than-minutes N] [--dry-run]`: remove abandoned uploads by hand.

Workers do the same every few minutes (activities.storage); this is for operators, e.g. after an outage.
"""

from __future__ import annotations

import argparse
import logging
from datetime import timedelta

from domain.uploads.cleanup import DEFAULT_OLDER_THAN, remove_orphans


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m storage", description="Object storage maintenance.")
    commands = parser.add_subparsers(dest="command", required=True)
    cleanup = commands.add_parser("cleanup", help="remove uploaded objects that no `uploads` row owns")
    cleanup.add_argument("--older-than-minutes", type=int, default=int(DEFAULT_OLDER_THAN.total_seconds() // 60),
                         help="only objects older than this (default: %(default)s; uploads expire after 15)")
    cleanup.add_argument("--dry-run", action="store_true", help="list what would be removed, remove nothing")
    args = parser.parse_args(argv)

    from domain.db import DatabaseNotConfigured, database_url_from_settings, session_factory
    from domain.settings import get_settings
    from storage.factory import storage_from_settings

    if args.older_than_minutes < 15:
        parser.error("--older-than-minutes must be at least 15 (an upload intent is valid that long)")
    settings = get_settings()
    try:
        database_url = database_url_from_settings(settings)
    except DatabaseNotConfigured as exc:
        parser.exit(2, f"{exc}\n")
    storage = storage_from_settings(settings)
    result = remove_orphans(storage, session_factory(database_url), timedelta(minutes=args.older_than_minutes),
                            dry_run=args.dry_run)
    for key in result.removed:
        print(("would remove " if args.dry_run else "removed ") + key)
    print(f"{storage.name}: scanned {result.scanned}, kept {result.kept}, "
          f"{'would remove' if args.dry_run else 'removed'} {len(result.removed)} orphaned objects, "
          f"{result.partials_removed} partial files")
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s storage %(levelname)s %(message)s")
    raise SystemExit(main())
