"""Each lifecycle step of an award asks first: GET shows what will happen and changes
nothing; the POST of that page takes the step. Acceptance records the acknowledgement."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from grants.audit import AuditEvent
from grants.models import Award
from grants.months import add_months
from grants.services import award_transition
from tests.budgets.ledger_helpers import activate

pytestmark = pytest.mark.django_db

TERMS = "I have read and accept the award&#x27;s terms and special conditions on behalf of "


def _step(award, to_status):
    return reverse("grants:award_transition", args=[award.award_number, to_status])


def _offered(program):
    return award_transition(actor=program.pm, award=program.award_a, to_status="offered")


def test_offer_asks_first_then_acts(client, program):
    award = program.award_a
    client.force_login(program.pm)
    page = client.get(_step(award, "offered")).content.decode()
    assert f"Offer award {award} to {award.recipient}: " in page
    assert "period of performance 10/01/2024 to 09/30/2026." in page
    assert 'data-testid="confirm-step"' in page
    award.refresh_from_db()
    assert award.status == "draft"
    assert not AuditEvent.objects.filter(action="grants.award.offered").exists()

    response = client.post(_step(award, "offered"))
    assert response.status_code == 302
    award.refresh_from_db()
    assert award.status == "offered"
    assert AuditEvent.objects.filter(action="grants.award.offered").count() == 1


def test_acceptance_page_changes_nothing_and_names_the_recipient(client, program):
    award = _offered(program)
    client.force_login(program.gadmin_a)
    page = client.get(_step(award, "accepted")).content.decode()
    assert TERMS + str(award.recipient) in page
    assert "Your full name" in page
    award.refresh_from_db()
    assert award.status == "offered" and award.accepted_at is None


@pytest.mark.parametrize(
    "data, field_messages",
    [
        (
            {},
            [
                "Tick the box to accept the award&#x27;s terms and special conditions",
                "Type your full name to sign the acceptance.",
            ],
        ),
        ({"typed_name": "Gail Admin"}, ["Tick the box to accept"]),
        ({"terms_accepted": "on", "typed_name": "   "}, ["Type your full name"]),
    ],
)
def test_acceptance_without_acknowledgement_changes_nothing(client, program, data, field_messages):
    award = _offered(program)
    client.force_login(program.gadmin_a)
    response = client.post(_step(award, "accepted"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="error-summary"' in page
    for message in field_messages:
        assert message in page
    award.refresh_from_db()
    assert award.status == "offered"
    assert award.accepted_by is None and award.acceptance_typed_name == ""
    assert not AuditEvent.objects.filter(action="grants.award.accepted").exists()


def test_acceptance_stores_and_audits_the_acknowledgement(client, program):
    award = _offered(program)
    client.force_login(program.gadmin_a)
    response = client.post(
        _step(award, "accepted"), {"terms_accepted": "on", "typed_name": "  Gail   Q. Admin "}
    )
    assert response.status_code == 302
    award.refresh_from_db()
    assert award.status == "accepted"
    assert award.accepted_by == program.gadmin_a
    assert award.acceptance_typed_name == "Gail Q. Admin"
    assert award.accepted_at is not None
    event = AuditEvent.objects.get(action="grants.award.accepted")
    assert event.actor == program.gadmin_a
    assert event.data["terms_accepted"] is True
    assert event.data["typed_name"] == "Gail Q. Admin"
    assert event.data["accepted_by"] == "gadmin_a"
    assert event.data["accepted_at"] == award.accepted_at.isoformat()

    client.force_login(program.pm)
    page = client.get(award.get_absolute_url()).content.decode()
    name = program.gadmin_a.get_full_name() or "gadmin_a"
    on = timezone.localtime(award.accepted_at).strftime("%m/%d/%Y")
    assert f"Accepted by {name} (Gail Q. Admin) on {on}." in page


def test_award_pdf_shows_the_acknowledgement(client, program):
    award = _offered(program)
    award_transition(
        actor=program.gadmin_a,
        award=award,
        to_status="accepted",
        terms_accepted=True,
        typed_name="Gail Q. Admin",
    )
    from reports.exports.award_pdf import _acceptance

    award.refresh_from_db()
    text = " ".join(getattr(flowable, "text", "") for flowable in _acceptance(award))
    assert "(Gail Q. Admin) on " in text
    assert f"on behalf of {award.recipient}" in text


def test_activate_asks_first(client, program):
    award = _offered(program)
    award = award_transition(
        actor=program.gadmin_a,
        award=award,
        to_status="accepted",
        terms_accepted=True,
        typed_name="Gail Admin",
    )
    client.force_login(program.pm)
    page = client.get(_step(award, "active")).content.decode()
    assert f"Make award {award} active: {award.recipient} may draw down" in page
    award.refresh_from_db()
    assert award.status == "accepted"
    assert client.post(_step(award, "active")).status_code == 302
    award.refresh_from_db()
    assert award.status == "active"


def test_closeout_mid_period_is_not_primary_and_warns(client, program):
    award = activate(program)
    today = timezone.localdate()
    end = add_months(today, 10) + timedelta(days=1)
    Award.objects.filter(pk=award.pk).update(period_end=end)
    client.force_login(program.pm)
    page = client.get(award.get_absolute_url()).content.decode()
    step = f'href="{_step(award, "in_closeout")}"'
    assert f'class="usa-button usa-button--outline" {step}' in page

    page = client.get(_step(award, "in_closeout")).content.decode()
    assert (
        f"Move award {award} to closeout: no more spending may be recorded after the period "
        f"ends on {end:%m/%d/%Y}; the final SF-425 falls due on "
        f"{end + timedelta(days=120):%m/%d/%Y}; 10 months of the period remain." in page
    )
    assert 'data-testid="step-warning"' in page
    assert "The period of performance has not ended: 10 months of the period remain" in page
    award.refresh_from_db()
    assert award.status == "active" and award.closeout_started_on is None

    assert client.post(_step(award, "in_closeout")).status_code == 302
    award.refresh_from_db()
    assert award.status == "in_closeout" and award.closeout_started_on == today


def test_closeout_after_the_period_is_the_primary_button(client, program):
    award = activate(program)
    Award.objects.filter(pk=award.pk).update(period_end=timezone.localdate() - timedelta(days=1))
    client.force_login(program.pm)
    page = client.get(award.get_absolute_url()).content.decode()
    assert f'class="usa-button" href="{_step(award, "in_closeout")}"' in page
    page = client.get(_step(award, "in_closeout")).content.decode()
    assert 'data-testid="step-warning"' not in page
    assert "0 months of the period remain." in page


def test_a_step_the_status_does_not_allow_shows_why_and_changes_nothing(client, program):
    award = program.award_a
    client.force_login(program.pm)
    page = client.get(_step(award, "active")).content.decode()
    assert f"Award {award} is draft; it cannot become active." in page
    assert 'data-testid="confirm-step"' not in page
    response = client.post(_step(award, "active"))
    assert response.status_code == 200
    award.refresh_from_db()
    assert award.status == "draft"
    assert client.get(_step(award, "closed")).status_code == 404
