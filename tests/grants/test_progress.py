"""Long commands say what they do: phases with counts on stdout, nothing at verbosity 0."""

from io import StringIO

from django.core.management import call_command

from grants.progress import Progress
from tests.budgets.ledger_helpers import activate


def test_a_phase_counts_in_tenths_and_ends_with_its_summary():
    out = StringIO()
    with Progress(out, verbosity=1).phase("Awards FY2025", total=61) as phase:
        for _ in range(61):
            phase.step()
        phase.summary = "61 awards"
    lines = out.getvalue().splitlines()
    assert lines[0] == "Awards FY2025... (61 to do)"
    assert lines[1:10] == [f"  Awards FY2025: {n * 6}/61" for n in range(1, 10)]
    assert lines[-1].startswith("Awards FY2025 done: 61 awards (")
    assert len(lines) == 12  # 60/61 also crosses a tenth


def test_nothing_is_said_at_verbosity_zero():
    out = StringIO()
    with Progress(out, verbosity=0).phase("Ledgers", total=10) as phase:
        for _ in range(10):
            phase.step()
    assert out.getvalue() == ""


def test_check_ledgers_shows_its_progress_and_is_quiet_at_verbosity_zero(program):
    activate(program)
    out = StringIO()
    call_command("check_ledgers", stdout=out)
    assert out.getvalue().splitlines()[0] == "Checking ledgers... (2 to do)"
    assert "Checking ledgers done: 2 awards, 0 problem(s)" in out.getvalue()
    assert "2 awards checked: every balance agrees with its entries." in out.getvalue()
    quiet = StringIO()
    call_command("check_ledgers", stdout=quiet, verbosity=0)
    assert quiet.getvalue() == ""


def test_send_reminders_and_verify_audit_are_quiet_at_verbosity_zero(program):
    for command in ("send_reminders", "verify_audit"):
        out = StringIO()
        call_command(command, stdout=out, verbosity=0)
        assert out.getvalue() == "", command
        call_command(command, stdout=out)
        assert " done" in out.getvalue(), command
