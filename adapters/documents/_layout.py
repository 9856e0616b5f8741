"""The page, type and tables that invoice and statement PDFs share."""

from __future__ import annotations

import io
from collections.abc import Sequence
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from adapters.languages import Words

MARGIN = 18 * mm
WIDTH = A4[0] - 2 * MARGIN
RULE = colors.HexColor("#9aa5b1")
SHADE = colors.HexColor("#eef1f4")


class Page:
    """Paragraph and table makers set in one font, for one language."""

    def __init__(self, font: str, words: Words) -> None:
        self.font = font
        self.words = words
        # Chinese and Japanese break lines between any two characters.
        wrap = "CJK" if words.language in ("zh_Hans", "ja") else None
        base = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=13)
        self.body = ParagraphStyle("body", base, wordWrap=wrap)
        self.title = ParagraphStyle("title", self.body, fontSize=18, leading=24)
        self.heading = ParagraphStyle(
            "heading", self.body, fontSize=12, leading=16, spaceBefore=10
        )
        self.cell = ParagraphStyle("cell", self.body, fontSize=8.5, leading=11)
        # Figures, dates and numbers are never broken across lines.
        self.value = ParagraphStyle(
            "value", self.cell, fontSize=8, wordWrap=None, splitLongWords=False
        )
        self.figure = ParagraphStyle("figure", self.value, alignment=TA_RIGHT)
        self.figure_label = ParagraphStyle("label", self.cell, alignment=TA_RIGHT)

    def text(self, value: str, style: ParagraphStyle | None = None) -> Paragraph:
        """A paragraph of plain text: names may hold ``&`` or ``<``."""
        return Paragraph(escape(value), style or self.body)

    def fields(self, pairs: Sequence[tuple[str, str]]) -> Table:
        """Label and value pairs, one a line."""
        rows = [[self.text(k, self.cell), self.text(v, self.cell)] for k, v in pairs]
        table = Table(rows, colWidths=[WIDTH * 0.3, WIDTH * 0.7], hAlign="LEFT")
        table.setStyle(self._ruled(("BACKGROUND", (0, 0), (0, -1), SHADE)))
        return table

    def grid(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[str]],
        figures_from: int,
        shares: Sequence[float] | None = None,
    ) -> Table:
        """A table with a header row; columns from ``figures_from`` on hold
        amounts or counts and are aligned right."""

        def cells(values: Sequence[str], header: bool = False) -> list[Paragraph]:
            text, figure = (
                (self.cell, self.figure_label) if header else (self.value, self.figure)
            )
            return [
                self.text(v, figure if i >= figures_from else text)
                for i, v in enumerate(values)
            ]

        widths = [WIDTH * s for s in shares] if shares else None
        table = Table(
            [cells(header, header=True), *(cells(r) for r in rows)],
            colWidths=widths,
            repeatRows=1,
            hAlign="LEFT",
        )
        table.setStyle(
            self._ruled(
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            )
        )
        return table

    def _ruled(self, *commands: tuple[object, ...]) -> TableStyle:
        """A thin rule under each row, in our font (no standard font named)."""
        return TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONTNAME", (0, 0), (-1, -1), self.font),
                *commands,
            ]
        )

    def render(self, title: str, story: list[Flowable]) -> bytes:
        """The PDF's bytes, each page numbered at its foot."""
        out = io.BytesIO()
        document = SimpleDocTemplate(
            out,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=MARGIN,
            title=title,
            author="o2c",
            lang=self.words.locale.language,
            # Pages start in our font, so no unembedded standard font is named.
            initialFontName=self.font,
        )

        def foot(canvas: Canvas, doc: SimpleDocTemplate) -> None:
            canvas.setFont(self.font, 8)
            canvas.setFillColor(colors.grey)
            label = self.words("document.page", number=doc.page)
            canvas.drawRightString(A4[0] - MARGIN, MARGIN / 2, label)

        document.build(
            [self.text(title, self.title), Spacer(1, 4 * mm), *story],
            onFirstPage=foot,
            onLaterPages=foot,
        )
        return out.getvalue()
