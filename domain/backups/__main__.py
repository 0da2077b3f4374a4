"""`python -m domain.backups restore <key|file> --database-url URL [--sha256 HEX]`: load a dump (a file, or a key
in the configured object storage such as private/backups/2026/12/yanyue-20261204-030000-7.dump) into an EMPTY
database; a non-empty one is refused. `python -m domain.backups list`: the dumps in object storage."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from domain.backups.errors import BackupToolMissing, RestoreTargetNotEmpty
from domain.backups.messages import PREFIX
from domain.backups.restore import restore
from domain.settings import get_settings
from storage.factory import storage_from_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m domain.backups", description="演约数据库备份与恢复")
    sub = parser.add_subparsers(dest="command", required=True)
    cmd = sub.add_parser("restore", help="把备份恢复到一个空数据库")
    cmd.add_argument("source", help="备份文件路径，或对象存储中的 key（private/backups/…）")
    cmd.add_argument("--database-url", required=True, help="目标数据库（必须是空库）")
    cmd.add_argument("--sha256", help="备份记录里的 SHA-256：不一致则拒绝恢复")
    sub.add_parser("list", help="列出对象存储中的备份文件")
    args = parser.parse_args(argv)
    settings = get_settings()

    if args.command == "list":
        for key, modified in sorted(storage_from_settings(settings).list_keys(PREFIX), key=lambda kv: kv[1]):
            print(f"{modified:%Y-%m-%d %H:%M:%S}Z  {key}")
        return 0

    try:
        with tempfile.TemporaryDirectory(prefix="yanyue-restore-") as tmp:
            dump = Path(args.source)
            if not dump.is_file():
                if not args.source.startswith(PREFIX):
                    print(f"{args.source}: 既不是文件，也不是 {PREFIX} 下的 key", file=sys.stderr)
                    return 2
                dump = Path(tmp) / Path(args.source).name
                dump.write_bytes(storage_from_settings(settings).get(args.source))
            summary = restore(dump, args.database_url, bin_dir=settings.pg_bin_dir, expected_sha256=args.sha256)
    except RestoreTargetNotEmpty as exc:
        print(f"{exc.message}：{', '.join(exc.detail['found'])} …", file=sys.stderr)
        return 3
    except (BackupToolMissing, ValueError, RuntimeError) as exc:
        print(getattr(exc, "message", None) or str(exc), file=sys.stderr)
        return 1
    print(f"restored {summary.tables} tables (alembic {summary.alembic_version}, sha256 {summary.sha256})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
