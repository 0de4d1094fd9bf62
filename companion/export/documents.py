"""DOCX (python-docx) and PDF (fpdf2) renderings of a minutes outline."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from companion.export.minutes import Block, Bullets, Heading, Paragraph

# A Unicode TrueType font for PDFs: names like "Tomás" or "Zoë" need more than Latin-1.
FONT_CANDIDATES = (
    str(Path(__file__).with_name("fonts") / "DejaVuSans.ttf"),  # copied there by the installers (packaging/)
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
    "/System/Library/Fonts/Supplemental/Arial Unicode.ttf",
    "C:/Windows/Fonts/arial.ttf",
)


def docx_bytes(blocks: list[Block], language: str) -> bytes:
    """A Word document with real headings, bullet lists and a table for the action items; its core properties
    name the ``language`` (a code such as ``de``)."""
    from docx import Document
    from docx.shared import Pt, RGBColor

    document = Document()
    document.core_properties.language = language
    for block in blocks:
        if isinstance(block, Heading):
            document.add_heading(block.text, level=0 if block.level == 1 else block.level - 1)
        elif isinstance(block, Paragraph):
            paragraph = document.add_paragraph(block.text)
            if block.note:
                for run in paragraph.runs:
                    run.font.size, run.font.color.rgb = Pt(8), RGBColor(0x66, 0x66, 0x66)
        elif isinstance(block, Bullets):
            for text, where in block.items:
                paragraph = document.add_paragraph(text, style="List Bullet")
                if where:
                    cited = paragraph.add_run(f"  ({where})")
                    cited.font.color.rgb = RGBColor(0x66, 0x66, 0x66)
        else:
            table = document.add_table(rows=1, cols=len(block.header), style="Light Grid Accent 1")
            for cell, title in zip(table.rows[0].cells, block.header, strict=True):
                cell.text = title
            for row in block.rows:
                for cell, value in zip(table.add_row().cells, row, strict=True):
                    cell.text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def pdf_bytes(blocks: list[Block], language: str) -> bytes:
    """An A4 PDF with headings, bullet lists and the action-item table, in ``language`` (its catalogue's
    ``/Lang``, which screen readers use)."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    pdf = FPDF(format="A4")
    pdf.set_lang(language)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    family = _unicode_font(pdf)
    for block in blocks:
        if isinstance(block, Heading):
            pdf.set_font(family, "B", 18 if block.level == 1 else 13)
            pdf.ln(2)
            _lines(pdf, 9 if block.level == 1 else 7, _safe(block.text, family))
            pdf.ln(1)
        elif isinstance(block, Paragraph):
            pdf.set_font(family, "", 8 if block.note else 10.5)
            pdf.set_text_color(110 if block.note else 20)
            _lines(pdf, 5.5, _safe(block.text, family))
            pdf.set_text_color(20)
            pdf.ln(1)
        elif isinstance(block, Bullets):
            pdf.set_font(family, "", 10.5)
            for text, where in block.items:
                line = f"\u2022  {text}" + (f"   ({where})" if where else "")
                _lines(pdf, 5.5, _safe(line, family))
        else:
            pdf.set_font(family, "", 9.5)
            with pdf.table(col_widths=(18, 52, 16, 24), headings_style=FontFace(emphasis="BOLD",
                                                                                 fill_color=(232, 240, 252))) as table:
                for row in (block.header, *block.rows):
                    cells = table.row()
                    for value in row:
                        cells.cell(_safe(value, family), align="L")
            pdf.ln(2)
    return bytes(pdf.output())


def _lines(pdf: Any, height: float, text: str) -> None:
    """A left-aligned paragraph across the page; the next one starts below it at the left margin."""
    pdf.multi_cell(0, height, text, align="L", new_x="LMARGIN", new_y="NEXT")


def _unicode_font(pdf: object) -> str:
    """Register the first Unicode font found (regular and bold); fall back to Helvetica (Latin-1 only)."""
    for candidate in FONT_CANDIDATES:
        regular = Path(candidate)
        if regular.is_file():
            bold = regular.with_name(regular.stem + "-Bold" + regular.suffix)
            pdf.add_font("Body", "", str(regular))  # type: ignore[attr-defined]
            pdf.add_font("Body", "B", str(bold if bold.is_file() else regular))  # type: ignore[attr-defined]
            return "Body"
    return "Helvetica"


def _safe(text: str, family: str) -> str:
    """Helvetica knows only Latin-1: replace what it cannot draw rather than fail."""
    if family == "Helvetica":
        return text.replace("\u2022", "-").encode("latin-1", "replace").decode("latin-1")
    return text
