"""Upload benchmark (a script, not a test): memory and time of the local-disk upload route for big files.

Builds the FastAPI app in-process the way tests/conftest.py's `ctx`/`api` fixtures do (a scratch database,
a temp local storage, sandbox SMS login) and sends, through `POST /api/v1/uploads` with a signed token, a
200 MB synthetic MP4 (real ftyp header + padding), a ~9 MB JPEG (random noise, so it barely compresses) and a
pixel bomb: a ~160 KB single-colour PNG of 7070×7070 pixels (200 MB once decoded), alone and four at once, and
four PNGs just under the 40 MP cap at once (accepted: their decodes take turns, two at a time).
The client streams each file from disk (httpx + ASGITransport), so what grows is the server side's memory.

Every upload runs in a fresh child process that warms up (imports, a small upload), then samples its RSS
every millisecond during the one measured upload (peak minus the RSS before it). The tracemalloc peak (Python
allocations only, exact; Pillow's pixel buffers are outside it, so only RSS shows a decode) is taken on a second
upload of the same file; wall time is the first upload's. "×4" sends four uploads concurrently.

    .venv/bin/python bench/uploads.py
    .venv/bin/python bench/uploads.py --server postgresql://postgres@host/postgres
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


from bench.common import DEFAULT_SERVER, server_url  # noqa: E402
from devstack.database import drop_database, ensure_database, migrate  # noqa: E402

DB_NAME = "yy_bench_uploads"
MB = 1024 * 1024
V1 = "/api/v1"
# What ffmpeg writes at the start of an H.264 .mp4 (as in tests/storage/conftest.py).
MP4_HEAD = (b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41"
            b"\x00\x00\x00\x08free\x00\x00\x10\x00mdat")


# --- synthetic files


def write_mp4(path: Path, size: int) -> None:
    with path.open("wb") as fh:
        fh.write(MP4_HEAD)
        chunk = b"\0" * MB
        left = size - len(MP4_HEAD)
        while left > 0:
            fh.write(chunk[:left])
            left -= len(chunk)


def write_jpeg(path: Path, target: int, side: int = 3200) -> None:
    """A noise JPEG just under `target` bytes (noise barely compresses, so it is as big as a photo gets)."""
    from PIL import Image

    rnd = random.Random(7)  # noqa: S311 - test data
    while True:
        img = Image.frombytes("RGB", (side * 4 // 3, side), rnd.randbytes(side * 4 // 3 * side * 3))
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=92)
        if buf.tell() <= target:
            path.write_bytes(buf.getvalue())
            return
        side = int(side * 0.97)


def write_pixel_bomb(path: Path, size: tuple[int, int] = (7070, 7070)) -> None:
    """One colour compresses to almost nothing: a few hundred KB on disk, 4 bytes a pixel once decoded."""
    from PIL import Image

    Image.new("RGB", size, (200, 30, 30)).save(path, "PNG")


# --- one upload (or a few at once) in a child process


def _current_rss_mb() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / MB


class PeakRss:
    """Samples this process's RSS every millisecond on a thread (getrusage's ru_maxrss proved stale here)."""

    def __init__(self) -> None:
        self.base = self.peak = _current_rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _current_rss_mb())
            time.sleep(0.001)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _current_rss_mb())

    @property
    def growth_mb(self) -> float:
        return self.peak - self.base


async def _child(database_url: str, file: Path, purpose: str, content_type: str, count: int) -> dict[str, Any]:
    import httpx

    from api.app import create_app
    from api.context import AppContext
    from domain.accounts.crypto import FieldCipher
    from domain.accounts.sessions import TokenConfig
    from domain.db import get_engine
    from domain.payments.sandbox import CALLBACK_PATH, SandboxGateway
    from domain.settings import Settings
    from integrations.sms.sandbox import SandboxSmsSender
    from integrations.wechat.sandbox import SandboxMiniProgramAuth
    from integrations.wechat.security_sandbox import SandboxContentSecurity
    from search.pg import PgArtistSearch
    from storage.local import LocalStorage

    data_dir = Path(tempfile.mkdtemp(prefix="yy-bench-uploads-"))
    settings = Settings(_env_file=None, data_dir=data_dir, database_url=database_url,  # type: ignore[call-arg]
                        jwt_secret="bench-jwt-secret-0123456789-abcdefghijklmnop",  # noqa: S106
                        id_encryption_key="k", id_hash_key="h")
    ctx = AppContext(
        settings=settings, database_url=database_url, database_backend="postgresql",
        tokens=TokenConfig(settings.secret("jwt_secret"), settings.access_token_minutes, settings.refresh_token_days),
        cipher=FieldCipher("k", "h"), sms=SandboxSmsSender(), wechat=SandboxMiniProgramAuth(),
        storage=LocalStorage(data_dir / "storage", "bench-storage-secret"),
        payments=SandboxGateway("bench-pay-secret", notify_url=f"http://testserver{CALLBACK_PATH}"),
        temporal_address="127.0.0.1:1", search=PgArtistSearch(get_engine(database_url)),
        content_security=SandboxContentSecurity(push_token="bench"),  # noqa: S106
    )
    app = create_app(settings, ctx)
    transport = httpx.ASGITransport(app=app, client=("10.1.2.3", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver", timeout=600) as api:
        phone = f"137{random.randint(10_000_000, 99_999_999)}"  # noqa: S311
        sent = await api.post(f"{V1}/auth/sms/send", json={"phone": phone})
        login = await api.post(f"{V1}/auth/sms/login", json={"phone": phone, "code": sent.json()["sandbox_code"]})
        auth = {"Authorization": f"Bearer {login.json()['access_token']}"}

        async def upload(path: Path, purpose: str, content_type: str) -> httpx.Response:
            intent = (await api.post(f"{V1}/uploads/intent", headers=auth,
                                     json={"purpose": purpose, "content_type": content_type})).json()
            with path.open("rb") as fh:  # streamed from disk by the client
                return await api.post(intent["url"], headers=auth, data=intent["fields"],
                                      files={intent["file_field"]: (path.name, fh, content_type)})

        async def batch() -> list[httpx.Response]:  # `count` uploads at once: the route runs in the threadpool
            return list(await asyncio.gather(*(upload(file, purpose, content_type) for _ in range(count))))

        # Warm-up: imports, Pillow, the DB pool, the threadpool, all on a small file of the same route.
        small = data_dir / "warm.jpg"
        write_jpeg(small, 200 * 1024, side=400)
        warm = await upload(small, "case_image", "image/jpeg")
        if warm.status_code != 200:
            raise SystemExit(f"warm-up upload failed: {warm.status_code} {warm.text}")
        gc.collect()

        with PeakRss() as rss:
            t0 = time.perf_counter()
            results = await batch()
            wall = time.perf_counter() - t0

        gc.collect()
        tracemalloc.start()
        await batch()
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    shutil.rmtree(data_dir, ignore_errors=True)
    return {"size_mb": file.stat().st_size / MB, "rss_growth_mb": rss.growth_mb, "wall_s": wall,
            "tracemalloc_peak_mb": traced_peak / MB,
            "statuses": "/".join(str(s) for s in sorted({r.status_code for r in results}))}


def run_child(database_url: str, file: Path, purpose: str, content_type: str, count: int = 1) -> dict[str, Any]:
    out = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, __file__, "--child", database_url, str(file), purpose, content_type, str(count)],
        check=True, capture_output=True, text=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        database_url, file, purpose, content_type, count = sys.argv[2:7]
        print(json.dumps(asyncio.run(_child(database_url, Path(file), purpose, content_type, int(count)))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", help=f"PostgreSQL server URL (default {DEFAULT_SERVER}, else embedded)")
    parser.add_argument("--mp4-mb", type=int, default=200)
    parser.add_argument("--jpeg-mb", type=float, default=9)
    args = parser.parse_args()

    server = server_url(args.server)
    drop_database(server, DB_NAME)
    url = ensure_database(server, DB_NAME)
    migrate(url)
    try:
        with tempfile.TemporaryDirectory(prefix="yy-bench-files-") as tmp:
            mp4, jpeg, bomb, at_cap = (Path(tmp) / n for n in ("video.mp4", "photo.jpg", "bomb.png", "40mp.png"))
            write_mp4(mp4, args.mp4_mb * MB)
            write_jpeg(jpeg, int(args.jpeg_mb * MB))
            write_pixel_bomb(bomb)
            write_pixel_bomb(at_cap, (7300, 5470))  # 39.9 MP, under case_image's 40 MP cap
            print(f"{'upload':<16}{'size MB':>9}{'status':>8}{'peak RSS +MB':>14}{'tracemalloc MB':>16}{'wall s':>9}")
            for label, path, purpose, ct, count in (
                    ("mp4", mp4, "case_video", "video/mp4", 1), ("jpeg", jpeg, "case_image", "image/jpeg", 1),
                    ("png 7070²", bomb, "case_image", "image/png", 1),
                    ("png 7070² ×4", bomb, "case_image", "image/png", 4),
                    ("png 40 MP ×4", at_cap, "case_image", "image/png", 4)):
                r = run_child(url, path, purpose, ct, count)
                print(f"{label:<16}{r['size_mb']:>9.2f}{r['statuses']:>8}{r['rss_growth_mb']:>14.1f}"
                      f"{r['tracemalloc_peak_mb']:>16.1f}{r['wall_s']:>9.2f}")
    finally:
        drop_database(server, DB_NAME)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
