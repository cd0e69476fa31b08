"""Sending a file: every download the app serves, a table, a workbook, a PDF or an
evidence pack, goes out through `send_file`.

The file is written to a temporary file and streamed from there, so a large workbook or
pack never sits in memory. Before the first byte is sent, the download is written to the
audit trail as one event of the same action whatever the file, naming the file and its
SHA-256, so a copy an auditor holds can be matched to the download that produced it.
"""

import hashlib
import tempfile
from collections.abc import Callable
from typing import IO, NamedTuple

from django.http import FileResponse, HttpRequest

from grants.audit import audit_record
from reports.exports.xlsx import ExportFile

DOWNLOADED = "reports.export.downloaded"


class Written(NamedTuple):
    """What a writer reports about the file it wrote: its name, its type, and what the
    audit event should say about it besides (row counts, the SHA-256 of the data...)."""

    filename: str
    content_type: str
    data: dict


def file_sha256(handle: IO[bytes]) -> tuple[str, int]:
    """The SHA-256 (hex) and the size of a file written to `handle`, left at its start."""
    handle.seek(0)
    digest = hashlib.file_digest(handle, "sha256").hexdigest()
    size = handle.tell()
    handle.seek(0)
    return digest, size


def send_file(
    request: HttpRequest,
    write: Callable[[IO[bytes]], Written],
    *,
    name: str,
    task_force=None,
    **data,
) -> FileResponse:
    """Write the file with `write(handle)`, record the download, stream the file.

    `name` names the export in the audit trail; `data` is what the request chose (an
    award, a period, the filters...)."""
    handle = tempfile.TemporaryFile()
    try:
        written = write(handle)
        sha256, _ = file_sha256(handle)
    except BaseException:
        handle.close()
        raise
    audit_record(
        actor=request.user,
        action=DOWNLOADED,
        task_force=task_force,
        data={
            "export": name,
            **data,
            **written.data,
            "filename": written.filename,
            "file_sha256": sha256,
        },
    )
    # FileResponse closes (and so deletes) the temporary file once it is sent.
    return FileResponse(
        handle, as_attachment=True, filename=written.filename, content_type=written.content_type
    )


def send_document(
    request: HttpRequest, document: ExportFile, *, name: str, task_force=None, **data
) -> FileResponse:
    """A file built in memory by its builder (a PDF), sent as every download is."""

    def write(handle) -> Written:
        handle.write(document.content)
        return Written(document.filename, document.content_type, {})

    return send_file(request, write, name=name, task_force=task_force, **data)
