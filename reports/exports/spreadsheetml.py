"""The XLSX file format (SpreadsheetML, ECMA-376 / ISO/IEC 29500), written as a stream.

What `reports.exports.xlsx` needs and no more: worksheets of text, numbers, dates and
formulas in a fixed set of styles, a frozen header row, column widths, an autofilter,
row heights, and a page setup that prints one page wide. Each cell is written as XML
text in one step. openpyxl builds an element object per cell instead, which made a
million-row workbook take four minutes of CPU (scripts/bench_exports.py compares the
two). openpyxl is still what reads spreadsheets here, and what the tests read these
files with.

Each worksheet's rows go to a temporary file as they are written, so memory stays flat
whatever the size. `close()` writes the package: the parts that list the sheets, then
each sheet with its rows copied in. Its used range (`dimension`) goes before the rows,
and its autofilter after them, and both are known only once the rows are written.
Strings are written inline (`t="inlineStr"`), so no table of every distinct string is
held in memory.
"""

import shutil
import tempfile
import zipfile
from datetime import UTC, datetime
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from openpyxl.utils import get_column_letter, quote_sheetname

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
APPLICATION = "ICAC Grants Administration"

# The cell styles (cellXfs) every workbook carries, by index. Money uses the built-in
# number format 4 ("#,##0.00"); dates and times the custom formats 164 and 165.
PLAIN, BOLD, MONEY, DATE, DATETIME, QUOTED, BOLD_MONEY, WRAPPED, WRAPPED_QUOTED = range(9)
_CELL_STYLES = (
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>',
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>',
    '<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>',
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>',
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>',
    # quotePrefix: the text shows as typed and is never read as a formula.
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/>',
    '<xf numFmtId="4" fontId="1" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"'
    ' applyFont="1"/>',
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
    '<alignment vertical="top" wrapText="1"/></xf>',
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1"'
    ' quotePrefix="1"><alignment vertical="top" wrapText="1"/></xf>',
)
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
_FONT = '<sz val="11"/><name val="Calibri"/><family val="2"/>'
STYLES_XML = (
    f'{XML_HEAD}<styleSheet xmlns="{MAIN_NS}">'
    f'<numFmts count="2"><numFmt numFmtId="164" formatCode="{DATE_FORMAT}"/>'
    f'<numFmt numFmtId="165" formatCode="{DATETIME_FORMAT}"/></numFmts>'
    f'<fonts count="2"><font>{_FONT}</font><font><b/>{_FONT}</font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    f'<cellXfs count="{len(_CELL_STYLES)}">{"".join(_CELL_STYLES)}</cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)

_EXCEL_EPOCH = datetime(1899, 12, 30)
_EPOCH_ORDINAL = _EXCEL_EPOCH.toordinal()
DEFAULT_ROW_HEIGHT = 15  # points: a line of the 11-point font
# zlib's level for the parts. Sheet XML is repetitive: level 1 compresses it four times
# as fast as the default (6), into a file about a third larger (a million-row workbook:
# 7 s less to write, 77 MB instead of 59).
COMPRESS_LEVEL = 1


def column_letters(count: int) -> list[str]:
    return [get_column_letter(index) for index in range(1, count + 1)]


# --- Cells: each returns the XML of one cell at `ref` (such as "B7") -------------------


def text_cell(ref: str, text: str, style: int = PLAIN) -> str:
    """Text, as typed: the caller has removed what XML cannot hold (xlsx.safe_text)."""
    styled = f' s="{style}"' if style else ""
    text = text_xml(text)
    return f'<c r="{ref}"{styled} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def text_xml(text: str) -> str:
    """Text escaped for an element's content. Most cells hold none of the characters
    to escape, and are returned as they are without a pass of replacing."""
    if "&" in text or "<" in text or ">" in text or "\r" in text:
        return escape(text, _KEEP_CARRIAGE_RETURN)
    return text


# A raw carriage return would be read back as a line feed (XML end-of-line handling).
_KEEP_CARRIAGE_RETURN = {"\r": "&#13;"}


def number_cell(ref: str, number: int | Decimal, style: int = PLAIN) -> str:
    """A whole number or a Decimal, written in full (never in exponent form)."""
    styled = f' s="{style}"' if style else ""
    return f'<c r="{ref}"{styled}><v>{_number(number)}</v></c>'


def _number(number: int | Decimal) -> str:
    return str(number) if isinstance(number, int) else format(number, "f")


def date_cell(ref: str, moment, style: int) -> str:
    """A date or a naive datetime, as the serial number spreadsheets count days by."""
    return f'<c r="{ref}" s="{style}"><v>{serial(moment)}</v></c>'


def formula_cell(ref: str, formula: str, cached: int | Decimal, style: int = PLAIN) -> str:
    """A formula (without its "="), with the value it computes to for any reader that
    does not calculate (viewers, previews, openpyxl's data_only)."""
    styled = f' s="{style}"' if style else ""
    return f'<c r="{ref}"{styled}><f>{escape(formula)}</f><v>{_number(cached)}</v></c>'


def serial(moment) -> int | float:
    """Days since 1899-12-30, the fraction of the day for a time (the 1900 date system;
    right for every date from March 1900 on)."""
    days = moment.toordinal() - _EPOCH_ORDINAL
    if not isinstance(moment, datetime):
        return days
    if moment.tzinfo is not None:
        raise ValueError("A spreadsheet holds no time zone: give the local time without one.")
    seconds = moment.hour * 3600 + moment.minute * 60 + moment.second
    return days + (seconds + moment.microsecond / 1_000_000) / 86400


def header_cells(texts) -> list[str]:
    """Row 1: the column headings, in bold."""
    return [text_cell(f"{get_column_letter(i)}1", t, BOLD) for i, t in enumerate(texts, start=1)]


def row_xml(number: int, cells: list[str], height: float | None = None) -> str:
    tall = f' ht="{height}" customHeight="1"' if height else ""
    return f'<row r="{number}"{tall}>{"".join(cells)}</row>'


# --- Sheets and the package ------------------------------------------------------------


class Worksheet:
    """One sheet being written, its rows in order; the workbook's `close()` writes it.
    Its title may change until then (a table split over sheets is renamed at the end)."""

    def __init__(self, title: str, widths: list[float], *, freeze_header: bool):
        self.title = title
        self.widths = widths
        self.freeze_header = freeze_header
        self.autofilter: str | None = None  # such as "A1:P1001"
        self.one_page_wide = False  # landscape, scaled to one page wide
        self.rows = 0
        self._data = tempfile.TemporaryFile()
        self._buffer: list[str] = []

    def append(self, cells: list[str], height: float | None = None) -> None:
        """Add the next row: its cells' XML, made by the cell functions for the row's
        number (`next_row`), and its height in points if not the default."""
        self.rows += 1
        self._buffer.append(row_xml(self.rows, cells, height))
        if len(self._buffer) >= 512:
            self._flush()

    @property
    def next_row(self) -> int:
        return self.rows + 1

    def _flush(self) -> None:
        self._data.write("".join(self._buffer).encode())
        self._buffer.clear()

    def _head(self, selected: bool) -> str:
        used = f"A1:{get_column_letter(max(len(self.widths), 1))}{max(self.rows, 1)}"
        fit = '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>' if self.one_page_wide else ""
        tab = ' tabSelected="1"' if selected else ""
        pane = (
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
            if self.freeze_header
            else ""
        )
        cols = "".join(
            f'<col min="{index}" max="{index}" width="{width}" customWidth="1"/>'
            for index, width in enumerate(self.widths, start=1)
        )
        return (
            f'{XML_HEAD}<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">{fit}'
            f'<dimension ref="{used}"/>'
            f'<sheetViews><sheetView{tab} workbookViewId="0">{pane}</sheetView></sheetViews>'
            f'<sheetFormatPr defaultRowHeight="{DEFAULT_ROW_HEIGHT}"/>'
            + (f"<cols>{cols}</cols>" if cols else "")
            + "<sheetData>"
        )

    def _tail(self) -> str:
        autofilter = f'<autoFilter ref="{self.autofilter}"/>' if self.autofilter else ""
        setup = (
            '<pageSetup orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
            if self.one_page_wide
            else ""
        )
        margins = (
            '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75"'
            ' header="0.3" footer="0.3"/>'
        )
        return f"</sheetData>{autofilter}{margins}{setup}</worksheet>"

    def _write_to(self, out, selected: bool) -> None:
        self._flush()
        out.write(self._head(selected).encode())
        self._data.seek(0)
        shutil.copyfileobj(self._data, out, 1 << 20)
        out.write(self._tail().encode())
        self._data.close()


class Workbook:
    """An XLSX file written to the open binary file `handle` when closed."""

    def __init__(self, handle):
        self.handle = handle
        self.sheets: list[Worksheet] = []

    def add_sheet(self, title: str, widths: list[float], *, freeze_header=True) -> Worksheet:
        sheet = Worksheet(title, widths, freeze_header=freeze_header)
        self.sheets.append(sheet)
        return sheet

    def close(self) -> None:
        titles = [sheet.title for sheet in self.sheets]
        if len(set(titles)) != len(titles) or any(len(t) > 31 for t in titles):
            raise ValueError(f"Sheet titles must be unique and at most 31 characters: {titles}")
        with zipfile.ZipFile(
            self.handle, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL
        ) as zf:
            zf.writestr("[Content_Types].xml", self._content_types())
            zf.writestr("_rels/.rels", _PACKAGE_RELS)
            zf.writestr("docProps/app.xml", self._app())
            zf.writestr("docProps/core.xml", _core(datetime.now(UTC)))
            zf.writestr("xl/workbook.xml", self._workbook())
            zf.writestr("xl/_rels/workbook.xml.rels", self._workbook_rels())
            zf.writestr("xl/styles.xml", STYLES_XML)
            for number, sheet in enumerate(self.sheets, start=1):
                name = f"xl/worksheets/sheet{number}.xml"
                with zf.open(name, "w", force_zip64=True) as out:
                    sheet._write_to(out, selected=number == 1)

    def _content_types(self) -> str:
        sheet_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
        overrides = [
            ("/xl/workbook.xml", "spreadsheetml.sheet.main+xml"),
            ("/xl/styles.xml", "spreadsheetml.styles+xml"),
            ("/docProps/app.xml", "extended-properties+xml"),
        ]
        parts = "".join(
            f'<Override PartName="{name}" '
            f'ContentType="application/vnd.openxmlformats-officedocument.{kind}"/>'
            for name, kind in overrides
        )
        parts += (
            '<Override PartName="/docProps/core.xml" '
            'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        )
        parts += "".join(
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{sheet_type}"/>'
            for n in range(1, len(self.sheets) + 1)
        )
        return (
            f'{XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f"{parts}</Types>"
        )

    def _workbook(self) -> str:
        sheets = "".join(
            f'<sheet name={quoteattr(sheet.title)} sheetId="{n}" r:id="rId{n}"/>'
            for n, sheet in enumerate(self.sheets, start=1)
        )
        # Excel finds a sheet's autofilter range by this hidden name too.
        filters = "".join(
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="{n}" hidden="1">'
            f"{escape(quote_sheetname(sheet.title))}!{_absolute(sheet.autofilter)}</definedName>"
            for n, sheet in enumerate(self.sheets)
            if sheet.autofilter
        )
        names = f"<definedNames>{filters}</definedNames>" if filters else ""
        return (
            f'{XML_HEAD}<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
            '<workbookPr/><bookViews><workbookView activeTab="0"/></bookViews>'
            f"<sheets>{sheets}</sheets>{names}"
            # Formulas carry their values; spreadsheets recalculate them on opening anyway.
            '<calcPr calcId="191029" fullCalcOnLoad="1"/></workbook>'
        )

    def _workbook_rels(self) -> str:
        sheet_rel = f"{REL_NS}/worksheet"
        rels = "".join(
            f'<Relationship Id="rId{n}" Type="{sheet_rel}" Target="worksheets/sheet{n}.xml"/>'
            for n in range(1, len(self.sheets) + 1)
        )
        styles = len(self.sheets) + 1
        rels += f'<Relationship Id="rId{styles}" Type="{REL_NS}/styles" Target="styles.xml"/>'
        return f'{XML_HEAD}<Relationships xmlns="{PACKAGE_REL_NS}">{rels}</Relationships>'

    def _app(self) -> str:
        return (
            f"{XML_HEAD}<Properties "
            'xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
            f"<Application>{APPLICATION}</Application></Properties>"
        )


def _absolute(ref: str) -> str:
    """ "A1:P1001" as "$A$1:$P$1001"."""
    ends = []
    for end in ref.split(":"):
        letters = end.rstrip("0123456789")
        ends.append(f"${letters}${end[len(letters) :]}")
    return ":".join(ends)


_PACKAGE_RELS = (
    f'{XML_HEAD}<Relationships xmlns="{PACKAGE_REL_NS}">'
    f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
    'Target="docProps/core.xml"/>'
    f'<Relationship Id="rId3" Type="{REL_NS}/extended-properties" Target="docProps/app.xml"/>'
    "</Relationships>"
)


def _core(now: datetime) -> str:
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        f"{XML_HEAD}<cp:coreProperties "
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:creator>{APPLICATION}</dc:creator>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        "</cp:coreProperties>"
    )
