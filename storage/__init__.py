"""Object storage: one interface (`storage.base.ObjectStorage`), local-disk and S3 backends, media checks."""
