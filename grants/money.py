"""Money: parse, round and format. One currency (USD), two decimal places.

Amounts are `Decimal` everywhere; a float never becomes money. User input with more
than two decimals is rejected, never rounded; only computed amounts are rounded, here,
half up (decision record 0001).
"""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_DIGITS = 14
# The largest amount a column holds: 999,999,999,999.99.
MAX_AMOUNT = Decimal("999999999999.99")


class MoneyError(ValueError):
    """The value is not an amount of money we accept."""


# How people write amounts, and nothing else: ASCII digits, an optional leading minus
# and dollar sign, commas only as thousands separators, a decimal point. No exponents
# ("1e3"), hexadecimal, spaces inside the number, or digits of other scripts.
AMOUNT_TEXT = re.compile(r"-?\$?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]*)(?:\.[0-9]*)?")
AMOUNT_EXAMPLE = "write digits with an optional $ and thousands commas, such as $1,234.56"


def amount_text(text: str) -> str:
    """The typed amount as plain decimal text ("$1,234.50" gives "1234.50"), or a
    MoneyError saying what is wrong with it."""
    text = text.strip()
    if any(ch.isdigit() and ch not in "0123456789" for ch in text):
        raise MoneyError(f"{text!r} uses digits other than 0–9")
    try:
        if not Decimal(text).is_finite():
            raise MoneyError(f"{text!r} is not a finite amount")
    except InvalidOperation:
        pass
    if not AMOUNT_TEXT.fullmatch(text) or not any(ch.isdigit() for ch in text):
        raise MoneyError(f"{text!r} is not a number: {AMOUNT_EXAMPLE}")
    return text.replace("$", "").replace(",", "")


def money_field(**kwargs) -> models.DecimalField:
    return models.DecimalField(max_digits=MAX_DIGITS, decimal_places=2, **kwargs)


def parse_money(value, *, positive: bool = False) -> Decimal:
    """Turn user or file input into an exact amount, or raise MoneyError saying why."""
    if isinstance(value, float):
        raise TypeError("money must not be a float; pass a string or Decimal")
    if isinstance(value, str):
        value = amount_text(value)
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise MoneyError(f"{value!r} is not a number") from None
    if not amount.is_finite():
        raise MoneyError(f"{value!r} is not a finite amount")
    if abs(amount) > MAX_AMOUNT:
        raise MoneyError(f"{value} is larger than the largest amount allowed, {MAX_AMOUNT:,}")
    if amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
        raise MoneyError(f"{value} has more than 2 decimal places")
    if positive and amount <= 0:
        raise MoneyError("the amount must be greater than zero")
    return amount.quantize(CENT)


def checked_amount(value, field: str, *, allow_zero: bool = False) -> Decimal:
    """An amount given to a service, or a ValidationError naming `field`: a number of
    dollars and cents (parse_money), greater than zero or, with `allow_zero`, zero or
    more (a negative amount is never given; a change that takes away says so by its
    kind). A blank optional amount is the caller's to read as zero."""
    try:
        amount = parse_money(value)
    except ValueError as error:
        raise ValidationError({field: sentence(error)}) from None
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationError(
            {
                field: "The amount must be zero or more."
                if allow_zero
                else "The amount must be greater than zero."
            }
        )
    return amount


def sentence(error: Exception) -> str:
    """A parse error as a sentence for a form: first letter up, full stop."""
    text = str(error)
    return text[:1].upper() + text[1:] + "."


def round_money(value: Decimal) -> Decimal:
    """Round a computed amount (a share, a rate times a base) to the cent, half up."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def format_money(value: Decimal | None) -> str:
    """$1,234.50, or an em dash when there is no amount; negatives as -$1,234.50."""
    if value is None:
        return "—"
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.2f}"


class MoneyFormField(forms.DecimalField):
    """A form field for an amount: 2 decimal places, within the column's range.

    Django's DecimalField already refuses NaN, infinity and a third decimal place;
    this adds the bounds and says them in dollars.
    """

    def __init__(self, *, allow_zero: bool = False, **kwargs):
        kwargs.setdefault("max_digits", MAX_DIGITS)
        kwargs.setdefault("decimal_places", 2)
        # A text box, not type=number: people type "$1,250.00", and a number box
        # would refuse it in the browser and change amounts on a mouse-wheel scroll.
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(**kwargs)
        self.allow_zero = allow_zero
        self.validators = [
            v for v in self.validators if not isinstance(v, (MinValueValidator, MaxValueValidator))
        ]
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def to_python(self, value):
        if isinstance(value, str) and value.strip():
            try:
                value = amount_text(value)
            except MoneyError as error:
                raise forms.ValidationError(sentence(error), code="invalid") from None
        return super().to_python(value)

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        if value > MAX_AMOUNT:
            raise forms.ValidationError(
                f"Enter an amount no larger than ${MAX_AMOUNT:,}.", code="max_value"
            )
        if value < 0 or (value == 0 and not self.allow_zero):
            raise forms.ValidationError(
                "Enter an amount of zero or more."
                if self.allow_zero
                else "Enter an amount greater than zero.",
                code="min_value",
            )


class MoneySum(models.Sum):
    """SUM of a money column that is exact on SQLite as well as PostgreSQL.

    PostgreSQL sums NUMERIC exactly. SQLite stores decimals as binary floats, and a
    plain SUM over many rows can drift by cents; summing whole cents instead is exact
    (integers are exact in a double up to 2**53 cents, about 90 trillion dollars).
    Always pass default=ZERO so an empty set sums to 0.00, not None.
    """

    def __init__(self, expression, **extra):
        extra.setdefault(
            "output_field",
            models.DecimalField(max_digits=MAX_DIGITS + 4, decimal_places=2),
        )
        super().__init__(expression, **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        cents = self.copy()
        cents.template = "%(function)s(%(distinct)sROUND(%(expressions)s * 100))"
        sql, params = cents.as_sql(compiler, connection, **extra_context)
        return f"(({sql}) / 100.0)", params
