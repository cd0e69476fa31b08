"""The API's permission matrix: every endpoint, every method, every persona, the exact
status, as the pages' matrix (tests/test_permissions.py). Objects belong to task force A;
task force B's finance officer is the finance officer of another task force."""

import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.urls import URLPattern, get_resolver, reverse

from api.problems import PROBLEM_JSON
from budgets.models import DrawdownRequest
from reports.models import MEASURES
from reports.services import progress_draft_save, progress_submit
from tests.api.helpers import bearer
from tests.budgets.ledger_helpers import activate, post

PERSONAS = ["anonymous", "officer_a", "officer_b", "gadmin_a", "pm", "approver", "auditor"]
UNAUTHENTICATED = 401
NOT_ALLOWED = 405


def row(anonymous, officer_a, officer_b, gadmin_a, pm, approver, auditor):
    return dict(
        zip(
            PERSONAS,
            (anonymous, officer_a, officer_b, gadmin_a, pm, approver, auditor),
            strict=True,
        )
    )


def reads(*codes):
    """GET answers `codes`; any write is refused: 401 for nobody, 405 for a person."""
    return {
        "GET": row(UNAUTHENTICATED, *codes),
        "POST": row(UNAUTHENTICATED, *[NOT_ALLOWED] * 6),
        "PUT": row(UNAUTHENTICATED, *[NOT_ALLOWED] * 6),
        "DELETE": row(UNAUTHENTICATED, *[NOT_ALLOWED] * 6),
    }


def writes(*codes):
    """POST (a valid body with a new Idempotency-Key) answers `codes`; GET, PUT and DELETE
    are refused: 401 for nobody, 405 for a person."""
    return {
        "GET": row(UNAUTHENTICATED, *[NOT_ALLOWED] * 6),
        "POST": row(UNAUTHENTICATED, *codes),
        "PUT": row(UNAUTHENTICATED, *[NOT_ALLOWED] * 6),
        "DELETE": row(UNAUTHENTICATED, *[NOT_ALLOWED] * 6),
    }


# Task force A's finance officer writes; B's does not find A's objects; others may read but
# not write.
WRITTEN_BY_OFFICER_A = (201, 404, 403, 403, 403, 403)

EVERYONE = (200, 200, 200, 200, 200, 200)
TASK_FORCE_A = (200, 404, 200, 200, 200, 200)

MATRIX = {
    "api:task_forces": reads(*EVERYONE),
    "api:task_force": reads(*TASK_FORCE_A),
    # Program-level records, as on the pages: a 403 list and a 404 record for task-force staff.
    "api:appropriations": reads(403, 403, 403, 200, 200, 200),
    "api:appropriation": reads(404, 404, 404, 200, 200, 200),
    "api:awards": reads(*EVERYONE),
    "api:award": reads(*TASK_FORCE_A),
    "api:award_balances": reads(*TASK_FORCE_A),
    "api:award_ledger": {
        **reads(*TASK_FORCE_A),
        "POST": row(UNAUTHENTICATED, *WRITTEN_BY_OFFICER_A),
    },
    "api:award_drawdown_create": writes(*WRITTEN_BY_OFFICER_A),
    "api:entry_reversal": writes(*WRITTEN_BY_OFFICER_A),
    "api:award_terms": reads(*TASK_FORCE_A),
    "api:award_sf425": reads(*TASK_FORCE_A),
    # Progress reports are filed by the task force's staff: finance officers and grant
    # administrators.
    "api:award_progress_filing": writes(201, 404, 201, 403, 403, 403),
    # Its draft: read by whoever reads the award, replaced (200: one is saved) by those who
    # file the report.
    "api:award_progress_draft": {
        **reads(*TASK_FORCE_A),
        "PUT": row(UNAUTHENTICATED, 200, 404, 200, 403, 403, 403),
    },
    "api:reports_due": reads(*EVERYONE),
    "api:progress_reports": reads(*EVERYONE),
    "api:progress_report": reads(*TASK_FORCE_A),
    "api:drawdowns": reads(*EVERYONE),
    "api:drawdown": reads(*TASK_FORCE_A),
    # The schema and its docs are public: they describe the API, not the program's data.
    "api:schema": {"GET": row(*[200] * 7), "POST": row(*[NOT_ALLOWED] * 7)},
    "api:docs": {"GET": row(*[200] * 7), "POST": row(*[NOT_ALLOWED] * 7)},
    # Any other path under /api/v1/ does not exist, for anyone, whatever the method.
    "api:unknown": {"GET": row(*[404] * 7), "POST": row(*[404] * 7)},
}


def api_url(name: str, program) -> str:
    award = program.award_a.award_number
    if name == "api:task_force":
        return reverse(name, args=[program.task_force_a.code])
    if name == "api:appropriation":
        return reverse(name, args=[program.appropriation.pk])
    if name in (
        "api:award",
        "api:award_balances",
        "api:award_ledger",
        "api:award_drawdown_create",
        "api:award_terms",
    ):
        return reverse(name, args=[award])
    if name in ("api:award_sf425", "api:award_progress_filing"):
        return reverse(name, args=[award, "2024-12-31"])
    if name == "api:award_progress_draft":
        progress_draft_save(
            actor=program.officer_a,
            award=program.award_a,
            period_end=date(2024, 12, 31),
            data={"accomplishments": "Opened 12 investigations."},
        )
        return reverse(name, args=[award, "2024-12-31"])
    if name == "api:progress_report":
        return reverse(name, args=[file_progress(program).pk])
    if name == "api:drawdown":
        drawdown = DrawdownRequest.objects.create(
            award=program.award_a,
            amount=Decimal("5.00"),
            requested_on=date(2025, 1, 10),
            requested_by=program.officer_a,
            idempotency_key=uuid.uuid4(),
        )
        return reverse(name, args=[drawdown.pk])
    if name == "api:entry_reversal":
        return reverse(name, args=[post(program, "obligation", "100.00").pk])
    if name == "api:unknown":
        return "/api/v1/grants/"
    return reverse(name)


def file_progress(program):
    return progress_submit(
        actor=program.officer_a,
        award=program.award_a,
        period_end=date(2024, 12, 31),
        narrative={"accomplishments": "Opened 12 investigations."},
        measures={name: 3 for name, _ in MEASURES},
        today=date(2025, 1, 20),
    )


WRITE_BODIES = {
    "api:award_ledger": {
        "kind": "obligation",
        "amount": "250.00",
        "effective_date": "2025-01-15",
        "category": "A",
    },
    "api:award_drawdown_create": {"amount": "10.00"},
    "api:entry_reversal": {"reason": "Entered in error"},
    "api:award_progress_filing": {
        "accomplishments": "Opened 12 investigations.",
        **{name: 3 for name, _ in MEASURES},
    },
    "api:award_progress_draft": {"accomplishments": "Opened 13 investigations.", "arrests": 2},
}


def test_every_api_url_is_in_the_matrix():
    resolver = next(p for p in get_resolver().url_patterns if getattr(p, "namespace", "") == "api")
    names = {f"api:{p.name}" for p in resolver.url_patterns if isinstance(p, URLPattern)}
    assert names == set(MATRIX)


CASES = [
    (name, method, persona, code)
    for name, methods in MATRIX.items()
    for method, row_ in methods.items()
    for persona, code in row_.items()
]


@pytest.mark.parametrize(
    "name, method, persona, expected", CASES, ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in CASES]
)
def test_api_permission_matrix(client, program, name, method, persona, expected):
    headers = {} if persona == "anonymous" else bearer(getattr(program, persona))
    activate(program)
    url = api_url(name, program)
    if method in ("POST", "PUT") and name in WRITE_BODIES:
        headers["HTTP_IDEMPOTENCY_KEY"] = str(uuid.uuid4())
        send = getattr(client, method.lower())
        response = send(url, WRITE_BODIES[name], content_type="application/json", **headers)
    else:
        response = getattr(client, method.lower())(url, **headers)
    assert response.status_code == expected, f"{persona} {method} {url}"
    if expected >= 400 and name not in ("api:schema", "api:docs"):
        assert response["Content-Type"] == PROBLEM_JSON
        assert response.json()["status"] == expected


def test_a_signed_in_browser_reads_the_api_with_its_session(client, program):
    client.force_login(program.officer_a)
    assert client.get(reverse("api:award", args=[program.award_a.award_number])).status_code == 200
    assert client.get(reverse("api:award", args=[program.award_b.award_number])).status_code == 404


def test_another_task_force_is_not_listed(client, program):
    headers = bearer(program.officer_b)
    awards = client.get(reverse("api:awards"), **headers).json()["results"]
    assert [a["award_number"] for a in awards] == [program.award_b.award_number]
    task_forces = client.get(reverse("api:task_forces"), **headers).json()["results"]
    assert [t["code"] for t in task_forces] == [program.task_force_b.code]
    drawdown_url = api_url("api:drawdown", program)
    assert client.get(reverse("api:drawdowns"), **headers).json()["results"] == []
    assert client.get(drawdown_url, **headers).status_code == 404


def test_a_path_missing_its_slash_is_a_404_problem_that_says_so(client, program):
    response = client.get("/api/v1/awards", **bearer(program.pm))
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM_JSON
    assert response.json()["detail"] == (
        "No such API endpoint: /api/v1/awards. Paths end with a slash: /api/v1/awards/"
    )
