"""Local-disk object storage (the embedded default). Private objects are never served publicly.

Downloads go through the API at `/api/v1/files/{key}?exp=…&sig=…` (HMAC-SHA256 over key and expiry);
uploads go to the API's authenticated upload endpoint with a signed token naming the key, the content
type and the size limit, so the endpoint itself needs no state.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote, urlencode

from storage.base import (
    LinkInvalid,
    ObjectInfo,
    ObjectNotFound,
    UploadTarget,
    UploadTokenInvalid,
    check_key,
    check_private_flag,
    is_private,
    link_window,
)

DOWNLOAD_PATH = "/api/v1/files/"
UPLOAD_PATH = "/api/v1/uploads"
_META_SUFFIX = ".meta.json"
# A file being written is `.<name>.<pid>.<ns>.tmp` next to its final place until it is renamed into place.
_PARTIAL_SUFFIX = ".tmp"
_UPLOAD_CLAIMS_VERSION = "v1"
_CHUNK = 1024 * 1024


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class LocalStorage:
    name = "local"

    def __init__(self, root: Path, secret: str | bytes | None = None, *, base_url: str = "",
                 clock: Callable[[], float] = time.time):
        """`secret` signs download URLs and upload tokens. Without one a random per-process key is used,
        so links stop working after a restart: pass a persistent secret (see storage.factory).
        `clock` (epoch seconds) dates download links and checks their expiry."""
        self.root = Path(root)
        self.clock = clock
        raw = secret.encode() if isinstance(secret, str) else (secret or os.urandom(32))
        # Separate keys per purpose so a download signature can never pass as an upload token.
        self._download_key = hmac.new(raw, b"yanyue-storage-download", hashlib.sha256).digest()
        self._upload_key = hmac.new(raw, b"yanyue-storage-upload", hashlib.sha256).digest()
        self.base_url = base_url.rstrip("/")

    # --- paths
    def _path(self, key: str) -> Path:
        check_key(key)
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ValueError(f"invalid object key: {key!r}")
        return path

    @staticmethod
    def _meta_path(path: Path) -> Path:
        return path.with_name(path.name + _META_SUFFIX)

    def _dir_of_prefix(self, prefix: str) -> tuple[Path, Path]:
        """(root, the directory holding every key under `prefix`) for listing and sweeping."""
        root = self.root.resolve()
        folder = (root / prefix.rsplit("/", 1)[0]).resolve() if "/" in prefix else root
        if not folder.is_relative_to(root):
            raise ValueError(f"invalid prefix: {prefix!r}")
        return root, folder

    def _prune_dirs(self, path: Path) -> None:
        """Drop now-empty directories up to the root so rejected uploads leave no trace."""
        root = self.root.resolve()
        parent = path.parent
        while parent != root and parent.is_relative_to(root):
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent

    # --- objects
    def _write(self, key: str, write: Callable[[BinaryIO], object], content_type: str, private: bool) -> None:
        check_private_flag(key, private)
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename, so a reader never sees half a file and a crash leaves only a temp file
        # (swept by domain.uploads.cleanup).
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{time.monotonic_ns()}{_PARTIAL_SUFFIX}")
        replaced = False
        try:
            with tmp.open("wb") as fh:
                write(fh)
            os.replace(tmp, path)
            replaced = True
            self._meta_path(path).write_text(json.dumps({"content_type": content_type}))
        except BaseException:
            tmp.unlink(missing_ok=True)
            if replaced:  # an object without its metadata is not stored
                self.delete(key)
            else:
                self._prune_dirs(path)
            raise

    def put(self, key: str, data: bytes, content_type: str, *, private: bool) -> None:
        self._write(key, lambda fh: fh.write(data), content_type, private)

    def put_file(self, key: str, fileobj: BinaryIO, size: int, content_type: str, *, private: bool) -> None:
        def copy(fh: BinaryIO) -> None:
            left = size
            while left > 0:
                chunk = fileobj.read(min(_CHUNK, left))
                if not chunk:
                    raise OSError(f"upload of {key!r} ended {left} bytes early")
                fh.write(chunk)
                left -= len(chunk)

        self._write(key, copy, content_type, private)

    def get(self, key: str, *, length: int | None = None) -> bytes:
        path = self._path(key)
        try:
            with path.open("rb") as fh:
                return fh.read() if length is None else fh.read(length)
        except (FileNotFoundError, IsADirectoryError) as exc:
            raise ObjectNotFound() from exc

    def stat(self, key: str) -> ObjectInfo:
        path = self._path(key)
        if not path.is_file():
            raise ObjectNotFound()
        meta_path = self._meta_path(path)
        content_type = "application/octet-stream"
        if meta_path.is_file():
            content_type = json.loads(meta_path.read_text()).get("content_type", content_type)
        return ObjectInfo(key=key, size=path.stat().st_size, content_type=content_type, private=is_private(key))

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        path = self._path(key)
        path.unlink(missing_ok=True)
        self._meta_path(path).unlink(missing_ok=True)
        self._prune_dirs(path)

    def set_content_type(self, key: str, content_type: str) -> None:
        path = self._path(key)
        if not path.is_file():
            raise ObjectNotFound()
        self._meta_path(path).write_text(json.dumps({"content_type": content_type}))

    def list_keys(self, prefix: str) -> Iterator[tuple[str, datetime]]:
        root, folder = self._dir_of_prefix(prefix)
        for dirpath, _dirs, names in os.walk(folder):
            for name in names:
                if name.startswith(".") or name.endswith(_META_SUFFIX):  # partial writes, metadata
                    continue
                path = Path(dirpath, name)
                key = path.relative_to(root).as_posix()
                if not key.startswith(prefix):
                    continue
                try:
                    mtime = path.stat().st_mtime
                except FileNotFoundError:  # deleted while listing
                    continue
                yield key, datetime.fromtimestamp(mtime, UTC)

    def remove_partials(self, prefix: str, before: datetime) -> int:
        """Delete what interrupted writes under `prefix` left (temp files, metadata without its object)
        last modified before `before`; returns how many files went."""
        root, folder = self._dir_of_prefix(prefix)
        cutoff = before.timestamp()
        removed = 0
        for dirpath, _dirs, names in os.walk(folder):
            for name in names:
                path = Path(dirpath, name)
                if not path.relative_to(root).as_posix().startswith(prefix):
                    continue
                partial = name.startswith(".") and name.endswith(_PARTIAL_SUFFIX)
                lone_meta = name.endswith(_META_SUFFIX) and not path.with_name(name[:-len(_META_SUFFIX)]).exists()
                try:
                    if (partial or lone_meta) and path.stat().st_mtime < cutoff:
                        path.unlink()
                        removed += 1
                        self._prune_dirs(path)
                except FileNotFoundError:
                    continue
        return removed

    def path_for(self, key: str) -> Path:
        """The file behind a key, for the download endpoint to stream (after `verify_download`)."""
        path = self._path(key)
        if not path.is_file():
            raise ObjectNotFound()
        return path

    # --- signed downloads
    def _download_sig(self, key: str, exp: int) -> str:
        return hmac.new(self._download_key, f"{key}\n{exp}".encode(), hashlib.sha256).hexdigest()

    def download_url(self, key: str, *, expires: timedelta) -> str:
        check_key(key)
        _signed_at, exp = link_window(self.clock(), expires)
        query = urlencode({"exp": exp, "sig": self._download_sig(key, exp)})
        return f"{self.base_url}{DOWNLOAD_PATH}{quote(key)}?{query}"

    def verify_download(self, key: str, exp: int | str, sig: str) -> None:
        """Raises LinkInvalid (403) unless `sig` was made by `download_url` for this key and is not expired."""
        try:
            check_key(key)
            exp_int = int(exp)
        except (ValueError, TypeError) as exc:
            raise LinkInvalid() from exc
        if not hmac.compare_digest(self._download_sig(key, exp_int), str(sig)):
            raise LinkInvalid()
        if exp_int < self.clock():
            raise LinkInvalid()

    # --- uploads through the API
    def upload_target(self, key: str, content_type: str, max_bytes: int, *, expires: timedelta) -> UploadTarget:
        check_key(key)
        expires_at = datetime.now(UTC) + expires
        token = self.make_upload_token(key, content_type, max_bytes, exp=int(expires_at.timestamp()))
        return UploadTarget(url=f"{self.base_url}{UPLOAD_PATH}", fields={"token": token, "Content-Type": content_type},
                            key=key, content_type=content_type, max_bytes=max_bytes, expires_at=expires_at)

    def make_upload_token(self, key: str, content_type: str, max_bytes: int, *, exp: int) -> str:
        """Token format: `v1.<b64url(JSON {k, ct, max, exp})>.<b64url(HMAC-SHA256(upload key, "v1." + payload))>`."""
        payload = _b64(json.dumps({"k": key, "ct": content_type, "max": max_bytes, "exp": exp},
                                  separators=(",", ":")).encode())
        signed = f"{_UPLOAD_CLAIMS_VERSION}.{payload}"
        return f"{signed}.{_b64(hmac.new(self._upload_key, signed.encode(), hashlib.sha256).digest())}"

    def verify_upload_token(self, token: str) -> tuple[str, str, int]:
        """`(key, content_type, max_bytes)` of a token from `upload_target`; raises UploadTokenInvalid (403)."""
        try:
            version, payload, sig = token.split(".")
            signed = f"{version}.{payload}"
            expected = hmac.new(self._upload_key, signed.encode(), hashlib.sha256).digest()
            if version != _UPLOAD_CLAIMS_VERSION or not hmac.compare_digest(expected, _unb64(sig)):
                raise UploadTokenInvalid()
            claims = json.loads(_unb64(payload))
            key, content_type, max_bytes, exp = (str(claims["k"]), str(claims["ct"]), int(claims["max"]),
                                                 int(claims["exp"]))
            check_key(key)
        except UploadTokenInvalid:
            raise
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise UploadTokenInvalid() from exc
        if exp < time.time():
            raise UploadTokenInvalid()
        return key, content_type, max_bytes

    def healthy(self) -> bool:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError:
            return False
        return self.root.is_dir() and os.access(self.root, os.W_OK)
