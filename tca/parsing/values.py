"""Vectorised parsing of single values: decimals, sides, flags and codes.

Every checker returns a ``Checked`` pair of polars expressions over one input
column: the parsed value (null where the input is bad) and the reason the
input is bad (null where it is fine). Building expressions rather than
looping over rows is what keeps two million rows within a few seconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal
from zoneinfo import available_timezones

import polars as pl

from tca.frames import LIQUIDITY_FLAGS, RFQ_STATUSES

DECIMAL_SCALE = 10
DECIMAL_PRECISION = 38
MAX_INTEGER_DIGITS = DECIMAL_PRECISION - DECIMAL_SCALE
DECIMAL = pl.Decimal(DECIMAL_PRECISION, DECIMAL_SCALE)

SIDE_CODES: dict[str, int] = {
    "BUY": 1,
    "B": 1,
    "1": 1,
    "SELL": -1,
    "S": -1,
    "2": -1,
    "5": -1,  # FIX sell short
    "6": -1,  # FIX sell short exempt
    "SELL_SHORT": -1,
    "SHORT": -1,
}

# Reason texts, shared with the documentation and the tests.
MISSING = "missing value"
NOT_FINITE = "not a finite number"
EXPONENT = "exponent notation (like 1e3) is not accepted; write the plain decimal"
TOO_MANY_PLACES = f"more than {DECIMAL_SCALE} decimal places"
TOO_MANY_DIGITS = f"more than {MAX_INTEGER_DIGITS} digits before the decimal point"
NOT_POSITIVE = "must be greater than zero"
NEGATIVE = "must not be negative"
SIDE_EXPECTED = "expected BUY, SELL, B, S, 1, 2, 5, 6, SELL_SHORT or SHORT"
LIQUIDITY_EXPECTED = "expected " + ", ".join(LIQUIDITY_FLAGS[:-1]) + f" or {LIQUIDITY_FLAGS[-1]}"
CURRENCY_EXPECTED = "not a 3-letter currency code"
TIME_ZONE_EXPECTED = "not an IANA time zone name (like Europe/London)"
TIME_OF_DAY_EXPECTED = "not a time of day (HH:MM or HH:MM:SS)"
DATE_EXPECTED = "not a calendar date (YYYY-MM-DD)"
CODE_EXPECTED = (
    "not a valid code: letters, digits, '.', '_' or '-', starting with a letter or digit, "
    "at most {} characters"
)
CONTROL_CHARACTER = "contains a control character (such as NUL or a line break)"
TOO_LONG = "longer than {} characters"
# Symbols and venues become path components of the tick store and object keys:
# one strict shape, so no value can climb out of its folder ("..", "/", "\\").
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"

_PLAIN_DECIMAL = r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$"
_EXPONENT_DECIMAL = r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)[eE][+-]?\d+$"
_NON_FINITE = r"(?i)^[+-]?(?:nan|inf|infinity)$"
_SHOWN_CHARS = 40

# Below this magnitude a float times 10**scale stays under 2**53, so polars'
# direct float->decimal cast rounds to the same value as the shortest decimal
# representation of the float; above it we go through that representation.
_FAST_FLOAT_LIMIT = 2.0**53 / 10**DECIMAL_SCALE
_QUANTUM = Decimal(1).scaleb(-DECIMAL_SCALE)
_WIDE = Context(prec=DECIMAL_PRECISION + 2)


@dataclass(frozen=True, slots=True)
class Checked:
    """A parsed column: the value, and why it is bad (null if fine).

    ``stages`` are helper columns computed first, one ``with_columns`` per
    stage, so that an intermediate result (the pieces of a timestamp, the
    digit counts of a decimal) is computed once and not once per use.
    Helper names start with ``__`` and the column name, see ``helper``.
    """

    value: pl.Expr
    reason: pl.Expr
    stages: tuple[dict[str, pl.Expr], ...] = ()


def run_checks(
    frame: pl.DataFrame, checks: dict[str, Checked], keep: tuple[str, ...]
) -> pl.DataFrame:
    """Evaluate ``checks`` over ``frame`` in one lazy query.

    Returns the ``keep`` columns, each checked column's value under its name,
    and its reason as ``reason_column(name)``.
    """
    lazy = frame.lazy()
    for depth in range(max((len(c.stages) for c in checks.values()), default=0)):
        stage: dict[str, pl.Expr] = {}
        for checked in checks.values():
            if depth < len(checked.stages):
                stage.update(checked.stages[depth])
        lazy = lazy.with_columns(**stage)
    return lazy.select(
        *keep,
        *(c.value.alias(name) for name, c in checks.items()),
        *(c.reason.alias(reason_column(name)) for name, c in checks.items()),
    ).collect()


def reason_column(name: str) -> str:
    return helper(name, "reason")


def helper(column: str, part: str) -> str:
    """Name of a helper column; never collides with a file column (names are trimmed)."""
    return f"__{column}:{part}"


def no_reason() -> pl.Expr:
    return pl.lit(None, dtype=pl.String)


def quoted(expr: pl.Expr) -> pl.Expr:
    """The offending input, shortened and quoted for an error message."""
    text = expr.cast(pl.String)
    short = pl.when(text.str.len_chars() > _SHOWN_CHARS).then(
        text.str.slice(0, _SHOWN_CHARS) + "..."
    )
    return pl.format("'{}'", short.otherwise(text))


def explain(bad: pl.Expr, template: str, source: pl.Expr) -> pl.Expr:
    """``template`` with the quoted input where ``bad``, else null.

    The input is masked before formatting so that the string work is done
    for the bad rows only.
    """
    return pl.format(template, quoted(pl.when(bad).then(source)))


def decimal_text(expr: pl.Expr) -> pl.Expr:
    """A decimal as short text for messages: 100.5000000000 -> 100.5."""
    text = expr.cast(pl.String)
    return (
        pl.when(text.str.contains(".", literal=True))
        .then(text.str.replace(r"\.?0+$", ""))
        .otherwise(text)
    )


def with_missing(checked: Checked, source: pl.Expr, *, required: bool) -> Checked:
    """Add the "missing value" reason for a required column."""
    if not required:
        return checked
    reason = pl.when(source.is_null()).then(pl.lit(MISSING)).otherwise(checked.reason)
    return Checked(checked.value, reason, checked.stages)


def check_text(
    name: str, dtype: pl.DataType, *, max_length: int = 255, prose: bool = False
) -> Checked:
    """Free text (ids, names); numbers from Parquet arrive as their decimal text.

    Control characters (NUL above all: PostgreSQL refuses it) and values longer
    than the column that stores them are row errors here, never database errors.
    ``prose`` (a name) may hold tabs and line breaks; identifiers may not.
    """
    value = pl.col(name).cast(pl.String)
    pattern = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]" if prose else r"[\x00-\x1f\x7f]"
    control = value.str.contains(pattern)
    long = value.str.len_chars() > max_length
    reason = (
        pl.when(control)
        .then(pl.lit(CONTROL_CHARACTER))
        .when(long)
        .then(pl.lit(TOO_LONG.format(max_length)))
    )
    return Checked(pl.when(control | long).then(None).otherwise(value), reason)


def check_code(name: str, dtype: pl.DataType, *, max_length: int = 32) -> Checked:
    """A symbol, venue or MIC: letters, digits, '.', '_', '-'; no '..'; bounded length."""
    value = pl.col(name).cast(pl.String)
    ok = (
        value.str.contains(CODE_PATTERN)
        & ~value.str.contains(r"\.\.", literal=False)
        & (value.str.len_chars() <= max_length)
    )
    return Checked(
        pl.when(ok).then(value),
        explain(value.is_not_null() & ~ok, CODE_EXPECTED.format(max_length) + ": {}", value),
    )


def check_number(name: str, dtype: pl.DataType) -> Checked:
    """A finite float, exponents allowed: a measurement such as a signal value.

    Unlike prices and quantities these are not amounts a statement must match
    to the cent, so they are read as floats rather than exact decimals.
    """
    if dtype == pl.String:
        text = pl.col(name).str.strip_chars()
        value = text.cast(pl.Float64, strict=False)
        source = pl.col(name)
    elif dtype.is_numeric():
        value = pl.col(name).cast(pl.Float64)
        source = value.cast(pl.String)
    else:
        value = pl.lit(None, dtype=pl.Float64)
        source = pl.col(name).cast(pl.String)
    ok = value.is_finite().fill_null(False)
    present = pl.col(name).is_not_null()
    return Checked(
        pl.when(ok).then(value),
        explain(present & ~ok, "expected a finite number: {}", source),
    )


def check_decimal(name: str, dtype: pl.DataType, *, sign: str = "any") -> Checked:
    """A decimal kept exact as ``DECIMAL``; ``sign`` is "positive", "non_negative" or "any".

    Text must be a plain decimal: exponents, NaN and infinities are rejected
    because they usually mean the value went through a float on its way here.
    Text with more decimal places than the scale is rejected rather than
    rounded, so what the database stores is what the file said.
    """
    source = pl.col(name)
    value_name = helper(name, "value")
    if dtype == pl.String:
        stages, reason = _decimal_from_text(name, value_name)
    elif dtype.is_numeric():
        # Integers, decimals (scale already checked by the reader) and floats
        # already converted by ``decimal_from_float``.
        stages = ({value_name: source.cast(DECIMAL, strict=False)},)
        reason = pl.when(source.is_not_null() & pl.col(value_name).is_null()).then(
            pl.lit(TOO_MANY_DIGITS)
        )
    else:
        raise TypeError(f"no decimal reading for {dtype}")
    value = pl.col(value_name)
    if sign == "positive":
        reason = pl.coalesce(reason, pl.when(value <= 0).then(pl.lit(NOT_POSITIVE)))
    elif sign == "non_negative":
        reason = pl.coalesce(reason, pl.when(value < 0).then(pl.lit(NEGATIVE)))
    return Checked(value, reason, stages)


def _decimal_from_text(
    name: str, value_name: str
) -> tuple[tuple[dict[str, pl.Expr], ...], pl.Expr]:
    text = pl.col(name)
    plain, digits, fits = helper(name, "plain"), helper(name, "digits"), helper(name, "fits")
    # Digits without sign and leading zeros, e.g. "-007.50" -> "7.50" (the
    # text is a plain decimal here, so the sign can only come first).
    unsigned = text.str.strip_chars_start("+-0")
    dot = pl.col(digits).str.find(".", literal=True)
    integer_digits = pl.coalesce(dot, pl.col(digits).str.len_chars())
    # Trailing zeros after the point do not count: 1.500000000000 is exact.
    places = pl.col(digits).str.slice(dot + 1).str.strip_chars_end("0").str.len_chars()
    fit = (
        pl.col(plain)
        & (places.fill_null(0) <= DECIMAL_SCALE)
        & (integer_digits <= MAX_INTEGER_DIGITS)
    )
    stages = (
        {plain: text.str.contains(_PLAIN_DECIMAL)},
        {digits: pl.when(pl.col(plain)).then(unsigned)},
        {fits: fit.fill_null(False)},
        {value_name: pl.when(pl.col(fits)).then(text.cast(DECIMAL, strict=False))},
    )
    bad = pl.when(~pl.col(fits)).then(text)
    reason = (
        pl.when(text.is_null() | pl.col(fits))
        .then(no_reason())
        .when(bad.str.contains(_NON_FINITE))
        .then(pl.lit(NOT_FINITE))
        .when(bad.str.contains(_EXPONENT_DECIMAL))
        .then(pl.lit(EXPONENT))
        .when(~pl.col(plain))
        .then(explain(~pl.col(plain), "not a decimal number: {}", text))
        .when(places > DECIMAL_SCALE)
        .then(pl.lit(TOO_MANY_PLACES))
        .otherwise(pl.lit(TOO_MANY_DIGITS))
    )
    return stages, reason


def decimal_from_float(values: pl.Series) -> pl.Series:
    """Floats (from Parquet) to ``DECIMAL`` through their shortest decimal text.

    A float has no exact decimal value, so the one the user meant is taken to
    be its shortest round-trip text (100.1, not 100.0999999999999943),
    rounded half-even to the scale. NaN and infinities become null; the
    caller reports them.
    """
    finite = values.is_finite().fill_null(False)
    result = values.cast(DECIMAL, strict=False)
    slow = (finite & (values.abs() >= _FAST_FLOAT_LIMIT)).arg_true()
    if slow.len():
        exact = [_float_decimal(v) for v in values.gather(slow).to_list()]
        result = result.scatter(slow, pl.Series(exact, dtype=DECIMAL, strict=False))
    return _mask(result, finite)


def _mask(values: pl.Series, keep: pl.Series) -> pl.Series:
    return pl.select(pl.when(keep).then(values)).to_series().alias(values.name)


def _float_decimal(value: float) -> Decimal | None:
    if not math.isfinite(value):
        return None
    shortest = Decimal(repr(value))
    if shortest.adjusted() >= MAX_INTEGER_DIGITS:
        return None  # reported as too many digits
    return shortest.quantize(_QUANTUM, rounding=ROUND_HALF_EVEN, context=_WIDE)


def check_side(name: str, dtype: pl.DataType) -> Checked:
    """Side as the sign +1/-1 (Int8); FIX codes 5/6 (sell short) count as sells."""
    source = pl.col(name)
    value_name = helper(name, "value")
    text = source.cast(pl.String).str.to_uppercase()
    value = text.replace_strict(SIDE_CODES, default=None, return_dtype=pl.Int8)
    bad = source.is_not_null() & pl.col(value_name).is_null()
    reason = explain(bad, f"unknown side {{}} ({SIDE_EXPECTED})", source)
    return Checked(pl.col(value_name), reason, ({value_name: value},))


def _check_flag(name: str, allowed: tuple[str, ...], what: str, expected: str) -> Checked:
    """One of ``allowed``, case-insensitive, stored upper-case."""
    source = pl.col(name)
    text = source.cast(pl.String).str.to_uppercase()
    known = text.is_in(allowed)
    reason = explain(source.is_not_null() & ~known, f"unknown {what} {{}} ({expected})", source)
    return Checked(pl.when(known).then(text), reason)


def check_liquidity(name: str, dtype: pl.DataType) -> Checked:
    return _check_flag(name, LIQUIDITY_FLAGS, "liquidity", LIQUIDITY_EXPECTED)


RFQ_STATUS_EXPECTED = "expected " + ", ".join(RFQ_STATUSES[:-1]) + f" or {RFQ_STATUSES[-1]}"


def check_rfq_status(name: str, dtype: pl.DataType) -> Checked:
    """A quote's outcome (FILLED, PASSED, EXPIRED)."""
    return _check_flag(name, RFQ_STATUSES, "status", RFQ_STATUS_EXPECTED)


def _check_pattern(name: str, ok: pl.Expr, expected: str) -> Checked:
    source = pl.col(name)
    return Checked(
        pl.when(ok).then(source), explain(source.is_not_null() & ~ok, expected + ": {}", source)
    )


def check_currency(name: str, dtype: pl.DataType) -> Checked:
    """ISO-4217-shaped code; case is kept because GBp (pence) is not GBP."""
    return _check_pattern(name, pl.col(name).str.contains(r"^[A-Za-z]{3}$"), CURRENCY_EXPECTED)


def check_time_zone(name: str, dtype: pl.DataType) -> Checked:
    ok = pl.col(name).is_in(sorted(available_timezones()))
    return _check_pattern(name, ok, TIME_ZONE_EXPECTED)


def check_time_of_day(name: str, dtype: pl.DataType) -> Checked:
    """Session open/close as local "HH:MM[:SS]" text, hours 00-23."""
    ok = pl.col(name).str.contains(r"^(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?$")
    return _check_pattern(name, ok, TIME_OF_DAY_EXPECTED)


def check_date(name: str, dtype: pl.DataType) -> Checked:
    """A session date as ISO "YYYY-MM-DD"; the shape and the calendar are both checked."""
    source = pl.col(name)
    shaped = source.str.contains(r"^\d{4}-\d{2}-\d{2}$")
    value = pl.when(shaped).then(source).str.to_date("%Y-%m-%d", strict=False)
    bad = source.is_not_null() & value.is_null()
    return Checked(value, explain(bad, DATE_EXPECTED + ": {}", source))
