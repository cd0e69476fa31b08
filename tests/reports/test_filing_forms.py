"""Filing forms only when they can be used: a report that cannot be filed yet says from
which day it can; the certifier comes from the signed-in person; a form sent back lists
every problem at the top, linked to its field."""

from datetime import date

import pytest
from django.urls import reverse

from reports.models import FinancialReport
from tests.budgets.ledger_helpers import activate
from tests.reports.conftest import submit

A = "15PJDP-25-GK-00001-MECP"


@pytest.fixture
def filing(program, pin_today):
    pin_today(date(2025, 4, 10))
    activate(program)
    program.award_a.refresh_from_db()
    officer = program.officer_a
    officer.first_name, officer.last_name, officer.email = "Lena", "Alvarez", "lena@example.gov"
    officer.save()
    return program


def _page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    "name, button",
    [
        ("reports:sf425_detail", "Submit SF-425"),
        ("reports:progress_detail", "Submit progress report"),
    ],
)
def test_a_period_not_ended_says_from_which_day_instead_of_a_form(client, filing, name, button):
    page = _page(client, filing.officer_a, reverse(name, args=[A, "2025-06-30"]))
    assert button not in page
    # A progress report can be written meanwhile: its form offers only "Save draft".
    has_form = '<form method="post" class="usa-form usa-form--large' in page
    assert has_form == ('name="save_draft"' in page) == (name == "reports:progress_detail")
    assert (
        "The period ending 06/30/2025 has not ended; its report can be filed from 07/01/2025."
        in page
    )


def test_an_earlier_report_unfiled_is_named_instead_of_a_form(client, filing):
    page = _page(client, filing.officer_a, reverse("reports:sf425_detail", args=[A, "2025-03-31"]))
    assert "Submit SF-425" not in page
    assert (
        "Reports are filed in order: file the SF-425 financial report, period ending "
        "12/31/2024 first." in page
    )


def test_the_certifier_comes_from_the_signed_in_person(client, filing):
    url = reverse("reports:sf425_detail", args=[A, "2024-12-31"])
    page = _page(client, filing.officer_a, url)
    assert "Submit SF-425" in page
    assert (
        f"Submitting certifies the figures above as the SF-425 of award {A} for the period "
        "ending 12/31/2024 and sends it to the program office" in page
    )
    assert 'name="certifier_name" value="Lena Alvarez"' in page
    assert 'name="certifier_email" value="lena@example.gov"' in page
    # Title and telephone: as they gave them on their last SF-425.
    submit(filing, filing.award_a, date(2024, 12, 31), today=date(2025, 1, 20))
    assert FinancialReport.objects.get().certifier_title == "Finance officer"
    page = _page(client, filing.officer_a, reverse("reports:sf425_detail", args=[A, "2025-03-31"]))
    assert 'name="certifier_title" value="Finance officer"' in page
    assert 'name="certifier_phone" value="555-0100"' in page
    assert 'name="certifier_name" value="Lena Alvarez"' in page


def test_a_form_sent_back_lists_every_problem_at_the_top_linked_to_its_field(client, filing):
    client.force_login(filing.officer_a)
    url = reverse("reports:sf425_detail", args=[A, "2024-12-31"])
    response = client.post(url, {"certifier_name": "", "certifier_email": "not-an-email"})
    page = response.content.decode()
    assert response.status_code == 200 and not FinancialReport.objects.exists()
    summary = page.split('data-testid="error-summary"')[1].split("</ul>")[0]
    assert "There are problems with what you entered" in summary
    for field_id, text in (
        ("id_certifier_name", "Name of certifying official (line 13): This field is required."),
        ("id_certifier_email", "Email: Enter a valid email address."),
        ("id_certify", "I certify that this report is true"),
    ):
        assert f'<a href="#{field_id}">{text}' in summary, field_id
    # The summary comes before the first field.
    assert page.index('data-testid="error-summary"') < page.index('id="id_remarks"')
