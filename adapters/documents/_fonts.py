"""The TrueType font every PDF is set in: one face with Latin, Chinese and
Japanese glyphs, embedded (as the subset used) in each document."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

DEBIAN_PACKAGE = "fonts-wqy-zenhei"

# Debian's WenQuanYi Zen Hei first; Droid Sans Fallback covers the same
# scripts. Both have TrueType outlines, which reportlab needs (it cannot
# embed the CFF outlines of the OpenType Noto CJK fonts).
KNOWN_PLACES = (
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
)


class FontMissing(RuntimeError):
    """No usable font for PDFs: the message says which to install or set."""


def text_font(configured: Path | None = None) -> str:
    """Register the PDF font once and return its reportlab name.

    ``configured`` is ``O2C_PDF_FONT``: a .ttf, or a .ttc whose first face
    is used. Without it the first known place that exists is taken.
    """
    if configured is not None:
        return _register(configured)
    for place in KNOWN_PLACES:
        if place.is_file():
            return _register(place)
    raise FontMissing(
        "no font with Chinese and Japanese glyphs for PDFs: install the "
        f"{DEBIAN_PACKAGE} package (apt-get install {DEBIAN_PACKAGE}) or set "
        "O2C_PDF_FONT to a TrueType font file (.ttf or .ttc); looked for "
        + ", ".join(str(p) for p in KNOWN_PLACES)
    )


@cache
def _register(path: Path) -> str:
    if not path.is_file():
        raise FontMissing(f"O2C_PDF_FONT {path} is not a font file that exists")
    try:
        font = TTFont(f"o2c-{path.stem}", str(path), subfontIndex=0)
    except TTFError as error:
        raise FontMissing(
            f"O2C_PDF_FONT {path} cannot be embedded ({error}); use a font "
            "with TrueType outlines, such as Debian's "
            f"{DEBIAN_PACKAGE}"
        ) from None
    pdfmetrics.registerFont(font)
    return font.fontName
