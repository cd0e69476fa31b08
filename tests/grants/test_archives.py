"""One check of an uploaded ZIP (grants.archives), with each caller's limits: a ZIP bomb
is refused, in a sentence, whether it comes as a workbook to import or as a document to
attach."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError

from budgets.upload_rows import Columns, ImportRefused, Limits, read_table
from documents.content import check_document
from tests.documents import files

COLUMNS = Columns(headers={"amount": ("Amount",)}, required=("amount",), noun="entries")


def bomb() -> bytes:
    """A workbook-looking package whose sheet is 20 MB of spaces in about 20 KB."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<a>" + b" " * (20 * 1024 * 1024) + b"</a>")
    content = out.getvalue()
    assert len(content) < 100_000
    return content


def test_a_zip_bomb_to_import_is_refused_before_it_is_opened():
    with pytest.raises(ImportRefused) as refused:
        read_table("spending.xlsx", bomb(), columns=COLUMNS, limits=Limits(max_rows=10))
    assert [error.message for error in refused.value.errors] == [
        "The workbook's part xl/worksheets/sheet1.xml is compressed more than 200 to 1, as "
        "a ZIP bomb is; it was not opened."
    ]


def test_a_zip_bomb_to_attach_is_refused():
    with pytest.raises(ValidationError) as refused:
        check_document("spending.xlsx", files.upload("spending.xlsx", bomb()), max_bytes=10 << 20)
    assert refused.value.messages == [
        "The file's part xl/worksheets/sheet1.xml is compressed more than 200 to 1, as a "
        "ZIP bomb is; it was not accepted."
    ]


def test_a_package_of_too_many_parts_is_refused_by_each_caller_s_limit():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for number in range(2_001):
            archive.writestr(f"xl/media/image{number}.png", b"")
    content = out.getvalue()
    with pytest.raises(ImportRefused) as refused:
        read_table("many.xlsx", content, columns=COLUMNS, limits=Limits(max_rows=10))
    assert str(refused.value) == "The workbook holds more than 200 parts; it was not opened."
    with pytest.raises(ValidationError) as refused:
        check_document("many.xlsx", files.upload("many.xlsx", content), max_bytes=10 << 20)
    assert refused.value.messages == ["The file holds more than 2,000 parts; it was not accepted."]
