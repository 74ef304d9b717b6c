"""A session's market data for pre-trade, kept in memory between requests.

An estimate needs the start day's quotes and prints, the bars of earlier
dates (ADV20, σ20) and earlier sessions' prints (the volume profile). None of
it changes until the next ingest, and the tick store never changes a file in
place, so a process keeps what it read per (symbol, session), keyed on the
store's manifest stamps and the instrument's last edit: after any ingest or
instrument change the next request reads afresh. The stamps are read before
the data, so a read racing an ingest is cached under the older stamps and
never outlives them.

What depends on the start time (the last quote before it, the market state
of the 30 minutes before it) is cut from the cached day with binary searches
on its sorted times: the market state is computed on exactly the rows it
would read from the whole day.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from threading import Lock
from typing import Any

import numpy as np
import polars as pl
from django.conf import settings

from models_app.impact.market_state import LOOKBACK, STATE_COLUMNS, market_state, session_bounds
from models_app.impact.signals import signals_asof
from tca.analytics.volume_profile import flat_profile, intraday_profile
from tca.frames import SCHEMAS
from tca.instruments.models import Instrument
from tca.instruments.services import instrument_frame
from tca.marketdata.selectors import adv_sigma_asof
from tca.marketdata.store import tick_store
from tca.marketdata.tickstore import HISTORY

from .conf import PretradeConf

MAX_SESSIONS = 16  # (symbol, session) entries a process keeps; a day's ticks each
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_cache: OrderedDict[tuple[Any, ...], SessionData] = OrderedDict()
_lock = Lock()


def _ns(value: dt.datetime) -> int:
    return (value - _EPOCH) // dt.timedelta(microseconds=1) * 1000


@dataclass(frozen=True)
class SessionData:
    """What pre-trade reads for one symbol and session date."""

    symbol: str
    day: dt.date
    adv20: float | None
    sigma20: float | None
    history_flags: tuple[str, ...]
    instruments: pl.DataFrame
    session_open: dt.datetime
    session_close: dt.datetime
    profile: np.ndarray
    profile_source: str
    quotes: pl.DataFrame  # the day's quotes, sorted by time
    quote_ns: np.ndarray
    valid_quotes: pl.DataFrame  # bid > 0 and ask ≥ bid
    valid_ns: np.ndarray
    priced_ns: np.ndarray  # times of quotes with a finite log mid (the recent-σ sampler's)
    trades: pl.DataFrame  # the day's prints, sorted by time
    trade_ns: np.ndarray
    earlier_quote: tuple[dict[str, Any], dt.date] | None  # latest earlier session's last quote
    signals: pl.DataFrame  # the configured signals published from max_age before the day
    signal_names: tuple[str, ...]
    signal_max_age: dt.timedelta

    def signal_values(self, start: dt.datetime) -> dict[str, float | None]:
        """Each configured signal as of ``start`` (strictly before), keyed by its column."""
        if not self.signal_names:
            return {}
        order = pl.DataFrame({"order_id": ["pretrade"], "symbol": [self.symbol],
                              "arrival_time": [start]})  # fmt: skip
        order = order.with_columns(pl.col("arrival_time").cast(pl.Datetime("ns", "UTC")))
        row = signals_asof(order, self.signals, self.signal_names, max_age=self.signal_max_age)
        return {k: v for k, v in row.row(0, named=True).items() if k != "order_id"}

    def last_quote(self, start: dt.datetime) -> tuple[dict[str, Any], dt.date] | None:
        """The last valid quote strictly before ``start`` and its session date."""
        i = int(np.searchsorted(self.valid_ns, _ns(start), side="left"))
        if i > 0:
            return self.valid_quotes.row(i - 1, named=True), self.day
        return self.earlier_quote

    def state(self, start: dt.datetime) -> dict[str, float | None]:
        """STATE_COLUMNS at ``start``: ``market_state`` on the rows it would use."""
        end, window = _ns(start), _ns(start - LOOKBACK)
        q_end = int(np.searchsorted(self.quote_ns, end, side="left"))
        # From the last priced quote before the window: the sampler's first as-of.
        before = int(np.searchsorted(self.priced_ns, window, side="left")) - 1
        q_start = (
            int(np.searchsorted(self.quote_ns, self.priced_ns[before], side="left"))
            if before >= 0
            else 0
        )
        t_start = int(np.searchsorted(self.trade_ns, window, side="left"))
        t_end = int(np.searchsorted(self.trade_ns, end, side="left"))
        order = pl.DataFrame(
            {
                "order_id": ["pretrade"],
                "symbol": [self.symbol],
                "trade_date": [self.day],
                "arrival_time": [start],
                "adv20": [self.adv20],
            },
        ).with_columns(pl.col("arrival_time").cast(pl.Datetime("ns", "UTC")))
        row = market_state(
            order,
            self.quotes.slice(q_start, max(q_end - q_start, 0)),
            self.trades.slice(t_start, max(t_end - t_start, 0)),
            self.instruments,
        ).row(0, named=True)
        return {name: row[name] for name in STATE_COLUMNS}


def _times(frame: pl.DataFrame) -> np.ndarray:
    return frame["time"].dt.epoch("ns").to_numpy()


def _load(
    symbol: str, day: dt.date, conf: PretradeConf, signals: tuple[str, ...], max_age: dt.timedelta
) -> SessionData:
    store = tick_store()
    asof = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
    adv20, sigma20, flags = adv_sigma_asof(symbol=symbol, asof=asof)
    instruments = instrument_frame(symbols=[symbol])
    keys = pl.DataFrame({"symbol": [symbol], "trade_date": [day]})
    session = session_bounds(keys, instruments).row(0, named=True)

    trade_days = sorted(d for s, d in store.partitions("trades") if s == symbol and d < day)
    trade_days = trade_days[-conf.profile_sessions :]
    profile, profile_source = flat_profile(), "flat: no earlier prints"
    if trade_days:
        earlier = store.read("trades", symbols=[symbol], dates=trade_days)
        keys = pl.DataFrame({"symbol": [symbol] * len(trade_days), "trade_date": trade_days})
        found = intraday_profile(earlier, session_bounds(keys, instruments))
        if found is not None:
            profile = found
            profile_source = f"continuous prints of {len(trade_days)} earlier session(s)"

    quote_days = sorted(
        (d for s, d in store.partitions("quotes") if s == symbol and d <= day), reverse=True
    )[: conf.quote_lookback_sessions]
    quotes = store.read("quotes", symbols=[symbol], dates=[day])
    valid = pl.col("bid") > 0, pl.col("ask") >= pl.col("bid")
    valid_quotes = quotes.filter(*valid)
    earlier_quote = None
    for earlier_day in (d for d in quote_days if d < day):
        last = store.read("quotes", symbols=[symbol], dates=[earlier_day]).filter(*valid)
        if last.height:
            earlier_quote = last.sort("time").row(-1, named=True), earlier_day
            break
    log_mid = quotes.select(((pl.col("bid") + pl.col("ask")) / 2).log().is_finite()).to_series()
    trades = store.read("trades", symbols=[symbol], dates=[day])
    published = pl.DataFrame(schema=SCHEMAS["signals"])
    if signals:
        days = pl.date_range((asof - max_age).date(), day, eager=True).to_list()
        published = store.read("signals", symbols=[symbol], dates=days).filter(
            pl.col("name").is_in(signals)
        )
    return SessionData(
        symbol=symbol,
        day=day,
        adv20=adv20,
        sigma20=sigma20,
        history_flags=flags,
        instruments=instruments,
        session_open=session["_open"],
        session_close=session["_close"],
        profile=profile,
        profile_source=profile_source,
        quotes=quotes,
        quote_ns=_times(quotes),
        valid_quotes=valid_quotes,
        valid_ns=_times(valid_quotes),
        priced_ns=_times(quotes.filter(log_mid.fill_null(False))),
        trades=trades,
        trade_ns=_times(trades),
        earlier_quote=earlier_quote,
        signals=published,
        signal_names=signals,
        signal_max_age=max_age,
    )


def session_data(
    *,
    symbol: str,
    day: dt.date,
    conf: PretradeConf,
    signals: Sequence[str] = (),
    signal_max_age: dt.timedelta = dt.timedelta(days=1),
) -> SessionData | None:
    """The session's data (from memory when nothing changed since); None if unknown symbol."""
    edited = Instrument.objects.filter(symbol=symbol).values_list("updated_at", flat=True).first()
    if edited is None:
        return None
    store = tick_store()
    key = (
        str(settings.TICK_STORE_URL),
        symbol,
        day,
        edited,
        conf.quote_lookback_sessions,
        conf.profile_sessions,
        tuple(signals),
        signal_max_age,
        *(store.stamp(kind) for kind in ("quotes", "trades", "daily", HISTORY, "signals")),
    )
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    data = _load(symbol, day, conf, tuple(signals), signal_max_age)
    with _lock:
        _cache[key] = data
        while len(_cache) > MAX_SESSIONS:
            _cache.popitem(last=False)
    return data
