"""The contract font's common-character copy (domain.contracts.fonts): used only when it has every character of
the document, made once however many processes ask at the same time."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from fpdf import FPDF
from PIL import Image

from domain.contracts import fonts, pdf
from domain.contracts.pdf import LABELS, SignatureMark, render
from domain.settings import Settings

FONT = Settings(_env_file=None).contract_font_path  # type: ignore[call-arg]
INDEX = Settings(_env_file=None).contract_font_index  # type: ignore[call-arg]
TEXT = "演出合同甲方乙方王晓华李子文：，。0123456789" + LABELS
# A small copy for the test (the real one, GB2312's ~7,800 characters, takes ~6 s to cut).
CHARS = {ord(c) for c in TEXT} | set(range(0x20, 0x7F))

pytestmark = pytest.mark.skipif(not FONT.is_file(), reason="the Noto CJK font (fonts-noto-cjk) is not installed")


def test_the_full_face_until_the_copy_exists_then_the_copy_where_it_has_every_character(tmp_path: Path) -> None:
    assert fonts.font_for(TEXT, FONT, INDEX, tmp_path) == (FONT, INDEX)
    copy = fonts.make_common(FONT, INDEX, tmp_path, CHARS)
    assert copy == fonts.common_path(FONT, INDEX, tmp_path)
    assert set(TTFont(copy).getBestCmap()) == CHARS
    assert not {"GSUB", "GPOS", "vmtx"} & set(TTFont(copy).keys())  # what fpdf2 would only read and drop again
    assert fonts.font_for(TEXT, FONT, INDEX, tmp_path) == (copy, 0)
    assert fonts.font_for(TEXT + "䶮", FONT, INDEX, tmp_path) == (FONT, INDEX)  # a rare character in a name
    assert fonts.font_for(TEXT, FONT, INDEX, None) == (FONT, INDEX)


def test_the_copy_is_made_once_by_many_at_once(tmp_path: Path) -> None:
    with ThreadPoolExecutor(4) as pool:
        made = list(pool.map(lambda _: fonts.make_common(FONT, INDEX, tmp_path, CHARS), range(4)))
    assert len(set(made)) == 1 and made[0].is_file()
    assert sorted(p.name for p in made[0].parent.iterdir()) == [made[0].name, f"{made[0].name}.lock"]  # no leftovers


def test_a_document_renders_from_the_copy_and_falls_back_for_a_character_it_lacks(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = fonts.make_common(FONT, INDEX, tmp_path, CHARS)
    used: list[tuple[str, int]] = []
    add_font = pdf._add_font

    def spy(doc: FPDF, path: Path, index: int) -> None:
        used.append((str(path), index))
        add_font(doc, path, index)

    monkeypatch.setattr(pdf, "_add_font", spy)
    marks = [SignatureMark("甲方", "王晓华", None), SignatureMark("乙方", "李子文", None)]
    for body, data_dir in (("甲方乙方：0123", tmp_path), ("甲方乙方：0123䶮", tmp_path), ("甲方乙方：0123", None)):
        assert render(FONT, INDEX, "演出合同", body, "合同", marks, data_dir=data_dir).startswith(b"%PDF")
    assert used == [(str(copy), 0), (str(FONT), INDEX), (str(FONT), INDEX)]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_documents_of_one_process_each_carry_their_own_characters(tmp_path: Path) -> None:
    # The face is read once per process (domain.contracts.pdf._face); each document still subsets its own glyphs.
    fonts.make_common(FONT, INDEX, tmp_path, CHARS)
    texts = []
    for name in ("王晓华", "李子文", "王晓华"):
        marks = [SignatureMark("甲方", name, None), SignatureMark("乙方", "李子文", None)]
        doc = render(FONT, INDEX, "演出合同", f"甲方{name}：0123", "合同", marks, data_dir=tmp_path)
        texts.append(subprocess.run(["pdftotext", "-", "-"], input=doc, capture_output=True, check=True).stdout
                     .decode())
    assert "甲方王晓华：0123" in texts[0] and "甲方李子文：0123" in texts[1]
    assert "演出合同" in texts[1] and "姓名：李子文" in texts[1] and "王" not in texts[1]
    assert texts[2] == texts[0]


@pytest.mark.parametrize("common", [True, False], ids=["the copy", "the full face"])
def test_a_document_is_the_same_bytes_without_the_tables_fpdf2_does_not_embed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, common: bool) -> None:
    # pdf._EmbeddedCff leaves out the character map and OS/2 table and the discarded save; should fpdf2 ever embed
    # more than the 'CFF ' table, the documents would differ here.
    if common:
        fonts.make_common(FONT, INDEX, tmp_path, CHARS)
    ink = io.BytesIO()
    Image.new("RGBA", (40, 20), (0, 0, 0, 255)).save(ink, "PNG")  # a handwritten signature
    marks = [SignatureMark("甲方", "王晓华", ink.getvalue(), "2026-01-01 10:00:00"),
             SignatureMark("乙方", "李子文", None)]

    def document() -> bytes:
        doc = render(FONT, INDEX, "演出合同", "甲方乙方：0123", "合同", marks, data_dir=tmp_path)
        return re.sub(rb"/CreationDate \(D:[^)]*\)|/ID \[<\w+><\w+>\]", b"", doc)  # the second it was made

    lean = document()
    monkeypatch.setattr(pdf, "_EmbeddedCff", TTFont)
    assert document() == lean
