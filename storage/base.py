"""The object-storage interface shared by the local-disk and S3 backends.

Keys are plain relative paths. Every key starts with `private/` or `public/`: private objects (ID images,
licences, contracts) are refused anything but a short-lived signed URL, and the prefix makes a mistake
visible in the key itself rather than in a flag someone has to remember to check.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import BinaryIO, Protocol, runtime_checkable

from domain.errors import AppError, NotFound

PRIVATE_PREFIX = "private/"
PUBLIC_PREFIX = "public/"

# Signed download links are made per window of time, not per second: the same object signed twice in one window
# is the same URL in every process, so a public page that shows it keeps its bytes, and its ETag, across the page
# cache's refills (api/public_cache.py). The price: a link lives up to a sixth longer than asked, 10 minutes at most.
LINK_STEP_MAX = 600  # seconds

# Conservative on purpose: the same key is a file path on disk and an S3 object name in a URL.
_KEY_RE = re.compile(r"^(private|public)/[A-Za-z0-9_\-][A-Za-z0-9_.\-/]*$")


class ObjectNotFound(NotFound):
    code, message = "object_not_found", "文件不存在或已删除"


class LinkInvalid(AppError):
    status, code, message = 403, "link_invalid", "链接无效或已过期"


class UploadTokenInvalid(AppError):
    status, code, message = 403, "upload_token_invalid", "上传凭证无效或已过期，请重新上传"


@dataclass(frozen=True)
class UploadTarget:
    """Where and how a client uploads one object directly.

    The client sends `multipart/form-data` by `method` to `url` with every entry of `fields` first and the
    file last under `file_field` (S3 ignores form fields that come after the file).
    """

    url: str
    fields: dict[str, str]
    key: str
    content_type: str
    max_bytes: int
    expires_at: datetime
    method: str = "POST"
    file_field: str = "file"


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    content_type: str
    private: bool = field(default=True)


def check_key(key: str) -> str:
    if not _KEY_RE.match(key) or ".." in key.split("/") or "//" in key or key.endswith("/"):
        raise ValueError(f"invalid object key: {key!r}")
    return key


def link_window(now: float, expires: timedelta) -> tuple[int, int]:
    """`(signed_at, expires_at)` in epoch seconds of a download link asked for at `now` to live `expires`.

    `signed_at` is `now` rounded down to a step of a sixth of `expires` (1 s to `LINK_STEP_MAX`) and the link
    works until `expires` plus one step after it: between `expires` and `expires` plus a step from `now`.
    A negative `expires` gives an already expired link (tests ask for those)."""
    ttl = expires.total_seconds()
    if ttl <= 0:
        return math.floor(now), math.floor(now + ttl)
    step = max(1, min(LINK_STEP_MAX, int(ttl // 6)))
    signed_at = math.floor(now / step) * step
    return signed_at, signed_at + math.ceil(ttl) + step


def is_private(key: str) -> bool:
    return key.startswith(PRIVATE_PREFIX)


def new_key(prefix: str, suffix: str, *, private: bool) -> str:
    """A fresh, unguessable key such as `private/licences/42/3f2a….png`."""
    root = PRIVATE_PREFIX if private else PUBLIC_PREFIX
    return check_key(f"{root}{prefix.strip('/')}/{uuid.uuid4().hex}{suffix}")


def check_private_flag(key: str, private: bool) -> None:
    if is_private(key) != private:
        raise ValueError(f"key {key!r} does not match private={private}: private keys start with {PRIVATE_PREFIX!r}")


@runtime_checkable
class ObjectStorage(Protocol):
    name: str

    def put(self, key: str, data: bytes, content_type: str, *, private: bool) -> None: ...

    def put_file(self, key: str, fileobj: BinaryIO, size: int, content_type: str, *, private: bool) -> None:
        """Store exactly `size` bytes read from `fileobj`'s current position, in chunks (never all in memory).

        A reader never sees a partial object; a failure part-way leaves no object behind."""
        ...

    def get(self, key: str, *, length: int | None = None) -> bytes:
        """The object's bytes (only the first `length` if given). Raises ObjectNotFound."""
        ...

    def stat(self, key: str) -> ObjectInfo:
        """Size and content type. Raises ObjectNotFound."""
        ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None:
        """Remove the object; deleting a missing key is not an error."""
        ...

    def set_content_type(self, key: str, content_type: str) -> None:
        """Change the stored content type without moving the bytes through this process. Raises ObjectNotFound."""
        ...

    def list_keys(self, prefix: str) -> Iterator[tuple[str, datetime]]:
        """`(key, last_modified)` (aware UTC) of every object whose key starts with `prefix`, in any order."""
        ...

    def download_url(self, key: str, *, expires: timedelta) -> str:
        """A short-lived signed URL: the only way any object, private or not, is handed to a client.

        Valid for at least `expires`; the same for every call in one window (`link_window`)."""
        ...

    def upload_target(self, key: str, content_type: str, max_bytes: int, *, expires: timedelta) -> UploadTarget:
        """Lets a client upload exactly `key` with this content type and at most `max_bytes`, until `expires`.

        What arrives must still be checked by content (`storage.media.confirm_direct_upload`).
        """
        ...

    def healthy(self) -> bool: ...
