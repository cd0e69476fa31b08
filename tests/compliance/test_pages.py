"""The compliance pages: read through the person's scope (another task force's record
is a 404), forms that say what was wrong, and the SEFA download equal to the page."""

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from openpyxl.utils import get_column_letter

from compliance import services
from compliance.models import EquipmentItem, Subaward
from tests.compliance.helpers import active_award, spend
from tests.reports.workbook_helpers import evaluate

D = Decimal


@pytest.fixture
def setup(program):
    award = active_award(program)
    sub = services.subrecipient_create(
        actor=program.officer_a,
        task_force=program.task_force_a,
        legal_name="Town of Alpha Police",
        uei="M7HJK2LQ9P1A",
    )
    subaward = services.subaward_create(
        actor=program.officer_a,
        award=award,
        subrecipient=sub,
        agreement_number="SA-1",
        amount="40000.00",
        signed_on=date(2025, 3, 14),
        purpose="Affiliate investigations",
    )
    entry = spend(program, award, "12000.00", category="D", day=date(2025, 1, 15))
    item = services.equipment_record(
        actor=program.officer_a,
        award=award,
        entry=entry,
        description="Forensic workstation",
        tag="T-1",
        unit_cost="12000.00",
        acquired_on=date(2025, 1, 15),
        location="Lab",
    )
    return award, sub, subaward, item


def test_another_task_forces_records_are_not_found(client, program, setup):
    award, sub, subaward, item = setup
    client.force_login(program.officer_b)
    recipient = award.recipient
    for url in (
        reverse("compliance:recipient_detail", args=[recipient.pk]),
        reverse("compliance:sefa", args=[recipient.pk, "2025-06-30"]),
        reverse("compliance:sefa_xlsx", args=[recipient.pk, "2025-06-30"]),
        reverse("compliance:subrecipient_detail", args=[sub.pk]),
        reverse("compliance:award_subawards", args=[award.award_number]),
        reverse("compliance:subaward_detail", args=[award.award_number, subaward.pk]),
        reverse("compliance:equipment_detail", args=[award.award_number, item.pk]),
    ):
        assert client.get(url).status_code == 404, url
    body = client.get(reverse("compliance:index")).content.decode()
    assert "Town of Alpha Police" not in body
    assert recipient.legal_name not in body


def test_the_officer_sees_the_subawards_with_what_is_left(client, program, setup):
    award, _, subaward, _ = setup
    client.force_login(program.officer_a)
    body = client.get(
        reverse("compliance:award_subawards", args=[award.award_number])
    ).content.decode()
    assert "Left for subawards: <strong>$10,000.00</strong>" in body
    assert "SA-1" in body
    detail = client.get(
        reverse("compliance:subaward_detail", args=[award.award_number, subaward.pk])
    ).content.decode()
    assert (
        '<p data-testid="ffata">FFATA report in SAM.gov: Due 04/30/2025 ($30,000.00 or more)'
        in detail
    )


def test_a_subaward_too_large_is_shown_in_the_error_summary_and_nothing_is_saved(
    client, program, setup
):
    award, sub, *_ = setup
    client.force_login(program.officer_a)
    response = client.post(
        reverse("compliance:award_subawards", args=[award.award_number]),
        {
            "form": "subaward",
            "subaward-subrecipient": sub.pk,
            "subaward-agreement_number": "SA-2",
            "subaward-amount": "$10,000.01",
            "subaward-signed_on": "2025-04-01",
            "subaward-purpose": "More",
        },
    )
    body = response.content.decode()
    assert 'data-testid="error-summary"' in body
    assert "$10,000.01 is $0.01 more than the award has left for subawards" in body
    assert Subaward.objects.count() == 1


def test_equipment_below_the_threshold_is_refused_on_the_page(client, program, setup):
    award, *_ = setup
    entry = spend(program, award, "9000.00", category="D", day=date(2025, 2, 1))
    client.force_login(program.officer_a)
    response = client.post(
        reverse("compliance:award_equipment", args=[award.award_number]),
        {
            "form": "equipment",
            "equipment-entry": entry.pk,
            "equipment-description": "Camera",
            "equipment-tag": "T-2",
            "equipment-unit_cost": "9000.00",
            "equipment-acquired_on": "2025-02-01",
            "equipment-location": "Office",
        },
    )
    body = response.content.decode()
    assert (
        "Cost per unit: An item costing $9,000.00 bought on 02/01/2025 is below the equipment threshold"
        in body
    )
    assert EquipmentItem.objects.count() == 1


def test_a_bad_fac_report_id_is_shown_on_the_recipient_page(client, program, setup):
    award, *_ = setup
    client.force_login(program.officer_a)
    response = client.post(
        reverse("compliance:recipient_detail", args=[award.recipient.pk]),
        {
            "form": "audit",
            "audit-fiscal_year_end": "2025-06-30",
            "audit-fac_report_id": "2025-06-GSA-1",
        },
    )
    assert (
        "FAC report ID: A Federal Audit Clearinghouse report ID is written YYYY-MM-GSAFAC-NNNNNNNNNN"
        in (response.content.decode())
    )


def test_the_sefa_page_and_workbook_show_the_ledgers_total(client, program, setup):
    award, *_ = setup
    spend(program, award, "2500.55", category="A", day=date(2025, 6, 30))
    client.force_login(program.auditor)
    recipient = award.recipient
    body = client.get(
        reverse("compliance:sefa", args=[recipient.pk, "2025-06-30"])
    ).content.decode()
    assert "<strong>$14,500.55</strong>" in body
    response = client.get(reverse("compliance:sefa_xlsx", args=[recipient.pk, "2025-06-30"]))
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook["SEFA"].iter_rows(values_only=True))
    assert rows[1][3] == award.award_number
    assert D(str(rows[1][5])) == D("14500.55")
    assert (
        client.get(reverse("compliance:sefa", args=[recipient.pk, "2025-06-29"])).status_code == 404
    )


def test_the_sefa_workbook_totals_its_rows_and_shows_every_text_whole(client, program, setup):
    award, *_ = setup
    client.force_login(program.auditor)
    response = client.get(reverse("compliance:sefa_xlsx", args=[award.recipient.pk, "2025-06-30"]))
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook["SEFA"]
    *rows, total = list(sheet.iter_rows(values_only=True))[1:]
    assert total[0] == "Total"
    assert evaluate(sheet, total[5]) == sum(D(str(r[5])) for r in rows) == D("12000.00")
    # A spreadsheet cuts text off at the next filled cell, on screen and on paper: each
    # column is as wide as its header and its longest text.
    for ws in (sheet, workbook["About"]):
        for index, values in enumerate(ws.iter_cols(values_only=True), start=1):
            texts = [str(v) for v in values if isinstance(v, str) and not v.startswith("=")]
            width = ws.column_dimensions[get_column_letter(index)].width
            if index < ws.max_column:  # the last column's text runs on into empty cells
                assert width >= max(map(len, texts)), (ws.title, index, width)


def test_a_lapsed_registration_shows_on_the_drawdown_page(client, program, setup):
    award, *_ = setup
    services.sam_registration_record(
        actor=program.pm, recipient=award.recipient, expires_on=date(2025, 1, 1)
    )
    client.force_login(program.officer_a)
    body = client.get(
        reverse("budgets:drawdown_create", args=[award.award_number])
    ).content.decode()
    assert "lapsed on 01/01/2025" in body


def test_the_ffata_report_is_filed_on_the_shared_page_and_has_a_pdf(
    client, program, setup, pin_today
):
    award, *_ = setup
    pin_today(date(2025, 4, 20))
    client.force_login(program.officer_a)
    url = reverse("reports:report_detail", args=[award.award_number, "ffata", "2025-03-31"])
    body = client.get(url).content.decode()
    assert "FFATA subaward report" in body
    response = client.post(url, {"reported_on": "2025-04-18", "confirmation": "SAM-000123"})
    assert response.status_code == 302
    body = client.get(url).content.decode()
    assert "SAM-000123" in body
    pdf = client.get(
        reverse("reports:report_pdf", args=[award.award_number, "ffata", "2025-03-31"])
    )
    assert pdf.status_code == 200
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
