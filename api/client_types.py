"""The clients' TypeScript types, generated from the OpenAPI document by openapi-typescript.

    python -m api.client_types           rewrite miniapp/src/api/schema.d.ts and admin/src/api/schema.d.ts
    python -m api.client_types --check   exit 1 if a committed file differs (tests/api/test_client_types.py does this)
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from api.docs import openapi_document
from domain.settings import ROOT

CLIENTS = (ROOT / "miniapp", ROOT / "admin")
TARGET = Path("src/api/schema.d.ts")


def generate(client: Path, spec: Path) -> str:
    """The types the client's own pinned openapi-typescript makes of the document at `spec`."""
    cli = client / "node_modules" / "openapi-typescript" / "bin" / "cli.js"
    if not cli.exists():
        raise FileNotFoundError(f"{cli} is missing: run npm ci in {client.name}/")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "schema.d.ts"
        # --root-types: `BookingOut` can be imported by name instead of components['schemas']['BookingOut'].
        node = shutil.which("node") or "node"
        subprocess.run([node, str(cli), str(spec), "--output", str(out), "--root-types",  # noqa: S603 - our own paths
                        "--root-types-no-schema-prefix"], check=True, capture_output=True, cwd=client)
        return out.read_text(encoding="utf-8")


def generated() -> dict[Path, str]:
    """Each client's schema.d.ts → its generated text."""
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "openapi.json"
        spec.write_text(json.dumps(openapi_document(), ensure_ascii=False, indent=2), encoding="utf-8")
        return {client / TARGET: generate(client, spec) for client in CLIENTS}


def main(argv: list[str]) -> int:
    stale = []
    for path, text in generated().items():
        if "--check" in argv:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(str(path.relative_to(ROOT)))
        else:
            path.write_text(text, encoding="utf-8")
    if stale:
        print(f"out of date: {', '.join(stale)}; run python -m api.client_types", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
