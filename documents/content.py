"""What an uploaded document is, told by its content, not its name.

A document is accepted when its name's extension and its first bytes agree on one of
the kinds below. Office files are ZIP packages: their part list ([Content_Types].xml)
must name the main part of a workbook (.xlsx) or a Word document (.docx); a package
with macros (.xlsm, .docm, a vbaProject part) is refused whatever it is named. The ZIP
is checked by the check spreadsheet imports use (grants.archives), with its own limits:
how many parts, what they unpack to, no part compressed like a ZIP bomb; and no DOCTYPE
or entity in the part list. Every refusal is a ValidationError saying what was wrong; nothing is
stored (documents.services).
"""

import re
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.core.exceptions import ValidationError

from budgets.upload_rows import DECLARATIONS, SIGNATURES
from grants.archives import MB, ArchiveLimits, ArchiveRefused, check_archive, megabytes

# What an attached Office file may hold (grants.archives). It is stored, not unpacked here
# (but for its part list), so it may be far larger than a workbook an import parses, and a
# part is judged by its ratio only from 1 MB (a document's small XML parts compress well).
PACKAGE_LIMITS = ArchiveLimits(
    max_parts=2_000,  # a long Word document with many images has a few hundred
    max_unpacked=500 * MB,
    max_ratio=200,
    ratio_floor=MB,
    noun="file",
    refused="it was not accepted",
    too_large="it was not accepted",
)
CONTENT_TYPES = "[Content_Types].xml"
MAX_CONTENT_TYPES = MB


@dataclass(frozen=True)
class Kind:
    key: str
    label: str  # what the file is, in a sentence
    extensions: tuple[str, ...]
    content_type: str
    magic: tuple[bytes, ...]
    main_part: str = ""  # an Office package: its main part's content type


KINDS = (
    Kind("pdf", "a PDF document", (".pdf",), "application/pdf", (b"%PDF-",)),
    Kind("png", "a PNG image", (".png",), "image/png", (b"\x89PNG\r\n\x1a\n",)),
    Kind("jpeg", "a JPEG image", (".jpg", ".jpeg"), "image/jpeg", (b"\xff\xd8\xff",)),
    Kind("gif", "a GIF image", (".gif",), "image/gif", (b"GIF87a", b"GIF89a")),
    Kind(
        "xlsx",
        "an Excel workbook (.xlsx)",
        (".xlsx",),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (b"PK\x03\x04",),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    ),
    Kind(
        "docx",
        "a Word document (.docx)",
        (".docx",),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    ),
)
BY_EXTENSION = {extension: kind for kind in KINDS for extension in kind.extensions}
ACCEPTED = "a PDF, XLSX, DOCX, PNG, JPEG or GIF file"
MACRO_EXTENSIONS = (".xlsm", ".xltm", ".xlsb", ".xlam", ".docm", ".dotm", ".pptm")
MACRO_TYPES = re.compile(rb"macroEnabled|vbaProject|vnd\.ms-office\.activeX", re.IGNORECASE)


def _refuse(message: str) -> ValidationError:
    return ValidationError(message, code="refused")


def _what(head: bytes) -> str:
    """What the first bytes say the file is, for a refusal's sentence."""
    for kind in KINDS[:4]:
        if head.startswith(kind.magic):
            return kind.label
    for start, what in SIGNATURES:
        if head.startswith(start):
            return what
    if head and all(32 <= b < 127 or b in b"\t\r\n" for b in head):
        return "text"
    return "of a type that is not accepted"


def check_document(name: str, upload, *, max_bytes: int) -> Kind:
    """The kind of the uploaded file `upload` (a Django UploadedFile or any seekable
    binary file of `upload.size` bytes) named `name`, or a ValidationError."""
    extension = PurePath(name).suffix.lower()
    if extension in MACRO_EXTENSIONS:
        raise _refuse(
            f"Office files with macros ({extension}) are not accepted; save it without "
            "macros (.xlsx or .docx) and attach it again."
        )
    kind = BY_EXTENSION.get(extension)
    if kind is None:
        shown = f"a {extension} file is" if extension else "a file without an extension is"
        raise _refuse(f"Attach {ACCEPTED}; {shown} not accepted.")
    if upload.size == 0:
        raise _refuse("The file is empty.")
    if upload.size > max_bytes:
        raise _refuse(
            f"The file is {upload.size:,} bytes, more than the {megabytes(max_bytes)} MB "
            f"({max_bytes:,} bytes) a document may be."
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not head.startswith(kind.magic):
        raise _refuse(f"The file is named {extension} but is {_what(head)}, not {kind.label}.")
    if kind.main_part:
        _check_package(upload, kind, extension)
    return kind


def _check_package(upload, kind: Kind, extension: str) -> None:
    damaged = _refuse(f"The file is named {extension} but could not be read as {kind.label}.")
    try:
        archive = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise damaged from None
    with archive:
        try:
            parts = check_archive(archive, PACKAGE_LIMITS)
        except ArchiveRefused as refused:
            raise _refuse(str(refused)) from None
        for part in parts:
            if MACRO_TYPES.search(part.filename.encode("utf-8", "replace")):
                raise _refuse(_macros(extension))
        try:
            info = archive.getinfo(CONTENT_TYPES)
        except KeyError:
            raise damaged from None
        if info.file_size > MAX_CONTENT_TYPES:
            raise damaged
        try:
            with archive.open(info) as part:
                listing = part.read(MAX_CONTENT_TYPES + 1)
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
            raise damaged from None
    if len(listing) > MAX_CONTENT_TYPES or DECLARATIONS.search(listing):
        raise damaged
    if MACRO_TYPES.search(listing):
        raise _refuse(_macros(extension))
    if kind.main_part.encode() not in listing:
        other = next((k for k in KINDS if k.main_part and k.main_part.encode() in listing), None)
        what = other.label if other else "another kind of Office file"
        raise _refuse(f"The file is named {extension} but is {what}, not {kind.label}.")


def _macros(extension: str) -> str:
    return (
        f"The file is named {extension} but holds macros, which are not accepted; save it "
        "without macros and attach it again."
    )
