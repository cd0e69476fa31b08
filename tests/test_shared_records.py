"""The test suite's own machinery (tests/conftest.py): the personas and awards a module's
tests share, and the order the tests run in."""

from types import SimpleNamespace

import pytest

from grants.models import Award, TaskForce
from tests import conftest, factories


@pytest.mark.parametrize("turn", [1, 2, 3])
def test_each_test_finds_the_records_as_made_whatever_ran_before_it(program, turn):
    # Each turn changes the records and adds one; the next turn, in the same process
    # (all of them under `-n 0`), finds neither change.
    assert program.award_a.title == "ICAC Task Force Program"
    assert Award.objects.get(pk=program.award_a.pk).title == "ICAC Task Force Program"
    assert sorted(TaskForce.objects.values_list("code", flat=True)) == ["md-bravo", "va-alpha"]

    Award.objects.filter(pk=program.award_a.pk).update(title=f"Changed by turn {turn}")
    factories.make_task_force(f"Turn {turn} ICAC Task Force", f"turn-{turn}", "VA")
    program.award_a.title = f"Changed in memory by turn {turn}"


def _item(name, *fixtures, transaction=False, slow=False, module="tests.test_example"):
    """What the collection hook reads of a collected test."""
    markers = {"django_db": SimpleNamespace(kwargs={"transaction": transaction})}
    if transaction:
        markers["django_db"].kwargs["serialized_rollback"] = True
    if slow:
        markers["slow"] = SimpleNamespace(kwargs={})
    return SimpleNamespace(
        nodeid=f"{module}::{name}",
        name=name,
        module=module,
        fixturenames=["db", *fixtures] if not transaction else ["transactional_db", *fixtures],
        get_closest_marker=markers.get,
    )


def test_slow_tests_start_first_among_their_kind_and_transactional_tests_stay_last():
    items = [
        _item("quick"),
        _item("slow", slow=True),
        _item("committing", transaction=True),
        _item("slow_committing", transaction=True, slow=True),
    ]
    conftest.pytest_collection_modifyitems(items)
    assert [item.name for item in items] == ["slow", "quick", "slow_committing", "committing"]


def test_a_transactional_test_may_not_take_the_modules_records():
    items = [_item("committing", "program_of_the_module", "program", transaction=True)]
    with pytest.raises(pytest.UsageError, match="takes committed_program, not program"):
        conftest.pytest_collection_modifyitems(items)


def test_every_database_test_of_a_sharing_module_opens_the_records_first():
    items = [
        _item("sharing", "program_of_the_module", "program"),
        _item("not_asking"),
        _item("committing", transaction=True),
        _item("elsewhere", module="tests.test_other"),
    ]
    conftest.pytest_collection_modifyitems(items)
    given = {item.name: "program_of_the_module" in item.fixturenames for item in items}
    assert given == {"sharing": True, "not_asking": True, "committing": False, "elsewhere": False}
    # Before its own transaction opens (the `db` fixture's), so that one is inside.
    not_asking = next(item for item in items if item.name == "not_asking")
    assert not_asking.fixturenames[:2] == ["program_of_the_module", "db"]
