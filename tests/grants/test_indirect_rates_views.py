"""The recipient's indirect cost rates page: reached from the task force, listed to
everyone who reads the recipient's awards, recorded by program staff."""

from datetime import date

from django.urls import reverse

from grants.indirect_rates import rate_agreement_record
from grants.models import IndirectRateAgreement


def url(program):
    return reverse("grants:indirect_rates", args=[program.task_force_a.lead_organization.uei])


def test_task_force_staff_read_their_recipients_rates(client, program):
    rate_agreement_record(
        actor=program.pm,
        recipient=program.task_force_a.lead_organization,
        rate_type="de_minimis",
        effective_from=date(2024, 7, 1),
    )
    client.force_login(program.officer_a)
    task_force_page = client.get(program.task_force_a.get_absolute_url()).content.decode()
    assert url(program) in task_force_page
    page = client.get(url(program)).content.decode()
    assert "De minimis" in page and "07/01/2024" in page and "until further notice" in page
    # The de minimis values by date, with their source.
    assert "10%" in page and "15%" in page and "89 FR 30046" in page
    assert "Record a rate agreement" not in page


def test_another_task_forces_rates_are_404_for_officers(client, program):
    rate_agreement_record(
        actor=program.pm,
        recipient=program.task_force_a.lead_organization,
        rate_type="de_minimis",
        effective_from=date(2024, 7, 1),
    )
    client.force_login(program.officer_b)
    assert client.get(url(program)).status_code == 404
    assert client.post(url(program), {"rate_type": "de_minimis"}).status_code == 404


def test_program_staff_record_a_negotiated_rate(client, program):
    client.force_login(program.pm)
    response = client.post(
        url(program),
        {
            "rate_type": "provisional",
            "rate": "26.5",
            "effective_from": "2025-07-01",
            "effective_to": "2026-06-30",
            "cognizant_agency": "U.S. Department of Justice",
            "signed_on": "2025-06-12",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Rate agreement recorded." in page
    assert "Provisional" in page and "26.5%" in page and "06/30/2026" in page
    assert "U.S. Department of Justice" in page


def test_an_overlap_is_shown_on_the_form_and_nothing_is_recorded(client, program):
    rate_agreement_record(
        actor=program.pm,
        recipient=program.task_force_a.lead_organization,
        rate_type="de_minimis",
        effective_from=date(2024, 7, 1),
    )
    client.force_login(program.approver)
    response = client.post(
        url(program), {"rate_type": "de_minimis", "effective_from": "2025-01-01"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "usa-form-group--error" in page
    assert "These dates overlap the de minimis rate from 07/01/2024" in page
    assert IndirectRateAgreement.objects.count() == 1
