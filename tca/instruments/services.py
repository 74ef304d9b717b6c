"""Services for instruments: explicit upserts and auto-registration."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl

from .models import Instrument

DEFAULT_TICK = Decimal("0.01")


def _parse_time(value: str | None) -> dt.time | None:
    return dt.time.fromisoformat(value) if value else None


def instruments_upsert(*, frame: pl.DataFrame) -> tuple[int, int]:
    """Create or update instruments from an instruments file; (created, updated)."""
    created = updated = 0
    symbols = frame["symbol"].to_list()
    existing = {i.symbol: i for i in Instrument.objects.filter(symbol__in=symbols)}
    for row in frame.iter_rows(named=True):  # instrument files are small reference data
        values = {
            k: v
            for k, v in {
                "name": row.get("name"),
                "currency": row.get("currency"),
                "asset_class": row.get("asset_class"),
                "tick_size": row.get("tick_size"),
                "lot_size": row.get("lot_size"),
                "mic": row.get("mic"),
                "timezone": row.get("timezone"),
                "session_open": _parse_time(row.get("session_open")),
                "session_close": _parse_time(row.get("session_close")),
            }.items()
            if v is not None
        }
        instrument = existing.get(row["symbol"])
        if instrument is None:
            Instrument.objects.create(symbol=row["symbol"], auto_registered=False, **values)
            created += 1
            continue
        changed = {k: v for k, v in values.items() if getattr(instrument, k) != v}
        if changed or instrument.auto_registered:
            for k, v in changed.items():
                setattr(instrument, k, v)
            instrument.auto_registered = False
            instrument.save()
            updated += 1
    return created, updated


def instruments_register_missing(
    *, symbols: list[str], currency: dict[str, str] | None = None,
    tick_size: dict[str, Decimal] | None = None,
) -> list[str]:
    """Register symbols first seen in orders or market data, flagged as such.

    Defaults are inferred from the data where it says something (currency from
    the orders, tick size from quote precision) and documented otherwise.
    """
    known = set(Instrument.objects.filter(symbol__in=symbols).values_list("symbol", flat=True))
    missing = sorted(set(symbols) - known)
    Instrument.objects.bulk_create(
        [
            Instrument(
                symbol=s,
                currency=(currency or {}).get(s) or "USD",
                tick_size=(tick_size or {}).get(s) or DEFAULT_TICK,
                auto_registered=True,
            )
            for s in missing
        ],
        ignore_conflicts=True,
    )
    return missing


def instrument_frame(*, symbols: list[str] | None = None) -> pl.DataFrame:
    """Instruments as a polars frame in the canonical schema (for the analytics)."""
    qs = Instrument.objects.all()
    if symbols is not None:
        qs = qs.filter(symbol__in=symbols)
    rows = list(
        qs.values_list(
            "symbol", "name", "currency", "asset_class", "tick_size", "lot_size", "mic",
            "timezone", "session_open", "session_close",
        )
    )
    from tca.frames import INSTRUMENTS_SCHEMA

    return pl.DataFrame(
        [
            (
                s, n, c, a, float(t), float(lot), m, tz,
                o.isoformat() if o else None, cl.isoformat() if cl else None,
            )
            for s, n, c, a, t, lot, m, tz, o, cl in rows
        ],
        schema=INSTRUMENTS_SCHEMA,
        orient="row",
    )
