"""A smaller copy of the contract font: the GB2312 characters (every common simplified Chinese character, about
7,800 code points with ASCII and CJK punctuation) cut out of the configured Noto CJK face once, kept in data_dir.

fpdf2 reads the whole cmap and metrics of the font on every document and subsets its 65,000 glyphs on output:
with the full Noto CJK face a contract took ~0.3 s of CPU, with this copy ~0.05 s. The copy also leaves out what
fpdf2 never uses but would read and subset on every document: the OpenType layout tables (it draws unshaped text)
and the vertical metrics (it writes horizontally). A text with a character the copy lacks (a rare character in a
name) is rendered from the full face, so nothing is ever missing. The copy is made in the background (the
worker's document process, activities.contract_documents; about 6 s once per data directory); until it exists
every document uses the full face."""

from __future__ import annotations

import fcntl
import os
from functools import lru_cache
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

_RANGES = [(0x20, 0x7F), (0xA0, 0x100), (0x2000, 0x2070), (0x2100, 0x2200), (0x2460, 0x2500), (0x3000, 0x3040),
           (0xFE30, 0xFE50), (0xFF00, 0xFFF0)]
_UNUSED = ["GSUB", "GPOS", "GDEF", "BASE", "JSTF", "VORG", "vhea", "vmtx"]


def _gb2312() -> set[int]:
    chars = {c for lo, hi in _RANGES for c in range(lo, hi)}
    for row in range(0xA1, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes([row, cell]).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return chars


def common_path(font_path: Path, font_index: int, data_dir: Path) -> Path:
    return data_dir / "fonts" / f"{font_path.stem}-{font_index}-gb2312-h.otf"  # -h: horizontal, unshaped


def make_common(font_path: Path, font_index: int, data_dir: Path, chars: set[int] | None = None) -> Path:
    """The common-character copy of the font (`chars`: GB2312's), made once (other processes wait for the first)."""
    target = common_path(font_path, font_index, data_dir)
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with (target.parent / f"{target.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not target.is_file():
            font = TTFont(font_path, fontNumber=font_index, lazy=True)
            options = subset.Options()
            options.name_IDs, options.notdef_outline = ["*"], True
            options.layout_features, options.drop_tables = [], options.drop_tables + _UNUSED
            cutter = subset.Subsetter(options)
            cutter.populate(unicodes=_gb2312() if chars is None else chars)
            cutter.subset(font)
            partial = target.with_suffix(f".{os.getpid()}.tmp")
            font.save(partial)
            os.replace(partial, target)  # whole or not at all for the readers
    return target


@lru_cache(maxsize=4)
def _covers(path: Path, mtime: float) -> frozenset[int]:
    return frozenset(TTFont(path, lazy=True).getBestCmap())


def font_for(text: str, font_path: Path, font_index: int, data_dir: Path | None) -> tuple[Path, int]:
    """The common-character copy if it exists and has every character of `text`, else the configured face."""
    if data_dir is not None:
        common = common_path(font_path, font_index, data_dir)
        try:
            mtime = common.stat().st_mtime
        except OSError:
            return font_path, font_index
        if {ord(c) for c in text if not c.isspace()} <= _covers(common, mtime):
            return common, 0
    return font_path, font_index
