"""A document's kind is told by its content: the name must agree with the first bytes,
and an Office file must be the package its name says, without macros."""

import pytest
from django.core.exceptions import ValidationError

from documents.content import MB, check_document
from tests.documents import files


def check(name: str, content: bytes, max_bytes: int = 10 * MB) -> str:
    return check_document(name, files.upload(name, content), max_bytes=max_bytes).key


def refusal(name: str, content: bytes, max_bytes: int = 10 * MB) -> str:
    with pytest.raises(ValidationError) as caught:
        check(name, content, max_bytes)
    return " ".join(caught.value.messages)


@pytest.mark.parametrize(
    "name, content, kind",
    [
        ("Receipts March.PDF", files.PDF, "pdf"),
        ("scan.png", files.PNG, "png"),
        ("photo.jpeg", files.JPEG, "jpeg"),
        ("photo.jpg", files.JPEG, "jpeg"),
        ("chart.gif", files.GIF, "gif"),
        ("budget.xlsx", files.xlsx(), "xlsx"),
        ("letter.docx", files.docx(), "docx"),
    ],
)
def test_each_accepted_kind_is_told_by_its_name_and_content(name, content, kind):
    assert check(name, content) == kind


def test_a_png_named_pdf_is_refused_saying_what_it_is():
    assert refusal("invoice.pdf", files.PNG) == (
        "The file is named .pdf but is a PNG image, not a PDF document."
    )


def test_a_pdf_named_png_is_refused():
    assert refusal("scan.png", files.PDF) == (
        "The file is named .png but is a PDF document, not a PNG image."
    )


def test_a_macro_workbook_is_refused_by_its_name():
    assert refusal("budget.xlsm", files.xlsm()) == (
        "Office files with macros (.xlsm) are not accepted; save it without macros "
        "(.xlsx or .docx) and attach it again."
    )


def test_a_macro_workbook_renamed_xlsx_is_refused_by_its_content():
    assert refusal("budget.xlsx", files.xlsm()) == (
        "The file is named .xlsx but holds macros, which are not accepted; save it without "
        "macros and attach it again."
    )


def test_a_word_document_named_xlsx_is_refused():
    assert refusal("budget.xlsx", files.docx()) == (
        "The file is named .xlsx but is a Word document (.docx), not an Excel workbook (.xlsx)."
    )


def test_a_zip_that_is_no_office_package_is_refused():
    assert refusal("letter.docx", b"PK\x03\x04" + bytes(40)) == (
        "The file is named .docx but could not be read as a Word document (.docx)."
    )


def test_a_file_too_big_is_refused_with_both_sizes():
    content = files.PDF + bytes(MB)
    assert refusal("big.pdf", content, max_bytes=MB) == (
        "The file is 1,048,653 bytes, more than the 1 MB (1,048,576 bytes) a document may be."
    )


def test_an_empty_file_is_refused():
    assert refusal("empty.pdf", b"") == "The file is empty."


@pytest.mark.parametrize("name", ["run.exe", "page.html", "old.xls", "noextension"])
def test_other_kinds_are_refused_by_name(name):
    assert refusal(name, files.PDF).startswith("Attach a PDF, XLSX, DOCX, PNG, JPEG or GIF file;")


def test_text_named_pdf_is_refused_as_text():
    assert refusal("notes.pdf", b"Dear program office,\n") == (
        "The file is named .pdf but is text, not a PDF document."
    )
