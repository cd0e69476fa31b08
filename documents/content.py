"""What an uploaded document is, told by its content, not its name.

A document is accepted when its name's extension and its first bytes agree on one of
the kinds below. Office files are ZIP packages: their part list ([Content_Types].xml)
must name the main part of a workbook (.xlsx) or a Word document (.docx); a package
with macros (.xlsm, .docm, a vbaProject part) is refused whatever it is named. The ZIP
is checked the way spreadsheet imports check theirs (budgets.upload_rows): how many
parts, what they unpack to, no part compressed like a ZIP bomb, no DOCTYPE or entity in
the part list. Every refusal is a ValidationError saying what was wrong; nothing is
stored (documents.services).
"""

import re
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.core.exceptions import ValidationError

from budgets.upload_rows import DECLARATIONS, MAX_RATIO, SIGNATURES

MB = 1024 * 1024
MAX_PARTS = 2_000  # a long Word document with many images has a few hundred
MAX_UNPACKED = 500 * MB
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


def _megabytes(size: int) -> str:
    return f"{size / MB:.1f}".removesuffix(".0")


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
            f"The file is {upload.size:,} bytes, more than the {_megabytes(max_bytes)} MB "
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
        parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise damaged from None
    with archive:
        if len(parts) > MAX_PARTS:
            raise _refuse(f"The file holds more than {MAX_PARTS} parts; it was not accepted.")
        if sum(part.file_size for part in parts) > MAX_UNPACKED:
            raise _refuse(
                f"The file would unpack to more than {_megabytes(MAX_UNPACKED)} MB; it was "
                "not accepted."
            )
        for part in parts:
            if part.file_size > MAX_RATIO * max(part.compress_size, 1) and part.file_size > MB:
                raise _refuse(
                    f"The file's part {part.filename} is compressed more than {MAX_RATIO} "
                    "to 1, as a ZIP bomb is; it was not accepted."
                )
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
