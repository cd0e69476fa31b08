"""The page every PDF shares: the program's name and the document's title at the top,
"Page N of M" and who generated it when (UTC) at the bottom, one font family, and the
building blocks (text, key–value tables, money tables) the documents are made of.

User text reaches a Paragraph only through `text()`: Paragraph parses markup (<font>,
<a href>, <img src>), so unescaped text could restyle the page, add links or make
reportlab read a local file. Chart labels are drawn as plain strings and need no escaping.

Every string is set in DejaVu Sans, vendored in fonts/ and embedded (as the subset of
glyphs used) in each file: reportlab's built-in Helvetica is not embedded and covers
Latin-1 only, so "Nguyễn Văn Đức", "Łódź", Greek or Cyrillic names printed blank. The
files are read from the repository, never from the system's fonts, so a fresh machine
prints the same document.
"""

import io
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.fonts import addMapping
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from grants.money import format_money

PROGRAM_NAME = "ICAC Task Force Program · OJJDP, Office of Justice Programs, U.S. DOJ"
PAGE_WIDTH, PAGE_HEIGHT = LETTER
MARGIN = 0.6 * inch
TOP_MARGIN = 0.95 * inch  # room for the header band
BOTTOM_MARGIN = 0.8 * inch  # room for the footer
FRAME_WIDTH = PAGE_WIDTH - 2 * MARGIN

FONT = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
FONT_DIR = Path(__file__).resolve().parent / "fonts"


def _register_fonts() -> None:
    """Register the family once per process; a TrueType font is embedded as a subset of
    the glyphs a document uses, so a page costs tens of kilobytes, not the whole file."""
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    pdfmetrics.registerFont(TTFont(FONT, str(FONT_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
    # <b> inside a Paragraph picks the bold face of the same family.
    for bold, italic, face in ((0, 0, FONT), (1, 0, BOLD), (0, 1, FONT), (1, 1, BOLD)):
        addMapping(FONT, bold, italic, face)


_register_fonts()

INK = colors.HexColor("#1b1b1b")
RULE = colors.HexColor("#a9aeb1")
SHADE = colors.HexColor("#f0f0f0")
HEAD_SHADE = colors.HexColor("#dfe1e2")

BODY = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=12.5, textColor=INK)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=8.5, leading=10.5)
CELL = ParagraphStyle("cell", parent=BODY, fontSize=9, leading=11)
CELL_BOLD = ParagraphStyle("cell_bold", parent=CELL, fontName=BOLD)
CELL_RIGHT = ParagraphStyle("cell_right", parent=CELL, alignment=TA_RIGHT)
HEAD_RIGHT = ParagraphStyle("head_right", parent=CELL_BOLD, alignment=TA_RIGHT)
TITLE = ParagraphStyle("title", parent=BODY, fontName=BOLD, fontSize=15, leading=18, spaceAfter=4)
HEADING = ParagraphStyle(
    "heading",
    parent=BODY,
    fontName=BOLD,
    fontSize=11,
    leading=14,
    spaceBefore=10,
    spaceAfter=4,
    keepWithNext=1,  # never the last line of a page, away from what it heads
)

# Control characters other than tab and newline are not text; reportlab chokes on some.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def plain(value) -> str:
    """A value as the text a person should read: dates as mm/dd/yyyy, money with $."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format_money(value)
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%m/%d/%Y %H:%M %Z")
    if isinstance(value, date):
        return value.strftime("%m/%d/%Y")
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


def markup_safe(value) -> str:
    """Escape text for Paragraph markup, keeping its line breaks."""
    cleaned = _CONTROL.sub("", plain(value).replace("\t", "    ").replace("\r\n", "\n"))
    return escape(cleaned).replace("\n", "<br/>")


def text(value, style: ParagraphStyle = CELL) -> Paragraph:
    """User text as a Paragraph, printed literally whatever markup it contains."""
    return Paragraph(markup_safe(value), style)


def title(value) -> Paragraph:
    return text(value, TITLE)


def heading(value) -> Paragraph:
    return text(value, HEADING)


def money(value: Decimal | None, *, bold: bool = False) -> Paragraph:
    return Paragraph(
        escape(format_money(value)) if value is not None else "", HEAD_RIGHT if bold else CELL_RIGHT
    )


def drawing(width: float, height: float) -> Drawing:
    """A chart's canvas. Its labels name their font, but the drawing sets one first: left
    to itself Helvetica, listed in the file as a font not embedded."""
    return Drawing(width, height, initialFontName=FONT)


def spacer(height: float = 8) -> Spacer:
    return Spacer(1, height)


# A table sets its cells' font even where a cell holds a Paragraph with its own; left
# to itself that font is Helvetica, listed in the file as a font not embedded.
_TABLE_FONT = ("FONT", (0, 0), (-1, -1), FONT, 9)


# Rows of a dense table (a form read as one page, the SF-425) lose a point above and
# below: 25 rows gain the height of the form's last block.
_DENSE = [("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]


def key_value_table(
    rows: Iterable[tuple[str, object]], *, label_width=2.3 * inch, dense: bool = False
) -> Table:
    """A form-like two-column table: label on a shaded column, value beside it."""
    data = [[text(label, CELL_BOLD), text(value)] for label, value in rows]
    style = [
        _TABLE_FONT,
        ("GRID", (0, 0), (-1, -1), 0.5, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (0, -1), SHADE),
    ]
    return Table(
        data,
        colWidths=[label_width, FRAME_WIDTH - label_width],
        splitInRow=1,  # a value longer than a page (a long description) breaks across pages
        style=TableStyle(style + (_DENSE if dense else [])),
    )


def grid_table(
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    widths: Sequence[float],
    right_columns: Iterable[int] = (),
    footer: Sequence[object] | None = None,
    dense: bool = False,
) -> Table:
    """A table with a shaded header repeated on each page and an optional bold totals
    row. In `right_columns` (amounts, counts) headers align right and Decimals print as
    money. Cells may be values or ready-made Paragraphs."""
    right_columns = set(right_columns)

    def cell(value, column, bold=False):
        if isinstance(value, Paragraph):
            return value
        if column in right_columns:
            style = _fitting(plain(value), HEAD_RIGHT if bold else CELL_RIGHT, widths[column])
            return text(value, style)
        return text(value, CELL_BOLD if bold else CELL)

    data = [
        [text(h, HEAD_RIGHT if i in right_columns else CELL_BOLD) for i, h in enumerate(header)]
    ]
    data += [[cell(v, i) for i, v in enumerate(row)] for row in rows]
    style = [
        _TABLE_FONT,
        ("GRID", (0, 0), (-1, -1), 0.5, RULE),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_SHADE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    if footer is not None:
        data.append([cell(v, i, bold=True) for i, v in enumerate(footer)])
        style.append(("BACKGROUND", (0, -1), (-1, -1), SHADE))
    if dense:
        style += _DENSE
    return Table(data, colWidths=list(widths), repeatRows=1, splitInRow=1, style=TableStyle(style))


CELL_PADDING = 6  # reportlab's default left and right padding of a table cell
SMALLEST_AMOUNT = 6.5  # points: below this an amount is no longer read at a glance


def _fitting(value: str, style: ParagraphStyle, width: float) -> ParagraphStyle:
    """`style`, or a smaller size of it, so an amount stays on one line in its column: a
    wrapped "$40,000,00|0.00" reads as two numbers. Only an amount wider than the column
    (a total in the hundreds of millions, in bold) is set smaller."""
    room = width - 2 * CELL_PADDING
    size = style.fontSize
    needed = pdfmetrics.stringWidth(value, style.fontName, size)
    if needed <= room or " " in value.strip():
        return style
    size = max(SMALLEST_AMOUNT, int(size * room / needed * 4) / 4)  # quarter points, down
    return ParagraphStyle(
        f"{style.name}_{size}", parent=style, fontSize=size, leading=style.leading
    )


def username(user) -> str:
    if user is None:
        return "system"
    if isinstance(user, str):
        return user
    return user.get_username()


def person(user) -> str:
    """A person as documents name them: full name and username, or the username."""
    if user is None:
        return ""
    full = user.get_full_name()
    return f"{full} ({user.get_username()})" if full else user.get_username()


class _NumberedCanvas(Canvas):
    """Holds each page until the end so the footer can say "Page N of M"."""

    def __init__(self, *args, **kwargs):
        # The canvas sets a font at the top of every page; left to itself it names
        # Helvetica, which would be listed in the file as a font not embedded.
        kwargs["initialFontName"] = FONT
        super().__init__(*args, **kwargs)
        self._pages = []

    def showPage(self):
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self.setFont(FONT, 8)
            self.setFillColor(INK)
            self.drawRightString(
                PAGE_WIDTH - MARGIN, 0.45 * inch, f"Page {self._pageNumber} of {total}"
            )
            super().showPage()
        super().save()


def _decorate(document_title: str, generated: str):
    def draw(canvas, doc):
        canvas.saveState()
        canvas.setFillColor(INK)
        canvas.setFont(BOLD, 9)
        canvas.drawString(MARGIN, PAGE_HEIGHT - 0.5 * inch, PROGRAM_NAME)
        canvas.setFont(FONT, 9)
        canvas.drawString(
            MARGIN, PAGE_HEIGHT - 0.66 * inch, _fit_width(document_title, FONT, 9, FRAME_WIDTH)
        )
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.75)
        canvas.line(
            MARGIN, PAGE_HEIGHT - 0.74 * inch, PAGE_WIDTH - MARGIN, PAGE_HEIGHT - 0.74 * inch
        )
        canvas.line(MARGIN, 0.62 * inch, PAGE_WIDTH - MARGIN, 0.62 * inch)
        canvas.setFont(FONT, 8)
        canvas.drawString(MARGIN, 0.45 * inch, generated)
        canvas.restoreState()

    return draw


def _fit_width(value: str, font: str, size: float, width: float) -> str:
    """`value` on one line no wider than `width`, cut with "…" if it must be: the header
    is drawn as a plain string and would run off the page, not wrap."""
    value = _fit(value, 300)
    if pdfmetrics.stringWidth(value, font, size) <= width:
        return value
    while value and pdfmetrics.stringWidth(value + "…", font, size) > width:
        value = value[:-1]
    return value.rstrip() + "…"


def _fit(value: str, limit: int) -> str:
    value = _CONTROL.sub("", value).replace("\n", " ")
    return value if len(value) <= limit else value[: limit - 1] + "…"


@dataclass
class Laid:
    """A document's title and story, as a builder handed them to `render`."""

    title: str
    story: list


_laid: ContextVar[list[Laid] | None] = ContextVar("laid", default=None)


@contextmanager
def keeping_stories() -> Iterator[list[Laid]]:
    """Inside the block, `render` keeps each document's story instead of laying it out
    (and returns no bytes): the HTML view of a document (reports.document_views) reads
    the very story its PDF prints, so the two cannot say different things."""
    laid: list[Laid] = []
    token = _laid.set(laid)
    try:
        yield laid
    finally:
        _laid.reset(token)


def render(story: list, *, document_title: str, user, subject: str = "") -> bytes:
    """Lay out `story` on the shared page and return the PDF's bytes."""
    kept = _laid.get()
    if kept is not None:
        kept.append(Laid(document_title, story))
        return b""
    buffer = io.BytesIO()
    generated = (
        f"Generated {timezone.now().astimezone(UTC):%Y-%m-%d %H:%M} UTC"
        f" by {_fit(username(user), 60)} · ICAC Grants Administration"
    )
    doc = SimpleDocTemplate(
        buffer,
        pagesize=LETTER,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=TOP_MARGIN,
        bottomMargin=BOTTOM_MARGIN,
        title=document_title,
        subject=subject,
        initialFontName=FONT,
        author="ICAC Grants Administration",
        creator="ICAC Grants Administration",
    )
    decorate = _decorate(document_title, generated)
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate, canvasmaker=_NumberedCanvas)
    return buffer.getvalue()
