"""Removing uploaded objects that no `uploads` row owns.

An upload intent presigns a POST for `private/<purpose>/<user_id>/<upload_id><ext>`; the row is written only
when the client calls `POST /uploads/{id}/complete`. A client that uploads and never completes leaves an
object nobody can reach (and on local disk a crash can leave a temp file, or a commit can fail after the
write). `remove_orphans` lists the upload prefixes, keeps every object whose upload id has a row (and the
thumbnails of those), and deletes the rest once older than `older_than`: long past the intent's 15 minutes,
so an upload on its way to `/complete` is never touched.

Runs every few minutes in each worker (activities.storage) and by hand: `python -m storage cleanup`.
Only the upload prefixes are scanned: contract signatures (`private/signatures/…`) have no `uploads` row.
Whatever references an upload (case media, review photos, a dispute's evidence ids) points at its row, and rows
are never removed while referenced, so a referenced file is never an orphan here.
Which objects are orphans is the domain's call (it reads `uploads`); storage/ only lists and deletes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import islice

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.models import Upload
from storage.base import PRIVATE_PREFIX, ObjectStorage
from storage.local import LocalStorage
from storage.media import UPLOAD_PURPOSES, original_key, upload_id_of

log = logging.getLogger(__name__)

# The upload intent's lifetime (domain.uploads.service.UPLOAD_TTL, 15 minutes) plus a wide margin for a client
# that uploads at the last moment and completes a little later.
DEFAULT_OLDER_THAN = timedelta(hours=1)
_BATCH = 500


@dataclass
class CleanupResult:
    scanned: int = 0
    kept: int = 0
    removed: list[str] = field(default_factory=list)
    partials_removed: int = 0


def upload_prefixes() -> list[str]:
    return [f"{PRIVATE_PREFIX}{purpose}/" for purpose in UPLOAD_PURPOSES]


def _batches(items: Iterable[tuple[str, datetime]], size: int) -> Iterator[list[tuple[str, datetime]]]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


def _owner_id(key: str) -> str:
    """The upload id a key belongs to: its own, or for a thumbnail that of the original."""
    return upload_id_of(original_key(key) or key)


def remove_orphans(storage: ObjectStorage, session_factory: Callable[[], Session],
                   older_than: timedelta = DEFAULT_OLDER_THAN, *, dry_run: bool = False,
                   now: datetime | None = None) -> CleanupResult:
    """Delete objects under the upload prefixes that no `uploads` row owns and that are older than
    `older_than`. With `dry_run` only reports what would go. Safe to run in several processes at once."""
    cutoff = (now or datetime.now(UTC)) - older_than
    result = CleanupResult()
    for prefix in upload_prefixes():
        for batch in _batches(storage.list_keys(prefix), _BATCH):
            result.scanned += len(batch)
            old = [(key, _owner_id(key)) for key, modified in batch if modified < cutoff]
            result.kept += len(batch) - len(old)
            if not old:
                continue
            with session_factory() as session:
                known = set(session.scalars(select(Upload.id).where(Upload.id.in_({i for _, i in old}))))
            for key, upload_id in old:
                if upload_id in known:
                    result.kept += 1
                    continue
                if not dry_run:
                    storage.delete(key)
                result.removed.append(key)
        if isinstance(storage, LocalStorage) and not dry_run:
            result.partials_removed += storage.remove_partials(prefix, cutoff)
    if result.removed or result.partials_removed:
        log.info("storage cleanup: %s %d orphaned uploads and %d partial files (%d objects scanned)",
                 "would remove" if dry_run else "removed", len(result.removed), result.partials_removed,
                 result.scanned)
    return result
