"""The one check of an uploaded ZIP archive before any part of it is read: a workbook an
import reads (budgets.upload_rows) and an attached Office document (documents.content).

How many parts it holds, what they unpack to in all, and no part compressed like a ZIP
bomb (a real Office file compresses its XML some 5 to 20 times; a bomb a thousand times
or more). Each caller passes its own limits, and the words its refusals end with.
"""

import zipfile
from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class ArchiveLimits:
    max_parts: int
    max_unpacked: int  # bytes, every part together
    max_ratio: int  # a part unpacking to more than this many times its compressed size...
    ratio_floor: int  # ...and to more than this many bytes is refused as a ZIP bomb
    noun: str  # the archive in a refusal: "workbook", "file"
    refused: str  # how a refusal ends: "it was not opened"
    too_large: str  # how the refusal of what unpacks to too much ends


class ArchiveRefused(Exception):
    """The archive is refused; the message says why, to the person who uploaded it."""


def megabytes(size: int) -> str:
    return f"{size / MB:.1f}".removesuffix(".0")


def check_archive(archive: zipfile.ZipFile, limits: ArchiveLimits) -> list[zipfile.ZipInfo]:
    """The archive's parts, or ArchiveRefused. Reads only the archive's directory (the
    sizes it declares; the zip reader stops at a part's declared size)."""
    parts = archive.infolist()
    if len(parts) > limits.max_parts:
        raise ArchiveRefused(
            f"The {limits.noun} holds more than {limits.max_parts:,} parts; {limits.refused}."
        )
    if sum(part.file_size for part in parts) > limits.max_unpacked:
        raise ArchiveRefused(
            f"The {limits.noun} would unpack to more than {megabytes(limits.max_unpacked)} MB; "
            f"{limits.too_large}."
        )
    for part in parts:
        if (
            part.file_size > limits.max_ratio * max(part.compress_size, 1)
            and part.file_size > limits.ratio_floor
        ):
            raise ArchiveRefused(
                f"The {limits.noun}'s part {part.filename} is compressed more than "
                f"{limits.max_ratio} to 1, as a ZIP bomb is; {limits.refused}."
            )
    return parts
