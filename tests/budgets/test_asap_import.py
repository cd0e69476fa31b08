"""ASAP payment import (docs/rules/cash-and-ledger.md#asap-payments): a payments file
matched to approved drawdown requests, the payments recorded dated their settlement day,
all or nothing, and nothing twice."""

import io
import uuid
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from budgets import asap_import, ledger
from budgets.balances import award_balances
from budgets.ledger import _check_drawn_within_authorized
from budgets.models import DrawdownRequest, KeptUpload, LedgerEntry
from budgets.reconcile import reconcile_award
from grants import access
from grants.audit import AuditEvent
from reports.sf425 import compute_sf425
from tests import factories
from tests.budgets.ledger_helpers import activate, second_approver

D = Decimal
FILES = Path(__file__).parent / "files"
TODAY = date(2025, 6, 30)


def ask(program, award, amount, day, *, approver=None):
    """An approved drawdown request of `amount` made on `day`; a request waiting for a
    decision is approved by `approver` (a second financial approver unless given)."""
    request = ledger.drawdown_request(
        actor=program.officer_a,
        award=award,
        amount=D(amount),
        idempotency_key=uuid.uuid4(),
        today=day,
    )
    if request.status == DrawdownRequest.Status.REQUESTED:
        request = ledger.drawdown_approve(
            actor=approver or second_approver(), request=request, today=day
        )
    return request


@pytest.fixture
def requests(program):
    """Award A and a second award of task force A, numbered the pre-2019 way, both
    active, with five approved requests."""
    activate(program)
    legacy = factories.make_award(
        program.pm,
        task_force=program.task_force_a,
        appropriation=program.appropriation,
        amount="50000.00",
        number="2025-MC-FX-K060",
    )
    legacy = activate(program, legacy)
    award = program.award_a
    return {
        "r1": ask(program, award, "10000.00", date(2025, 1, 10)),
        "r2": ask(program, award, "2500.00", date(2025, 1, 20)),
        "r3": ask(program, award, "2500.00", date(2025, 2, 1)),
        "r4": ask(program, award, "7000.00", date(2025, 3, 1)),
        "r5": ask(program, legacy, "4000.00", date(2025, 3, 1)),
    }


def read(name: str):
    content = (FILES / name).read_bytes()
    return asap_import.parse_payment_file(name, content, today=TODAY)


def record(program, payments, *, dry_run=False, actor=None):
    return asap_import.record_payments(
        actor=actor or program.approver,
        payments=payments,
        filename="asap.csv",
        dry_run=dry_run,
        today=TODAY,
    )


def summary(matching):
    return {
        "matched": [(p.row, r.pk, str(p.amount), p.paid_on) for p, r in matching.matched],
        "already": [(p.row, r.pk) for p, r in matching.already_recorded],
        "without_request": [(p.row, p.award.award_number) for p in matching.without_request],
        "without_payment": [r.pk for r in matching.requests_without_payment],
    }


def writes():
    """What a refused file must leave as it was; the refusal's own events are kept
    (grants.refusals) and not counted here."""
    return (
        LedgerEntry.objects.count(),
        AuditEvent.objects.exclude(action__endswith=".refused").count(),
        list(DrawdownRequest.objects.order_by("pk").values_list("status", flat=True)),
    )


def test_the_dry_run_lists_matches_and_both_kinds_of_leftover_and_writes_nothing(program, requests):
    r = requests
    before = writes()
    matching = record(program, read("asap_payments_pass.csv"), dry_run=True)
    assert summary(matching) == {
        "matched": [
            (2, r["r1"].pk, "10000.00", date(2025, 1, 14)),
            (3, r["r2"].pk, "2500.00", date(2025, 2, 5)),
            (4, r["r3"].pk, "2500.00", date(2025, 2, 6)),
            (5, r["r5"].pk, "4000.00", date(2025, 3, 3)),
        ],
        "already": [],
        # Row 6's $2,500 was settled before any unpaid $2,500 request was made; row 7's
        # award has no request at all.
        "without_request": [(6, "15PJDP-25-GK-00001-MECP"), (7, "15PJDP-25-GK-00002-MECP")],
        "without_payment": [r["r4"].pk],
    }
    assert writes() == before


def test_recording_dates_each_payment_its_settlement_day_in_10a(program, requests):
    r = requests
    matching = record(program, read("asap_payments_pass.csv"))
    assert len(matching.matched) == 4
    paid = DrawdownRequest.objects.get(pk=r["r1"].pk)
    assert (paid.status, paid.paid_by, paid.ledger_entry.effective_date) == (
        "paid",
        program.approver,
        date(2025, 1, 14),
    )
    award = program.award_a
    # SF-425 10a (cash receipts) counts the payment from the day ASAP settled it.
    assert award_balances(award, as_of=date(2025, 1, 13)).drawn == D("0.00")
    assert award_balances(award, as_of=date(2025, 1, 14)).drawn == D("10000.00")
    assert award_balances(award, as_of=date(2025, 2, 5)).drawn == D("12500.00")
    assert award_balances(award, as_of=date(2025, 2, 6)).drawn == D("15000.00")
    # The SF-425 of the quarters around them: none in the first, all three in the second.
    assert compute_sf425(award, period_end=date(2024, 12, 31), is_final=False).lines["10a"] == D(
        "0.00"
    )
    assert compute_sf425(award, period_end=date(2025, 3, 31), is_final=False).lines["10a"] == D(
        "15000.00"
    )
    assert DrawdownRequest.objects.get(pk=r["r4"].pk).status == "approved"
    assert reconcile_award(award) == []
    event = AuditEvent.objects.get(action="budgets.asap_import.recorded")
    assert event.data["recorded"] == [r["r1"].pk, r["r2"].pk, r["r3"].pk, r["r5"].pk]
    assert event.data["without_request"] == [6, 7]
    assert AuditEvent.objects.filter(action="budgets.drawdown.paid").count() == 4


def test_uploading_the_same_file_again_records_nothing(program, requests):
    r = requests
    record(program, read("asap_payments_pass.csv"))
    before = writes()
    matching = record(program, read("asap_payments_pass.csv"))
    assert summary(matching) == {
        "matched": [],
        "already": [(2, r["r1"].pk), (3, r["r2"].pk), (4, r["r3"].pk), (5, r["r5"].pk)],
        "without_request": [(6, "15PJDP-25-GK-00001-MECP"), (7, "15PJDP-25-GK-00002-MECP")],
        "without_payment": [r["r4"].pk],
    }
    assert writes() == before


def test_every_bad_cell_is_named_and_nothing_is_written(program, requests):
    before = writes()
    with pytest.raises(asap_import.ImportRefused) as refused:
        read("asap_payments_fail.csv")
    assert [str(e) for e in refused.value.errors] == [
        "Row 3, column B (Payment date): “13/45/2025” is not a day of the calendar.",
        "Row 4, column A (Award number): “NOT-AN-AWARD” is not a DOJ award number (such as "
        "15PJDP-24-GK-01234-MECP or 2018-MC-FX-K060).",
        "Row 5, column C (Amount): 'abc' is not a number: write digits with an optional $ and "
        "thousands commas, such as $1,234.56.",
        "Row 6, column B (Payment date): the payment date is empty.",
        "Row 6, column C (Amount): the amount must be greater than zero.",
        "Row 7, column B (Payment date): 01/01/2099 is in the future.",
        "Row 7, column C (Amount): 1.234 has more than 2 decimal places.",
    ]
    assert writes() == before


def test_an_unknown_award_number_is_a_payment_without_a_request_not_a_refusal(
    client, program, requests, pin_today
):
    """The file is recorded; the payment no award has is listed with its reason, and the
    approved requests listed as unpaid are those of the awards the file names."""
    r = requests
    content = (
        b"Award number,Payment date,Amount\n"
        b"15PJDP-25-GK-00001-MECP,01/14/2025,10000.00\n"
        b"15PJDP-25-GK-09999-MECP,01/15/2025,750.00\n"
    )
    payments = asap_import.parse_payment_file("asap.csv", content, today=TODAY)
    before = writes()
    matching = record(program, payments, dry_run=True)
    assert [(p.row, r.pk) for p, r in matching.matched] == [(2, r["r1"].pk)]
    assert [(p.row, p.award, p.award_number, p.reason) for p in matching.without_request] == [
        (3, None, "15PJDP-25-GK-09999-MECP", "no award has the number 15PJDP-25-GK-09999-MECP.")
    ]
    # r5 is on the pre-2019 award, which the file does not name.
    assert [d.pk for d in matching.requests_without_payment] == [
        r["r2"].pk,
        r["r3"].pk,
        r["r4"].pk,
    ]
    assert writes() == before
    pin_today(TODAY)
    client.force_login(program.approver)
    url = reverse("budgets:asap_payment_import")
    page = client.post(url, {"file": SimpleUploadedFile("asap.csv", content)}, follow=True)
    text = page.content.decode()
    assert "Payments without a request (1)" in text
    assert "no award has the number 15PJDP-25-GK-09999-MECP." in text
    assert "Approved requests without a payment (3)" in text
    done = client.post(page.redirect_chain[-1][0], follow=True)
    assert "Recorded 1 payment" in done.content.decode()
    assert DrawdownRequest.objects.get(pk=r["r1"].pk).status == "paid"
    event = AuditEvent.objects.get(action="budgets.asap_import.recorded")
    assert event.data["without_request"] == [3]


def test_the_approver_of_a_request_cannot_record_its_payment_a_row_says_so(program, requests):
    r = requests
    mine = ask(program, program.award_a, "60000.00", date(2025, 4, 1), approver=program.approver)
    assert mine.decided_by == program.approver  # above the immediate need: decided by a person
    content = (
        b"Award number,Payment date,Amount\n"
        b"15PJDP-25-GK-00001-MECP,01/14/2025,10000.00\n"
        b"15PJDP-25-GK-00001-MECP,04/02/2025,60000.00\n"
    )
    payments = asap_import.parse_payment_file("asap.csv", content, today=TODAY)
    before = writes()
    with pytest.raises(asap_import.ImportRefused) as refused:
        record(program, payments)
    assert [str(e) for e in refused.value.errors] == [
        "Row 3: You approved this drawdown, so you cannot also record its payment. Drawdown "
        f"request {mine.pk} of award 15PJDP-25-GK-00001-MECP ($60,000.00) must be recorded by "
        "another financial approver."
    ]
    assert writes() == before
    assert DrawdownRequest.objects.get(pk=r["r1"].pk).status == "approved"
    # Another financial approver records the file.
    matching = record(
        program,
        payments,
        actor=factories.make_user("approver_3", groups=[access.FINANCIAL_APPROVER]),
    )
    assert [req.pk for _, req in matching.matched] == [r["r1"].pk, mine.pk]


def test_a_control_number_names_the_request_and_the_services_date_rule_applies(program, requests):
    r = requests
    # The control number names r3 rather than the older r2 of the same amount.
    content = (
        "Award number,Settlement date,Payment amount,ASAP control number\n"
        f"15PJDP-25-GK-00001-MECP,02/07/2025,2500.00,DR-{r['r3'].pk}\n"
    ).encode()
    matching = record(
        program, asap_import.parse_payment_file("asap.csv", content, today=TODAY), dry_run=True
    )
    assert [(p.row, req.pk) for p, req in matching.matched] == [(2, r["r3"].pk)]
    # Named by its control number, a request is matched even when paid before it was
    # made; recording refuses that date, on the row's date cell.
    content = (
        "Award number,Settlement date,Payment amount,ASAP control number\n"
        f"15PJDP-25-GK-00001-MECP,01/15/2025,2500.00,{r['r3'].pk}\n"
    ).encode()
    before = writes()
    with pytest.raises(asap_import.ImportRefused) as refused:
        record(program, asap_import.parse_payment_file("asap.csv", content, today=TODAY))
    assert [str(e) for e in refused.value.errors] == [
        "Row 2, column B (Settlement date): The payment date must fall between the request "
        "and today."
    ]
    assert writes() == before
    assert AuditEvent.objects.filter(action="budgets.drawdown.refused").count() == 1


def test_a_back_dated_payment_must_fit_the_funds_authorized_that_day(program, requests):
    """Paid the day before the award began to be funded (a supplement effective later is
    the real case): 10a may not exceed 10d on the payment's date."""
    with pytest.raises(ValidationError) as raised:
        _check_drawn_within_authorized(program.award_a, D("300000.00"), date(2025, 1, 14))
    assert raised.value.message_dict["paid_on"] == [
        "Paid on 01/14/2025, $300,000.00 is $100,000.00 more than the $200,000.00 of the "
        "funds authorized not yet drawn on award 15PJDP-25-GK-00001-MECP."
    ]


# --- The file itself -------------------------------------------------------------------


def workbook_bytes(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def refusal(name, content):
    with pytest.raises(asap_import.ImportRefused) as refused:
        asap_import.parse_payment_file(name, content, today=TODAY)
    return [str(e) for e in refused.value.errors]


def test_an_xlsx_file_is_read_with_real_dates_and_numbers(program, requests):
    content = workbook_bytes(
        [
            ["Award number", "Payment date", "Amount", "Control number"],
            ["15PJDP-25-GK-00001-MECP", date(2025, 1, 14), 10000, None],
            ["15PJDP-25-GK-00001-MECP", date(2025, 2, 5), 2500.5, requests["r2"].pk],
        ]
    )
    payments = asap_import.parse_payment_file("asap.xlsx", content, today=TODAY)
    assert [(p.row, p.paid_on, p.amount, p.control) for p in payments] == [
        (2, date(2025, 1, 14), D("10000.00"), ""),
        (3, date(2025, 2, 5), D("2500.50"), str(requests["r2"].pk)),
    ]


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("asap.csv", b"", "The file is empty."),
        ("asap.pdf", b"%PDF-1.4", "Upload an .xlsx or .csv file."),
        (
            "asap.xlsx",
            b"Award number,Amount\n",
            "The file is named .xlsx but is text, not a workbook (is it a CSV file? name it .csv).",
        ),
        (
            "asap.csv",
            b"Award number,Payment date,Amount\n15PJDP-25-GK-00001-MECP,2025-01-14,=SUM(1;2)\n",
            "Row 2, column C (Amount): holds a formula; paste values instead.",
        ),
        (
            "asap.csv",
            b"Award,Amount\n",
            "Row 1 must name the columns; missing: Payment date.",
        ),
        (
            "asap.csv",
            b"Award number,Payment date,Amount\n",
            "The file has no payments under its header.",
        ),
    ],
)
def test_unreadable_files_are_refused_with_a_sentence(db, name, content, message):
    assert refusal(name, content) == [message]


def test_a_formula_in_a_workbook_is_refused(db):
    content = workbook_bytes(
        [
            ["Award number", "Payment date", "Amount"],
            ["15PJDP-25-GK-00001-MECP", "2025-01-14", "=1+1"],
        ]
    )
    assert refusal("asap.xlsx", content) == [
        "Row 2, column C (Amount): holds a formula; paste values instead."
    ]


def test_a_zip_bomb_is_refused_before_it_is_parsed(db):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<a>" + b" " * (60 * 1024 * 1024) + b"</a>")
    assert len(out.getvalue()) < 200_000
    assert refusal("asap.xlsx", out.getvalue()) == [
        "The workbook would unpack to more than 50 MB; split it into smaller files."
    ]


def test_a_workbook_declaring_entities_is_refused(db):
    content = workbook_bytes([["Award number", "Payment date", "Amount"]])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + data
            target.writestr(item, data)
    assert refusal("asap.xlsx", out.getvalue()) == [
        "The workbook's part xl/worksheets/sheet1.xml declares a DOCTYPE or entities, which "
        "a spreadsheet does not need; it was not opened."
    ]


def test_reading_stops_at_the_row_limit(db):
    rows = "".join(
        f"15PJDP-25-GK-00001-MECP,2025-01-14,{n}.00\n" for n in range(1, asap_import.MAX_ROWS + 2)
    )
    content = ("Award number,Payment date,Amount\n" + rows).encode()
    assert refusal("asap.csv", content) == [
        "The file has more than 5,000 payments; split it into smaller files."
    ]


# --- The page ----------------------------------------------------------------------------


def test_the_page_shows_the_dry_run_then_records_the_file(client, program, requests, pin_today):
    pin_today(TODAY)
    client.force_login(program.approver)
    url = reverse("budgets:asap_payment_import")
    queue = client.get(reverse("budgets:drawdown_queue"))
    assert url in queue.content.decode()
    with open(FILES / "asap_payments_pass.csv", "rb") as upload:
        page = client.post(url, {"file": upload}, follow=True)
    review = page.redirect_chain[-1][0]
    text = page.content.decode()
    assert "Record 4 payments" in text
    assert "Payments without a request (2)" in text
    assert "Approved requests without a payment (1)" in text
    assert LedgerEntry.objects.count() == 0
    done = client.post(review, follow=True)
    assert "Recorded 4 payments from asap_payments_pass.csv." in done.content.decode()
    assert LedgerEntry.objects.filter(kind="drawdown").count() == 4
    # The recorded file is not kept: posting its review again records nothing more.
    assert client.post(review).status_code == 404
    assert LedgerEntry.objects.filter(kind="drawdown").count() == 4
    # Uploaded again, it has nothing left to record.
    with open(FILES / "asap_payments_pass.csv", "rb") as upload:
        again = client.post(url, {"file": upload}, follow=True)
    assert "Nothing to record" in again.content.decode()


def test_a_file_that_does_not_read_is_refused_on_the_upload_page_and_not_kept(
    client, program, requests
):
    client.force_login(program.approver)
    url = reverse("budgets:asap_payment_import")
    content = b"Award number,Payment date,Amount\n15PJDP-25-GK-00001-MECP,someday,10.00\n"
    page = client.post(url, {"file": SimpleUploadedFile("asap.csv", content)})
    assert page.status_code == 200
    [error] = page.context["errors"]
    assert error.startswith("Row 2, column B (Payment date): ")
    assert KeptUpload.objects.count() == 0


def test_another_approvers_kept_file_is_a_404(client, program, requests, pin_today):
    pin_today(TODAY)
    client.force_login(program.approver)
    with open(FILES / "asap_payments_pass.csv", "rb") as upload:
        page = client.post(reverse("budgets:asap_payment_import"), {"file": upload}, follow=True)
    review = page.redirect_chain[-1][0]
    client.force_login(factories.make_user("approver_3", groups=[access.FINANCIAL_APPROVER]))
    assert client.get(review).status_code == 404
    assert client.post(review).status_code == 404
    assert LedgerEntry.objects.count() == 0


@pytest.mark.parametrize("who", ["officer_a", "auditor", "pm"])
def test_only_financial_approvers_use_the_page(client, program, who):
    client.force_login(getattr(program, who))
    assert client.get(reverse("budgets:asap_payment_import")).status_code == 403


def test_a_file_over_the_size_limit_is_refused_unread(client, program):
    client.force_login(program.approver)
    upload = SimpleUploadedFile("asap.csv", b"x" * (5 * 1024 * 1024 + 1))
    page = client.post(reverse("budgets:asap_payment_import"), {"file": upload})
    assert page.context["errors"] == ["The file is larger than 5 MB; split it into smaller files."]
    assert LedgerEntry.objects.count() == 0
