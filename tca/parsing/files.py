"""Parsing and validating one user file of instruments, orders, fills, quotes or trades.

A file is accepted whole or not at all (SPEC §5), so ``parse_file`` runs
every check before it hands back a frame and returns either the frame or the
errors, never part of the rows. It reads and writes nothing but its input:
storing the rows is the caller's business.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import available_timezones

import polars as pl

from tca.frames import SCHEMAS
from tca.parsing.columns import (
    COLUMN_TYPES,
    DECIMAL_TYPES,
    KINDS,
    LINE,
    UNIQUE_KEYS,
    ValueType,
    check_column,
    is_required,
    parsed_schema,
)
from tca.parsing.errors import ErrorSink, RowError
from tca.parsing.ordering import symbol_time_order
from tca.parsing.tabular import NO_ROWS, Table, read_table
from tca.parsing.values import (
    DECIMAL_SCALE,
    decimal_from_float,
    decimal_text,
    quoted,
    reason_column,
    run_checks,
)

MISSING_COLUMN = "missing required column"
TOO_LARGE = "file is larger than the limit of {limit} bytes"
DECISION_AFTER_ARRIVAL = "decision_time is after arrival_time"
END_BEFORE_ARRIVAL = "end_time is before arrival_time"
_SHOWN_LINES = 10
SORTED_KINDS = frozenset({"quotes", "trades", "signals"})


@dataclass(frozen=True, slots=True)
class ParseResult:
    """The outcome of parsing one file.

    ``frame`` is None when the file is rejected; otherwise it has every
    column of ``parsed_schema(kind)`` (canonical names, amounts as exact
    ``Decimal(38, 10)``, absent optional columns as nulls) plus ``line``, the
    line of each row in the file. ``errors`` holds the first 1,000 problems
    in line order, ``error_count`` all of them. ``columns`` are the known
    columns the file had (the caller may not want to overwrite stored values
    with the nulls of absent ones); ``ignored_columns`` the unknown ones.
    """

    kind: str
    frame: pl.DataFrame | None
    errors: list[RowError]
    error_count: int
    row_count: int
    columns: tuple[str, ...] = ()
    ignored_columns: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return self.frame is not None


def parse_file(
    kind: str,
    data: bytes | str | os.PathLike[str],
    *,
    filename: str,
    tz: str | None = None,
    max_bytes: int | None = None,
    max_rows: int | None = None,
) -> ParseResult:
    """Parse and validate a CSV or Parquet file of ``kind``.

    ``data`` is the content or a path to it; ``filename`` is the name the user
    gave (its extension must agree with the content). ``tz`` names the zone
    of timestamps written without a UTC offset; ``max_bytes`` rejects larger
    files before reading them, ``max_rows`` files with more rows (a Parquet
    file's declared count is checked before it is decompressed).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown file kind {kind!r}; expected one of {', '.join(KINDS)}")
    errors = ErrorSink()
    table, values = _read_and_check(
        kind, data, filename=filename, tz=tz, max_bytes=max_bytes, max_rows=max_rows,
        errors=errors,
    )  # fmt: skip
    header = table.header if table is not None else ()
    row_count = table.row_count if table is not None else 0
    ignored = tuple(c for c in header if c and c not in COLUMN_TYPES[kind])
    if errors or values is None:
        known = tuple(c for c in header if c in COLUMN_TYPES[kind])
        return ParseResult(kind, None, errors.first(), errors.count, row_count, known, ignored)
    present = tuple(c for c in SCHEMAS[kind] if c in values.columns)
    return ParseResult(kind, _assemble(kind, values), [], 0, row_count, present, ignored)


def _read_and_check(
    kind: str,
    data: bytes | str | os.PathLike[str],
    *,
    filename: str,
    tz: str | None,
    max_bytes: int | None,
    errors: ErrorSink,
    max_rows: int | None = None,
) -> tuple[Table | None, pl.DataFrame | None]:
    """The readable table and its checked values; errors say what is wrong."""
    if tz is not None and tz not in available_timezones():
        errors.add(None, None, f"unknown time zone {tz!r}")
    size = len(data) if isinstance(data, bytes) else os.stat(data).st_size
    if max_bytes is not None and size > max_bytes:
        errors.add(None, None, TOO_LARGE.format(limit=max_bytes))
    if errors:
        return None, None
    content = data if isinstance(data, bytes) else Path(data).read_bytes()
    table = read_table(
        content, filename=filename, known=COLUMN_TYPES[kind], errors=errors, max_rows=max_rows
    )
    if table is None:
        return None, None
    if table.row_count == 0:
        errors.add(None, None, NO_ROWS)
    missing = [c for c in SCHEMAS[kind] if is_required(kind, c) and c not in table.header]
    for column in missing:
        errors.add(table.header_line, column, MISSING_COLUMN)
    if table.row_count == 0 or missing:
        return table, None
    values = _parse_columns(kind, table.frame, tz, errors)
    if values is not None:
        _check_rows(kind, values, errors)
    return table, values


def to_canonical(kind: str, frame: pl.DataFrame) -> pl.DataFrame:
    """The canonical Float64 frame of ``tca.frames`` (no ``line``) from a parsed one.

    Missing optional columns become typed nulls, so the analytics can rely on
    the schema whatever the file carried.
    """
    schema = SCHEMAS[kind]
    return frame.select(
        pl.col(name).cast(dtype) if name in frame.columns else pl.lit(None, dtype=dtype).alias(name)
        for name, dtype in schema.items()
    )


def _parse_columns(
    kind: str, raw: pl.DataFrame, tz: str | None, errors: ErrorSink
) -> pl.DataFrame | None:
    """Every column parsed, in the output row order; None if a column type is unusable.

    Market data is put in (symbol, time) order after parsing those two
    columns and before parsing the others: moving raw floats is several times
    cheaper than moving 128-bit decimals.
    """
    if kind not in SORTED_KINDS:
        prepared = _prepare_typed_columns(kind, raw, errors)
        return None if prepared is None else _check_values(kind, prepared, tz, errors)
    key_columns = [LINE, "symbol", "time"]
    prepared_keys = _prepare_typed_columns(kind, raw.select(key_columns), errors)
    if prepared_keys is None:
        return None
    keys = _check_values(kind, prepared_keys, tz, errors)
    order = symbol_time_order(keys["symbol"], keys["time"])
    rest = raw.drop(key_columns[1:])
    if order is not None:
        keys, rest = keys[order], rest[order]
    prepared = _prepare_typed_columns(kind, rest, errors)
    if prepared is None:
        return None
    others = _check_values(kind, prepared, tz, errors).drop(LINE)
    return pl.concat([keys, others], how="horizontal")


def _prepare_typed_columns(
    kind: str, frame: pl.DataFrame, errors: ErrorSink
) -> pl.DataFrame | None:
    """Bring Parquet's typed columns to what the value checks read.

    Floats become exact decimals here (eagerly: see ``decimal_from_float``);
    decimals finer than our scale become text so that extra places are
    reported, not rounded away; nested or binary types are refused.
    """
    replaced: list[pl.Series] = []
    refused = False
    for name, dtype in frame.schema.items():
        if name == LINE or dtype == pl.String:
            continue
        value_type = COLUMN_TYPES[kind][name]
        refusal = _parquet_refusal(value_type, dtype)
        if refusal:
            errors.add(None, name, f"a Parquet column of type {dtype} cannot hold {refusal}")
            refused = True
        elif value_type in (ValueType.NUMBER, ValueType.TIMESTAMP):
            continue
        elif value_type in DECIMAL_TYPES and dtype.is_float():
            replaced.append(_decimal_from_float_column(frame[name]))
        elif value_type in DECIMAL_TYPES and isinstance(dtype, pl.Decimal):
            if (dtype.scale or 0) > DECIMAL_SCALE:
                replaced.append(frame[name].cast(pl.String))
        elif value_type not in DECIMAL_TYPES:
            replaced.append(frame[name].cast(pl.String))
    if refused:
        return None
    return frame.with_columns(replaced) if replaced else frame


def _parquet_refusal(value_type: ValueType, dtype: pl.DataType) -> str | None:
    """What a typed Parquet column cannot hold for its value type, or None if usable."""
    if value_type == ValueType.NUMBER or value_type in DECIMAL_TYPES:
        usable = dtype.is_numeric() if value_type == ValueType.NUMBER else (
            dtype.is_float() or dtype.is_integer() or isinstance(dtype, pl.Decimal)
        )
        return None if usable else "numbers"
    if value_type == ValueType.TIMESTAMP:
        return None if isinstance(dtype, pl.Datetime) or dtype == pl.Date else "timestamps"
    return "text" if dtype.is_nested() or dtype in (pl.Binary, pl.Object) else None


def _decimal_from_float_column(source: pl.Series) -> pl.Series:
    """Exact decimals, or text when NaN or infinities need the text reader's reasons."""
    converted = decimal_from_float(source)
    if source.is_finite().fill_null(True).all():
        return converted
    finite = source.is_finite().fill_null(True)
    text = pl.select(
        pl.when(finite).then(converted.cast(pl.String)).otherwise(source.cast(pl.String))
    )
    return text.to_series().alias(source.name)


def _check_values(kind: str, raw: pl.DataFrame, tz: str | None, errors: ErrorSink) -> pl.DataFrame:
    """Parse every column in one pass; record each bad value; bad values become null."""
    names = [c for c in raw.columns if c != LINE]
    checks = {name: check_column(kind, name, raw.schema[name], tz=tz) for name in names}
    parsed = run_checks(raw, checks, (LINE,))
    for name in names:
        reason = pl.col(reason_column(name))
        if parsed[reason_column(name)].null_count() < parsed.height:
            errors.add_frame(
                parsed.filter(reason.is_not_null()).select(LINE, column=pl.lit(name), reason=reason)
            )
    return parsed.select(LINE, *names)


def _check_rows(kind: str, values: pl.DataFrame, errors: ErrorSink) -> None:
    """Rules across columns and rows, on values that passed their own checks."""
    key = UNIQUE_KEYS.get(kind)
    if key is not None and key in values.columns:
        _check_unique(values, key, errors)
    columns = set(values.columns)
    if kind == "orders":
        if "decision_time" in columns:
            late = values.filter(pl.col("decision_time") > pl.col("arrival_time"))
            errors.add_reasons(late, "decision_time", DECISION_AFTER_ARRIVAL)
        if "end_time" in columns:
            early = values.filter(pl.col("end_time") < pl.col("arrival_time"))
            errors.add_reasons(early, "end_time", END_BEFORE_ARRIVAL)
    if kind == "daily":
        _check_daily_bars(values, errors)
    if kind == "rfq":
        _check_rfq(values, errors)
    if kind == "quotes":
        crossed = values.filter(pl.col("bid") > pl.col("ask"))
        if crossed.height:
            errors.add_frame(
                crossed.select(
                    LINE,
                    column=pl.lit("bid"),
                    reason=pl.format(
                        "bid {} is above ask {}",
                        decimal_text(pl.col("bid")),
                        decimal_text(pl.col("ask")),
                    ),
                )
            )


RFQ_TERMS = ("symbol", "side", "quantity", "request_time")
QUOTE_BEFORE_REQUEST = "quote_time is before request_time"
EXPIRES_BEFORE_QUOTE = "valid_until is before quote_time"


def _check_rfq(values: pl.DataFrame, errors: ErrorSink) -> None:
    """One quote per (rfq_id, dealer); one request's terms on all its quotes; times in
    order; at most one filled quote per request."""
    keyed = values.filter(pl.col("rfq_id").is_not_null() & pl.col("dealer").is_not_null())
    repeated = keyed.filter(pl.struct("rfq_id", "dealer").is_duplicated())
    errors.add_frame(
        repeated.select(
            LINE, column=pl.lit("dealer"),
            reason=pl.format("a second quote from {} for rfq {}", quoted(pl.col("dealer")),
                             quoted(pl.col("rfq_id"))),
        )
    )  # fmt: skip
    for term in RFQ_TERMS:
        if term not in values.columns:
            continue
        differs = keyed.filter(pl.col(term).n_unique().over("rfq_id") > 1)
        errors.add_frame(
            differs.select(
                LINE, column=pl.lit(term),
                reason=pl.format(f"{term} differs between the quotes of rfq {{}}",
                                 quoted(pl.col("rfq_id"))),
            )
        )  # fmt: skip
    early = values.filter(pl.col("quote_time") < pl.col("request_time"))
    errors.add_reasons(early, "quote_time", QUOTE_BEFORE_REQUEST)
    if "valid_until" in values.columns:
        expired = values.filter(pl.col("valid_until") < pl.col("quote_time"))
        errors.add_reasons(expired, "valid_until", EXPIRES_BEFORE_QUOTE)
    if "status" in values.columns:
        filled = keyed.filter(pl.col("status") == "FILLED")
        twice = filled.filter(pl.col("rfq_id").is_duplicated())
        errors.add_frame(
            twice.select(
                LINE, column=pl.lit("status"),
                reason=pl.format("more than one FILLED quote for rfq {}", quoted(pl.col("rfq_id"))),
            )
        )  # fmt: skip


def _check_daily_bars(values: pl.DataFrame, errors: ErrorSink) -> None:
    """One bar per (symbol, date), and a bar whose range holds its open and close."""
    keyed = values.filter(pl.col("symbol").is_not_null() & pl.col("date").is_not_null())
    repeated = keyed.filter(pl.struct("symbol", "date").is_duplicated())
    if repeated.height:
        errors.add_frame(
            repeated.select(
                LINE,
                column=pl.lit("date"),
                reason=pl.format(
                    "duplicate bar for {} on {}", quoted(pl.col("symbol")), pl.col("date")
                ),
            )
        )
    # Range rules only on prices that passed their own (positive) check.
    low, high = pl.col("low"), pl.col("high")
    sane = (low > 0) & (high > 0)
    errors.add_reasons(values.filter(sane & (low > high)), "low", "low is above high")
    for name in ("open", "close"):
        price = pl.col(name)
        beyond = (price < low) | (price > high)
        outside = values.filter(sane & (low <= high) & (price > 0) & beyond)
        errors.add_reasons(outside, name, f"{name} is outside [low, high]")


def _check_unique(values: pl.DataFrame, key: str, errors: ErrorSink) -> None:
    """Each line of a repeated key gets an error naming the lines that share it."""
    # Hashes first: a 64-bit duplicate test is much cheaper than a string one,
    # and only rows whose hash repeats can repeat the key.
    candidates = values.filter(pl.col(key).is_not_null() & pl.col(key).hash().is_duplicated())
    repeated = candidates.filter(pl.col(key).is_duplicated())
    if repeated.height == 0:
        return
    shown = pl.col(LINE).head(_SHOWN_LINES).cast(pl.String).str.join(", ")
    more = pl.when(pl.len() > _SHOWN_LINES).then(pl.format(", ... ({} in all)", pl.len()))
    groups = repeated.group_by(key).agg(
        pl.col(LINE), listed=pl.concat_str(shown, more.otherwise(pl.lit("")))
    )
    errors.add_frame(
        groups.explode(LINE).select(
            LINE,
            column=pl.lit(key),
            reason=pl.format(
                "duplicate {} {} (lines {})", pl.lit(key), quoted(pl.col(key)), pl.col("listed")
            ),
        )
    )


def _assemble(kind: str, values: pl.DataFrame) -> pl.DataFrame:
    """The output frame: every column of ``parsed_schema``, absent ones as typed nulls."""
    return values.select(
        pl.col(name).cast(dtype)
        if name in values.columns
        else pl.lit(None, dtype=dtype).alias(name)
        for name, dtype in parsed_schema(kind).items()
    )
