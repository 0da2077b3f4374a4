"""Chooses the storage backend from settings: S3/MinIO when configured, local disk otherwise."""

from __future__ import annotations

import hashlib
import hmac

from domain.settings import Settings
from storage.base import ObjectStorage
from storage.local import LocalStorage
from storage.s3 import S3Storage


def storage_from_settings(settings: Settings) -> ObjectStorage:
    if settings.s3_endpoint and settings.s3_access_key and settings.s3_secret_key:
        return S3Storage(settings.s3_endpoint, settings.s3_access_key, settings.s3_secret_key, settings.s3_bucket,
                         secure=settings.s3_secure)
    # No dedicated setting yet: derive a storage-only key from the JWT secret, so a leaked link
    # signature says nothing about session tokens and vice versa.
    secret = hmac.new(settings.secret("jwt_secret").encode(), b"yanyue-local-storage", hashlib.sha256).digest()
    return LocalStorage(settings.storage_dir, secret)
