"""Vectorised timestamp parsing to UTC instants with nanosecond resolution.

The SPEC makes every time a UTC instant and rejects input without an offset
unless the ingest names a time zone. Parsing goes through a regular
expression rather than ``strptime`` formats so that one column may mix
``Z``, ``+01:00`` and ``+0100`` and any number of fractional digits up to 9,
and so that each rejected value gets a precise reason.
"""

from __future__ import annotations

import polars as pl

from tca.frames import TIME
from tca.parsing.values import Checked, explain, helper, no_reason

NOT_ISO = "not an ISO-8601 timestamp (like 2024-03-01T14:30:00.123456789Z)"
NOT_FIX_TIME = "not a FIX UTCTimestamp (like 20240301-14:30:00.123)"
INVALID = "not a valid date, time or UTC offset"
NO_OFFSET = "timestamp has no UTC offset; add Z or ±HH:MM, or name the time zone of the file"
DATE_ONLY = "a date without a time of day"

_ISO = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?:[Zz]|[+-]\d{2}:?\d{2})?$"
_FIX = r"^\d{8}-\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?$"
_NAIVE = pl.Datetime("ns")


def gap_reason(tz: str) -> str:
    return f"local time does not exist in {tz} (clocks went forward)"


def overlap_reason(tz: str) -> str:
    return f"local time is ambiguous in {tz} (clocks went back); give the UTC offset"


def check_timestamp(name: str, dtype: pl.DataType, *, tz: str | None) -> Checked:
    """ISO-8601 text or a Parquet datetime, as ``Datetime("ns", "UTC")``.

    An explicit offset always wins; ``tz`` only applies to values without
    one. Local times that fall in a DST gap or overlap are rejected rather
    than guessed.
    """
    source = pl.col(name)
    if dtype == pl.String:
        return _from_iso_text(name, tz)
    if isinstance(dtype, pl.Datetime):
        if dtype.time_zone is not None:
            return Checked(source.dt.convert_time_zone("UTC").cast(TIME), no_reason())
        local = helper(name, "local")
        zoned = _localize(name, pl.col(local), source.is_not_null(), tz)
        return Checked(zoned.value, zoned.reason, ({local: source.cast(_NAIVE)}, *zoned.stages))
    if dtype == pl.Date:
        return Checked(
            pl.lit(None, dtype=TIME), pl.when(source.is_not_null()).then(pl.lit(DATE_ONLY))
        )
    raise TypeError(f"no timestamp reading for {dtype}")


def check_fix_timestamp(name: str, *, tz: str | None) -> Checked:
    """FIX UTCTimestamp text (YYYYMMDD-HH:MM:SS[.fff...]), UTC unless ``tz`` says otherwise."""
    text = pl.col(name)
    ok, naive, local = helper(name, "ok"), helper(name, "naive"), helper(name, "local")
    fraction = pl.when(text.str.len_bytes() > 17).then(text.str.slice(18))
    stages: tuple[dict[str, pl.Expr], ...] = (
        {ok: text.str.contains(_FIX)},
        {
            naive: pl.when(pl.col(ok))
            .then(text.str.slice(0, 17))
            .str.strptime(_NAIVE, "%Y%m%d-%H:%M:%S", strict=False)
        },
        {local: pl.col(naive) + pl.duration(nanoseconds=_nanoseconds(fraction), time_unit="ns")},
    )
    if tz is None:
        value: pl.Expr = pl.col(local).dt.replace_time_zone("UTC")
        zone_reason = no_reason()
    else:
        zoned = _localize(name, pl.col(local), text.is_not_null(), tz)
        value, zone_reason, stages = zoned.value, zoned.reason, stages + zoned.stages
    reason = (
        pl.when(text.is_null())
        .then(no_reason())
        .when(~pl.col(ok))
        .then(explain(~pl.col(ok), NOT_FIX_TIME + ": {}", text))
        .when(pl.col(naive).is_null())
        .then(explain(pl.col(naive).is_null(), INVALID + ": {}", text))
        .otherwise(zone_reason)
    )
    return Checked(pl.when(reason.is_null()).then(value), reason, stages)


def _from_iso_text(name: str, tz: str | None) -> Checked:
    text = pl.col(name)
    ok, naive, rest = helper(name, "ok"), helper(name, "naive"), helper(name, "rest")
    cut, local, minutes = helper(name, "cut"), helper(name, "local"), helper(name, "minutes")
    shaped = pl.when(pl.col(ok)).then(text)
    # The shape is checked first, so the pieces can be cut by position.
    date_time = shaped.str.slice(0, 19).str.replace(" ", "T", literal=True)
    starts_fraction = pl.col(rest).str.slice(0, 1).is_in([".", ","])
    offset_at = pl.coalesce(pl.col(cut), pl.col(rest).str.len_chars())
    fraction = pl.when(starts_fraction).then(pl.col(rest).str.slice(1, offset_at - 1))
    offset = pl.col(rest).str.slice(offset_at)
    hours = offset.str.slice(1, 2).cast(pl.Int64, strict=False)
    mins = offset.str.slice(-2).cast(pl.Int64, strict=False)
    signed = pl.when(offset.str.starts_with("-")).then(-1).otherwise(1) * (hours * 60 + mins)
    stages: tuple[dict[str, pl.Expr], ...] = (
        {ok: text.str.contains(_ISO)},
        {
            naive: date_time.str.strptime(_NAIVE, "%Y-%m-%dT%H:%M:%S", strict=False),
            rest: shaped.str.slice(19),
        },
        {cut: pl.col(rest).str.find(r"[Zz+-]")},
        {
            local: pl.col(naive) + pl.duration(nanoseconds=_nanoseconds(fraction), time_unit="ns"),
            minutes: pl.when(offset.str.to_uppercase() == "Z").then(0).otherwise(signed),
        },
    )
    has_offset = pl.col(cut).is_not_null()
    bad_offset = has_offset & ((hours > 23) | (mins > 59))
    from_offset = (
        pl.col(local) - pl.duration(minutes=pl.col(minutes), time_unit="ns")
    ).dt.replace_time_zone("UTC")
    if tz is None:
        from_zone: pl.Expr = pl.lit(None, dtype=TIME)
        zone_reason = pl.lit(NO_OFFSET)
    else:
        zoned = _localize(name, pl.col(local), text.is_not_null(), tz)
        from_zone, zone_reason, stages = zoned.value, zoned.reason, stages + zoned.stages

    invalid = pl.col(naive).is_null() | bad_offset
    reason = (
        pl.when(text.is_null())
        .then(no_reason())
        .when(~pl.col(ok))
        .then(explain(~pl.col(ok), NOT_ISO + ": {}", text))
        .when(invalid)
        .then(explain(invalid, INVALID + ": {}", text))
        .when(~has_offset)
        .then(zone_reason)
    )
    value = pl.when(has_offset).then(from_offset).otherwise(from_zone)
    return Checked(pl.when(reason.is_null()).then(value), reason, stages)


def _nanoseconds(fraction: pl.Expr) -> pl.Expr:
    return fraction.str.pad_end(9, "0").cast(pl.Int64, strict=False).fill_null(0)


def _localize(name: str, local: pl.Expr, present: pl.Expr, tz: str | None) -> Checked:
    """Wall-clock times in ``tz`` to UTC, with a reason for DST gaps and overlaps."""
    if tz is None:
        return Checked(pl.lit(None, dtype=TIME), pl.when(present).then(pl.lit(NO_OFFSET)))
    exact, earliest = helper(name, "zoned"), helper(name, "earliest")
    stages = (
        {
            exact: local.dt.replace_time_zone(tz, ambiguous="null", non_existent="null"),
            earliest: local.dt.replace_time_zone(tz, ambiguous="earliest", non_existent="null"),
        },
    )
    reason = (
        pl.when(local.is_null() | pl.col(exact).is_not_null())
        .then(no_reason())
        .when(pl.col(earliest).is_null())
        .then(pl.lit(gap_reason(tz)))
        .otherwise(pl.lit(overlap_reason(tz)))
    )
    return Checked(pl.col(exact).dt.convert_time_zone("UTC").cast(TIME), reason, stages)
