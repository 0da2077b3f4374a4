"""MinIO / S3 object storage through the `minio` client (production).

The bucket stays private (no bucket policy is ever set): clients read through presigned GET URLs and write
through presigned POST policies that pin the key, the content type and the size range.
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import BinaryIO
from urllib.parse import urlsplit

import urllib3
from minio import Minio
from minio.commonconfig import REPLACE, CopySource
from minio.datatypes import PostPolicy
from minio.error import S3Error

from storage.base import (
    ObjectInfo,
    ObjectNotFound,
    UploadTarget,
    check_key,
    check_private_flag,
    is_private,
    link_window,
)

_MISSING = {"NoSuchKey", "NoSuchObject", "NotFound", "ResourceNotFound"}
_PRESIGN_MAX = timedelta(days=7)  # SigV4's limit on X-Amz-Expires


def _host(endpoint: str, secure: bool) -> tuple[str, bool]:
    """(host:port, secure) of `host:port` or a URL, whose scheme then decides `secure`."""
    if "://" in endpoint:
        parts = urlsplit(endpoint)
        return parts.netloc, parts.scheme == "https"
    return endpoint, secure


class S3Storage:
    name = "s3"

    def __init__(self, endpoint: str, access_key: str, secret_key: str, bucket: str, *, secure: bool = True,
                 region: str | None = None, timeout: float = 10.0, public_endpoint: str | None = None,
                 clock: Callable[[], float] = time.time):
        """`endpoint` is `host:port` or a URL (`http://host:port`, whose scheme then decides `secure`).

        `public_endpoint` (same forms) is the address clients use; presigned URLs and POST targets name it.
        `clock` (epoch seconds) dates presigned download URLs.
        """
        self.clock = clock
        endpoint, secure = _host(endpoint, secure)
        self.endpoint, self.bucket, self.secure = endpoint, bucket, secure
        http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=min(timeout, 5.0), read=timeout),
            retries=urllib3.Retry(total=2, backoff_factor=0.2, status_forcelist=[500, 502, 503, 504]),
        )
        self.client = Minio(endpoint, access_key=access_key, secret_key=secret_key, secure=secure,
                            region=region, http_client=http)
        # Presigning is local computation, but SigV4 signs the host: links for clients are signed by a client
        # that names the public host. A fixed region keeps it from asking that host for the bucket's region.
        if public_endpoint:
            public_host, public_secure = _host(public_endpoint, secure)
            self.public_endpoint, self.public_secure = public_host, public_secure
            self.presigner = Minio(public_host, access_key=access_key, secret_key=secret_key, secure=public_secure,
                                   region=region or "us-east-1")
        else:
            self.public_endpoint, self.public_secure, self.presigner = endpoint, secure, self.client
        self._bucket_ready = False
        self._lock = threading.Lock()

    def ensure_bucket(self) -> None:
        """Create the bucket if missing; done lazily so the API starts even while S3 is briefly down."""
        if self._bucket_ready:
            return
        with self._lock:
            if not self.client.bucket_exists(self.bucket):
                try:
                    self.client.make_bucket(self.bucket)
                except S3Error as exc:  # another process won the race
                    if exc.code not in {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}:
                        raise
            self._bucket_ready = True

    def put(self, key: str, data: bytes, content_type: str, *, private: bool) -> None:
        check_key(key)
        check_private_flag(key, private)
        self.ensure_bucket()
        self.client.put_object(self.bucket, key, io.BytesIO(data), len(data), content_type=content_type)

    def put_file(self, key: str, fileobj: BinaryIO, size: int, content_type: str, *, private: bool) -> None:
        check_key(key)
        check_private_flag(key, private)
        self.ensure_bucket()
        # Above 5 MiB the client uploads 5 MiB parts one at a time (multipart) and aborts the multipart
        # upload if a part fails, so no partial object becomes visible. Its leftovers after a crash are for a
        # bucket lifecycle rule (AbortIncompleteMultipartUpload).
        self.client.put_object(self.bucket, key, fileobj, size, content_type=content_type)

    def get(self, key: str, *, length: int | None = None) -> bytes:
        check_key(key)
        try:
            response = self.client.get_object(self.bucket, key, offset=0, length=length or 0)
        except S3Error as exc:
            if exc.code in _MISSING:
                raise ObjectNotFound() from exc
            raise
        try:
            return response.read()
        finally:
            response.close()
            response.release_conn()

    def stat(self, key: str) -> ObjectInfo:
        check_key(key)
        try:
            st = self.client.stat_object(self.bucket, key)
        except S3Error as exc:
            if exc.code in _MISSING:
                raise ObjectNotFound() from exc
            raise
        return ObjectInfo(key=key, size=int(st.size or 0), content_type=st.content_type or "application/octet-stream",
                          private=is_private(key))

    def exists(self, key: str) -> bool:
        try:
            self.stat(key)
        except ObjectNotFound:
            return False
        return True

    def delete(self, key: str) -> None:
        check_key(key)
        self.client.remove_object(self.bucket, key)

    def set_content_type(self, key: str, content_type: str) -> None:
        check_key(key)
        try:  # a server-side copy onto itself: the bytes never pass through this process
            self.client.copy_object(self.bucket, key, CopySource(self.bucket, key),
                                    metadata={"Content-Type": content_type}, metadata_directive=REPLACE)
        except S3Error as exc:
            if exc.code in _MISSING:
                raise ObjectNotFound() from exc
            raise

    def list_keys(self, prefix: str) -> Iterator[tuple[str, datetime]]:
        self.ensure_bucket()
        for obj in self.client.list_objects(self.bucket, prefix=prefix, recursive=True):
            if obj.object_name and obj.last_modified and not obj.is_dir:
                yield obj.object_name, obj.last_modified

    def download_url(self, key: str, *, expires: timedelta) -> str:
        check_key(key)
        now = self.clock()
        # Signed as of the start of the window, for as long as keeps it valid `expires` from now: X-Amz-Date and
        # X-Amz-Expires, and so the signature, stay the same all through the window (storage.base.link_window).
        signed_at, expires_at = link_window(now, expires)
        if expires_at - signed_at > _PRESIGN_MAX.total_seconds():  # near the limit: signed now, not rounded
            signed_at, expires_at = int(now), int(now) + int(expires.total_seconds())
        return self.presigner.presigned_get_object(self.bucket, key, expires=timedelta(seconds=expires_at - signed_at),
                                                   request_date=datetime.fromtimestamp(signed_at, UTC))

    def upload_target(self, key: str, content_type: str, max_bytes: int, *, expires: timedelta) -> UploadTarget:
        check_key(key)
        self.ensure_bucket()
        expires_at = datetime.now(UTC) + expires
        policy = PostPolicy(self.bucket, expires_at)
        policy.add_equals_condition("key", key)
        policy.add_equals_condition("Content-Type", content_type)
        policy.add_content_length_range_condition(1, max_bytes)
        form = self.presigner.presigned_post_policy(policy)
        scheme = "https" if self.public_secure else "http"
        return UploadTarget(url=f"{scheme}://{self.public_endpoint}/{self.bucket}",
                            fields={"key": key, "Content-Type": content_type, **form}, key=key,
                            content_type=content_type, max_bytes=max_bytes, expires_at=expires_at)

    def healthy(self) -> bool:
        try:
            self.ensure_bucket()
            return self.client.bucket_exists(self.bucket)
        except Exception:  # any failure means "down" for /healthz
            return False
