"""The awards tables show the period of performance as mm/dd/yyyy, like every other page."""

from django.urls import reverse


def _page(client, user, url) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _assert_period_shown(page: str) -> None:
    # The demo awards run from 10/01/2024 to 09/30/2026 (tests/factories.py).
    assert "10/01/2024</td>" in page and "09/30/2026</td>" in page
    for other in ("2024-10-01", "2026-09-30", "Oct. 1, 2024", "Sept. 30, 2026"):
        assert other not in page


def test_the_award_list_shows_the_period_as_mm_dd_yyyy(client, program):
    _assert_period_shown(_page(client, program.pm, reverse("grants:award_list")))


def test_a_task_forces_awards_show_the_period_as_mm_dd_yyyy(client, program):
    url = reverse("grants:task_force_detail", args=[program.task_force_a.code])
    _assert_period_shown(_page(client, program.officer_a, url))
