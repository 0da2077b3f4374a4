"""Local-disk object storage (the embedded default). Private objects are never served publicly."""

from __future__ import annotations

import uuid
from pathlib import Path


class LocalStorage:
    name = "local"

    def __init__(self, root: Path):
        self.root = root

    def put_private(self, prefix: str, data: bytes, suffix: str) -> str:
        key = f"private/{prefix}/{uuid.uuid4().hex}{suffix}"
        path = self.root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return key

    def healthy(self) -> bool:
        self.root.mkdir(parents=True, exist_ok=True)
        return self.root.is_dir()
