"""Formatting of finance numbers for the pages: units and separators, never hidden."""

import datetime as dt

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

register = template.Library()


def _number(value: object) -> float | None:
    """Templates pass "" for a missing related result; show that as missing."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


@register.filter
def bps(value: object, digits: int = 1) -> str:
    number = _number(value)
    return "–" if number is None else f"{number:,.{digits}f}"


@register.filter
def pct(value: object, digits: int = 1) -> str:
    number = _number(value)
    return "–" if number is None else f"{number * 100:,.{digits}f} %"


@register.filter
def qty(value: object) -> str:
    if value is None or value == "":
        return "–"
    number = float(value)  # type: ignore[arg-type]
    return intcomma(int(number)) if number.is_integer() else f"{number:,.2f}"


@register.filter
def ns_time(value: int | None) -> str:
    if value is None:
        return "–"
    moment = dt.datetime.fromtimestamp(value // 1000 / 1e6, tz=dt.UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


@register.simple_tag
def sort_link(current: str, column: str) -> str:
    """The sort parameter a header link should set: toggles direction on the active column."""
    if current == column:
        return f"-{column}"
    return column
