"""The home page lists what waits for each role, with counts, and nothing of another
task force's (docs/home.md)."""

import re
import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from budgets import ledger
from budgets.modifications import supplement_propose
from grants import access
from grants.amendments import extension_request
from grants.models import Award, Membership
from grants.services import FundingRequest, award_create, hold_place
from reports.models import MEASURES
from reports.services import progress_submit, report_review
from tests import factories
from tests.budgets.ledger_helpers import activate, draw, post
from tests.reports.conftest import submit
from tests.reports.prepared_helpers import fetch_prepared

TODAY = date(2025, 4, 10)
A = "15PJDP-25-GK-00001-MECP"
B = "15PJDP-25-GK-00002-MECP"
DRAFT = "15PJDP-25-GK-00009-MECP"


def _progress(program, award, period_end, actor, today):
    return progress_submit(
        actor=actor,
        award=award,
        period_end=period_end,
        narrative={
            "accomplishments": "Opened 12 investigations.",
            "challenges": "",
            "next_steps": "",
        },
        measures={name: 1 for name, _ in MEASURES},
        today=today,
    )


@pytest.fixture
def work(program, pin_today):
    """Task force A: an active award with $5,000 drawn (held past 10 days) and $2,000
    spent, its 12/31 SF-425 returned, its 12/31 progress report submitted, a hold and an
    extension request. Task force B: an active award with a $300 drawdown waiting for a
    decision and a supplement waiting; a draft award without a budget."""
    pin_today(TODAY)
    gadmin_b = factories.make_user(
        "gadmin_b", memberships=[(program.task_force_b, Membership.Role.GRANT_ADMINISTRATOR)]
    )
    pm_2 = factories.make_user("pm_2", groups=[access.PROGRAM_MANAGER])
    activate(program)
    program.award_b.refresh_from_db()
    for actor, status in (
        (program.pm, Award.Status.OFFERED),
        (gadmin_b, Award.Status.ACCEPTED),
        (program.pm, Award.Status.ACTIVE),
    ):
        from grants.services import award_transition

        program.award_b = award_transition(
            actor=actor,
            award=program.award_b,
            to_status=status,
            terms_accepted=True,
            typed_name="Grant Administrator",
        )
    program.award_a.refresh_from_db()
    draw(program, "5000.00", day=date(2025, 1, 10))
    post(program, "expenditure", "2000.00", day=date(2025, 1, 15), today=TODAY)
    report = submit(program, program.award_a, date(2024, 12, 31), today=date(2025, 1, 20))
    report_review(actor=program.pm, report=report, accept=False, comment="Line 10b is off by $20.")
    _progress(program, program.award_a, date(2024, 12, 31), program.officer_a, date(2025, 1, 25))
    hold_place(actor=program.pm, award=program.award_a, reason="Single audit finding open")
    extension_request(
        actor=program.officer_a,
        award=program.award_a,
        new_end=date(2027, 3, 31),
        reason="Hiring delays",
        today=TODAY,
    )
    program.award_b.drawdowns_need_approval = True
    program.award_b.save(update_fields=["drawdowns_need_approval"])
    ledger.drawdown_request(
        actor=program.officer_b,
        award=program.award_b,
        amount=Decimal("300.00"),
        idempotency_key=uuid.uuid4(),
        today=TODAY,
    )
    supplement_propose(
        actor=pm_2,
        award=program.award_b,
        appropriation=program.appropriation,
        amount=Decimal("10000.00"),
        lines=factories.budget_for(Decimal("210000.00")),
        justification="A second forensic examiner",
        today=TODAY,
    )
    award_create(
        actor=program.pm,
        award_number=DRAFT,
        title="ICAC Task Force Program",
        task_force=program.task_force_b,
        period_start=date(2025, 10, 1),
        period_end=date(2027, 9, 30),
        funding=[FundingRequest(program.appropriation.pk, Decimal("50000.00"))],
    )
    return program


def _page(client, user, url=None):
    client.force_login(user)
    response = client.get(url or reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def _counts(page) -> dict[str, int]:
    return {
        key: int(value) for key, value in re.findall(r'data-testid="count-([a-z-]+)">(\d+)<', page)
    }


def _items(page, testid) -> list[str]:
    """The text of each row or item of one list, tags removed, spaces collapsed."""
    block = re.search(rf'data-testid="list-{testid}">(.*?)</(?:ul|table)>', page, re.S)
    if block is None:
        return []
    body = block.group(1).split("<tbody>")[-1]
    rows = re.findall(r"<(?:li|tr)>(.*?)</(?:li|tr)>", body, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]


def test_the_finance_officer_sees_their_awards_reports_and_holds(client, work):
    page = _page(client, work.officer_a)
    assert _counts(page) == {
        "your-awards": 1,
        "reports-due": 4,
        "returned": 1,
        "holds": 1,
    }
    assert _items(page, "your-awards") == [
        f"{A} Alpha ICAC Task Force, ends 09/30/2026 Ledger · Request a drawdown "
        "$195,000.00 $5,000.00 $2,000.00 of $200,000.00 1.0% spent, 26.3% of the period elapsed"
    ]
    assert _items(page, "reports-due") == [
        f"{A}: SF-425 financial report, period ending 12/31/2024 , due 01/30/2025 "
        "(Returned for correction, 70 days late)",
        f"{A}: SF-425 financial report, period ending 03/31/2025 , due 04/30/2025 "
        "(Open for filing)",
        f"{A}: SF-425 financial report, period ending 06/30/2025 , due 07/30/2025 (Upcoming)",
        f"{A}: progress report, period ending 06/30/2025 , due 07/30/2025 (Upcoming)",
    ]
    assert _items(page, "returned") == [
        f"{A}: SF-425 financial report, period ending 12/31/2024 : “Line 10b is off by $20.”"
    ]
    assert _items(page, "holds") == [f"{A} : Single audit finding open (placed by program staff)"]


def test_the_approver_sees_drawdowns_and_supplements_with_balances(client, work):
    page = _page(client, work.approver)
    assert _counts(page) == {"drawdowns": 1, "supplements": 1}
    assert _items(page, "drawdowns") == [
        f"{B} Bravo ICAC Task Force $300.00 a decision $199,700.00 $0.00"
    ]
    assert _items(page, "supplements") == [
        f"Supplement , requested 04/10/2025 {B} Bravo ICAC Task Force +$10,000.00 $199,700.00 $0.00"
    ]


def test_the_program_manager_sees_what_to_decide_and_review(client, work):
    page = _page(client, work.pm)
    assert _counts(page) == {
        "budget-changes": 1,
        "amendments": 1,
        "to-review": 1,
        "late-reports": 3,
        "excess-cash-list": 1,
        "drafts": 1,
    }
    assert _items(page, "amendments") == [f"{A}: No-cost extension , requested 04/10/2025"]
    assert _items(page, "to-review") == [
        f"{A}: Progress report, period ending 12/31/2024 , submitted 01/25/2025"
    ]
    assert _items(page, "late-reports") == [
        f"{A}: SF-425 financial report, period ending 12/31/2024 (Alpha ICAC Task Force), 70 days late",
        f"{B}: SF-425 financial report, period ending 12/31/2024 (Bravo ICAC Task Force), 70 days late",
        f"{B}: progress report, period ending 12/31/2024 (Bravo ICAC Task Force), 70 days late",
    ]
    assert _items(page, "excess-cash") == [f"{A} (Alpha ICAC Task Force): $5,000.00"]
    assert _items(page, "drafts") == [f"{DRAFT} (Bravo ICAC Task Force): $50,000.00, FY2025"]


def test_the_auditor_sees_the_latest_filings_and_their_downloads(client, work):
    client.force_login(work.auditor)
    download = fetch_prepared(client, reverse("exports:program_workbook"), {"fy": "2025"})
    assert download.status_code == 200
    page = _page(client, work.auditor)
    assert _counts(page) == {"latest-filings": 2}
    assert _items(page, "latest-filings") == [
        f"{A}: Progress report, period ending 12/31/2024 , submitted, submitted 01/25/2025",
        f"{A}: SF-425 financial report, period ending 12/31/2024 , returned for correction, "
        "submitted 01/20/2025",
    ]
    (downloaded,) = _items(page, "downloads")
    assert downloaded.startswith("icac-") or ".xlsx" in downloaded


def test_another_task_forces_work_never_appears(client, work):
    page = _page(client, work.officer_b)
    assert A not in page and "Alpha" not in page
    assert _counts(page)["your-awards"] == 1 and _counts(page)["holds"] == 0
    page = _page(client, work.officer_a)
    assert B not in page and "Bravo" not in page and DRAFT not in page


def test_the_finance_officer_lands_on_the_year_of_their_active_award(client, work):
    # Next year's award offered to task force A: the page still opens on FY2025.
    offered = factories.make_award(
        work.pm,
        task_force=work.task_force_a,
        appropriation=factories.make_appropriation(work.pm, fiscal_year=2026),
        number="15PJDP-26-GK-00010-MECP",
        period_start=date(2025, 10, 1),
        period_end=date(2027, 9, 30),
        today=date(2025, 10, 1),
    )
    from grants.services import award_transition

    award_transition(actor=work.pm, award=offered, to_status=Award.Status.OFFERED)
    page = _page(client, work.officer_a)
    assert '<option value="2025" selected>' in page
    assert _counts(_page(client, work.gadmin_a)) == {"offered": 1}


def _grow(work):
    """More of everything: awards, drawdowns, filings, requests, drafts."""
    for n in range(3):
        award = factories.make_award(
            work.pm,
            task_force=work.task_force_a,
            appropriation=work.appropriation,
            amount="50000.00",
            number=f"15PJDP-25-GK-0002{n}-MECP",
        )
        award = activate(work, award)
        draw(work, "1000.00", award=award, day=date(2025, 1, 10))
        draw(work, "500.00", award=award, paid=False, day=TODAY)
        supplement_propose(
            actor=User.objects.get(username="pm_2"),
            award=award,
            appropriation=work.appropriation,
            amount=Decimal("1000.00"),
            lines=factories.budget_for(Decimal("51000.00")),
            justification="Training travel",
            today=TODAY,
        )
        extension_request(
            actor=work.officer_a,
            award=award,
            new_end=date(2027, 3, 31),
            reason="Hiring delays",
            today=TODAY,
        )
        hold_place(actor=work.pm, award=award, reason=f"Finding {n}")
        _progress(work, award, date(2024, 12, 31), work.officer_a, date(2025, 1, 25))
        award_create(
            actor=work.pm,
            award_number=f"15PJDP-25-GK-0003{n}-MECP",
            title="ICAC Task Force Program",
            task_force=work.task_force_b,
            period_start=date(2025, 10, 1),
            period_end=date(2027, 9, 30),
            funding=[FundingRequest(work.appropriation.pk, Decimal("1000.00"))],
        )


@pytest.mark.parametrize("role", ["officer_a", "approver", "pm", "auditor"])
def test_each_home_page_reads_in_the_same_queries_however_much_waits(
    client, work, role, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = getattr(work, role)
    client.force_login(user)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("home")).status_code == 200
    _grow(work)
    with django_assert_max_num_queries(len(small)):
        page = client.get(reverse("home")).content.decode()
    print(f"{role}: {len(small)} queries")
    if role == "officer_a":
        assert _counts(page)["your-awards"] == 4 and _counts(page)["holds"] == 4
    if role == "approver":
        assert _counts(page) == {"drawdowns": 4, "supplements": 4}
    if role == "pm":
        assert _counts(page)["drafts"] == 4 and _counts(page)["to-review"] == 4


def test_long_request_lists_show_their_oldest_rows_and_count_them_all(client, work, monkeypatch):
    monkeypatch.setattr("reports.worklist.SHOWN_ROWS", 2)
    _grow(work)

    page = _page(client, work.approver)
    assert _counts(page) == {"drawdowns": 4, "supplements": 4}
    assert "Drawdown requests waiting (4)" in page
    # The oldest first: the $300 request of the fixture, then the first grown award's.
    assert [row.split(" a decision")[0] for row in _items(page, "drawdowns")] == [
        f"{B} Bravo ICAC Task Force $300.00",
        "15PJDP-25-GK-00020-MECP Alpha ICAC Task Force $500.00",
    ]
    assert "The 2 oldest are shown." in page
    assert "Decide all 4 in the drawdown queue" in page
    assert len(_items(page, "supplements")) == 2
    assert "Supplements waiting (4)" in page

    page = _page(client, work.pm)
    assert _counts(page)["budget-changes"] == 4
    assert len(_items(page, "budget-changes")) == 2
    assert "All 4 budget changes waiting" in page
