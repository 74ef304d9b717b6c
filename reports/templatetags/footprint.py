"""Formatting of finance numbers for the pages: units and separators, never hidden."""

import datetime as dt

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.templatetags.static import static

from reports.figures import horizon_display
from reports.finders import STATIC_PATH

register = template.Library()


def _number(value: object) -> float | None:
    """Templates pass "" for a missing related result; show that as missing."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _unsigned_zero(number: float, digits: int) -> float:
    """-0.04 shown with one decimal is 0.0, not "-0.0"."""
    return 0.0 if round(number, digits) == 0 else number


@register.filter
def bps(value: object, digits: int = 1) -> str:
    number = _number(value)
    return "–" if number is None else f"{_unsigned_zero(number, digits):,.{digits}f}"


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


@register.filter
def money(value: object, digits: int = 0) -> str:
    number = _number(value)
    return "–" if number is None else f"{number:,.{digits}f}"


@register.filter
def signed(value: object, digits: int = 1) -> str:
    """bps with an explicit sign: costs read +, gains read -."""
    number = _number(value)
    return "–" if number is None else f"{_unsigned_zero(number, digits):+,.{digits}f}"


@register.filter
def cost_class(value: object) -> str:
    number = _number(value)
    if number is None or number == 0:
        return ""
    return "cost" if number > 0 else "gain"


@register.filter
def horizon(label: str) -> str:
    return horizon_display(label)


@register.simple_tag
def plotly_js() -> str:
    """URL of the plotly.js bundle served from the installed package (see reports.finders)."""
    return static(STATIC_PATH)


@register.filter
def item(mapping: object, key: str) -> object:
    """mapping[key] in a template (figures by id, choices by field name)."""
    return mapping.get(key) if isinstance(mapping, dict) else None


@register.filter
def field_value(form: object, name: str) -> object:
    return form[name].value()  # type: ignore[index]


@register.simple_tag
def filter_fields() -> list[tuple[str, str]]:
    return [
        ("broker", "Broker"),
        ("algo", "Algo"),
        ("trader", "Trader"),
        ("desk", "Desk"),
        ("regime", "Regime"),
    ]


@register.filter
def duration(seconds: object) -> str:
    """Seconds as '45 s', '12 min' or '2 h 05 min'."""
    number = _number(seconds)
    if number is None:
        return "–"
    if number < 60:
        return f"{number:.0f} s"
    minutes = round(number / 60)
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"
