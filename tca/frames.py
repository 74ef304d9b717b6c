"""Canonical in-memory shapes of the data Footprint works on.

Parsing produces these frames, the simulator's files parse into them, the
database and the tick store load into them, and the analytics consume them.
Keeping the one definition here is what lets the pure packages
(``tca.parsing``, ``tca.sim``, ``tca.analytics``) be used without Django.

Conventions (see docs/conventions.md and the SPEC):
- ``side`` is the side sign as Int8: +1 buy, -1 sell (sell short counts as sell).
- times are ``Datetime("ns", "UTC")``.
- prices, quantities and fees are Float64 in computation; ingestion parses them
  Decimal-exact first and the database stores them as decimals.
"""

from __future__ import annotations

import polars as pl

TIME = pl.Datetime("ns", "UTC")

INSTRUMENTS_SCHEMA: dict[str, pl.DataType] = {
    "symbol": pl.String(),
    "name": pl.String(),
    "currency": pl.String(),
    "asset_class": pl.String(),
    "tick_size": pl.Float64(),
    "lot_size": pl.Float64(),
    "mic": pl.String(),
    "timezone": pl.String(),
    "session_open": pl.String(),  # "HH:MM[:SS]" local time of the instrument's venue
    "session_close": pl.String(),
}

ORDERS_SCHEMA: dict[str, pl.DataType] = {
    "order_id": pl.String(),
    "symbol": pl.String(),
    "side": pl.Int8(),
    "quantity": pl.Float64(),
    "arrival_time": TIME,
    "decision_time": TIME,  # null means "same as arrival"
    "end_time": TIME,  # null means "last fill"
    "limit_price": pl.Float64(),
    "broker": pl.String(),
    "algo": pl.String(),
    "trader": pl.String(),
    "desk": pl.String(),
    "portfolio": pl.String(),
    "currency": pl.String(),
}

LIQUIDITY_FLAGS = ("ADD", "REMOVE", "AUCTION", "OTHER")

FILLS_SCHEMA: dict[str, pl.DataType] = {
    "exec_id": pl.String(),
    "order_id": pl.String(),
    "symbol": pl.String(),
    "side": pl.Int8(),
    "quantity": pl.Float64(),
    "price": pl.Float64(),
    "time": TIME,
    "venue": pl.String(),
    "liquidity": pl.String(),  # one of LIQUIDITY_FLAGS or null
    "broker": pl.String(),
    "algo": pl.String(),
    "fee": pl.Float64(),  # null is read as 0 by the analytics; negative = rebate
    "currency": pl.String(),
}

QUOTES_SCHEMA: dict[str, pl.DataType] = {
    "symbol": pl.String(),
    "time": TIME,
    "bid": pl.Float64(),
    "ask": pl.Float64(),
    "bid_size": pl.Float64(),
    "ask_size": pl.Float64(),
}

TRADES_SCHEMA: dict[str, pl.DataType] = {
    "symbol": pl.String(),
    "time": TIME,
    "price": pl.Float64(),
    "size": pl.Float64(),
    "venue": pl.String(),
    "condition": pl.String(),
}

# Daily history a user loads so ADV20 and sigma20 exist from the first analysed day.
DAILY_SCHEMA: dict[str, pl.DataType] = {
    "symbol": pl.String(),
    "date": pl.Date(),  # the session date in the venue's calendar
    "open": pl.Float64(),
    "high": pl.Float64(),
    "low": pl.Float64(),
    "close": pl.Float64(),
    "volume": pl.Float64(),
    "vwap": pl.Float64(),
    "currency": pl.String(),
}

RFQ_STATUSES = ("FILLED", "PASSED", "EXPIRED")

RFQ_REQUIRED = (
    "rfq_id", "symbol", "side", "quantity", "request_time", "dealer", "quote_price", "quote_time"
)  # fmt: skip
RFQ_SCHEMA: dict[str, pl.DataType] = {
    "rfq_id": pl.String(),
    "symbol": pl.String(),
    "side": pl.Int8(),  # our side: +1 we buy from the dealer
    "quantity": pl.Float64(),
    "request_time": TIME,
    "dealer": pl.String(),
    "quote_price": pl.Float64(),
    "quote_time": TIME,
    "status": pl.String(),  # one of RFQ_STATUSES or null (unknown)
    "valid_until": TIME,
    "venue": pl.String(),
}

# Alternative data (a news sentiment score, an on-chain net flow...): one value per
# (symbol, time, name), positive meaning "the price should rise". Models that are
# configured with a name see its last value strictly before each order's arrival.
SIGNALS_SCHEMA: dict[str, pl.DataType] = {
    "symbol": pl.String(),
    "time": TIME,  # when the value became known (published), not the period it describes
    "name": pl.String(),
    "value": pl.Float64(),
}

SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "instruments": INSTRUMENTS_SCHEMA,
    "orders": ORDERS_SCHEMA,
    "fills": FILLS_SCHEMA,
    "quotes": QUOTES_SCHEMA,
    "trades": TRADES_SCHEMA,
    "daily": DAILY_SCHEMA,
    "rfq": RFQ_SCHEMA,
    "signals": SIGNALS_SCHEMA,
}

REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "instruments": ("symbol",),
    "orders": ("order_id", "symbol", "side", "quantity", "arrival_time"),
    "fills": ("exec_id", "order_id", "symbol", "side", "quantity", "price", "time"),
    "quotes": ("symbol", "time", "bid", "ask"),
    "trades": ("symbol", "time", "price", "size"),
    "daily": ("symbol", "date", "open", "high", "low", "close", "volume"),
    "rfq": RFQ_REQUIRED,
    "signals": ("symbol", "time", "name", "value"),
}


def empty_frame(kind: str) -> pl.DataFrame:
    """An empty frame of the canonical schema, for code paths with no rows."""
    return pl.DataFrame(schema=SCHEMAS[kind])
