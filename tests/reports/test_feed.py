"""The private iCalendar feed of a person's reports, and the page that gives its address."""

from datetime import date
from unittest import mock

import pytest
from django.urls import reverse

from grants.models import Award
from reports.calendar import find_due
from reports.feeds import escape_text, fold
from reports.models import CalendarFeed
from reports.services import sf425_submit
from tests.budgets.ledger_helpers import activate

A = "15PJDP-25-GK-00001-MECP"
B = "15PJDP-25-GK-00002-MECP"
CERTIFIER = {
    "certifier_name": "Lena Alvarez",
    "certifier_title": "Finance officer",
    "certifier_phone": "555-0100",
    "certifier_email": "lena@example.gov",
}


@pytest.fixture
def active(program):
    activate(program)
    Award.objects.filter(pk=program.award_b.pk).update(status=Award.Status.ACTIVE)
    return program


def feed_url(user) -> str:
    feed, _ = CalendarFeed.objects.get_or_create(user=user)
    return reverse("reports:calendar_feed", args=[feed.token])


def events(body: str) -> dict[str, dict[str, str]]:
    """UID -> {property (with parameters): value}, after unfolding."""
    unfolded = body.replace("\r\n ", "")
    found = {}
    for chunk in unfolded.split("BEGIN:VEVENT\r\n")[1:]:
        props = dict(
            line.split(":", 1) for line in chunk.split("END:VEVENT")[0].split("\r\n") if line
        )
        found[props["UID"]] = props
    return found


def get_feed(client, url, today=date(2025, 2, 10)):
    with mock.patch("reports.feeds.timezone.localdate", return_value=today):
        return client.get(url)


def test_the_feed_lists_the_persons_reports_on_their_due_dates(active, client):
    sf425_submit(
        actor=active.officer_a,
        award=active.award_a,
        period_end=date(2024, 12, 31),
        certifier=CERTIFIER,
        today=date(2025, 1, 10),
    )
    response = get_feed(client, feed_url(active.officer_a))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    body = response.content.decode("utf-8")
    assert body.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:")
    assert body.endswith("END:VCALENDAR\r\n")
    assert "\n" not in body.replace("\r\n", "")  # every line ends CRLF

    found = events(body)
    # 7 quarterly SF-425s and the final one; 4 half-yearly progress reports and the final.
    assert len(found) == 13
    assert all(uid.endswith(f"-{A}@icac-grants") for uid in found)
    first = found[f"sf425:2024-12-31-{A}@icac-grants"]
    assert first["DTSTART;VALUE=DATE"] == "20250130"
    assert first["DTEND;VALUE=DATE"] == "20250131"
    assert first["SUMMARY"] == f"SF-425 financial report\\, period ending 12/31/2024 – {A}"
    assert first["DESCRIPTION"].startswith("Status: Submitted\\nAward: " + A)
    assert first["URL"] == f"http://testserver/awards/{A}/sf425/2024-12-31/"
    assert found[f"progress:2024-12-31-{A}@icac-grants"]["DESCRIPTION"].startswith(
        "Status: Overdue"
    )
    assert found[f"sf425:2025-03-31-{A}@icac-grants"]["DTSTART;VALUE=DATE"] == "20250430"
    assert found[f"sf425:2025-03-31-{A}@icac-grants"]["DESCRIPTION"].startswith("Status: Upcoming")
    assert found[f"progress:2025-06-30-{A}@icac-grants"]["DTSTART;VALUE=DATE"] == "20250730"
    # The final reports: 120 days after the period of performance ends on 09/30/2026.
    final = found[f"sf425:2026-09-30-{A}@icac-grants"]
    assert final["DTSTART;VALUE=DATE"] == "20270128"
    label = find_due(active.award_a, "sf425", date(2026, 9, 30)).label
    assert label.startswith("Final ") and "period ending 09/30/2026" in label
    assert final["SUMMARY"] == f"{escape_text(label)} – {A}"
    assert found[f"progress:2026-09-30-{A}@icac-grants"]["DTSTART;VALUE=DATE"] == "20270128"


def test_long_lines_are_folded_and_text_is_escaped(active, client):
    active.task_force_a.name = "Alpha, Bravo; Charlie \\ Delta ICAC Task Force of the Commonwealth"
    active.task_force_a.save()
    body = get_feed(client, feed_url(active.officer_a)).content
    for line in body.split(b"\r\n"):
        assert len(line) <= 75, line
    text = body.decode("utf-8")
    # SUMMARY is 86 octets: it goes on, after a line break and a space.
    assert f"SUMMARY:SF-425 financial report\\, period ending 12/31/2024 – {A}" not in text
    assert f"SUMMARY:SF-425 financial report\\, period ending 12/31/2024 – {A}" in text.replace(
        "\r\n ", ""
    )
    description = events(text)[f"sf425:2024-12-31-{A}@icac-grants"]["DESCRIPTION"]
    assert (
        "Task force: Alpha\\, Bravo\\; Charlie \\\\ Delta ICAC Task Force of the Commonwealth\\n"
        in description
    )


def test_escape_and_fold():
    assert escape_text("a,b;c\\d\ne\r\nf") == "a\\,b\\;c\\\\d\\ne\\nf"
    line = "SUMMARY:" + "Überprüfung – " * 20
    folded = fold(line)
    pieces = folded.split("\r\n")
    assert len(pieces) > 1
    assert all(len(p.encode("utf-8")) <= 75 for p in pieces)
    assert all(p.startswith(" ") for p in pieces[1:])
    assert folded.replace("\r\n ", "") == line  # no character split or lost
    assert len(pieces[0].encode("utf-8")) >= 73  # lines are filled, not split early
    assert fold("X" * 75) == "X" * 75
    assert fold("X" * 76) == "X" * 75 + "\r\n X"


def test_unknown_token_is_404(program, client):
    assert client.get(reverse("reports:calendar_feed", args=["nope"])).status_code == 404
    client.force_login(program.pm)  # signing in changes nothing: the token is the key
    assert client.get(reverse("reports:calendar_feed", args=["nope"])).status_code == 404


def test_an_inactive_persons_feed_is_404(active, client):
    url = feed_url(active.officer_a)
    active.officer_a.is_active = False
    active.officer_a.save()
    assert client.get(url).status_code == 404


def test_a_feed_shows_only_its_owners_task_force(active, client):
    body = get_feed(client, feed_url(active.officer_b)).content.decode()
    uids = events(body)
    assert len(uids) == 13 and all(uid.endswith(f"-{B}@icac-grants") for uid in uids)
    assert A not in body and active.task_force_a.name not in body
    # The program manager's feed has both task forces'.
    uids = events(get_feed(client, feed_url(active.pm)).content.decode())
    assert len(uids) == 26


def test_settings_page_creates_and_replaces_the_address(active, client):
    client.force_login(active.officer_a)
    page = client.get(reverse("reports:calendar_feed_settings"))
    assert page.status_code == 200
    assert "Create my calendar address" in page.content.decode()
    assert not CalendarFeed.objects.exists()  # a GET creates nothing

    response = client.post(reverse("reports:calendar_feed_settings"))
    assert response.status_code == 302
    feed = CalendarFeed.objects.get(user=active.officer_a)
    page = client.get(response["Location"]).content.decode()
    old_url = reverse("reports:calendar_feed", args=[feed.token])
    assert f'value="http://testserver{old_url}"' in page
    assert "Replace my calendar address" in page and "Your calendar address is ready." in page
    assert client.get(old_url).status_code == 200

    client.post(reverse("reports:calendar_feed_settings"))
    feed.refresh_from_db()
    new_url = reverse("reports:calendar_feed", args=[feed.token])
    assert new_url != old_url and CalendarFeed.objects.count() == 1
    assert client.get(old_url).status_code == 404
    assert client.get(new_url).status_code == 200
    assert new_url in client.get(reverse("reports:calendar_feed_settings")).content.decode()


def test_calendar_page_links_to_the_feed_settings(program, client):
    client.force_login(program.officer_a)
    body = client.get(reverse("reports:calendar")).content.decode()
    assert reverse("reports:calendar_feed_settings") in body


def test_the_feed_carries_what_is_still_to_do_and_the_last_year_only(active, client):
    """Award A owes 13 reports (8 SF-425s, 5 progress reports); on 08/15/2026 five fell
    due more than a year ago (before 08/15/2025). Of those, the ones filed and not
    returned leave the feed; the returned and the never filed stay, as does everything
    of the last year, accepted or not."""
    from reports.models import MEASURES
    from reports.services import progress_submit, report_review

    def sf425(period_end, today):
        return sf425_submit(
            actor=active.officer_a,
            award=active.award_a,
            period_end=period_end,
            certifier=CERTIFIER,
            today=today,
        )

    report_review(actor=active.pm, report=sf425(date(2024, 12, 31), date(2025, 1, 10)), accept=True)
    sf425(date(2025, 3, 31), date(2025, 4, 10))  # submitted, never reviewed
    returned = sf425(date(2025, 6, 30), date(2025, 7, 10))
    # Due 10/30/2025, within the year: it stays though accepted.
    accepted = sf425(date(2025, 9, 30), date(2025, 10, 10))
    report_review(actor=active.pm, report=accepted, accept=True)
    report_review(actor=active.pm, report=returned, accept=False, comment="Line 10b is off")
    progress_submit(
        actor=active.officer_a,
        award=active.award_a,
        period_end=date(2024, 12, 31),
        narrative={"accomplishments": "Forty investigations opened."},
        measures={name: 3 for name, _ in MEASURES},
        today=date(2025, 1, 20),
    )

    today = date(2026, 8, 15)
    body = get_feed(client, feed_url(active.officer_a), today=today).content.decode()
    found = events(body)
    assert len(found) == 10
    gone = {
        f"sf425:2024-12-31-{A}@icac-grants",  # accepted, due 01/30/2025
        f"sf425:2025-03-31-{A}@icac-grants",  # submitted, due 04/30/2025
        f"progress:2024-12-31-{A}@icac-grants",  # submitted, due 01/30/2025
    }
    assert not gone & set(found)
    assert found[f"sf425:2025-06-30-{A}@icac-grants"]["DESCRIPTION"].startswith("Status: Returned")
    assert found[f"progress:2025-06-30-{A}@icac-grants"]["DESCRIPTION"].startswith(
        "Status: Overdue"
    )
    assert found[f"sf425:2025-09-30-{A}@icac-grants"]["DESCRIPTION"].startswith("Status: Accepted")
    # The reports page still lists all 13.
    client.force_login(active.officer_a)
    with mock.patch("reports.views.timezone.localdate", return_value=today):
        page = client.get(reverse("reports:calendar"), {"show": "all"})
    assert page.context["table"].paginator.count == 13
