"""Every page of the permission matrix, for every persona it answers with a 200, has no
violation of axe-core's WCAG 2.1 A and AA rules (tags wcag2a, wcag2aa, wcag21a,
wcag21aa): contrast, names of fields and buttons, landmarks, unique ids, table headers.

The records and pages are those of the width walk (tests/e2e/matrix_pages.py). The
results of each page are saved to tests/e2e/axe-results/.
"""

import pytest

from tests.e2e.matrix_pages import open_page, pages_by_persona, sign_in_as, waiting_for_decisions
from tests.reports.report_type_helpers import declare_amendment_reports

pytestmark = [pytest.mark.e2e, pytest.mark.axe]


def test_every_page_has_no_wcag_21_aa_violation(
    live_program, live_server, browser_page, axe, monkeypatch
):
    program = live_program
    declare_amendment_reports(monkeypatch)
    pages = pages_by_persona(program, waiting_for_decisions(program))
    page = browser_page
    problems, seen = [], 0
    for persona, named_urls in pages.items():
        sign_in_as(page, live_server.url, persona, program)
        for name, url in named_urls:
            response = open_page(page, f"{live_server.url}{url}")
            if response is None:
                continue
            assert response.status == 200, f"{persona} {url}: {response.status}"
            seen += 1
            problems += [f"{persona} {url}: {line}" for line in axe(page, f"{persona} {name}")]
    assert seen > 50  # every persona's pages
    assert not problems, f"{len(problems)} violations:\n" + "\n".join(problems)
