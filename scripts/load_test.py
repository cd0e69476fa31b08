"""Load test: many people using a running server at once, as they would.

Run by hand (pytest does not collect it) against a server in the production
configuration (DEBUG off, gunicorn.conf.py, as `make serve` runs it) behind the TLS proxy
docs/deploy.md describes: the script plays the proxy too, sending `Host` (the host name
in DJANGO_ALLOWED_HOSTS) and `X-Forwarded-Proto: https`, so the server runs with
DJANGO_BEHIND_PROXY=1 and keeps its HTTPS redirect, secure cookies and CSRF origin checks.
The server, the worker and the script share one environment (the script reads the
relying party id and origin of the passkeys from the same settings the server does):

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/icac
    DJANGO_DEBUG=1 .venv/bin/python manage.py migrate
    DJANGO_DEBUG=1 .venv/bin/python manage.py load_demo
    export DJANGO_DEBUG=0 DJANGO_SECRET_KEY=load-test-$(openssl rand -hex 24) \
        DJANGO_ALLOWED_HOSTS=localhost DJANGO_BEHIND_PROXY=1
    .venv/bin/python manage.py collectstatic --noinput --verbosity 0   # as make serve does
    .venv/bin/gunicorn --config gunicorn.conf.py &
    nice -n 10 .venv/bin/python manage.py db_worker --no-reload --queue-name large &   # docs/operations.md
    nice -n 10 .venv/bin/python manage.py db_worker --no-reload --queue-name default &
    .venv/bin/python scripts/load_test.py --users 50 --duration 300

(DJANGO_ALLOWED_HOSTS=localhost gives the passkeys relying party "localhost" and origin
https://localhost; DJANGO_WEBAUTHN_RP_ID and DJANGO_WEBAUTHN_ORIGINS set them apart.)

It runs only against a demo database: one where `load_demo` made the account `pm` with
the demo's public password (no production database has it), and refuses any other, since
the accounts it makes sign in with that same public password.

First it makes one account per simulated person (load.officer.N, load.approver.N,
load.auditor.N: finance officers spread over the task forces with an active award,
financial approvers, auditors), each with the demo's password. Finance officers get an
authenticator app of their own (a random secret per account), as their role allows;
approvers and auditors, whose role takes only a passkey, get a new passkey each run
(tests/soft_passkey.py: a P-256 key held in this process, its public key registered in
the database). No two people share an account. Then each person signs in over HTTP as a
browser would, with the password and then the code or the passkey (the second-factor
page's begin and complete requests, the answer signed in this process), and until the
time is up:

- a finance officer opens an award's ledger, records an expenditure of a few dollars in
  the award's largest budget category, or asks for a drawdown of a few dollars;
- a financial approver opens the dashboard, the awards, an award's page and the
  drawdown queue, and approves the first request waiting there;
- an auditor opens the dashboard and the awards, asks for a task force's ledger (CSV),
  its evidence pack or a fiscal year's workbook through My downloads, follows the
  page until the worker has written it (taking the same file being written for someone
  else, when the page offers it), and fetches the file.

The people arrive over 30 s (--ramp); each waits 0.5-1.5 s between steps (--think).
Approvals ask for the passkey again after DJANGO_MFA_STEP_UP_MINUTES (15), which this
script does not answer: keep --duration under that. It prints, per kind of request, how many, the 50th/95th/99th
percentile of the time to the full answer, and the errors (a 5xx, a refused connection,
an answer no person should get); refusals a person would be told about (an amount over
the budget, a request already decided) are counted apart, and how many sessions each
second factor verified, from the audit trail. Last it runs `manage.py check_ledgers` on
the database and prints what it says, and deactivates the load accounts (is_active off,
even when the run fails or is interrupted); the next run turns them on again.
"""

import argparse
import html
import http.client
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

PASSKEY_CONFIG = re.compile(
    r'<script id="otp_webauthn_config" type="application/json">(.*?)</script>'
)
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PAGE_REFRESH = re.compile(r'<meta http-equiv="refresh" content="(\d+)">')
IDEMPOTENCY = re.compile(r'name="idempotency_key" value="([^"]+)"')
APPROVE = re.compile(r'action="(/drawdowns/\d+/approve/)"')
TIMEOUT = 60


# --- The accounts ----------------------------------------------------------------------


@dataclass
class Person:
    role: str  # officer, approver, auditor
    username: str
    awards: list[tuple[str, str, date]] = field(default_factory=list)  # number, category, day
    task_forces: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    app_key: str = ""  # the authenticator app's secret (hex), finance officers
    passkey: object | None = None  # a SoftPasskey  # approvers and auditors


APP_NAME = "Load test authenticator app"
PASSKEY_NAME = "Load test passkey"


LOAD_USERNAMES = r"^load\.(officer|approver|auditor)\.[0-9]+$"


def refuse_unless_demo_database() -> None:
    """Exit unless DATABASE_URL names a demo database: the accounts made here take the
    demo's public password, and approvers and auditors see every task force."""
    import django

    django.setup()
    from django.contrib.auth.models import User

    from demo.management.commands.load_demo import DEMO_PASSWORD

    demo = User.objects.filter(username="pm").first()
    if demo is None or not demo.check_password(DEMO_PASSWORD):
        sys.exit(
            "Refusing to run: this is not a demo database (no account 'pm' with the demo's "
            "password, as manage.py load_demo makes). The load test makes accounts with the "
            "public demo password; run it only against a database loaded with load_demo."
        )


def deactivate_people() -> int:
    """Turn off every load account, so none is left able to sign in with the demo's
    password between runs, and withdraw the files they asked for that are not written
    yet, so the next run's people do not wait behind them; how many accounts."""
    from django.contrib.auth.models import User
    from django.utils import timezone

    from reports.models import PreparedDownload

    PreparedDownload.objects.filter(
        owner__username__regex=LOAD_USERNAMES,
        status__in=(PreparedDownload.Status.QUEUED, PreparedDownload.Status.RUNNING),
    ).update(
        status=PreparedDownload.Status.FAILED,
        error="The load test ended before this file was written.",
        finished_at=timezone.now(),
    )
    return User.objects.filter(username__regex=LOAD_USERNAMES).update(is_active=False)


def make_people(count: int) -> tuple[list[Person], str]:
    """One account per simulated person (made once, kept off between runs)."""
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group, User
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from django_otp_webauthn.models import WebAuthnCredential

    from demo.management.commands.load_demo import DEMO_PASSWORD
    from grants import access
    from grants.models import Award, Membership
    from tests.soft_passkey import SoftPasskey

    rp_id, origins = settings.OTP_WEBAUTHN_RP_ID, settings.OTP_WEBAUTHN_ALLOWED_ORIGINS
    if not rp_id or not origins:
        sys.exit("Set DJANGO_ALLOWED_HOSTS (or DJANGO_WEBAUTHN_RP_ID and _ORIGINS) as the server.")
    today = timezone.localdate()
    active = Award.objects.filter(status="active", period_start__lte=today).select_related(
        "task_force"
    )
    by_task_force: dict[str, list[tuple[str, str, date]]] = defaultdict(list)
    for award in active.order_by("task_force__code", "award_number"):
        version = award.budget_versions.current()
        line = version and version.lines.order_by("-federal_amount").first()
        if line is None or line.federal_amount <= 0:
            continue
        day = min(today, award.period_end)
        by_task_force[award.task_force.code].append((award.award_number, line.category, day))
    if not by_task_force:
        sys.exit("No active award with a budget: load the demo first (manage.py load_demo).")
    codes = sorted(by_task_force)
    years = sorted(set(Award.objects.values_list("fiscal_year", flat=True)))[-3:]
    password = make_password(DEMO_PASSWORD)
    officers = max(1, count * 2 // 5)
    approvers = max(1, (count - officers) // 2)
    roles = ["officer"] * officers + ["approver"] * approvers
    roles += ["auditor"] * (count - len(roles))
    people = []
    for n, role in enumerate(roles, start=1):
        user, _ = User.objects.get_or_create(
            username=f"load.{role}.{n}",
            defaults={
                "first_name": "Load",
                "last_name": f"{role.title()} {n}",
                "password": password,
            },
        )
        if not user.is_active:  # turned off at the end of the last run
            user.is_active = True
            user.save(update_fields=["is_active"])
        person = Person(role, user.username, years=years)
        if role == "officer":
            app, _ = TOTPDevice.objects.get_or_create(
                user=user, name=APP_NAME, defaults={"confirmed": True}
            )
            person.app_key = app.key
            code = codes[n % len(codes)]
            task_force = active.filter(task_force__code=code).first().task_force
            Membership.objects.get_or_create(
                user=user, task_force=task_force, role=Membership.Role.FINANCE_OFFICER
            )
            person.awards = by_task_force[code]
        else:
            group = access.FINANCIAL_APPROVER if role == "approver" else access.AUDITOR
            user.groups.add(Group.objects.get(name=group))
            person.task_forces = codes
            # The private key lives only in this process: last run's passkey is useless.
            WebAuthnCredential.objects.filter(user=user, name=PASSKEY_NAME).delete()
            person.passkey = SoftPasskey(rp_id, origins[0])
            person.passkey.register(user, name=PASSKEY_NAME)
        people.append(person)
    return people, DEMO_PASSWORD


# --- One person's browser --------------------------------------------------------------


class Failed(Exception):
    """An answer no person should get."""


class Browser:
    """Cookies, the CSRF token and one kept-alive connection, as a browser holds them,
    with the headers the TLS proxy in front of the server adds: the browser is at
    `origin` (https://host), the server at `base` (plain HTTP)."""

    def __init__(self, base: str, origin: str, stats: "Stats"):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port or 80
        self.origin = origin
        self.stats = stats
        self.cookies: dict[str, str] = {}
        self.connection = None

    def _connect(self):
        if self.connection is None:
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)
        return self.connection

    def request(
        self,
        kind: str,
        method: str,
        path: str,
        data: dict | None = None,
        ok=(200,),
        json_body: dict | None = None,
        csrf_token: str = "",
    ):
        """(status, headers, body) of one request, timed under `kind`; a status outside
        `ok` or a server error is recorded as an error and raised. `data` is a form,
        `json_body` what a page's script posts (with its `csrf_token` in X-CSRFToken)."""
        headers = {
            "Host": urlsplit(self.origin).netloc,
            "X-Forwarded-Proto": "https",
            "User-Agent": "icac-load-test",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif json_body is not None:
            body = json.dumps(json_body)
            headers["Content-Type"] = "application/json"
            headers["Accept"] = "application/json"
            headers["X-CSRFToken"] = csrf_token
        if body is not None:
            headers["Origin"] = self.origin
            headers["Referer"] = f"{self.origin}{path}"
        started = time.perf_counter()
        try:
            connection = self._connect()
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.connection = None
            self.stats.add(kind, time.perf_counter() - started, error=f"{type(error).__name__}")
            raise Failed(f"{kind}: {error}") from error
        elapsed = time.perf_counter() - started
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        if response.status not in ok:
            self.stats.add(kind, elapsed, error=str(response.status))
            raise Failed(f"{kind}: {method} {path} answered {response.status}")
        location = response.headers.get("Location", "")
        if not kind.startswith("sign in") and "/accounts/" in location:
            # Sent back to sign in or to the second factor: the session was lost.
            self.stats.add(kind, elapsed, error="sent to sign in")
            raise Failed(f"{kind}: {method} {path} sent to {location}")
        self.stats.add(kind, elapsed)
        return response.status, response.headers, content.decode("utf-8", "replace")

    def form(self, kind: str, path: str) -> tuple[str, str]:
        """The page holding a form, and its CSRF token."""
        _, _, page = self.request(kind, "GET", path)
        token = CSRF_FIELD.search(page)
        if token is None:
            raise Failed(f"{kind}: no form on {path}")
        return page, token.group(1)

    def close(self):
        if self.connection is not None:
            self.connection.close()


# --- What each person does -------------------------------------------------------------


def sign_in(browser: Browser, person: Person, password: str, stats: "Stats") -> None:
    _, token = browser.form("sign-in page", "/accounts/login/")
    browser.request(
        "sign in: password",
        "POST",
        "/accounts/login/",
        {"csrfmiddlewaretoken": token, "username": person.username, "password": password},
        ok=(302,),
    )
    if person.passkey is not None:
        passkey_sign_in(browser, person)
    else:
        code_sign_in(browser, person, stats)


def passkey_sign_in(browser: Browser, person: Person) -> None:
    """What the second-factor page's script does on "Use passkey": begin (the challenge),
    the authenticator's answer, complete, then the page it sends the person to."""
    _, _, page = browser.request("sign in: second-factor page", "GET", "/accounts/mfa/verify/")
    found = PASSKEY_CONFIG.search(page)
    if found is None:
        raise Failed(f"{person.username}: no passkey on the second-factor page")
    config = json.loads(html.unescape(found.group(1)))
    _, _, options = browser.request(
        "sign in: passkey begin",
        "POST",
        config["beginAuthenticationUrl"],
        json_body={},
        csrf_token=config["csrfToken"],
    )
    _, _, done = browser.request(
        "sign in: passkey complete",
        "POST",
        config["completeAuthenticationUrl"],
        json_body=person.passkey.assertion(json.loads(options)),
        csrf_token=config["csrfToken"],
    )
    browser.request("sign in: first page", "GET", json.loads(done)["redirect_url"])


def code_sign_in(browser: Browser, person: Person, stats: "Stats") -> None:
    from django_otp.oath import TOTP

    for _attempt in range(3):
        _, token = browser.form("sign in: code page", "/accounts/mfa/verify/")
        status, headers, _ = browser.request(
            "sign in: code",
            "POST",
            "/accounts/mfa/verify/",
            {
                "csrfmiddlewaretoken": token,
                "code": f"{TOTP(bytes.fromhex(person.app_key)).token():06d}",
            },
            ok=(200, 302),
        )
        if status == 302 and "/accounts/mfa/" not in headers["Location"]:
            return
        stats.refused("sign in: code")
        time.sleep(31 - time.time() % 30)  # this account used this code: the next one
    raise Failed(f"{person.username} could not sign in")


def post_form(browser: Browser, stats: "Stats", path: str, form: str, post: str, fields: dict):
    """Open the form at `path` (timed as `form`) and send it with `fields`, its CSRF
    token and the idempotency key it was given (timed as `post`). The form shown again
    (200) says why it refused, and is counted as a refusal."""
    page, token = browser.form(form, path)
    status, _, _ = browser.request(
        post,
        "POST",
        path,
        {
            "csrfmiddlewaretoken": token,
            "idempotency_key": IDEMPOTENCY.search(page).group(1),
            **fields,
        },
        ok=(200, 302),
    )
    if status == 200:
        stats.refused(post)


def officer_step(browser: Browser, person: Person, stats: "Stats") -> None:
    number, category, day = random.choice(person.awards)
    step = random.random()
    if step < 0.35:
        browser.request("officer: ledger page", "GET", f"/awards/{number}/ledger/")
    elif step < 0.75:
        post_form(
            browser,
            stats,
            f"/awards/{number}/ledger/new/expenditure/",
            "officer: expenditure form",
            "officer: post expenditure",
            {
                "effective_date": day.isoformat(),
                "amount": str(Decimal(random.randint(100, 2000)) / 100),
                "category": category,
                "share": "federal",
                "memo": "load test",
            },
        )
    else:
        post_form(
            browser,
            stats,
            f"/awards/{number}/drawdowns/new/",
            "officer: drawdown form",
            "officer: request drawdown",
            {"amount": str(Decimal(random.randint(100, 2000)) / 100), "memo": "load test"},
        )


def approver_step(browser: Browser, person: Person, stats: "Stats") -> None:
    step = random.random()
    if step < 0.2:
        browser.request("staff: dashboard", "GET", "/")
    elif step < 0.4:
        browser.request("staff: awards", "GET", "/awards/")
    elif step < 0.55:
        browser.request(
            "staff: task force", "GET", f"/task-forces/{random.choice(person.task_forces)}/"
        )
    else:
        page, token = browser.form("staff: drawdown queue", "/drawdowns/")
        waiting = APPROVE.findall(page)
        if waiting:
            browser.request(
                "staff: approve drawdown",
                "POST",
                random.choice(waiting[:5]),
                {"csrfmiddlewaretoken": token, "note": "load test"},
                ok=(302,),
            )


def auditor_step(browser: Browser, person: Person, stats: "Stats") -> None:
    step = random.random()
    if step < 0.3:
        browser.request("auditor: dashboard", "GET", "/")
    elif step < 0.6:
        browser.request("auditor: awards", "GET", "/awards/")
    else:
        code = random.choice(person.task_forces)
        kind, selection = random.choice(
            [
                ("ledger_csv", {"task_force": code}),
                ("pack", {"task_force": code}),
                ("workbook", {"fy": str(random.choice(person.years))}),
            ]
        )
        _, token = browser.form("auditor: my downloads", "/downloads/")
        asked = time.perf_counter()
        _, headers, _ = browser.request(
            f"auditor: ask for {kind}",
            "POST",
            "/downloads/prepare/",
            {"csrfmiddlewaretoken": token, "kind": kind, **selection},
            ok=(302,),
        )
        page_path = urlsplit(headers["Location"]).path
        while time.perf_counter() - asked < 300:
            _, _, page = browser.request("auditor: download page", "GET", page_path)
            if 'data-testid="download-error"' in page:
                stats.add(f"prepared {kind}: ready", time.perf_counter() - asked, error="failed")
                return
            if 'data-testid="download-file"' in page:
                stats.add(f"prepared {kind}: ready", time.perf_counter() - asked)
                browser.request(f"auditor: fetch {kind}", "GET", page_path + "file")
                return
            if 'data-testid="take-run"' in page and (token := CSRF_FIELD.search(page)):
                # Offered the same file being written for someone else: take it.
                browser.request(
                    "auditor: take the file being written",
                    "POST",
                    page_path + "take-run",
                    {"csrfmiddlewaretoken": token.group(1)},
                    ok=(302,),
                )
                continue
            refresh = PAGE_REFRESH.search(page)
            time.sleep(int(refresh.group(1)) if refresh else 2)  # as the page reloads itself
        stats.add(f"prepared {kind}: ready", time.perf_counter() - asked, error="timeout")


STEPS = {"officer": officer_step, "approver": approver_step, "auditor": auditor_step}


# --- Counting ----------------------------------------------------------------------------


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.refusals: dict[str, int] = defaultdict(int)

    def add(self, kind: str, seconds: float, error: str | None = None) -> None:
        with self.lock:
            self.times[kind].append(seconds)
            if error:
                self.errors[kind][error] += 1

    def refused(self, kind: str) -> None:
        with self.lock:
            self.refusals[kind] += 1


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def report(stats: Stats, seconds: float) -> int:
    total = sum(len(v) for k, v in stats.times.items() if not k.startswith("prepared "))
    errors = sum(sum(e.values()) for e in stats.errors.values())
    print(f"\n{'request':34} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
          f"{'errors':>6} {'refused':>7}")  # fmt: skip
    for kind in sorted(stats.times):
        values = stats.times[kind]
        scale = 1 if kind.startswith("prepared ") else 1000
        unit = " s" if scale == 1 else ""
        print(
            f"{kind + unit:34} {len(values):6d} "
            + " ".join(f"{percentile(values, p) * scale:8.0f}" for p in (50, 95, 99))
            + f" {sum(stats.errors[kind].values()):6d} {stats.refusals.get(kind, 0):7d}"
        )
    every = [t for kind, v in stats.times.items() if not kind.startswith("prepared ") for t in v]
    if every:
        print(
            f"{'every request':34} {len(every):6d} "
            + " ".join(f"{percentile(every, p) * 1000:8.0f}" for p in (50, 95, 99))
        )
    print(
        f"\n{total} requests in {seconds:.0f} s ({total / seconds:.1f} a second), {errors} errors"
    )
    for kind, by_reason in sorted(stats.errors.items()):
        if by_reason:
            print(f"  errors of {kind}: {dict(by_reason)}")
    return errors


def person_thread(base, origin, person, password, stats, deadline, think, failures):
    browser = Browser(base, origin, stats)
    try:
        sign_in(browser, person, password, stats)
        while time.monotonic() < deadline:
            try:
                STEPS[person.role](browser, person, stats)
            except Failed as error:
                failures.append(str(error))
            time.sleep(random.uniform(think * 0.5, think * 1.5))
    except Failed as error:
        failures.append(str(error))
    finally:
        browser.close()


def print_second_factors(people: list[Person], since: float) -> None:
    """How this run's sessions were verified, as the audit trail recorded it."""
    from datetime import UTC, datetime

    from django.db.models import Count

    from grants.audit import AuditEvent

    verified = (
        AuditEvent.objects.filter(
            action="mfa.verified",
            actor__username__in=[p.username for p in people],
            occurred_at__gte=datetime.fromtimestamp(since, UTC),
        )
        .values("actor__username", "data__factor")
        .annotate(n=Count("pk"))
    )
    by_role: dict[tuple[str, str], int] = defaultdict(int)
    for row in verified:
        by_role[(row["actor__username"].split(".")[1], row["data__factor"])] += row["n"]
    print(
        "\nsessions verified (audit trail): "
        + ", ".join(f"{role} by {factor}: {n}" for (role, factor), n in sorted(by_role.items()))
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the running server")
    parser.add_argument("--users", type=int, default=50, help="people at once")
    parser.add_argument("--duration", type=float, default=300, help="seconds of load")
    parser.add_argument("--think", type=float, default=1.0, help="seconds between steps")
    parser.add_argument(
        "--ramp", type=float, default=30, help="seconds over which the people arrive"
    )
    parser.add_argument("--seed", type=int, default=20251001)
    args = parser.parse_args()
    random.seed(args.seed)
    refuse_unless_demo_database()
    try:
        return run(args)
    finally:
        print(f"\nDeactivated {deactivate_people()} load accounts.")


def run(args) -> int:
    people, password = make_people(args.users)
    from django.conf import settings

    origin = settings.OTP_WEBAUTHN_ALLOWED_ORIGINS[0]  # where the browser is, behind the proxy
    counts = {role: sum(p.role == role for p in people) for role in STEPS}
    print(f"{args.users} people ({counts}) for {args.duration:.0f} s against {args.url}")
    stats, failures = Stats(), []
    deadline = time.monotonic() + args.duration
    started = time.monotonic()
    started_at = time.time()
    threads = [
        threading.Thread(
            target=person_thread,
            args=(args.url, origin, person, password, stats, deadline, args.think, failures),
            daemon=True,
        )
        for person in people
    ]
    for thread in threads:
        thread.start()
        # People arrive over --ramp seconds, not in one instant: fifty password hashes at
        # once would measure a crowd no office makes.
        time.sleep(args.ramp / len(threads))
    for thread in threads:
        thread.join(timeout=args.duration + 400)
    errors = report(stats, time.monotonic() - started)
    for failure in failures[:10]:
        print(f"  {failure}")
    print_second_factors(people, started_at)
    print("\nmanage.py check_ledgers:")
    check = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check_ledgers"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    # Its last lines: the verdict (the progress lines before it say nothing more).
    print("\n".join((check.stdout + check.stderr).strip().splitlines()[-3:]))
    return 1 if errors or check.returncode else 0


if __name__ == "__main__":
    sys.exit(main())
