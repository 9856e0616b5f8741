"""Paper letters: one print-ready A4 PDF per scheduler pass, one letter per
page group, the address placed for a DIN 5008 (form B) C5/6 window envelope.

The address field starts 20 mm from the left and 45 mm from the top of the
sheet and is 85 x 45 mm: the return address on its first line, the
recipient from 62.7 mm down. Fold marks sit at 105 and 210 mm, the punch
mark at 148.5 mm. The one-click link is printed as a QR code beside the
portal's address.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from adapters.cadence.compose import Composed
from adapters.documents._fonts import text_font

WIDTH, HEIGHT = A4
LEFT = 25 * mm
RIGHT = 20 * mm
ADDRESS_LEFT = 20 * mm + 5 * mm
RETURN_LINE_TOP = 45 * mm + 3.5 * mm
RECIPIENT_TOP = 62.7 * mm
BODY_TOP = 103.4 * mm
QR_SIZE = 28 * mm


@dataclass(frozen=True)
class Letter:
    """One letter: who it goes to, on which business date, and what it says."""

    message_id: str
    address: tuple[str, ...]
    customer_id: str
    on: date
    day: str
    message: Composed
    portal_url: str


class LetterBatch:
    """Collects the letters of one pass and writes them as one PDF file."""

    def __init__(
        self, folder: Path, return_address: str, font: Path | None = None
    ) -> None:
        self.folder = folder
        self.return_address = return_address
        self.font_path = font
        self.letters: list[Letter] = []

    def add(self, letter: Letter) -> None:
        self.letters.append(letter)

    def write(self, name: str) -> Path | None:
        """Write the batch as ``name``.pdf (atomically); None when empty."""
        if not self.letters:
            return None
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.folder / f"{name}.pdf"
        partial = target.with_suffix(".pdf.partial")
        font = text_font(self.font_path)
        queue = list(self.letters)

        def first_page(canvas: Canvas, _: BaseDocTemplate) -> None:
            self._window(canvas, font, queue.pop(0))

        document = BaseDocTemplate(
            str(partial),
            pagesize=A4,
            title=f"Letters {name}",
            author="o2c",
            initialFontName=font,
        )
        body_height = HEIGHT - BODY_TOP - 20 * mm
        document.addPageTemplates(
            [
                PageTemplate(
                    "first",
                    [Frame(LEFT, 20 * mm, WIDTH - LEFT - RIGHT, body_height)],
                    onPage=first_page,
                ),
                PageTemplate(
                    "later",
                    [Frame(LEFT, 20 * mm, WIDTH - LEFT - RIGHT, HEIGHT - 40 * mm)],
                    onPage=lambda canvas, _: self._marks(canvas),
                ),
            ]
        )
        story: list[Flowable] = []
        for index, letter in enumerate(self.letters):
            if index:
                story += [NextPageTemplate("first"), PageBreak()]
            story += [NextPageTemplate("later"), *self._body(letter, font)]
        document.build(story)
        with open(partial, "rb+") as out:
            os.fsync(out.fileno())
        partial.replace(target)
        return target

    def _marks(self, canvas: Canvas) -> None:
        canvas.setStrokeColor(colors.grey)
        canvas.setLineWidth(0.3)
        for top, length in (
            (105 * mm, 5 * mm),
            (148.5 * mm, 8 * mm),
            (210 * mm, 5 * mm),
        ):
            canvas.line(4 * mm, HEIGHT - top, 4 * mm + length, HEIGHT - top)

    def _window(self, canvas: Canvas, font: str, letter: Letter) -> None:
        """The marks, the return address and the recipient in the window."""
        self._marks(canvas)
        canvas.setFont(font, 7)
        canvas.drawString(ADDRESS_LEFT, HEIGHT - RETURN_LINE_TOP, self.return_address)
        canvas.setFont(font, 10)
        for line_number, line in enumerate(letter.address[:6]):
            top = RECIPIENT_TOP + 4.5 * mm * (line_number + 1)
            canvas.drawString(ADDRESS_LEFT, HEIGHT - top, line)
        canvas.setFont(font, 9)
        info_left = 125 * mm
        canvas.drawString(info_left, HEIGHT - 55 * mm, letter.day)
        canvas.drawString(info_left, HEIGHT - 60 * mm, letter.customer_id)

    def _body(self, letter: Letter, font: str) -> list[Flowable]:
        message = letter.message
        wrap = "CJK" if message.language in ("zh_Hans", "ja") else None
        body = ParagraphStyle("letter", fontName=font, fontSize=10, leading=14)
        body = ParagraphStyle("letter", body, wordWrap=wrap, spaceAfter=6)
        subject = ParagraphStyle("subject", body, fontSize=12, leading=16)
        parts: list[Flowable] = [
            Paragraph(escape(message.subject), subject),
            Spacer(1, 4 * mm),
            Paragraph(escape(message.greeting), body),
            *(Paragraph(escape(p), body) for p in message.paragraphs),
        ]
        if message.rows:
            words = message.words
            rows = [[words["invoice"], words["due_date"], words["open_amount"]]]
            rows += [[r["number"], r["due"], r["open"]] for r in message.rows]
            rows.append([words["total"], "", message.total])
            table = Table(rows, hAlign="LEFT", colWidths=[55 * mm, 45 * mm, 50 * mm])
            table.setStyle(
                TableStyle(
                    [
                        ("FONTNAME", (0, 0), (-1, -1), font),
                        ("FONTSIZE", (0, 0), (-1, -1), 9),
                        ("ALIGN", (2, 0), (2, -1), "RIGHT"),
                        ("LINEBELOW", (0, 0), (-1, 0), 0.3, colors.grey),
                        ("LINEABOVE", (0, -1), (-1, -1), 0.3, colors.grey),
                    ]
                )
            )
            parts += [table, Spacer(1, 4 * mm)]
        if message.link:
            note = message.words["letter_link"].format(url=letter.portal_url)
            parts += [_Qr(message.link), Paragraph(escape(note), body)]
        parts += [
            Paragraph(escape(message.words["no_reply"]), body),
            Paragraph(escape(message.words["closing"]), body),
        ]
        return parts


class _Qr(Flowable):
    """The one-click link as a QR code a phone can open."""

    def __init__(self, link: str) -> None:
        super().__init__()
        self.link = link
        self.width = self.height = QR_SIZE

    def draw(self) -> None:
        widget = QrCodeWidget(self.link)
        x0, y0, x1, y1 = widget.getBounds()
        drawing = Drawing(
            QR_SIZE,
            QR_SIZE,
            transform=[QR_SIZE / (x1 - x0), 0, 0, QR_SIZE / (y1 - y0), 0, 0],
        )
        drawing.add(widget)
        renderPDF.draw(drawing, self.canv, 0, 0)
