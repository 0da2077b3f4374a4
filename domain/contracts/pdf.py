"""The contract PDF (fpdf2 with a Noto CJK font): the rendered template text, then a signature block with each
party's handwritten signature image once given."""

from __future__ import annotations

import copy
import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import WrapMode
from fpdf.fonts import SubsetMap, TTFFont

from domain.contracts.errors import ContractFontMissing
from domain.contracts.fonts import font_for

FONT = "cjk"


@dataclass(frozen=True)
class SignatureMark:
    label: str            # 甲方（需求方） / 乙方（艺人）
    name: str
    png: bytes | None     # the handwritten signature; None: not signed yet
    signed_at: str = ""   # display time


# Text render() adds itself, beside what it is given.
LABELS = "签字：（待签署）姓名：签署时间：—"


@lru_cache(maxsize=4)
def _face(path: Path, index: int, mtime: float) -> TTFFont:
    """fpdf2's reading of the font (character map, widths, descriptor), once per process and file version."""
    pdf = FPDF()
    pdf.add_font(FONT, fname=str(path), collection_font_number=index)
    font = pdf.fonts[FONT]
    assert isinstance(font, TTFFont)
    return font


class _EmbeddedCff(TTFont):
    """A CID-keyed CFF face as fpdf2 (2.8) embeds it: the 'CFF ' table alone, compiled on its own after subsetting.
    fpdf2 also saves the whole subset font and throws that file away, and subsetting decompiles and prunes the
    Unicode character map (fpdf2 maps the text with its own reading of the face, `_face`) and the OS/2 ranges made
    from it, which are not embedded either. Without those tables and that save a document is the same bytes for
    ~10 % less CPU (~30 % from the full face). tests/unit/test_contract_fonts.py checks the bytes stay the same."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for tag in ("cmap", "OS/2"):
            if tag in self:
                del self[tag]

    def save(self, file: Any, reorderTables: bool = True) -> None:
        """Nothing: what fpdf2 embeds is the 'CFF ' table, which it compiles itself."""


def _add_font(pdf: FPDF, path: Path, index: int) -> None:
    """pdf.add_font(FONT, ...) from the process's reading of the face: add_font parses the whole character map and
    metrics of the ~7,800-glyph face on every document (a quarter of a contract's CPU). What one document changes
    is its own: the TTFont (subset in place on output, so opened afresh; bounding boxes are not recalculated, the
    face's own still enclose the subset), the glyph subset, the descriptor (named on output), the missing glyphs."""
    font = copy.copy(_face(path, index, path.stat().st_mtime))
    face = _EmbeddedCff if font.is_cff and font.is_cid_keyed else TTFont
    font.ttfont = face(path, recalcTimestamp=False, recalcBBoxes=False, fontNumber=index, lazy=True)
    font.desc = copy.copy(font.desc)
    font.subset, font.missing_glyphs, font.biggest_size_pt, font.i = SubsetMap(font), [], 0, len(pdf.fonts) + 1
    pdf.fonts[FONT] = font
    if font.is_cff and font.is_cid_keyed:  # as add_font does
        pdf._set_min_pdf_version("1.6")


def render(font_path: Path, font_index: int, title: str, body: str, footer: str,
           signatures: list[SignatureMark], data_dir: Path | None = None) -> bytes:
    """The PDF; with `data_dir`, from the font's common-character copy there when it has every character."""
    if not font_path.is_file():
        raise ContractFontMissing(str(font_path))
    text = "".join([title, body, footer, LABELS, *(m.label + m.name + m.signed_at for m in signatures)])
    font_path, font_index = font_for(text, font_path, font_index, data_dir)
    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_creator("演约平台")
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(True, margin=20)
    _add_font(pdf, font_path, font_index)
    pdf.add_page()
    pdf.set_font(FONT, size=18)
    pdf.cell(0, 12, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(FONT, size=10.5)
    pdf.multi_cell(0, 6.2, body, align="L", wrapmode=WrapMode.CHAR, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    if pdf.will_page_break(62):
        pdf.add_page()
    pdf.set_font(FONT, size=11)
    col = (pdf.w - pdf.l_margin - pdf.r_margin) / len(signatures)
    top = pdf.get_y()
    for i, mark in enumerate(signatures):
        x = pdf.l_margin + i * col
        pdf.set_xy(x, top)
        pdf.cell(col, 7, f"{mark.label}签字：", new_x="LEFT", new_y="NEXT")
        if mark.png:
            pdf.image(io.BytesIO(mark.png), x=x + 2, y=top + 9, h=24, keep_aspect_ratio=True, w=col - 10)
        else:
            pdf.set_xy(x + 2, top + 16)
            pdf.set_text_color(150, 150, 150)
            pdf.cell(col - 10, 8, "（待签署）")
            pdf.set_text_color(0, 0, 0)
        pdf.set_xy(x, top + 36)
        pdf.cell(col, 6, f"姓名：{mark.name}", new_x="LEFT", new_y="NEXT")
        pdf.cell(col, 6, f"签署时间：{mark.signed_at or '—'}", new_x="LEFT", new_y="NEXT")
    pdf.set_xy(pdf.l_margin, top + 52)
    pdf.set_font(FONT, size=8)
    pdf.set_text_color(110, 110, 110)
    pdf.multi_cell(0, 4.5, footer, align="L", wrapmode=WrapMode.CHAR)
    return bytes(pdf.output())
