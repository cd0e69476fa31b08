from django import template

from grants.money import format_money

register = template.Library()


@register.filter(name="money")
def money(value):
    """{{ amount|money }} → $1,234.50"""
    return format_money(value)


@register.filter(name="percent_of")
def percent_of(part, whole):
    """{{ part|percent_of:whole }} → 12.5%"""
    if not whole:
        return "—"
    return f"{part * 100 / whole:.1f}%"


@register.filter(name="sub")
def sub(value, other):
    """{{ a|sub:b }} → a − b"""
    return value - other


@register.filter(name="percent")
def percent(share):
    """{{ share|percent }} → 11.00% (a share of 0.11)"""
    return f"{share * 100:.2f}%"


@register.filter(name="rate")
def rate(value):
    """{{ 15.000|rate }} → 15% (an indirect cost rate, in percent); an em dash for none."""
    if value is None:
        return "—"
    return f"{value.normalize():f}%"
