"""Chooses the storage backend from settings: S3/MinIO when configured, local disk otherwise."""

from __future__ import annotations

from domain.settings import Settings
from storage.base import ObjectStorage
from storage.local import LocalStorage
from storage.media import limit_concurrent_decodes
from storage.s3 import S3Storage


def storage_from_settings(settings: Settings) -> ObjectStorage:
    limit_concurrent_decodes(settings.image_decodes_per_process)  # media checks of this process's uploads
    if settings.s3_endpoint and settings.s3_access_key and settings.s3_secret_key:
        return S3Storage(settings.s3_endpoint, settings.s3_access_key, settings.s3_secret_key, settings.s3_bucket,
                         secure=settings.s3_secure, region=settings.s3_region,
                         public_endpoint=settings.s3_public_endpoint)
    # A dedicated key (configured, or generated once into data_dir/secrets.json): download links and upload
    # tokens stay valid across restarts and share nothing with session tokens.
    return LocalStorage(settings.storage_dir, settings.secret("storage_signing_secret"))
