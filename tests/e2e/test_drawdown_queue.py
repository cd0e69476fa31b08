"""The financial approver's drawdown queue in the browser: at 1280 px the decision
buttons are on screen without scrolling the table; at 390 px the rows stack and the
approver still approves and rejects.

Screenshots: /tmp/shots/test_the_approver_decides_from_the_queue_at_desktop_and_phone_widths-*.png
"""

import uuid
from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from budgets import ledger
from budgets.models import DrawdownRequest
from tests.budgets.ledger_helpers import activate, draw, post

pytestmark = pytest.mark.e2e


def _fits(page) -> bool:
    """The queue's table is not wider than its container (nothing hidden to scroll to)."""
    return page.evaluate(
        "(() => { const c = document.querySelector('.table-fit');"
        " return c.scrollWidth <= c.clientWidth; })()"
    )


def test_the_approver_decides_from_the_queue_at_desktop_and_phone_widths(
    live_program, live_server, browser_page, sign_in, shot
):
    program = live_program
    activate(program)
    program.award_a.refresh_from_db()
    # Worked example 7.6: $10,000 of the $40,000 drawn stays undisbursed.
    draw(program, "40000.00", day=date(2025, 1, 10))
    post(program, "disbursement", "30000.00", day=date(2025, 1, 15))
    first, second = (
        ledger.drawdown_request(
            actor=program.officer_a,
            award=program.award_a,
            amount=Decimal(amount),
            idempotency_key=uuid.uuid4(),
        )
        for amount in ("2500.00", "900.00")
    )
    assert first.status == second.status == DrawdownRequest.Status.REQUESTED

    page = sign_in(browser_page, "approver")  # a 1280 px wide window
    page.goto(f"{live_server.url}/drawdowns/")
    row = page.locator(f'tr[data-request="{first.pk}"]')
    expect(row).to_contain_text("of cash drawn more than 10 days ago")
    expect(row).to_contain_text("$10,000.00")
    shot(page, "queue-1280")
    assert _fits(page)
    approve = row.get_by_role("button", name="Approve")
    box = approve.bounding_box()
    assert box["x"] + box["width"] <= 1280
    approve.click()
    expect(page.get_by_text("Drawdown of $2,500.00")).to_be_visible()
    first.refresh_from_db()
    assert first.status == DrawdownRequest.Status.APPROVED

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/drawdowns/")
    row = page.locator(f'tr[data-request="{second.pk}"]')
    shot(page, "queue-390")
    assert _fits(page)
    row.get_by_label("Why reject").fill("Disburse or return the $10,000.00 first")
    reject = row.get_by_role("button", name="Reject")
    box = reject.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    reject.click()
    expect(page.get_by_text("Drawdown of $900.00")).to_be_visible()
    second.refresh_from_db()
    assert second.status == DrawdownRequest.Status.REJECTED
    assert second.decision_note == "Disburse or return the $10,000.00 first"
