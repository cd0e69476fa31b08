"""The pages of the permission matrix (tests/test_permissions.py) that each persona
opens with a 200, with the records that fill the tables people act from: what the walks
over every page (width, accessibility) go through.
"""

import uuid
from datetime import date
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError

from budgets import ledger
from grants.models import Amendment, Award
from grants.services import award_transition
from tests import factories
from tests.allocations.helpers import make_run, program_run
from tests.test_permissions import (
    DOCUMENT_PAGES,
    MATRIX,
    PERSONAS,
    SHARED_REPORT_PAGES,
    url_with_its_record,
)

# The walks look at rendered pages, which do not depend on the database: the permission
# matrix (tests/test_permissions.py) asks for every URL as every persona on both
# databases, and the browser walks them on SQLite only, which keeps the suite's time.
walked_on_sqlite_only = pytest.mark.skipif(
    "postgresql" in settings.DATABASES["default"]["ENGINE"],
    reason="the browser walks of every page run on SQLite; the permission matrix covers "
    "every URL on PostgreSQL",
)

# What is downloaded rather than shown (files, the calendar feed) is not a page; other
# downloads are recognised when the browser starts saving them. A filed report's page
# of a type without its own (reports:report_html) is the document page every PDF's
# page shares, walked with those.
NOT_PAGES = ("reports:report_pdf", "reports:report_html", "reports:calendar_feed", "logout")


def pages_by_persona(program, run) -> dict[str, list[tuple[str, str]]]:
    """(name, URL) of each page of the matrix that answers the persona with a 200."""
    names = sorted(
        name
        for (name, method), statuses in MATRIX.items()
        if method == "GET"
        and 200 in statuses.values()
        and (not name.startswith("exports:") or name in DOCUMENT_PAGES)
        and name not in NOT_PAGES
    )
    urls = {}
    for name in names:
        if name in SHARED_REPORT_PAGES or name == "exports:amendment_html":
            continue  # after the budget change below, whose amendment they are about
        if name == "allocations:run_detail":
            urls[name] = reverse(name, args=[run.pk])
        else:
            urls[name] = url_with_its_record(name, program)
    for name in SHARED_REPORT_PAGES:
        if name in urls or name not in names:
            continue
        # The budget change's amendment (requested 01/06/2025) is what this report is of.
        urls[name] = reverse(name, args=[program.award_a.award_number, "amendment", "2025-01-06"])
    if "exports:amendment_html" in names:
        urls["exports:amendment_html"] = reverse(
            "exports:amendment_html", args=[program.award_a.award_number, 1]
        )
    return {
        persona: [
            (name, urls[name])
            for name in names
            if MATRIX[(name, "GET")][persona] == 200
            # The sign-in page once, as nobody.
            and (name != "login" or persona == "anonymous")
        ]
        for persona in PERSONAS
    }


def waiting_for_decisions(program):
    """Task force A's second award, active, with a drawdown waiting for the approver and
    a no-cost extension waiting for the program manager; two scenarios to compare (the
    first is returned)."""
    award = factories.make_award(
        program.pm,
        task_force=program.task_force_a,
        appropriation=program.appropriation,
        amount="100000.00",
        number="15PJDP-25-GK-00003-MECP",
    )
    award = award_transition(actor=program.pm, award=award, to_status=Award.Status.OFFERED)
    award = award_transition(
        actor=program.gadmin_a,
        award=award,
        to_status=Award.Status.ACCEPTED,
        terms_accepted=True,
        typed_name="Gail Admin",
    )
    award = award_transition(actor=program.pm, award=award, to_status=Award.Status.ACTIVE)
    Award.objects.filter(pk=award.pk).update(drawdowns_need_approval=True)
    award.refresh_from_db()
    ledger.drawdown_request(
        actor=program.officer_a,
        award=award,
        amount=Decimal("2500.00"),
        idempotency_key=uuid.uuid4(),
    )
    Amendment.objects.create(
        award=award,
        number=1,
        kind="no_cost_extension",
        description="The forensic lab's backlog delayed two trials into the spring",
        requested_on=date(2025, 1, 6),
        requested_by=program.gadmin_a,
        period_end_before=award.period_end,
        period_end_after=date(2027, 3, 31),
    )
    run = program_run(program)
    make_run(program.pm, program.appropriation, name="All formula", formula_pct=Decimal("100"))
    return run


def sign_in_as(page, base: str, persona: str, program):
    """Sign in through the login page; the second factor is then given to the session
    (tests/second_factor.py), as the sign_in fixture does: without it every page would
    be the second factor's enrolment."""
    from django.contrib.sessions.backends.db import SessionStore

    from tests.second_factor import verify_session

    page.context.clear_cookies()
    if persona == "anonymous":
        return
    user = getattr(program, persona)
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, f"{persona} could not sign in"
    cookie = next(c for c in page.context.cookies() if c["name"] == "sessionid")
    verify_session(SessionStore(cookie["value"]), user)


def open_page(page, url: str):
    """The response of the page at url, or None when the URL is a download. The page
    must be the one asked for, not a page it redirected to (the sign-in, the second
    factor)."""
    try:
        response = page.goto(url)
    except PlaywrightError as error:
        if "Download is starting" in str(error):
            return None  # a file (a template, a workbook), not a page
        raise
    asked, shown = urlsplit(url).path, urlsplit(page.url).path
    assert shown == asked, f"{url} showed {page.url}"
    return response
