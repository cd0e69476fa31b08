"""Accountable administration (NIST SP 800-53 AC-2): every role and membership change is
an audit event whatever screen made it, the access review, and accounts unused for the
rule's number of days disabled by the daily run."""

from datetime import date, datetime, timedelta
from io import BytesIO, StringIO

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.services import disable_unused_accounts
from api.models import ApiToken
from api.tokens import token_create
from grants import access
from grants.models import Membership
from reports.exports.downloads import DOWNLOADED
from tests.accounts.helpers import WRONG, events, sign_in
from tests.reports.workbook_helpers import response_bytes


@pytest.fixture
def root(db):
    return User.objects.create_superuser("root", "root@example.gov", "an-administrator-passphrase")


def test_a_membership_added_in_the_admin_is_an_event(client, program, root):
    client.force_login(root)
    response = client.post(
        "/admin/grants/membership/add/",
        {
            "user": program.officer_b.pk,
            "task_force": program.task_force_a.pk,
            "role": Membership.Role.FINANCE_OFFICER,
        },
    )
    assert response.status_code == 302
    [event] = events("accounts.membership_added")[-1:]
    assert event.actor == root
    assert event.task_force == program.task_force_a
    assert event.data["user"] == "officer_b" and event.data["role"] == "Finance officer"
    assert event.data["after"] == {
        "user": program.officer_b.pk,
        "task_force": program.task_force_a.pk,
        "role": "finance_officer",
    }


def test_a_membership_changed_and_removed_in_the_admin_are_events(client, program, root):
    client.force_login(root)
    membership = Membership.objects.get(user=program.officer_a)
    url = f"/admin/grants/membership/{membership.pk}/change/"
    client.post(
        url,
        {
            "user": program.officer_a.pk,
            "task_force": program.task_force_a.pk,
            "role": Membership.Role.GRANT_ADMINISTRATOR,
        },
    )
    [changed] = events("accounts.membership_changed")
    assert changed.actor == root
    assert changed.data["before"] == {"role": "finance_officer"}
    assert changed.data["after"] == {"role": "grant_administrator"}
    client.post(f"/admin/grants/membership/{membership.pk}/delete/", {"post": "yes"})
    [removed] = events("accounts.membership_removed")
    assert removed.actor == root and removed.data["user"] == "officer_a"


def test_roles_and_flags_changed_in_the_admin_user_screen_are_events(client, program, root):
    client.force_login(root)
    user = program.officer_b
    joined = timezone.localtime(user.date_joined)
    response = client.post(
        f"/admin/auth/user/{user.pk}/change/",
        {
            "username": user.username,
            "first_name": "",
            "last_name": "",
            "email": user.email,
            "is_active": "on",
            "is_staff": "on",
            "groups": [Group.objects.get(name=access.FINANCIAL_APPROVER).pk],
            "date_joined_0": joined.strftime("%Y-%m-%d"),
            "date_joined_1": joined.strftime("%H:%M:%S"),
            "initial-date_joined_0": joined.strftime("%Y-%m-%d"),
            "initial-date_joined_1": joined.strftime("%H:%M:%S"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    [roles] = events("accounts.roles_changed")[-1:]
    assert roles.actor == root and roles.object_repr == "officer_b"
    assert roles.data == {"before": {"roles": []}, "after": {"roles": ["Financial approver"]}}
    [flags] = events("accounts.account_changed")
    assert flags.actor == root
    assert flags.data == {"before": {"is_staff": False}, "after": {"is_staff": True}}


def test_roles_changed_from_the_group_side_are_events(program):
    group = Group.objects.get(name=access.AUDITOR)
    group.user_set.add(program.officer_a)
    group.user_set.clear()
    assert [e.data for e in events("accounts.roles_changed") if e.object_repr == "officer_a"] == [
        {"before": {"roles": []}, "after": {"roles": ["Auditor"]}},
        {"before": {"roles": ["Auditor"]}, "after": {"roles": []}},
    ]


def test_the_access_review_lists_every_account(client, program):
    for _ in range(5):
        sign_in(client, "officer_b", WRONG, address="10.0.0.5")
    sign_in(client.__class__(), "officer_a")
    client.force_login(program.auditor)
    page = client.get(reverse("accounts:access_review")).content.decode()
    for username in ("pm", "approver", "auditor", "officer_a", "officer_b", "gadmin_a"):
        assert f'<th scope="row" data-label="Username">{username}</th>' in page
    assert "Alpha ICAC Task Force: Finance officer" in page
    assert "Unlock" not in page  # auditors review; administrators unlock

    response = client.get(reverse("exports:table", args=["access_review"]))
    workbook = load_workbook(BytesIO(response_bytes(response)))
    sheet = workbook["Access review"]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert [c.value for c in sheet[1]] == [
        "Username",
        "Name",
        "Email",
        "Status",
        "Program-office roles",
        "Task forces",
        "Second factors",
        "Last sign-in",
        "Locked out",
    ]
    officer_a, officer_b = rows["officer_a"], rows["officer_b"]
    assert officer_a[3:7] == (
        "Active",
        "—",
        "Alpha ICAC Task Force: Finance officer",
        "1 authenticator app",  # tests/second_factor.py gave officer_a's sign-in one
    )
    assert officer_b[6] == "—"
    assert rows["auditor"][6] == "1 passkey"
    assert isinstance(officer_a[7], datetime) and officer_a[8] == "No"
    assert officer_b[7:] == ("Never", "Yes")
    assert rows["approver"][4] == "Financial approver"
    about = dict(workbook["About"].iter_rows(values_only=True))
    assert (about["Scope"], about["Rows in Access review"]) == ("every account", "6")
    (download,) = events(DOWNLOADED)
    assert (download.data["export"], download.data["rows"]) == ("access_review", 6)


def test_a_name_that_looks_like_a_formula_stays_text_in_the_access_review(client, program):
    program.officer_a.first_name, program.officer_a.last_name = '=HYPERLINK("http://x")', ""
    program.officer_a.save()
    client.force_login(program.auditor)
    response = client.get(reverse("exports:table", args=["access_review"]))
    sheet = load_workbook(BytesIO(response_bytes(response)))["Access review"]
    (cell,) = [row[1] for row in sheet.iter_rows(min_row=2) if row[0].value == "officer_a"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == ('=HYPERLINK("http://x")', "s", True)


def test_unused_accounts_are_disabled_by_the_daily_run(program):
    today = date(2026, 3, 2)
    moment = timezone.make_aware(datetime(2026, 3, 2, 9, 0))
    User.objects.update(date_joined=moment - timedelta(days=400), last_login=moment)
    User.objects.filter(username="officer_b").update(last_login=moment - timedelta(days=91))
    User.objects.filter(username="officer_a").update(last_login=moment - timedelta(days=89))
    User.objects.filter(username="gadmin_a").update(last_login=None)
    out = StringIO()
    call_command("send_reminders", "--today", today.isoformat(), stdout=out, stderr=StringIO())
    assert "Accounts disabled after 90 days unused: 2\n  gadmin_a\n  officer_b" in out.getvalue()
    assert sorted(User.objects.filter(is_active=False).values_list("username", flat=True)) == [
        "gadmin_a",
        "officer_b",
    ]
    event = [e for e in events("accounts.disabled_unused") if e.object_repr == "officer_b"][0]
    assert event.actor is None and event.data["inactive_days"] == 90
    # One event each, and none again the next day: they are already disabled.
    assert len(events("accounts.disabled_unused")) == 2
    assert disable_unused_accounts(today=today + timedelta(days=1)).disabled == []
    assert events("accounts.account_changed") == []


SOON = date.today() + timedelta(days=30)


def test_an_account_used_only_through_its_api_token_stays_enabled(program):
    """A person whose system calls the API never signs in to the pages: a token used
    within the period counts as using the account (accounts.activity)."""
    today = date(2026, 3, 2)
    moment = timezone.make_aware(datetime(2026, 3, 2, 9, 0))
    User.objects.update(date_joined=moment - timedelta(days=400), last_login=moment)
    User.objects.filter(username__in=["officer_a", "officer_b"]).update(
        last_login=moment - timedelta(days=200)
    )
    used = token_create(user=program.officer_a, name="Nightly sync", expires_on=SOON).token
    ApiToken.objects.filter(pk=used.pk).update(last_used_at=moment - timedelta(days=10))
    stale = token_create(user=program.officer_b, name="Old sync", expires_on=SOON).token
    ApiToken.objects.filter(pk=stale.pk).update(last_used_at=moment - timedelta(days=91))
    assert disable_unused_accounts(today=today).disabled == ["officer_b"]
    assert User.objects.get(username="officer_a").is_active


def test_a_disabled_account_cannot_sign_in_and_is_told_nothing_more(client, program):
    User.objects.filter(username="officer_a").update(is_active=False)
    response = sign_in(client, "officer_a")
    assert response.status_code == 200
    assert "Please enter a correct username and password." in response.content.decode()


def test_a_password_set_in_the_admin_is_an_event(client, program, root):
    client.force_login(root)
    new = "plum orchard under winter light"
    response = client.post(
        f"/admin/auth/user/{program.officer_a.pk}/password/",
        {"password1": new, "password2": new, "usable_password": "true"},
    )
    assert response.status_code == 302
    [event] = events("accounts.password_set")
    assert event.actor == root and event.object_repr == "officer_a"
    assert new not in str(event.data)
