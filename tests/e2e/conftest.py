"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's
live server.

Playwright's sync API runs an asyncio event loop in this thread, and Django refuses
synchronous database access while one is running ("You cannot call this from an async
context"). The tests only touch the database between browser calls, from this one
thread, so the check is switched off for the browser tests.
"""

import json
import os
import re
from pathlib import Path

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SHOTS = Path("/tmp/shots")
# axe-core, installed from tests/e2e/package-lock.json by `make test` (npm ci).
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
# Each accessibility walk's axe results, one JSON file per test (gitignored).
AXE_RESULTS = Path(__file__).parent / "axe-results"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _shot_name(item) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", item.name)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test, so browser_page can see a failure."""
    report = yield
    setattr(item, f"_report_{report.when}", report)
    return report


@pytest.fixture
def browser_page(request, live_server):
    """A page in a fresh headless Chromium (no cookies shared between tests).

    Playwright is started per test and after the live server's database is set up, and
    stopped before it is flushed: while Playwright runs, Django code in this thread gets
    a different database connection object (Playwright's event loop counts as an async
    context), and the serialized-rollback restore and the flush must use the original.
    """
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} is missing: install Debian's chromium to run the browser tests"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (CI=true: a skipped browser test is not a pass)")
        pytest.skip(message)
    from django.db import connections
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        # axe-core is put into the page as a script of its own, which the app's CSP
        # (no inline script) would refuse: only the accessibility tests bypass it.
        context = browser.new_context(
            viewport={"width": 1280, "height": 900},
            bypass_csp=request.node.get_closest_marker("axe") is not None,
        )
        context.set_default_timeout(10_000)
        page = context.new_page()
        try:
            yield page
        finally:
            report = getattr(request.node, "_report_call", None)
            if report is not None and report.failed and not page.is_closed():
                SHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(
                    path=str(SHOTS / f"{_shot_name(request.node)}-FAILED.png"), full_page=True
                )
            context.close()
            browser.close()
            # Connections the test body opened while Playwright ran.
            connections.close_all()


@pytest.fixture
def live_program(django_db_serialized_rollback, live_server, committed_program):
    """The personas of tests/conftest.py, committed so the live server's thread sees them.

    Transactional tests end by flushing every table, which would take the groups and
    rule values the migrations seed with it; serialized rollback puts them back for the
    next browser test.
    """
    return committed_program


@pytest.fixture
def shot(request):
    """shot(page, "name") saves /tmp/shots/<test>-<n>-<name>.png (full page)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    test = _shot_name(request.node)
    counter = {"n": 0}

    def take(page, name: str) -> Path:
        counter["n"] += 1
        path = SHOTS / f"{test}-{counter['n']:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def password_sign_in(page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, f"{username} could not sign in"


@pytest.fixture
def sign_in(live_server, shot):
    """Sign in through the login page's form, as a person would; the second factor is
    then given to the session (tests/second_factor.py), as for `force_login`. The
    factors' own browser tests are in test_second_factors.py."""
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore

    from tests import factories
    from tests.second_factor import verify_session

    def login(page, username: str, password: str = factories.PASSWORD):
        page.goto(f"{live_server.url}/accounts/login/")
        shot(page, f"login-{username}")
        password_sign_in(page, live_server.url, username, password)
        cookie = next(c for c in page.context.cookies() if c["name"] == "sessionid")
        verify_session(SessionStore(cookie["value"]), User.objects.get(username=username))
        page.goto(f"{live_server.url}/")
        page.wait_for_load_state()
        return page

    return login


@pytest.fixture
def axe(request):
    """axe(page, "name") runs axe-core's WCAG 2.1 A and AA rules on the page as it is and
    returns one line per violation (rule, the elements it found, what is wrong); every
    page's results are saved to tests/e2e/axe-results/<test>.json. The test needs the
    `axe` mark, so that its browser lets the script in."""
    if not AXE.exists():
        message = f"{AXE} is missing: run `npm ci` in tests/e2e (make test does)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (CI=true: a skipped browser test is not a pass)")
        pytest.skip(message)
    assert request.node.get_closest_marker("axe"), "mark the test with pytest.mark.axe"
    results = {}

    def check(page, name: str) -> list[str]:
        page.add_script_tag(path=str(AXE))
        # Every element of each violation, and of the rules that passed or could not
        # decide only their names: the nodes of a large table's passes are most of
        # what axe would otherwise hand back to this process.
        result = page.evaluate(
            """async tags => {
                const found = await axe.run(document, {
                    runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
                });
                return {
                    violations: found.violations,
                    passes: found.passes.length,
                    incomplete: found.incomplete.map(item => item.id),
                };
            }""",
            WCAG_21_AA,
        )
        results[name] = {"url": page.url, **result}
        return [
            f"{violation['id']} ({violation['help']}) at {', '.join(map(str, node['target']))}: "
            f"{node['failureSummary'].replace(chr(10), ' ')}"
            for violation in result["violations"]
            for node in violation["nodes"]
        ]

    yield check
    AXE_RESULTS.mkdir(parents=True, exist_ok=True)
    (AXE_RESULTS / f"{_shot_name(request.node)}.json").write_text(
        json.dumps(results, indent=1, sort_keys=True)
    )
