"""Documents to upload, built in memory: real files of each accepted kind and the
impostors the content checks must catch."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(64))
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(64)
GIF = b"GIF89a\x01\x00\x01\x00" + bytes(32)

WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
MACRO_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"


def xlsx() -> bytes:
    book = Workbook()
    book.active["A1"] = "Receipt"
    book.active["B1"] = 125.5
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _package(main_part: str, main_type: str, extra: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
            'openxmlformats.org/package/2006/content-types"><Default Extension="xml" '
            f'ContentType="application/xml"/><Override PartName="/{main_part}" '
            f'ContentType="{main_type}"/></Types>',
        )
        package.writestr(main_part, "<document/>")
        for name, content in (extra or {}).items():
            package.writestr(name, content)
    return out.getvalue()


def docx() -> bytes:
    return _package("word/document.xml", WORD_MAIN)


def xlsm() -> bytes:
    return _package("xl/workbook.xml", MACRO_MAIN, {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0"})


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")
