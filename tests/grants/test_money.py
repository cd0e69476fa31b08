from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from grants.models import AwardFunding
from grants.money import (
    ZERO,
    MoneyError,
    MoneyFormField,
    MoneySum,
    format_money,
    parse_money,
    round_money,
)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("12.5", Decimal("12.50")),
        ("$1,234.56", Decimal("1234.56")),
        ("0.01", Decimal("0.01")),
        (" 7 ", Decimal("7.00")),
    ],
)
def test_parse_money_accepts_two_places(text, expected):
    assert parse_money(text) == expected


@pytest.mark.parametrize(
    "text, message",
    [
        ("1.005", "more than 2 decimal places"),
        ("abc", "is not a number"),
        ("NaN", "not a finite amount"),
        ("Infinity", "not a finite amount"),
        ("1000000000000", "larger than the largest amount"),
        ("", "is not a number"),
        # Only amounts as people type them: no exponents, hexadecimal, inner spaces,
        # misplaced thousands separators or digits of other scripts.
        ("1e3", "is not a number"),
        ("1e30", "is not a number"),
        ("0x10", "is not a number"),
        ("sNaN", "not a finite amount"),
        ("1 000", "is not a number"),
        ("1,00", "is not a number"),
        ("$-5", "is not a number"),
        ("\u0661\u0662\u0663", "digits other than 0–9"),
        ("\uff11\uff10\uff10", "digits other than 0–9"),
    ],
)
def test_parse_money_rejects_with_reason(text, message):
    with pytest.raises(MoneyError, match=message):
        parse_money(text)


def test_parse_money_refuses_floats():
    with pytest.raises(TypeError):
        parse_money(0.1)


def test_parse_money_positive():
    with pytest.raises(MoneyError, match="greater than zero"):
        parse_money("0.00", positive=True)


def test_round_money_is_half_up():
    assert round_money(Decimal("0.125")) == Decimal("0.13")
    assert round_money(Decimal("2.675")) == Decimal("2.68")


def test_format_money():
    assert format_money(Decimal("-1234.5")) == "-$1,234.50"
    assert format_money(None) == "—"


@pytest.mark.parametrize(
    "value, error",
    [
        ("-5", "Enter an amount greater than zero."),
        ("0", "Enter an amount greater than zero."),
        ("1.234", "Ensure that there are no more than 2 decimal places."),
        (
            "ten",
            "'ten' is not a number: write digits with an optional $ and thousands commas, such as $1,234.56.",
        ),
        ("NaN", "'NaN' is not a finite amount."),
        ("1000000000000", "Enter an amount no larger than $999,999,999,999.99."),
    ],
)
def test_money_form_field_messages(value, error):
    from django import forms

    with pytest.raises(forms.ValidationError) as raised:
        MoneyFormField().clean(value)
    assert error in raised.value.messages


def test_money_sum_is_exact_to_the_cent(program):
    """Ten thousand lines of $0.01 plus awkward cents sum exactly, on either database."""
    award = program.award_a
    AwardFunding.objects.bulk_create(
        [
            AwardFunding(award=award, appropriation=program.appropriation, amount=Decimal("0.01"))
            for _ in range(10000)
        ]
        + [
            AwardFunding(award=award, appropriation=program.appropriation, amount=Decimal(v))
            for v in ("0.29", "0.57", "123456789.99")
        ]
    )
    total = AwardFunding.objects.filter(award=award).aggregate(t=MoneySum("amount", default=ZERO))[
        "t"
    ]
    assert total == Decimal("200000.00") + Decimal("100.00") + Decimal("0.86") + Decimal(
        "123456789.99"
    )


@pytest.mark.parametrize(
    "text, expected",
    [
        ("$1,000", Decimal("1000.00")),
        ("1,000.00", Decimal("1000.00")),
        (" 1000 ", Decimal("1000.00")),
        (".50", Decimal("0.50")),
    ],
)
def test_the_money_form_field_reads_amounts_as_people_type_them(text, expected):
    assert MoneyFormField().clean(text) == expected


@pytest.mark.parametrize(
    "text, message",
    [
        ("1e3", "is not a number: write digits with an optional $"),
        ("1 000", "is not a number"),
        ("\u0661\u0660\u0660", "uses digits other than 0–9"),
        ("NaN", "is not a finite amount"),
    ],
)
def test_the_money_form_field_refuses_anything_else_with_the_reason(text, message):
    with pytest.raises(ValidationError) as refused:
        MoneyFormField().clean(text)
    assert message in " ".join(refused.value.messages)
