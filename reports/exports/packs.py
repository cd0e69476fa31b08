"""Evidence packs: one ZIP per award, task force or fiscal year, holding the auditor
workbook, every filed report as a PDF, and a manifest listing each file with its SHA-256
and size, so whoever receives the pack can prove that nothing was changed, added or
removed (`python manage.py verify_pack FILE`).

Layout:
    manifest.json, manifest.csv        what is in the pack (the manifests list every other file)
    workbook/auditor-workbook-....xlsx
    sf425/SF-425-<award>-<period end>.pdf
    <folder>/...                       one folder per registered document builder

Every report type (reports.report_types) puts its filed reports in its own folder, as
its document; other documents join every pack with one `register(...)` line.
"""

import csv
import hashlib
import io
import json
import stat
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.db.models import QuerySet
from django.utils import timezone

from grants.models import AuditChainHead, Award
from reports import report_types
from reports.exports.workbooks import (
    Selection,
    selection_about,
    selection_sheets,
    workbook_filename,
)
from reports.exports.xlsx import ExportFile, rows_to_write, write_workbook

MANIFEST_JSON = "manifest.json"
MANIFEST_CSV = "manifest.csv"
MANIFEST_CSV_HEADER = ["path", "sha256", "bytes"]
FORMAT = "icac-evidence-pack/1"
ZIP_TYPE = "application/zip"
CHUNK = 1 << 16


@dataclass(frozen=True)
class DocumentBuilder:
    """How one kind of document becomes files in a pack: which objects of the selected
    awards to include, and how one becomes one file."""

    folder: str
    reports: Callable[[QuerySet[Award]], QuerySet]
    build: Callable[..., ExportFile]  # build(report, generated_by=...) -> ExportFile


# Documents other than filed reports.
DOCUMENT_BUILDERS: list[DocumentBuilder] = []


def register(builder: DocumentBuilder) -> DocumentBuilder:
    DOCUMENT_BUILDERS.append(builder)
    return builder


def document_builders() -> list[DocumentBuilder]:
    """Each report type's filed reports (a report returned for correction is evidence of
    nothing until it is filed again), then the other documents."""
    return [
        DocumentBuilder(t.key, t.filed_reports, t.build_document) for t in report_types.all_types()
    ] + DOCUMENT_BUILDERS


@dataclass(frozen=True)
class PackFile:
    path: str
    sha256: str
    size: int


@dataclass(frozen=True)
class Pack:
    filename: str
    files: list[PackFile]
    rows: dict[str, int]
    workbook_data_sha256: str


def pack_filename(selection: Selection) -> str:
    return f"evidence-pack-{selection.slug}-{timezone.localdate():%Y%m%d}.zip"


def _add_stream(archive: zipfile.ZipFile, path: str, source) -> PackFile:
    digest, size = hashlib.sha256(), 0
    with archive.open(path, "w", force_zip64=True) as target:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            target.write(chunk)
    return PackFile(path, digest.hexdigest(), size)


def write_pack(handle, *, user, selection: Selection, progress=None) -> Pack:
    """Write the evidence pack for `selection`, as far as `user` may read, to `handle`.

    `progress` (reports.prepared.Progress) is told the rows and documents to write
    first, then how many are written."""
    generated_by = user.get_username()
    about = selection_about(user=user, selection=selection)
    files: list[PackFile] = []
    awards = selection.awards(user)
    builders = document_builders()
    sheets = selection_sheets(user=user, selection=selection)
    if progress is not None:
        documents = sum(b.reports(awards).count() for b in builders)
        progress.start(rows_to_write(sheets) + documents)
    advance = progress.advance_to if progress is not None else None
    with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        # The workbook goes through a temporary file, so a large one never sits in memory.
        with tempfile.TemporaryFile() as book:
            data_sha256 = write_workbook(book, sheets=sheets, about=about, progress=advance)
            book.seek(0)
            files.append(_add_stream(archive, f"workbook/{workbook_filename(selection)}", book))
        done = sum(sheet.row_count for sheet in sheets)
        for builder in builders:
            for report in builder.reports(awards).iterator(chunk_size=200):
                document = builder.build(report, generated_by=generated_by)
                path = f"{builder.folder}/{document.filename}"
                files.append(_add_stream(archive, path, io.BytesIO(document.content)))
                done += 1
                if advance is not None:
                    advance(done)
        head = AuditChainHead.current()
        manifest = {
            "format": FORMAT,
            "selection": selection.label,
            "created_by": generated_by,
            "created_at": timezone.localtime().isoformat(timespec="seconds"),
            "scope": about["Scope"],
            "workbook_data_sha256": data_sha256,
            # The audit chain as the pack saw it: `manage.py verify_audit` on the system
            # later shows the same hash still in the chain, or names where it broke.
            "audit_chain_head": {"hash": head.hash, "events": head.count},
            "files": [{"path": f.path, "sha256": f.sha256, "bytes": f.size} for f in files],
        }
        archive.writestr(MANIFEST_JSON, json.dumps(manifest, indent=2) + "\n")
        table = io.StringIO()
        writer = csv.writer(table, lineterminator="\n")
        writer.writerow(MANIFEST_CSV_HEADER)
        writer.writerows((f.path, f.sha256, f.size) for f in files)
        archive.writestr(MANIFEST_CSV, table.getvalue())
    return Pack(
        pack_filename(selection), files, {s.title: s.row_count for s in sheets}, data_sha256
    )


# --- Verifying a pack -----------------------------------------------------------------


def unsafe_member_reason(name: str) -> str | None:
    """Why a name inside a ZIP could write outside the folder it is unpacked into."""
    if not name or name.startswith(("/", "\\")) or "\\" in name or "\x00" in name:
        return "an absolute or unusual path"
    path = PurePosixPath(name)
    if ".." in path.parts:
        return "a path that climbs out of the pack (..)"
    if ":" in path.parts[0]:
        return "a drive letter or device name"
    return None


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def _read_manifest(archive: zipfile.ZipFile, problems: list[str]) -> list[dict] | None:
    try:
        info = archive.getinfo(MANIFEST_JSON)
    except KeyError:
        problems.append(f"{MANIFEST_JSON}: missing; the pack cannot be checked")
        return None
    if info.file_size > 10_000_000:
        problems.append(f"{MANIFEST_JSON}: larger than any manifest the app writes")
        return None
    try:
        manifest = json.loads(archive.read(info))
        files = manifest["files"]
        for entry in files:
            if not (
                isinstance(entry["path"], str)
                and isinstance(entry["sha256"], str)
                and isinstance(entry["bytes"], int)
            ):
                raise TypeError
    except (ValueError, KeyError, TypeError):
        problems.append(f"{MANIFEST_JSON}: not a manifest the app writes (unreadable JSON)")
        return None
    return files


def _check_csv(archive: zipfile.ZipFile, files: list[dict], problems: list[str]) -> None:
    try:
        info = archive.getinfo(MANIFEST_CSV)
    except KeyError:
        problems.append(f"{MANIFEST_CSV}: missing")
        return
    if info.file_size > 10_000_000:
        problems.append(f"{MANIFEST_CSV}: larger than any manifest the app writes")
        return
    try:
        rows = list(csv.reader(io.StringIO(archive.read(info).decode("utf-8"))))
    except (UnicodeDecodeError, csv.Error):
        rows = []
    expected = [MANIFEST_CSV_HEADER] + [[f["path"], f["sha256"], str(f["bytes"])] for f in files]
    if rows != expected:
        problems.append(f"{MANIFEST_CSV}: does not match {MANIFEST_JSON}")


def _check_file(archive: zipfile.ZipFile, info: zipfile.ZipInfo, entry: dict) -> str | None:
    name = info.filename
    # Compare the declared size first, so a forged member cannot make us read gigabytes.
    if info.file_size != entry["bytes"]:
        return f"{name}: {info.file_size} bytes, the manifest says {entry['bytes']}"
    digest, size = hashlib.sha256(), 0
    try:
        with archive.open(info) as member:
            while chunk := member.read(CHUNK):
                size += len(chunk)
                if size > entry["bytes"]:
                    return f"{name}: longer than the manifest says"
                digest.update(chunk)
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        return f"{name}: cannot be read ({error})"
    if digest.hexdigest() != entry["sha256"].lower():
        return f"{name}: SHA-256 does not match the manifest (the file was changed)"
    return None


def verify_pack(path) -> tuple[list[str], int]:
    """Check a pack against its manifest. Returns (problems, files checked); no problems
    means every file listed is present and unchanged and nothing else is in the pack."""
    problems: list[str] = []
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        return [f"{path}: not a readable ZIP file ({error})"], 0
    with archive:
        infos = archive.infolist()
        names: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            reason = unsafe_member_reason(info.filename)
            if reason:
                problems.append(f"{info.filename!r}: refused, {reason}")
            elif _is_symlink(info):
                problems.append(f"{info.filename}: refused, a symbolic link")
            elif info.filename in names:
                problems.append(f"{info.filename}: appears twice in the pack")
            else:
                names[info.filename] = info
        files = _read_manifest(archive, problems)
        if files is None:
            return problems, 0
        _check_csv(archive, files, problems)
        listed = set()
        for entry in files:
            name = entry["path"]
            listed.add(name)
            if unsafe_member_reason(name) or name in (MANIFEST_JSON, MANIFEST_CSV):
                problems.append(f"{name!r}: the manifest lists a path a pack cannot hold")
            elif name not in names:
                problems.append(f"{name}: listed in the manifest but missing from the pack")
            elif names[name].is_dir():
                problems.append(f"{name}: a folder where the manifest lists a file")
            else:
                problem = _check_file(archive, names[name], entry)
                if problem:
                    problems.append(problem)
        for name, info in names.items():
            if name in listed or name in (MANIFEST_JSON, MANIFEST_CSV):
                continue
            if info.is_dir() and any(p.startswith(name) for p in listed):
                continue  # a folder entry for listed files
            problems.append(f"{name}: not listed in the manifest (unexpected file)")
        return problems, len(files)
