"""Fetching a large file as a person now does: its address leads to My downloads with the
file offered, the button asks for it, the worker writes it (here, in the test), and the
person fetches it from My downloads."""

import io
from urllib.parse import parse_qsl, urlsplit

from django.http import FileResponse
from django.urls import resolve, reverse

from reports import prepared
from reports.models import PreparedDownload


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
