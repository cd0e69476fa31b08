"""The HTML view of a PDF document: the same story the PDF prints (its builder runs
inside `pdf_page.keeping_stories()`), read as headings, paragraphs and tables on a page
of the app, for whoever reads with a screen reader, zooms or is on a phone.

Only what a person reads crosses over: text (user text stays text: the page escapes it),
tables with their header row or row labels, and for a chart its caption and the figures
its bars are drawn from, as a table. Spacing and page breaks stay in the PDF.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from reportlab.graphics.charts.barcharts import BarChart, HorizontalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib.enums import TA_RIGHT
from reportlab.platypus import KeepTogether, Paragraph, Table

from reports.exports import pdf_page as page


@dataclass
class Cell:
    text: str
    label: str = ""  # the column's heading, shown beside the value when the table stacks
    right: bool = False  # an amount or a count


@dataclass
class Block:
    kind: str  # "title", "heading", "text", "small", "table" or "chart" (a table too)
    text: str = ""
    header: list[Cell] = field(default_factory=list)
    # A table's rows: (row label, cells). The label is the first column of a two-column
    # form (a key-value table), read as the row's header.
    rows: list[tuple[str, list[Cell]]] = field(default_factory=list)


@dataclass
class DocumentView:
    title: str
    blocks: list[Block]


_KINDS = {"title": "title", "heading": "heading", "small": "small"}
_ROW_LABEL_STYLES = {"cell_bold"}


def _text(paragraph: Paragraph) -> str:
    """A Paragraph's words with its line breaks (getPlainText() drops them)."""
    return "".join(
        "\n" if getattr(frag, "lineBreak", False) else getattr(frag, "text", "")
        for frag in paragraph.frags
    ).strip()


def _cell_text(value) -> str:
    if isinstance(value, Paragraph):
        return _text(value)
    if isinstance(value, list | tuple):
        return "\n".join(_cell_text(item) for item in value)
    if isinstance(value, Drawing):
        return ""
    return page.plain(value)


def _right(value) -> bool:
    return isinstance(value, Paragraph) and value.style.alignment == TA_RIGHT


def _table(table: Table) -> Block:
    values = table._cellvalues
    if table.repeatRows:
        header = [Cell(_cell_text(v), right=_right(v)) for v in values[0]]
        rows = [
            (
                "",
                [
                    Cell(
                        _cell_text(v),
                        label=header[i].text if i < len(header) else "",
                        right=_right(v),
                    )
                    for i, v in enumerate(row)
                ],
            )
            for row in values[1:]
        ]
        return Block("table", header=header, rows=rows)
    key_value = all(
        len(row) == 2 and isinstance(row[0], Paragraph) and row[0].style.name in _ROW_LABEL_STYLES
        for row in values
    )
    if key_value:
        return Block(
            "table",
            rows=[
                (_cell_text(label), [Cell(_cell_text(value), right=_right(value))])
                for label, value in values
            ],
        )
    return Block(
        "table", rows=[("", [Cell(_cell_text(v), right=_right(v)) for v in row]) for row in values]
    )


def _chart(drawing: Drawing) -> Block:
    """A bar chart's caption and, per category (a year, a task force), the amount of
    each series (awarded, drawn) its bars stand for, named as its legend names the
    bars' colour, in the order a reader sees them (top first)."""
    caption = " ".join(item.text for item in drawing.contents if isinstance(item, String))
    legend = {
        color: str(name)
        for item in drawing.contents
        if isinstance(item, Legend)
        for color, name in item.colorNamePairs
    }
    header, rows = [], []
    for chart in drawing.contents:
        if not isinstance(chart, BarChart):
            continue
        names = [legend.get(chart.bars[i].fillColor, "Amount") for i in range(len(chart.data))]
        header = [Cell(""), *(Cell(name, right=True) for name in names)]
        categories = list(enumerate(chart.categoryAxis.categoryNames or []))
        if isinstance(chart, HorizontalBarChart):
            categories.reverse()  # drawn from the bottom up
        for i, category in categories:
            if not category:
                continue
            cells = [
                Cell(page.plain(Decimal(f"{values[i]:.2f}")), label=name, right=True)
                for name, values in zip(names, chart.data, strict=True)
            ]
            rows.append((str(category), cells))
    return Block("chart", text=caption, header=header, rows=rows)


def blocks(story: list) -> list[Block]:
    """What a person reads in `story`, in its order."""
    found: list[Block] = []
    for flowable in story:
        if isinstance(flowable, Paragraph):
            text = _text(flowable)
            if text:
                found.append(Block(_KINDS.get(flowable.style.name, "text"), text))
        elif isinstance(flowable, Table):
            found.append(_table(flowable))
        elif isinstance(flowable, KeepTogether):
            found += blocks(flowable._content)
        elif isinstance(flowable, Drawing):
            found.append(_chart(flowable))
        # Spacers and page breaks are layout only.
    return found


def document_view(build) -> DocumentView:
    """Run `build` (a PDF document's builder, as its download calls it) and keep the
    story it lays out instead of the PDF."""
    with page.keeping_stories() as laid:
        build()
    (document,) = laid
    return DocumentView(document.title, blocks(document.story))
