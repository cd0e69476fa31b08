from decimal import Decimal

from grants.selectors import appropriation_available


def test_program_fixture_commits_400k_of_900k(program):
    assert appropriation_available(program.appropriation) == Decimal("500000.00")
