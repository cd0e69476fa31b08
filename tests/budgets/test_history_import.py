"""History import (docs/rules/award-lifecycle-and-budgets.md#past-awards): past awards
made closed by the services, with their final figures on the ledger and their unspent
balance given back to the appropriation; all or nothing, and nothing twice."""

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook

from budgets import history_import
from budgets.balances import award_balances
from budgets.models import LedgerEntry
from grants import access
from grants.audit import AuditEvent
from grants.models import Amendment, Award, FundingReturn
from grants.selectors import money_chain
from reports.sf425 import compute_sf425
from tests import factories

D = Decimal
FILES = Path(__file__).parent / "files"
TODAY = date(2025, 6, 30)


@pytest.fixture
def years(program):
    return {
        1998: factories.make_appropriation(
            program.pm, fiscal_year=1998, amount="25000000.00", set_aside="0"
        ),
        2003: factories.make_appropriation(
            program.pm, fiscal_year=2003, amount="1000000.00", set_aside="0"
        ),
    }


def read(name: str):
    return history_import.parse_history_file(name, (FILES / name).read_bytes())


def run(program, awards, *, dry_run=False, actor=None):
    return history_import.import_history(
        actor=actor or program.pm,
        awards=awards,
        filename="history.csv",
        dry_run=dry_run,
        today=TODAY,
    )


def writes():
    """What a refused file must leave as it was; the refusal's own events are kept
    (grants.refusals) and not counted here."""
    return (
        Award.objects.count(),
        LedgerEntry.objects.count(),
        AuditEvent.objects.exclude(action__endswith=".refused").count(),
        FundingReturn.objects.count(),
        Amendment.objects.count(),
    )


def test_the_dry_run_lists_the_awards_and_writes_nothing(program, years):
    before = writes()
    result = run(program, read("history_pass.csv"), dry_run=True)
    assert [(p.row, p.award_number) for p in result.imported] == [
        (2, "98-MC-CX-K001"),
        (3, "1998-MC-CX-K002"),
        (4, "2003-MC-CX-K010"),
    ]
    assert result.already_imported == []
    assert writes() == before


def test_the_import_makes_closed_awards_with_their_exact_figures(program, years):
    run(program, read("history_pass.csv"))
    award = Award.objects.get(award_number="98-MC-CX-K001")
    assert (award.status, award.fiscal_year, award.task_force, award.period_end) == (
        "closed",
        1998,
        program.task_force_a,
        date(2000, 9, 30),
    )
    # The award's amount after the deobligation at closeout is what it spent.
    assert award.federal_amount == D("1423456.78")
    assert [(f.appropriation, f.amount) for f in award.funding_lines.all()] == [
        (years[1998], D("1500000.00"))
    ]
    end = award_balances(award, as_of=date(2000, 9, 30))
    assert (end.drawn, end.disbursed, end.federal_expenditures, end.cash_on_hand) == (
        D("1423456.78"),
        D("1423456.78"),
        D("1423456.78"),
        D("0.00"),
    )
    assert (end.authorized, end.unobligated) == (D("1423456.78"), D("0.00"))
    # Nothing before the period's last day: the figures are final figures.
    assert award_balances(award, as_of=date(2000, 9, 29)).drawn == D("0.00")
    sf425 = compute_sf425(award, period_end=date(2000, 9, 30), is_final=True).lines
    assert (sf425["10a"], sf425["10b"], sf425["10d"], sf425["10e"], sf425["10h"]) == (
        D("1423456.78"),
        D("1423456.78"),
        D("1423456.78"),
        D("1423456.78"),
        D("0.00"),
    )
    spent_all = Award.objects.get(award_number="1998-MC-CX-K002")
    assert (spent_all.status, spent_all.task_force, spent_all.federal_amount) == (
        "closed",
        program.task_force_b,
        D("500000.00"),
    )
    assert not spent_all.amendments.exists()  # nothing left to deobligate
    # The money chain: appropriated -> awarded -> deobligated, by the appropriation's year.
    chain = money_chain(user=program.pm, fiscal_year=1998)
    assert (chain.appropriated, chain.awarded, chain.deobligated) == (
        D("25000000.00"),
        D("2000000.00"),
        D("76543.22"),
    )
    chain = money_chain(user=program.pm, fiscal_year=2003)
    assert (chain.awarded, chain.deobligated) == (D("300000.00"), D("50000.00"))
    call_command("check_ledgers")
    event = AuditEvent.objects.get(action="budgets.history_import.imported")
    assert event.data["imported"] == ["98-MC-CX-K001", "1998-MC-CX-K002", "2003-MC-CX-K010"]
    assert AuditEvent.objects.filter(action="grants.award.closed").count() == 3


def test_importing_the_same_file_again_writes_nothing(program, years):
    run(program, read("history_pass.csv"))
    before = writes()
    result = run(program, read("history_pass.csv"))
    assert result.imported == []
    assert [p.award_number for p in result.already_imported] == [
        "98-MC-CX-K001",
        "1998-MC-CX-K002",
        "2003-MC-CX-K010",
    ]
    assert writes() == before


def test_an_award_number_present_with_other_figures_is_an_error(program, years):
    run(program, read("history_pass.csv"))
    content = (
        b"Award number,Recipient,Fiscal year,Period start,Period end,Federal amount,"
        b"Final federal expenditures,Deobligated\n"
        b"98-MC-CX-K001,md-bravo,1998,10/01/1998,09/30/2000,1500000.00,1500000.00,0\n"
    )
    before = writes()
    with pytest.raises(history_import.ImportRefused) as refused:
        run(program, history_import.parse_history_file("h.csv", content))
    assert [str(e) for e in refused.value.errors] == [
        "Row 2, column A (Award number): award 98-MC-CX-K001 is already recorded with other "
        "figures: task force va-alpha (the file says md-bravo); final federal expenditures "
        "$1,423,456.78 (the file says $1,500,000.00); deobligated $76,543.22 (the file says "
        "$0.00)."
    ]
    assert writes() == before


def test_every_bad_cell_is_named_and_nothing_is_written(program, years):
    before = writes()
    with pytest.raises(history_import.ImportRefused) as refused:
        read("history_fail.csv")
    assert [str(e) for e in refused.value.errors] == [
        "Row 2, column C (Fiscal year): FY1999 is not the year award number 98-MC-CX-K001 "
        "names (FY1998).",
        "Row 2, column I (Deobligated): final federal expenditures $1,400,000.00 plus "
        "deobligated $50,000.00 is $1,450,000.00, not the federal amount $1,500,000.00: a "
        "closed award spent or gave back every dollar.",
        "Row 3, column A (Award number): “BAD-NUMBER” is not a DOJ award number (such as "
        "15PJDP-24-GK-01234-MECP, 2018-MC-FX-K060 or 98-MC-CX-K003).",
        "Row 3, column B (Recipient): no task force has the code or name “nowhere”, nor a lead "
        "agency of that name.",
        "Row 3, column D (Period start): “13/01/1998” is not a day of the calendar.",
        "Row 3, column F (Federal amount): 'abc' is not a number: write digits with an "
        "optional $ and thousands commas, such as $1,234.56.",
        "Row 3, column H (Final federal expenditures): the amount must be zero or more.",
        "Row 4, column E (Period end): the period ends before it starts.",
        "Row 4, column G (Appropriation): no FY2001 appropriation is recorded; a program "
        "manager records it on the Appropriations page before the import.",
        "Row 5, column F (Federal amount): the federal amount is empty.",
        "Row 5, column A (Award number): 98-MC-CX-K001 appears again (first on row 2).",
    ]
    assert writes() == before


def test_the_services_rules_refuse_a_row_and_nothing_is_written(program, years):
    """An award larger than what is left of its appropriation: the funding rule's own
    message, on the row's appropriation cell (here the fiscal year's, the file having no
    appropriation column)."""
    content = (
        b"Award number,Recipient,Fiscal year,Period start,Period end,Federal amount,"
        b"Final federal expenditures,Deobligated\n"
        b"2003-MC-CX-K011,va-alpha,2003,10/01/2003,09/30/2005,600000.00,600000.00,0\n"
        b"2003-MC-CX-K012,va-alpha,2003,10/01/2003,09/30/2005,600000.00,600000.00,0\n"
    )
    before = writes()
    with pytest.raises(history_import.ImportRefused) as refused:
        run(program, history_import.parse_history_file("h.csv", content))
    errors = [str(e) for e in refused.value.errors]
    assert len(errors) == 1
    assert errors[0].startswith("Row 3, column C (Fiscal year): ")
    assert "$600,000.00" in errors[0]
    assert writes() == before
    [refusal] = AuditEvent.objects.filter(action="grants.award.refused")
    assert (refusal.actor, refusal.data["attempted"]) == (program.pm, "create")


def test_only_program_managers_import_history(program, years):
    with pytest.raises(Exception) as raised:
        run(program, read("history_pass.csv"), actor=program.approver)
    assert str(raised.value) == "Only a program manager imports past awards."


def test_the_page_shows_the_dry_run_then_imports(client, program, years, pin_today):
    pin_today(TODAY)
    client.force_login(program.pm)
    url = reverse("budgets:history_import")
    with open(FILES / "history_pass.csv", "rb") as upload:
        page = client.post(url, {"file": upload}, follow=True)
    review = page.redirect_chain[-1][0]
    text = page.content.decode()
    assert "Import 3 awards" in text
    assert Award.objects.filter(status="closed").count() == 0
    # The kept file is its uploader's alone.
    other = factories.make_user("pm_2", groups=[access.PROGRAM_MANAGER])
    client.force_login(other)
    assert client.post(review).status_code == 404
    assert Award.objects.filter(status="closed").count() == 0
    client.force_login(program.pm)
    done = client.post(review, follow=True)
    assert "Imported 3 past awards from history_pass.csv." in done.content.decode()
    assert Award.objects.filter(status="closed").count() == 3
    assert client.get(review).status_code == 404  # imported, so no longer kept


@pytest.mark.parametrize("who", ["officer_a", "auditor", "approver"])
def test_only_program_managers_use_the_page(client, program, who):
    client.force_login(getattr(program, who))
    assert client.get(reverse("budgets:history_import")).status_code == 403


def test_an_xlsx_file_is_read_with_real_dates_and_numbers(program, years):
    book = Workbook()
    sheet = book.active
    sheet.append(
        [
            "Award number",
            "Task force code",
            "FY",
            "Period start",
            "Period end",
            "Award amount",
            "Drawn",
            "Deobligated at close",
        ]
    )
    sheet.append(
        [
            "98-MC-CX-K009",
            "md-bravo",
            1998,
            date(1998, 10, 1),
            date(2000, 9, 30),
            1000,
            999.99,
            0.01,
        ]
    )
    out = io.BytesIO()
    book.save(out)
    (past,) = history_import.parse_history_file("history.xlsx", out.getvalue())
    assert (
        past.award_number,
        past.task_force,
        past.period_start,
        past.federal_amount,
        past.expended,
        past.deobligated,
        past.appropriation,
    ) == (
        "98-MC-CX-K009",
        program.task_force_b,
        date(1998, 10, 1),
        D("1000.00"),
        D("999.99"),
        D("0.01"),
        years[1998],
    )


def test_the_final_figures_are_an_audit_event_of_their_own_dated_by_the_import(program, years):
    run(program, read("history_pass.csv"))
    award = Award.objects.get(award_number="1998-MC-CX-K002")
    event = AuditEvent.objects.get(action="budgets.ledger.final_figures_posted", object_id=award.pk)
    assert event.actor == program.pm
    assert event.data["after"] == {
        "drawn": "500000.00",
        "expended": "500000.00",
        "paid": "500000.00",
        "on": "2000-09-30",
    }
    assert event.data["today"] == str(TODAY)
    assert len(event.data["entries"]) == 3
